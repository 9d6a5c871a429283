"""``python -m e2e selftest``: does the suite fail when the console is broken, and only then?

Runs the console regression suite (tests marked ``selftest``) once against a clean mock, then
once per fault switch of the mock's catalogue with that fault on in every embedded mock
(``E2E_MOCK_FAULTS``). A fault counts as caught when at least one test fails with a message that
names an article step ("step 2.6 ...") or a security rule ("security rule broken: ..."), so a
person reading the failure knows what regressed. The clean run must pass.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from e2e.target import FAULTS_ENV, ONLY_RULES_ENV, REPORT_ENV, MockTarget

DEFAULT_SELFTEST_REPORT = Path("reports/selftest")
# Faults that need parameters get a representative one.
FAULT_SPECS = {"rename_label": 'rename_label={"from": "Change", "to": "Edit"}'}
NAMED = re.compile(r"\bstep \d+\.\d+\b|security rule broken")


@dataclass
class CaseOutcome:
    """One test case of one suite run, read from its JUnit XML."""

    test: str
    status: str  # passed, failed, skipped
    message: str = ""

    @property
    def named(self) -> bool:
        """Whether the failure message names an article step or a security rule."""
        return self.status == "failed" and bool(NAMED.search(self.message))


@dataclass
class SuiteRun:
    """The suite run once, clean or with one fault on."""

    fault: str | None
    seconds: float
    exit_code: int
    outcomes: list[CaseOutcome] = field(default_factory=list)
    only: tuple[str, ...] = ()  # the rules the run was narrowed to (a --quick first try)

    @property
    def failures(self) -> list[CaseOutcome]:
        return [o for o in self.outcomes if o.status == "failed"]

    @property
    def caught(self) -> bool:
        return any(o.named for o in self.outcomes)


def read_junit(path: Path) -> list[CaseOutcome]:
    """Read each test case's outcome and failure message from a JUnit XML file."""
    if not path.exists():
        return []
    outcomes = []
    for case in ET.parse(path).getroot().iter("testcase"):
        name = f"{case.get('classname', '').rsplit('.', 1)[-1]}::{case.get('name', '')}"
        problem = case.find("failure")
        if problem is None:
            problem = case.find("error")
        if problem is not None:
            text = " ".join(filter(None, [problem.get("message"), problem.text or ""]))
            outcomes.append(CaseOutcome(name, "failed", text))
        elif case.find("skipped") is not None:
            outcomes.append(CaseOutcome(name, "skipped"))
        else:
            outcomes.append(CaseOutcome(name, "passed"))
    return outcomes


def run_suite(fault: str | None, report: Path, workers: int, extra: list[str],
              only: tuple[str, ...] = (), paths: tuple[str, ...] = ()) -> SuiteRun:
    """Run the selftest-marked tests with ``fault`` on in every embedded mock.

    With ``only``, just the tests marked with one of those rules (or ``procedure``) run; finding
    none is then an empty run, not an error.
    """
    junit = report / f"{fault or 'clean'}{'.narrowed' if only else ''}.xml"
    junit.unlink(missing_ok=True)  # a narrowed run that collects nothing must not read the last
    env = {k: v for k, v in os.environ.items() if k not in (FAULTS_ENV, ONLY_RULES_ENV)}
    env[REPORT_ENV] = str(report.resolve())
    if fault is not None:
        env[FAULTS_ENV] = FAULT_SPECS.get(fault, fault)
    if only:
        env[ONLY_RULES_ENV] = ",".join(only)
    command = [sys.executable, "-m", "pytest", "-m", "selftest", "-p", "no:cacheprovider",
               "-q", "--tb=no", "-rN", f"--junitxml={junit}", *extra, *paths]
    if workers > 1:
        command += ["-n", str(workers)]
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    run = SuiteRun(fault, time.perf_counter() - started, done.returncode, read_junit(junit), only)
    if not run.outcomes and not only:
        raise RuntimeError(f"the suite ran no tests (exit {done.returncode}):\n"
                           f"{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return run


def selftest_ids(paths: tuple[str, ...]) -> set[str]:
    """The selftest-marked tests, as ``read_junit`` names them (``module::test[params]``)."""
    command = [sys.executable, "-m", "pytest", "-m", "selftest", "-p", "no:cacheprovider",
               "--collect-only", "-q", *paths]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    ids = set()
    for line in done.stdout.splitlines():
        path, found, test = line.partition("::")
        if found:
            ids.add(f"{path.rsplit('/', 1)[-1].removesuffix('.py')}::{test}")
    if done.returncode != 0 or not ids:
        raise RuntimeError(f"could not list the selftest tests (exit {done.returncode}):\n"
                           f"{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return ids


def clean_run_from(junit: Path, paths: tuple[str, ...]) -> SuiteRun:
    """The clean run, read from the JUnit of a suite run that already ran the selftest tests
    against clean mocks (CI's ``make test``), instead of running them again."""
    if not junit.exists():
        raise RuntimeError(f"no JUnit file at {junit}: run the suite with --junitxml first")
    wanted = selftest_ids(paths)
    outcomes = [o for o in read_junit(junit) if o.test in wanted]
    missing = wanted - {o.test for o in outcomes}
    if missing:
        raise RuntimeError(f"{junit} lacks {len(missing)} selftest tests, e.g. "
                           f"{sorted(missing)[0]}: it is not a run of the whole suite")
    failed = any(o.status == "failed" for o in outcomes)
    return SuiteRun(None, 0.0, 1 if failed else 0, outcomes)


def fault_catalogue() -> tuple[dict[str, str], dict[str, tuple[str, ...]]]:
    """Read the fault switches from a fresh mock: each one's documentation, and the rules whose
    tests should catch it (a hint for --quick; a mock without hints gets none)."""
    with MockTarget.start() as mock:
        listing = mock.faults()
    hints = {name: tuple(rules) for name, rules in listing.get("caught_by", {}).items()}
    return dict(listing["available"]), hints


def run_fault(fault: str, report: Path, workers: int, quick: bool,
              hint: tuple[str, ...], paths: tuple[str, ...] = ()) -> SuiteRun:
    """Run the suite with ``fault`` on until it is judged.

    --quick first runs only the tests of the rules the fault is declared to break and stops at
    the first failure (in one process: those few tests do not repay starting workers); if that
    does not catch it (a stale hint, or none), the whole suite runs (still stopping early), and
    if its first failure names no step or rule, every test runs.
    """
    spent = 0.0
    if quick and hint:
        narrowed = run_suite(fault, report, 1, ["--maxfail=1"], only=hint, paths=paths)
        if narrowed.caught:
            return narrowed
        spent += narrowed.seconds
    stop_early = ["--maxfail=1"] if quick else []
    run = run_suite(fault, report, workers, stop_early, paths=paths)
    if stop_early and run.failures and not run.caught:
        # The first failure named no step or rule: look at every test before judging.
        spent += run.seconds
        run = run_suite(fault, report, workers, [], paths=paths)
    run.seconds += spent
    return run


def run_faults(faults: list[str], args: argparse.Namespace,
               hints: dict[str, tuple[str, ...]], paths: tuple[str, ...]) -> list[SuiteRun]:
    """Judge each fault, ``args.jobs`` at a time; print each verdict as it comes, return the
    runs in the order of ``faults``.

    Each fault's run is its own pytest with its own embedded mocks, so runs share nothing but
    the machine; a browser run mostly waits on round trips, so two at a time per CPU finish
    sooner on a small CI runner.
    """
    def judge(fault: str) -> SuiteRun:
        hint = hints.get(fault, ())
        run = run_fault(fault, args.report, args.workers, args.quick, hint, paths)
        named = sum(o.named for o in run.outcomes)
        where = f", tests of {'/'.join(run.only)}" if run.only else ""
        stale = (f"; not by the tests of {'/'.join(hint)} it is declared to break: update "
                 "its caught_by" if args.quick and hint and not run.only else "")
        print(f"  {fault}: {'caught' if run.caught else 'NOT CAUGHT'} by {named} "
              f"{'test' if named == 1 else 'tests'}{where} ({run.seconds:.0f} s){stale}",
              flush=True)
        return run

    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        return list(pool.map(judge, faults))


def verdict(clean: SuiteRun, runs: list[SuiteRun]) -> bool:
    """The suite is trustworthy: clean run green, every fault caught with a named failure."""
    return not clean.failures and clean.exit_code == 0 and all(run.caught for run in runs)


def format_table(clean: SuiteRun, runs: list[SuiteRun], docs: dict[str, str]) -> str:
    """Render fault × result rows for the terminal."""
    took = f"in {clean.seconds:.0f} s" if clean.seconds else "(read from the suite's JUnit)"
    lines = [f"clean run: {len(clean.outcomes) - len(clean.failures)}/{len(clean.outcomes)} "
             f"passed {took}" + ("" if not clean.failures else
             "  <-- the clean run must pass: " + ", ".join(o.test for o in clean.failures))]
    width = max((len(run.fault or "") for run in runs), default=10)
    lines.append(f"{'fault':<{width}}  caught  by tests (named / failing)   first named failure")
    for run in runs:
        named = [o for o in run.outcomes if o.named]
        mark = "yes" if run.caught else "NO"
        first = named[0].message.split("\n")[0][:90] if named else docs.get(run.fault or "", "")
        lines.append(f"{run.fault:<{width}}  {mark:<6}  {len(named):>3} / {len(run.failures):<3}"
                     f"{'':18}{first}")
    return "\n".join(lines)


def write_selftest_report(clean: SuiteRun, runs: list[SuiteRun], docs: dict[str, str],
                          report: Path) -> Path:
    """Write selftest.json: the fault × test table with each failure's message."""
    tests = sorted({o.test for run in [clean, *runs] for o in run.outcomes})
    table = {
        run.fault or "clean": {
            "doc": docs.get(run.fault or "", "no fault"),
            "caught": run.caught if run.fault else None,
            "seconds": round(run.seconds, 1),
            "only": list(run.only),
            "tests": {o.test: {"status": o.status, "named": o.named, "message": o.message[:500]}
                      for o in run.outcomes if o.status != "passed"},
        }
        for run in [clean, *runs]
    }
    path = report / "selftest.json"
    path.write_text(json.dumps({"passed": verdict(clean, runs), "tests": tests, "runs": table},
                               indent=2) + "\n", "utf-8")
    return path


def add_selftest_parser(commands: argparse._SubParsersAction) -> None:
    """Register ``selftest`` with the CLI."""
    parser = commands.add_parser(
        "selftest", help="run the suite clean and once per injected console fault",
        description="Prove the suite catches console regressions: run the tests marked "
                    "'selftest' once clean and once per fault switch of the mock. Exit 0 when "
                    "the clean run passes and every fault is caught by a test whose failure "
                    "names an article step or a security rule.")
    parser.add_argument("--faults", default=None,
                        help="comma-separated fault names (default: the mock's whole catalogue)")
    parser.add_argument("-n", "--workers", type=int, default=2,
                        help="pytest-xdist workers per suite run (default 2)")
    parser.add_argument("-j", "--jobs", type=int, default=1,
                        help="faults judged at the same time, each in its own pytest with its "
                             "own mocks (default 1; CI uses 4 on 2 CPUs)")
    parser.add_argument("--quick", action="store_true",
                        help="stop each fault's run at its first failing test, trying first "
                             "only the tests of the rules the fault is declared to break "
                             "(proves every fault is caught; the table then shows only that "
                             "test)")
    parser.add_argument("--tests", nargs="+", default=[], metavar="PATH",
                        help="where the suite's selftest-marked tests are (default: pytest's "
                             "testpaths); naming their folder saves collecting the others")
    parser.add_argument("--clean-from", type=Path, default=None, metavar="JUNIT",
                        help="take the clean run from the JUnit XML of a whole-suite run that "
                             "just passed against clean mocks (as CI's make test does) instead "
                             "of running the selftest tests again")
    parser.add_argument("--report", type=Path, default=DEFAULT_SELFTEST_REPORT,
                        help=f"folder for selftest.json and JUnit files "
                             f"(default {DEFAULT_SELFTEST_REPORT})")


def selftest_command(args: argparse.Namespace) -> int:
    """Run the self-test and print the fault table."""
    from e2e.browser.session import SetupError

    if args.jobs < 1:
        raise SetupError(f"--jobs must be at least 1 (faults judged at a time), not {args.jobs}")
    docs, hints = fault_catalogue()
    faults = [f.strip() for f in args.faults.split(",")] if args.faults else sorted(docs)
    unknown = [f for f in faults if f not in docs]
    if unknown:
        raise SetupError(f"unknown faults {unknown}; the mock knows: {', '.join(sorted(docs))}")
    args.report.mkdir(parents=True, exist_ok=True)
    print(f"self-test: the suite clean, then with each of {len(faults)} faults on")
    try:
        paths = tuple(args.tests)
        if args.clean_from is not None:
            clean = clean_run_from(args.clean_from, paths)
            where = f"read from {args.clean_from}"
        else:
            clean = run_suite(None, args.report, args.workers, [], paths=paths)
            where = f"{clean.seconds:.0f} s"
        print(f"  clean: {len(clean.failures)} failing of {len(clean.outcomes)} ({where})",
              flush=True)
        runs = run_faults(faults, args, hints, paths)
    except RuntimeError as error:
        raise SetupError(str(error)) from None
    print(format_table(clean, runs, docs))
    path = write_selftest_report(clean, runs, docs, args.report)
    ok = verdict(clean, runs)
    print(("every fault caught, clean run green" if ok else "SELF-TEST FAILED") + f"; {path}")
    return 0 if ok else 1
