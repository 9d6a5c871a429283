"""``python -m e2e``: run the help article's procedure against a console and report on it.

Exit codes: 0 every documented step passed, 1 a step failed, 2 a usage or setup error.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from e2e.devices import DESKTOP
from e2e.http import HttpError
from e2e.target import Credentials, Target, TargetError

EXIT_PASSED, EXIT_FAILED, EXIT_SETUP = 0, 1, 2
DEFAULT_REPORT = Path("reports/latest")
DEFAULT_DOC_CHECK_REPORT = Path("reports/doc-check")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m e2e",
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
                     help="also save a Playwright trace (trace.zip) in the report folder")
    doc_check = commands.add_parser(
        "doc-check", help="check that every string a help article quotes is on screen",
        description="Run the procedure once and check, at each step, that the UI strings the "
                    "article quotes in brackets are on the screen. Exit 0 all verified, 1 drift, "
                    "2 the article could not be read or the run could not start.")
    doc_check.add_argument("article", type=Path,
                           help="the help article: plain text, Markdown or a saved HTML page")
    add_target_options(doc_check)
    doc_check.add_argument("--report", type=Path, default=DEFAULT_DOC_CHECK_REPORT,
                           help="folder for doc-check.html and doc-check.json "
                                f"(default {DEFAULT_DOC_CHECK_REPORT})")
    return parser


def add_target_options(parser: argparse.ArgumentParser) -> None:
    """Options shared by every command that drives a console in a browser."""
    parser.add_argument("--base-url", default=None,
                        help="console to test (default: start the embedded mock on 127.0.0.1). "
                             "A real console needs E2E_USERNAME and E2E_PASSWORD.")
    parser.add_argument("--lang", default="en", help="label catalogue language (default en)")
    parser.add_argument("--labels", type=Path, default=None,
                        help="a label catalogue file to use instead of fixtures/labels/LANG.json")
    parser.add_argument("--device", default=DESKTOP,
                        help=f"device to emulate (default {DESKTOP}; e.g. 'Pixel 7', 'iPhone 14',"
                             " 'Desktop Dark', 'Desktop HiDPI 2x')")
    parser.add_argument("--headed", action="store_true", help="show the browser window")


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from e2e.session import SetupError

    try:
        return COMMANDS[args.command](args)
    except SetupError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_SETUP
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_SETUP


def run_command(args: argparse.Namespace) -> int:
    """Run the procedure once, print each step as it finishes, write the report."""
    from e2e.progress import print_header, print_step, print_summary
    from e2e.report import write_report
    from e2e.runner import run_procedure
    from e2e.session import open_session

    evidence = None if args.no_evidence else args.report
    if evidence is not None:
        clear_report_folder(args.report)
    trace = args.report / "trace.zip" if args.trace else None
    with open_session(base_url=args.base_url, lang=args.lang, labels_file=args.labels,
                      device=args.device, headed=args.headed, trace_to=trace) as session:
        print_header(session.target.describe(), session.device, session.labels.lang)
        result = run_procedure(session.page, session.target, session.labels,
                               account=new_account(session.target), evidence_dir=evidence,
                               device=session.device, on_step=print_step)
    index = write_report(result, args.report)
    print_summary(result, index)
    return EXIT_PASSED if result.passed else EXIT_FAILED


def doc_check_command(args: argparse.Namespace) -> int:
    """Check the article's quoted strings at each step; print the table, write JSON and HTML."""
    from e2e.article import ArticleError, read_article
    from e2e.doccheck import run_doc_check
    from e2e.doccheck_report import print_report, write_outputs
    from e2e.progress import print_step
    from e2e.session import open_session

    try:
        article = read_article(args.article)
    except ArticleError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_SETUP
    with open_session(base_url=args.base_url, lang=args.lang, labels_file=args.labels,
                      device=args.device, headed=args.headed) as session:
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


def new_account(target: Target) -> Credentials:
    """Get the account to run with, turning "cannot" into a setup error."""
    from e2e.session import SetupError

    try:
        return target.new_account()
    except (TargetError, HttpError) as error:
        raise SetupError(str(error)) from None


def clear_report_folder(folder: Path) -> None:
    """Remove the previous run's screenshots so a report never mixes two runs."""
    for old in folder.glob("step-*.png"):
        old.unlink()


COMMANDS = {"run": run_command, "doc-check": doc_check_command}


if __name__ == "__main__":
    sys.exit(main())
