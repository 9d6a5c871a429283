"""Benchmark: the whole test suite's wall time and CPU time, with a given number of xdist workers.

Why: "fast enough to run on every release" is finally a question about the suite's wall time,
and about what parallel workers buy on a small CI runner. Each run is a fresh
``python -m pytest -q -p no:cacheprovider`` (no cache, so no run reorders or skips by the last
one); the variants (``--workers 2,auto``: two workers, then ``-n auto`` as ``make test`` runs it;
``0`` is serial) alternate, the first is the baseline of the ratios, and the pass/fail counts are
kept beside each time, since the time of a failing suite is not the time of the suite. The CPU
time is the whole machine's (``bench.common.busy_cpu_seconds``: Chromium's renderers are no
child of ours): on a machine whose CPUs the suite keeps busy, the wall time moves with any other
load and with how the workers happened to share the CPUs, while the CPU time is what a change to
the suite's work moves, so it shows a saving that the wall time's noise hides.
"""

from __future__ import annotations

import math
import re
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.common import (
    ROOT,
    CpuMeter,
    Figure,
    Stopwatch,
    base_parser,
    check_counts,
    interleave,
    machine_info,
    median,
    print_figures,
    ratio,
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


def run_suite(workers: str, extra: list[str], log_dir: Path, label: str
              ) -> tuple[float, dict[str, Any]]:
    """Run the suite once with ``workers`` (a count, ``0`` serial, or ``auto``); return its
    wall time and what it reported."""
    command = [sys.executable, *BASE_COMMAND, *(["-n", workers] if workers != "0" else []),
               *extra]
    log = log_dir / f"{label}.log"
    with log.open("w", encoding="utf-8") as out, Stopwatch() as watch, CpuMeter() as cpu:
        code = subprocess.run(command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT).returncode
    output = log.read_text("utf-8", errors="replace")
    found, line = counts(output)
    failures = [x for x in output.splitlines() if x.startswith(("FAILED ", "ERROR "))][:20]
    print(f"    {label}: exit {code}, {cpu.seconds:.0f} CPU-s (machine-wide), "
          f"{line or 'no summary line'}")
    return watch.seconds, {"exit_code": code, "counts": found, "summary": line,
                           "failures": failures, "seconds": round(watch.seconds, 2),
                           "cpu_seconds": None if math.isnan(cpu.seconds)
                           else round(cpu.seconds, 1)}


def variant_name(workers: str) -> str:
    """How a figure names a worker count: "serial", "-n 2", "-n auto (make test)"."""
    if workers == "0":
        return "serial"
    return "-n auto (make test)" if workers == "auto" else f"-n {workers}"


def parse_workers(text: str) -> list[str]:
    """``"2,auto"`` -> ``["2", "auto"]``; each a count of workers (0: serial) or ``auto``."""
    chosen = [part.strip() for part in text.split(",") if part.strip()]
    for part in chosen:
        if part != "auto" and not part.isdigit():
            raise ValueError(f"{part!r} is neither a number of workers nor 'auto'")
    if not chosen or len(set(chosen)) != len(chosen):
        raise ValueError("name at least one variant, each once (for example 2,auto)")
    return chosen


def main(argv: list[str] | None = None) -> int:
    parser = base_parser(MODULE, "Time the whole test suite (wall and machine-wide CPU) with "
                                 "different numbers of pytest-xdist workers.", DEFAULT_REPS,
                         warmup=0)
    parser.add_argument("--workers", default="2,auto",
                        help="the variants, comma-separated: a number of xdist workers (0 for "
                             "serial) or 'auto' as make test runs it; the first is the "
                             "baseline of the ratios (default 2,auto)")
    parser.add_argument("--not-slow", action="store_true",
                        help='deselect the tests marked slow (-m "not slow", as make test does)')
    parser.add_argument("--pytest-args", default="",
                        help="more pytest arguments, one shell-quoted string, e.g. "
                             "'-k test_qr' to check this benchmark on a small selection")
    argv = sys.argv[1:] if argv is None else argv
    args = parser.parse_args(argv)
    check_counts(parser, args)
    try:
        workers = parse_workers(args.workers)
    except ValueError as error:
        parser.error(f"--workers: {error}")
    extra = [*(["-m", "not slow"] if args.not_slow else []), *shlex.split(args.pytest_args)]
    names = [variant_name(w) for w in workers]
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
    print(f"{MODULE}: {args.reps} run(s) each of {', '.join(names)}, alternated "
          f"(pytest {shlex.join(BASE_COMMAND[2:] + extra)})")
    with tempfile.TemporaryDirectory(prefix="bench-suite-") as tmp:

        def variant(name: str, count: str) -> Any:
            def sample(rep: int) -> float:
                label = f"{'warmup' if rep < 0 else 'rep'}{abs(rep)}-n{count}"
                seconds, report = run_suite(count, extra, Path(tmp), label)
                if rep >= 0:
                    runs[name].append(report)
                return seconds
            return sample

        samples = interleave({name: variant(name, count)
                              for name, count in zip(names, workers, strict=True)},
                             args.reps, args.warmup)
    medians = {name: median(samples[name]) for name in names}
    outcome = {name: reports[-1]["summary"] if reports else "" for name, reports in runs.items()}
    base = names[0]
    figures = [Figure(f"test suite wall time, {base}", medians[base], "s", args.reps,
                      note=outcome[base])]
    figures += [Figure.against(f"test suite wall time, {name}", medians[name], "s", args.reps,
                               base, medians[base], note=outcome[name]) for name in names[1:]]
    cpu = {name: median([r["cpu_seconds"] for r in reports if r["cpu_seconds"] is not None])
           for name, reports in runs.items()}
    if not any(math.isnan(value) for value in cpu.values()):  # no /proc/stat: no CPU figures
        figures.append(Figure(f"test suite CPU time (machine-wide), {base}", cpu[base], "CPU-s",
                              args.reps))
        figures += [Figure.against(f"test suite CPU time (machine-wide), {name}", cpu[name],
                                   "CPU-s", args.reps, base, cpu[base]) for name in names[1:]]
    selection = shlex.join(extra) if extra else "all tests"
    result = {
        "benchmark": NAME,
        "title": f"The whole test suite's wall and CPU time ({selection})",
        "command": reproduce_command(MODULE, argv),
        "reps": args.reps,
        "warmup": args.warmup,
        "order": f"interleaved, repeated: {' | '.join(names)}",
        "pytest": shlex.join(["python", *BASE_COMMAND, *extra]),
        "selection": selection,
        "samples": rounded(samples, 2),
        "medians": medians,
        "cpu_medians": {name: None if math.isnan(v) else v for name, v in cpu.items()},
        "ratios": {f"{name}/{base}": ratio(medians[name], medians[base]) for name in names[1:]},
        "cpu_ratios": {f"{name}/{base}": ratio(cpu[name], cpu[base]) for name in names[1:]},
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
