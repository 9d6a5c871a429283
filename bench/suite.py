"""Benchmark: the whole test suite's wall time, serial and on two xdist workers.

Why: "fast enough to run on every release" is finally a question about the suite's wall time,
and about what parallel workers buy on a small CI runner. Each run is a fresh
``python -m pytest -q -p no:cacheprovider`` (no cache, so no run reorders or skips by the last
one), serial and with ``-n 2`` alternated; the pass/fail counts are kept beside each time, since
the time of a failing suite is not the time of the suite.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.common import (
    ROOT,
    Figure,
    Stopwatch,
    base_parser,
    check_counts,
    interleave,
    machine_info,
    median,
    print_figures,
    reproduce_command,
    rounded,
    write_result,
)

NAME = "suite"
MODULE = f"bench.{NAME}"
DEFAULT_REPS = 1
BASE_COMMAND = ["-m", "pytest", "-q", "-p", "no:cacheprovider"]
OUTCOMES = ("passed", "failed", "errors", "error", "skipped", "xfailed", "xpassed", "deselected")
COUNT = re.compile(r"(\d+) (" + "|".join(OUTCOMES) + r")\b")
SUMMARY = re.compile(r"\d+ (?:" + "|".join(OUTCOMES) + r").* in [\d.]+s")


def counts(output: str) -> tuple[dict[str, int], str]:
    """Return the outcome counts from pytest's final summary line, and that line."""
    lines = [line.strip(" =") for line in output.splitlines() if SUMMARY.search(line)]
    if not lines:
        return {}, ""
    found = {("errors" if kind == "error" else kind): int(n)
             for n, kind in COUNT.findall(lines[-1])}
    return found, lines[-1]


def run_suite(workers: int, extra: list[str], log_dir: Path, label: str
              ) -> tuple[float, dict[str, Any]]:
    """Run the suite once; return its wall time and what it reported."""
    command = [sys.executable, *BASE_COMMAND, *(["-n", str(workers)] if workers else []),
               *extra]
    log = log_dir / f"{label}.log"
    with log.open("w", encoding="utf-8") as out, Stopwatch() as watch:
        code = subprocess.run(command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT).returncode
    output = log.read_text("utf-8", errors="replace")
    found, line = counts(output)
    failures = [x for x in output.splitlines() if x.startswith(("FAILED ", "ERROR "))][:20]
    print(f"    {label}: exit {code}, {line or 'no summary line'}")
    return watch.seconds, {"exit_code": code, "counts": found, "summary": line,
                           "failures": failures, "seconds": round(watch.seconds, 2)}


def main(argv: list[str] | None = None) -> int:
    parser = base_parser(MODULE, "Time the whole test suite, serial and with pytest-xdist "
                                 "workers.", DEFAULT_REPS, warmup=0)
    parser.add_argument("--workers", type=int, default=2,
                        help="xdist workers of the parallel variant (default 2)")
    parser.add_argument("--not-slow", action="store_true",
                        help='deselect the tests marked slow (-m "not slow"; the real-time one)')
    parser.add_argument("--pytest-args", default="",
                        help="more pytest arguments, one shell-quoted string, e.g. "
                             "'-k test_qr' to check this benchmark on a small selection")
    argv = sys.argv[1:] if argv is None else argv
    args = parser.parse_args(argv)
    check_counts(parser, args)
    if args.workers < 1:
        parser.error("--workers must be at least 1")
    extra = [*(["-m", "not slow"] if args.not_slow else []), *shlex.split(args.pytest_args)]
    serial, parallel = "serial", f"-n {args.workers}"
    runs: dict[str, list[dict[str, Any]]] = {serial: [], parallel: []}
    print(f"{MODULE}: {args.reps} run(s) each, serial and {parallel}, alternated "
          f"(pytest {shlex.join(BASE_COMMAND[2:] + extra)})")
    with tempfile.TemporaryDirectory(prefix="bench-suite-") as tmp:

        def variant(name: str, workers: int) -> Any:
            def sample(rep: int) -> float:
                label = f"{'warmup' if rep < 0 else 'rep'}{abs(rep)}-{'n' if workers else 's'}"
                seconds, report = run_suite(workers, extra, Path(tmp), label)
                if rep >= 0:
                    runs[name].append(report)
                return seconds
            return sample

        samples = interleave({serial: variant(serial, 0), parallel: variant(parallel,
                                                                            args.workers)},
                             args.reps, args.warmup)
    med_serial, med_parallel = median(samples[serial]), median(samples[parallel])
    outcome = {name: reports[-1]["summary"] if reports else "" for name, reports in runs.items()}
    figures = [
        Figure("test suite wall time, serial", med_serial, "s", args.reps,
               note=outcome[serial]),
        Figure.against(f"test suite wall time, {parallel}", med_parallel, "s", args.reps,
                       "serial", med_serial, note=outcome[parallel]),
    ]
    selection = shlex.join(extra) if extra else "all tests"
    result = {
        "benchmark": NAME,
        "title": f"The whole test suite's wall time ({selection})",
        "command": reproduce_command(MODULE, argv),
        "reps": args.reps,
        "warmup": args.warmup,
        "order": f"interleaved, repeated: {serial} | {parallel}",
        "pytest": shlex.join(["python", *BASE_COMMAND, *extra]),
        "selection": selection,
        "samples": rounded(samples, 2),
        "medians": {serial: med_serial, parallel: med_parallel},
        "ratios": {f"{parallel}/serial": figures[1].ratio},
        "runs": runs,
        "all_passed": all(r["exit_code"] == 0 for rs in runs.values() for r in rs),
        "figures": figures,
        "machine": machine_info(),
    }
    print_figures(result["title"], figures)
    path = write_result(NAME, args.results_dir, result)
    print(f"written: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
