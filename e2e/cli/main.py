"""``python -m e2e``: run the help article's procedure against a console and report on it.

Exit codes: 0 every documented step passed, 1 a step failed, 2 a usage or setup error,
3 only with ``run --fail-on-drift``: every step passed but a screen changed since the baseline, and
4 only with ``run --fail-on-posture``: every step passed but a security posture check failed.
Screenshot drift alone never fails a run: the procedure still works, and a changed screen is
news for the writer (which published screenshots are stale), not a broken console.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

from e2e.browser.devices import DESKTOP
from e2e.data import article_path
from e2e.doccheck.article import Article, ArticleError, read_article
from e2e.evidence.redaction import safe_print

EXIT_PASSED, EXIT_FAILED, EXIT_SETUP, EXIT_DRIFT, EXIT_POSTURE = 0, 1, 2, 3, 4
DEFAULT_REPORT = Path("reports/latest")
DEFAULT_DOC_CHECK_REPORT = Path("reports/doc-check")


def program_name(script: str, module_form: str) -> str:
    """How the user called us, for usage lines: the installed script's name, or ``python -m``."""
    return script if Path(sys.argv[0]).name == script else module_form


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=program_name("e2e-2sv", "python -m e2e"),
        description="Browser test harness for the 2-Step Verification settings of the HENNGE "
                    "Cloud Protection Admin Console, following its help article step by step.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = commands.add_parser("run", help="run the article's procedure and write a report",
                              description="Turn 2-Step Verification on and off as the help "
                                          "article says, checking every step.")
    add_target_options(run)
    run.add_argument("--report", type=Path, default=DEFAULT_REPORT,
                     help="folder for index.html, report.json and junit.xml "
                          f"(default {DEFAULT_REPORT})")
    run.add_argument("--no-evidence", action="store_true",
                     help="skip screenshots (faster; the report then has none)")
    run.add_argument("--trace", action="store_true",
                     help="also save a Playwright trace (trace.zip) in the report folder; on a "
                          "console other than the mock with its test API it is refused unless "
                          "--trace-contains-secrets")
    run.add_argument("--trace-contains-secrets", action="store_true",
                     help="accept that the trace of a real console holds the password, the 2SV "
                          "secret and session cookies; it is then named trace.SENSITIVE.zip")
    run.add_argument("--unmasked-evidence", action="store_true",
                     help="keep screenshots as taken, QR code and Recovery Code readable (for "
                          "debugging the QR reader; only with the embedded mock)")
    run.add_argument("--article", type=Path, default=None,
                     help="help article whose numbering and words index.html and report.md use "
                          "(default the shipped two-step-verification[.LANG].txt; the "
                          "procedure's own texts when there is none for the language)")
    run.add_argument("--fail-on-posture", action="store_true",
                     help=f"exit {EXIT_POSTURE} when every step passed but a security posture "
                          "check of the console failed (default: the posture is reported only)")
    drift = run.add_argument_group(
        "screenshot drift", "Compare each step's screen with a kept one, per-run content (QR "
                            "code, key, Recovery Code, account name) masked.")
    drift.add_argument("--baseline", type=Path, default=None, metavar="DIR",
                       help="compare each step's screenshot with DIR/step-<id>.png and report "
                            "the screens that changed, with a diff picture")
    drift.add_argument("--update-baseline", action="store_true",
                       help="then write this run's screenshots and masks to DIR as the new "
                            "baseline (only when every step passed)")
    drift.add_argument("--fail-on-drift", action="store_true",
                       help=f"exit {EXIT_DRIFT} when every step passed but a screen changed "
                            "(default: drift is reported, the exit code is the steps' own)")
    doc_check = commands.add_parser(
        "doc-check", help="check that every string a help article quotes is on screen",
        description="Run the procedure once and check, at each step, that the UI strings the "
                    "article quotes in brackets are on the screen. Exit 0 all verified, 1 drift, "
                    "2 the article could not be read or the run could not start.")
    doc_check.add_argument("article", type=Path, nargs="?", default=None,
                           help="the help article: plain text, Markdown or a saved HTML page "
                                "(default the shipped two-step-verification[.LANG].txt)")
    add_target_options(doc_check)
    doc_check.add_argument("--report", type=Path, default=DEFAULT_DOC_CHECK_REPORT,
                           help="folder for doc-check.html and doc-check.json "
                                f"(default {DEFAULT_DOC_CHECK_REPORT})")
    from e2e.cli.matrix import add_matrix_parser
    from e2e.cli.selftest import add_selftest_parser

    add_matrix_parser(commands, add_target_options)
    add_selftest_parser(commands)
    return parser


def add_target_options(parser: argparse.ArgumentParser) -> None:
    """Options shared by every command that drives a console in a browser."""
    parser.add_argument("--base-url", default=None,
                        help="console to test (default: start the embedded mock on 127.0.0.1). "
                             "A real console needs E2E_USERNAME and E2E_PASSWORD.")
    parser.add_argument("--lang", default="en", help="label catalogue language (default en)")
    parser.add_argument("--labels", type=Path, default=None, metavar="FILE",
                        help="a label catalogue file to use instead of the shipped one for "
                             "--lang (a copy of en.json, edited)")
    parser.add_argument("--device", default=DESKTOP,
                        help=f"device to emulate (default {DESKTOP}; e.g. 'Pixel 7', 'iPhone 14',"
                             " 'Desktop Dark', 'Desktop HiDPI 2x')")
    parser.add_argument("--headed", action="store_true", help="show the browser window")
    parser.add_argument("--mock-reauth", action="store_true",
                        help="start the embedded mock with --reauth: it asks to confirm access "
                             "(password, or a code) before Set up and Turn off (environment: "
                             "E2E_MOCK_REAUTH=1); not with --base-url")
    parser.add_argument("--allow-plain-http", action="store_true",
                        help="accept an http:// --base-url that is not on this machine (the "
                             "password and the 2SV secret then cross the network unencrypted)")
    from e2e.browser.remote import add_browser_options

    add_browser_options(parser)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from e2e.errors import HarnessError
    from e2e.target import ALLOW_PLAIN_HTTP_ENV, REAUTH_ENV

    if getattr(args, "allow_plain_http", False):
        os.environ[ALLOW_PLAIN_HTTP_ENV] = "1"
    if getattr(args, "mock_reauth", False):
        if args.base_url is not None:
            print("error: --mock-reauth starts the embedded mock with --reauth, so it cannot go "
                  "with --base-url. Start that console with `python -m mock_console --reauth` "
                  "instead, or drop one of the two options.", file=sys.stderr)
            return EXIT_SETUP
        os.environ[REAUTH_ENV] = "1"

    try:
        with sigterm_as_interrupt():
            return COMMANDS[args.command](args)
    except HarnessError as error:  # a setup problem the harness explained: message, no traceback
        safe_print(f"error: {error}", file=sys.stderr)
        return EXIT_SETUP
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_SETUP


@contextlib.contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """Let SIGTERM (a CI job cancelled, ``kill``) stop a run the way Ctrl-C does: as a
    ``KeyboardInterrupt``, so the run still leaves the account as found before it exits."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be set from the main thread
        return

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def run_command(args: argparse.Namespace) -> int:
    """Run the procedure once, print each step as it finishes, write the report."""
    from e2e.browser.other_session import OtherSessionProbe
    from e2e.browser.session import new_account, open_session
    from e2e.checks.posture import FAIL, PostureObserver, assess, reauth_before_turn_off, summary
    from e2e.evidence.baseline import check_drift, update_baseline
    from e2e.evidence.capture import EvidenceRecorder
    from e2e.reports.html import clear_report_folder, write_report
    from e2e.reports.progress import print_header, print_step, print_summary
    from e2e.runner import combine, run_procedure

    problem = drift_usage_problem(args)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return EXIT_SETUP
    article = run_article(args.article, args.lang)
    evidence = None if args.no_evidence else args.report
    recorder = EvidenceRecorder(args.report) if evidence is not None else None
    trace = args.report / "trace.zip" if args.trace else None
    with open_session(base_url=args.base_url, lang=args.lang, labels_file=args.labels,
                      device=args.device, headed=args.headed, trace_to=trace,
                      browser_ws=args.browser_ws, cdp_url=args.cdp,
                      trace_contains_secrets=args.trace_contains_secrets) as session:
        if evidence is not None:  # only now: a typo in an option must not cost the last report
            clear_report_folder(args.report)
        print_header(session.target.describe(), session.device, session.labels.lang)
        posture = PostureObserver(session.page, session.target.base_url)
        other_session = OtherSessionProbe(posture.observations)
        try:
            result = run_procedure(session.page, session.target, session.labels,
                                   account=new_account(session.target), evidence_dir=evidence,
                                   device=session.device, on_step=print_step,
                                   inspect=combine(recorder, posture, other_session),
                                   unmasked_evidence=args.unmasked_evidence)
        finally:
            other_session.close()
    posture.observations.reauth_before_turn_off = reauth_before_turn_off(result.steps)
    checks = assess(posture.observations)
    result.posture = [check.to_dict() for check in checks]
    seen = recorder.steps if recorder is not None else {}
    drift = None
    if args.baseline is not None:
        drift = check_drift(result, seen, args.report, args.baseline)
        if args.update_baseline:
            drift.updated = update_baseline(result, seen, args.report, args.baseline)
    index = write_report(result, args.report, evidence=seen, drift=drift, article=article)
    print_summary(result, index)
    safe_print(summary(checks))
    if drift is not None:
        print("\n".join(drift.summary()))
    if not result.passed:
        return EXIT_FAILED
    if args.fail_on_drift and drift is not None and drift.drifted:
        return EXIT_DRIFT
    return EXIT_POSTURE if args.fail_on_posture and any(c.status == FAIL for c in checks) \
        else EXIT_PASSED


def drift_usage_problem(args: argparse.Namespace) -> str | None:
    """Return why the drift options cannot be used as given, or None."""
    if (args.update_baseline or args.fail_on_drift) and args.baseline is None:
        return "--update-baseline and --fail-on-drift need --baseline DIR"
    if args.baseline is not None and args.no_evidence:
        return "--baseline compares screenshots; it cannot be used with --no-evidence"
    if args.baseline is not None and args.baseline.resolve() == args.report.resolve():
        return ("--baseline DIR must not be the report folder: each run clears its screenshots "
                "there")
    if args.article is not None and not args.article.exists():
        return f"no article at {args.article}"
    if args.unmasked_evidence and args.base_url is not None:
        return ("--unmasked-evidence keeps live second factors readable in the screenshots: it "
                "is only allowed with the embedded mock (no --base-url)")
    if args.unmasked_evidence and args.no_evidence:
        return "--unmasked-evidence keeps screenshots; it cannot be used with --no-evidence"
    return None


def run_article(path: Path | None, lang: str) -> Article | None:
    """Return the article to lay the report out by: ``path``, else the shipped one for ``lang``.

    A language without a shipped article gets None (the procedure's texts), not English words.
    """
    if path is None:
        path = article_path(lang)
        if not path.exists():
            return None
    try:
        return read_article(path)
    except ArticleError as error:
        from e2e.browser.session import SetupError

        raise SetupError(str(error)) from None


def doc_check_command(args: argparse.Namespace) -> int:
    """Check the article's quoted strings at each step; print the table, write JSON and HTML."""
    from e2e.browser.session import new_account, open_session
    from e2e.doccheck.report import print_report, write_outputs
    from e2e.doccheck.run import run_doc_check
    from e2e.reports.progress import print_step

    if args.article is None:
        args.article = article_path(args.lang)
    try:
        article = read_article(args.article)
    except ArticleError as error:
        safe_print(f"error: {error}", file=sys.stderr)
        return EXIT_SETUP
    with open_session(base_url=args.base_url, lang=args.lang, labels_file=args.labels,
                      device=args.device, headed=args.headed,
                      browser_ws=args.browser_ws, cdp_url=args.cdp) as session:
        print(f"running the procedure for {args.article} ({len(article.steps)} steps) against "
              f"{session.target.describe()}", flush=True)
        check = run_doc_check(article, session.page, session.target, session.labels,
                              source=str(args.article), account=new_account(session.target),
                              device=session.device, on_step=print_step)
    print()
    print_report(check)
    json_path, html_path = write_outputs(check, args.report)
    print(f"report: {html_path} and {json_path.name}")
    return check.exit_code


def matrix_command(args: argparse.Namespace) -> int:
    """Run the procedure on every device of the matrix."""
    from e2e.cli.matrix import matrix_command as run_matrix_command

    return run_matrix_command(args)


def selftest_command(args: argparse.Namespace) -> int:
    """Run the suite clean and once per injected console fault."""
    from e2e.cli.selftest import selftest_command as run_selftest_command

    return run_selftest_command(args)


COMMANDS = {"run": run_command, "doc-check": doc_check_command, "matrix": matrix_command,
            "selftest": selftest_command}


if __name__ == "__main__":
    sys.exit(main())
