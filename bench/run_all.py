"""Run every benchmark, then rewrite the README's table: what ``make bench`` does.

Why one after another, each in its own process: benchmarks that run at once measure each other,
and a fresh interpreter per benchmark leaves no browser, server or warm cache from the last one.
A benchmark that fails is reported and the others still run; the exit code says one failed.
"""

from __future__ import annotations

import argparse
import shlex
import subprocess
import sys
import time
from pathlib import Path

from bench.common import RESULTS_DIR, ROOT

BENCHMARKS = ("procedure", "live_vs_mock", "qr_decode", "throughput", "suite")
SLOW = ("live_vs_mock", "suite")  # minutes each: real-time waits, the whole test suite
# Tiny counts that run every benchmark end to end in a few minutes; their figures mean nothing.
QUICK = {
    "procedure": ["--reps", "1", "--warmup", "0"],
    "live_vs_mock": ["--reps", "1", "--warmup", "0"],
    "qr_decode": ["--reps", "2", "--warmup", "1"],
    "throughput": ["--reps", "1", "--warmup", "0", "--seconds", "3", "--accounts", "16"],
    "suite": ["--pytest-args=-k test_qr"],
}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run_all", description=__doc__)
    parser.add_argument("--skip-slow", action="store_true",
                        help=f"skip the slow benchmarks ({', '.join(SLOW)})")
    parser.add_argument("--skip", action="append", default=[], choices=BENCHMARKS,
                        metavar="NAME", help="skip a benchmark (repeatable)")
    parser.add_argument("--only", action="append", default=[], choices=BENCHMARKS,
                        metavar="NAME", help="run only these benchmarks (repeatable)")
    parser.add_argument("--args", action="append", default=[], metavar="NAME=ARGS",
                        help="extra arguments for one benchmark, e.g. "
                             "--args 'procedure=--reps 11' or --args 'suite=--not-slow'")
    parser.add_argument("--quick", action="store_true",
                        help="tiny repetition counts to check that everything runs; the "
                             "figures are meaningless (use with --results-dir elsewhere)")
    parser.add_argument("--results-dir", type=Path, default=RESULTS_DIR,
                        help="folder for the JSON results (default bench/results)")
    parser.add_argument("--readme", type=Path, default=None,
                        help="README to rewrite (default README.md; only when the results go "
                             "to bench/results, unless given)")
    parser.add_argument("--no-readme", action="store_true", help="leave the README alone")
    args = parser.parse_args(argv)
    if args.quick and args.results_dir == RESULTS_DIR:
        parser.error("--quick figures are meaningless: give --results-dir a folder other than "
                     "bench/results (the README is then left alone unless --readme is given)")
    args.extra = {}
    for item in args.args:
        name, _, rest = item.partition("=")
        if name not in BENCHMARKS:
            parser.error(f"--args {item!r}: NAME must be one of {', '.join(BENCHMARKS)}")
        args.extra.setdefault(name, []).extend(shlex.split(rest))
    return args


def chosen(args: argparse.Namespace) -> list[str]:
    names = [n for n in BENCHMARKS if not args.only or n in args.only]
    return [n for n in names if n not in args.skip and not (args.skip_slow and n in SLOW)]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    failed: list[str] = []
    started = time.monotonic()
    for name in chosen(args):
        command = [sys.executable, "-m", f"bench.{name}", *(QUICK[name] if args.quick else []),
                   *args.extra.get(name, [])]
        if args.results_dir != RESULTS_DIR:
            command += ["--results-dir", str(args.results_dir)]
        print(f"\n=== {name}: {shlex.join(command[1:])}", flush=True)
        began = time.monotonic()
        code = subprocess.run(command, cwd=ROOT).returncode
        print(f"=== {name}: exit {code} after {time.monotonic() - began:.0f} s", flush=True)
        if code != 0:
            failed.append(name)
    readme = args.readme
    if readme is None and args.results_dir == RESULTS_DIR:
        readme = ROOT / "README.md"
    if readme is not None and not args.no_readme:
        table = [sys.executable, "-m", "bench.readme_table", "--results-dir",
                 str(args.results_dir), "--readme", str(readme)]
        if subprocess.run(table, cwd=ROOT).returncode != 0:
            failed.append("readme_table")
    print(f"\nbenchmarks done in {time.monotonic() - started:.0f} s"
          + (f"; FAILED: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
