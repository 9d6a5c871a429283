"""Flake check: the browser suite repeated N times in a row (default 20); zero failures wanted.

Prints per run the pass/fail counts, then the tests that failed in any run (flaky or broken)
and each test's time spread across runs (min, median, max, max/min), slowest first; writes
``bench/results/flake.json``. Not a test: it is how we measure that the suite never lies.

    .venv/bin/python -m bench.flake                 # 20 runs of tests/console and tests/harness
    .venv/bin/python -m bench.flake --runs 3 -k procedure
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path
from typing import cast

RESULTS = Path(__file__).resolve().parent / "results"


def one_run(index: int, args: argparse.Namespace, folder: Path) -> dict[str, dict[str, object]]:
    """Run the suite once; return {test: {"status", "seconds", "message"}} from its JUnit XML."""
    junit = folder / f"run-{index}.xml"
    command = [sys.executable, "-m", "pytest", *args.paths, "-q", "-p", "no:cacheprovider",
               "--tb=no", "-m", args.marker, f"--junitxml={junit}"]
    if args.workers > 1:
        command += ["-n", str(args.workers)]
    if args.k:
        command += ["-k", args.k]
    subprocess.run(command, capture_output=True, text=True, check=False)
    cases: dict[str, dict[str, object]] = {}
    if not junit.exists():
        return cases
    for case in ET.parse(junit).getroot().iter("testcase"):
        name = f"{case.get('classname', '').rsplit('.', 1)[-1]}::{case.get('name', '')}"
        problem = case.find("failure")
        if problem is None:
            problem = case.find("error")
        status = ("failed" if problem is not None else
                  "skipped" if case.find("skipped") is not None else "passed")
        cases[name] = {"status": status, "seconds": float(case.get("time", 0)),
                       "message": (problem.get("message", "") if problem is not None else "")}
    return cases


def spread(samples: list[float]) -> dict[str, float]:
    """Summarise one test's durations across runs."""
    low, high = min(samples), max(samples)
    return {"min": round(low, 3), "median": round(statistics.median(samples), 3),
            "max": round(high, 3), "max_over_min": round(high / low, 2) if low > 0 else 0.0}


def failures_by_test(runs: list[dict[str, dict[str, object]]]) -> dict[str, list[int]]:
    """{test: [run numbers it failed in]} for the tests that failed at least once."""
    tests = sorted({name for cases in runs for name in cases})
    failures = {name: [i + 1 for i, cases in enumerate(runs)
                       if cases.get(name, {}).get("status") == "failed"] for name in tests}
    return {name: which for name, which in failures.items() if which}


def spreads_by_test(runs: list[dict[str, dict[str, object]]]) -> dict[str, dict[str, float]]:
    """Each test's duration spread over the runs it passed in."""
    tests = sorted({name for cases in runs for name in cases})
    return {name: spread([float(cast(float, c[name]["seconds"])) for c in runs
                          if c.get(name, {}).get("status") == "passed"])
            for name in tests if any(c.get(name, {}).get("status") == "passed" for c in runs)}


def count_clean(runs: list[dict[str, dict[str, object]]]) -> int:
    """Runs that produced results and had no failure."""
    return sum(1 for cases in runs
               if cases and all(c["status"] != "failed" for c in cases.values()))


def write_results(runs: list[dict[str, dict[str, object]]], walls: list[float],
                  args: argparse.Namespace, argv: list[str] | None) -> None:
    """Write the JSON after every run, so an interrupted check still leaves its figures."""
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({
        "benchmark": "flake",
        "command": "python -m bench.flake " + " ".join(argv if argv is not None else sys.argv[1:]),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "runs": args.runs, "completed_runs": len(runs), "clean_runs": count_clean(runs),
        "tests_per_run": len({name for cases in runs for name in cases}),
        "wall_seconds": [round(w, 1) for w in walls],
        "wall_median_seconds": round(statistics.median(walls), 1),
        "failures": failures_by_test(runs), "spread": spreads_by_test(runs),
    }, indent=2) + "\n", "utf-8")


def summarise(runs: list[dict[str, dict[str, object]]], walls: list[float],
              args: argparse.Namespace) -> int:
    """Print the summary; return the number of clean runs."""
    clean_runs = count_clean(runs)
    failures = failures_by_test(runs)
    spreads = spreads_by_test(runs)
    tests = {name for cases in runs for name in cases}
    print(f"\n{clean_runs}/{args.runs} runs without a failure; {len(tests)} tests per run; "
          f"wall time per run median {statistics.median(walls):.0f} s")
    if failures:
        print("tests that failed in some run:")
        for name, which in failures.items():
            print(f"  {name}: runs {which}")
    print("time spread per test (slowest 10 by median): min / median / max s")
    for name, s in sorted(spreads.items(), key=lambda kv: -kv[1]["median"])[:10]:
        print(f"  {s['min']:6.2f} {s['median']:6.2f} {s['max']:6.2f}  {name}")
    widest = sorted(spreads.items(), key=lambda kv: -kv[1]["max_over_min"])[:5]
    print("widest spread (max/min): " + ", ".join(f"{n} {s['max_over_min']}x" for n, s in widest))
    return clean_runs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.flake",
                                     description=(__doc__ or "").split("\n")[0])
    parser.add_argument("paths", nargs="*", default=["tests/console", "tests/harness"])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("-n", "--workers", type=int, default=2)
    parser.add_argument("-m", "--marker", default="not slow")
    parser.add_argument("-k", default=None)
    parser.add_argument("--out", type=Path, default=RESULTS / "flake.json")
    args = parser.parse_args(argv)
    runs: list[dict[str, dict[str, object]]] = []
    walls: list[float] = []
    with tempfile.TemporaryDirectory(prefix="flake-") as tmp:
        for index in range(1, args.runs + 1):
            started = time.perf_counter()
            cases = one_run(index, args, Path(tmp))
            walls.append(time.perf_counter() - started)
            runs.append(cases)
            failed = [n for n, c in cases.items() if c["status"] == "failed"]
            print(f"run {index:>2}/{args.runs}: {len(cases) - len(failed)} passed, "
                  f"{len(failed)} failed, {walls[-1]:.0f} s", flush=True)
            for name in failed:
                print(f"    FAILED {name}: {str(cases[name]['message'])[:160]}")
            write_results(runs, walls, args, argv)
    clean_runs = summarise(runs, walls, args)
    print(f"written {args.out}")
    return 0 if clean_runs == args.runs else 1


if __name__ == "__main__":
    sys.exit(main())
