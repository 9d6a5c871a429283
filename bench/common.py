"""What every benchmark shares: timing, interleaved repetitions, statistics, the JSON they write.

A single timing on a shared machine says little, so every figure is a median of several
repetitions, and every ratio is taken against a baseline measured in the same run, the variants
interleaved (A B A B ...) after a warm-up, so that a burst of load elsewhere hits both alike.
The JSON keeps every raw sample, the machine and the command, so a figure can be questioned and
reproduced rather than believed.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shlex
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "bench" / "results"
PYTHON = ".venv/bin/python"  # how the reproduce command names the interpreter (from ROOT)

Sample = Callable[[int], float]  # one repetition: returns the seconds it measured


class BenchError(RuntimeError):
    """A benchmark could not measure what it set out to (a run failed, a server did not start)."""


# -- statistics ---------------------------------------------------------------------------------

def median(values: Sequence[float]) -> float:
    """Return the median (NaN for no values, so a missing figure is visible, not zero)."""
    return float(statistics.median(values)) if values else math.nan


def percentile(values: Sequence[float], pct: float) -> float:
    """Return the ``pct`` percentile, linearly interpolated between the closest ranks."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = (len(ordered) - 1) * pct / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def spread(values: Sequence[float]) -> dict[str, float]:
    """Summarise samples: median, min, max, and the relative spread (max-min)/median."""
    mid = median(values)
    if not values:
        return {"median": mid, "min": math.nan, "max": math.nan, "spread": math.nan}
    low, high = min(values), max(values)
    return {"median": mid, "min": low, "max": high,
            "spread": (high - low) / mid if mid else math.nan}


def ratio(value: float, baseline: float) -> float:
    """Return value/baseline (NaN when the baseline is zero or missing)."""
    if not baseline or math.isnan(baseline) or math.isnan(value):
        return math.nan
    return value / baseline


# -- repetitions --------------------------------------------------------------------------------

def interleave(variants: Mapping[str, Sample], reps: int, warmup: int = 1,
               log: Callable[[str], None] = print) -> dict[str, list[float]]:
    """Run each variant ``warmup`` times (discarded), then ``reps`` rounds of A B C, A B C, ...

    Interleaving, rather than all of A then all of B, spreads slow drifts of the machine (other
    jobs, thermal limits) evenly over the variants, which is what makes their ratio meaningful.
    Each sample function does its own untimed setup and returns the seconds it timed.
    """
    for round_ in range(warmup):
        for name, sample in variants.items():
            seconds = sample(-1 - round_)
            log(f"  warm-up {round_ + 1}/{warmup} {name:<24} {seconds:8.3f} s (discarded)")
    samples: dict[str, list[float]] = {name: [] for name in variants}
    for rep in range(reps):
        for name, sample in variants.items():
            seconds = sample(rep)
            samples[name].append(seconds)
            log(f"  rep {rep + 1}/{reps} {name:<28} {seconds:8.3f} s")
    return samples


class Stopwatch:
    """Time a ``with`` block with ``time.perf_counter``; the seconds are in ``.seconds``."""

    def __init__(self) -> None:
        self.seconds = math.nan
        self._started = 0.0

    def __enter__(self) -> Stopwatch:
        self._started = time.perf_counter()
        return self

    def __exit__(self, *_: object) -> None:
        self.seconds = time.perf_counter() - self._started


PROC_STAT = Path("/proc/stat")


def busy_cpu_seconds() -> float | None:
    """CPU time this whole machine has spent busy so far (Linux: ``/proc/stat``, every state but
    idle and iowait), or None where there is no ``/proc/stat``.

    Machine-wide on purpose: Chromium's renderers are reaped by init, not by the process that
    started the browser, so no ``getrusage`` of ours would count them; the price is that other
    load on the machine counts too (the load average in ``machine_info`` says if there was any).
    """
    try:
        fields = PROC_STAT.read_text("ascii").splitlines()[0].split()[1:]
    except (OSError, IndexError):
        return None
    ticks = [int(value) for value in fields[:8]]  # user nice system idle iowait irq softirq steal
    busy = sum(ticks) - ticks[3] - ticks[4]
    return busy / os.sysconf("SC_CLK_TCK")


class CpuMeter:
    """Measure, around a ``with`` block, the machine's busy CPU seconds (``.seconds``, NaN where
    ``busy_cpu_seconds`` cannot tell)."""

    def __init__(self) -> None:
        self.seconds = math.nan
        self._started: float | None = None

    def __enter__(self) -> CpuMeter:
        self._started = busy_cpu_seconds()
        return self

    def __exit__(self, *_: object) -> None:
        ended = busy_cpu_seconds()
        if self._started is not None and ended is not None:
            self.seconds = ended - self._started


# -- figures and results ------------------------------------------------------------------------

@dataclass
class Figure:
    """One line of the README's table: a median, what it is compared with, and their ratio."""

    label: str
    value: float
    unit: str
    reps: int
    baseline_label: str | None = None
    baseline: float | None = None
    ratio: float | None = None
    note: str = ""

    @classmethod
    def against(cls, label: str, value: float, unit: str, reps: int, baseline_label: str,
                baseline: float, note: str = "") -> Figure:
        """A figure with its ratio to a baseline measured in the same run."""
        return cls(label, value, unit, reps, baseline_label, baseline, ratio(value, baseline),
                   note)


def fmt(value: float | None, unit: str = "") -> str:
    """Format a figure for a terminal or a Markdown table, with 3-4 significant digits."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if unit == "x":
        return f"{value:.0f}x" if value >= 100 else f"{value:.2f}x" if value >= 0.1 \
            else f"{value:.2g}x"
    if abs(value) >= 100:
        text = f"{value:.0f}"
    elif abs(value) >= 10:
        text = f"{value:.1f}"
    else:
        text = f"{value:.3g}"
    return f"{text} {unit}".strip()


def print_figures(title: str, figures: Sequence[Figure]) -> None:
    """Print the figures as an aligned table."""
    print(f"\n{title}")
    width = max((len(f.label) for f in figures), default=10)
    for f in figures:
        base = f"  vs {f.baseline_label} {fmt(f.baseline, f.unit)}  ratio {fmt(f.ratio, 'x')}" \
            if f.baseline_label else ""
        print(f"  {f.label:<{width}}  {fmt(f.value, f.unit):>10}  (median of {f.reps}){base}")


def reproduce_command(module: str, argv: Sequence[str] | None = None) -> str:
    """Return the shell command that repeats this measurement, from the project's root."""
    args = list(sys.argv[1:] if argv is None else argv)
    return shlex.join([PYTHON, "-m", module, *args])


def git_revision() -> str:
    """Return the commit measured (with ``+dirty`` when the tree has changes), or "unknown"."""
    try:
        rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, text=True,
                             capture_output=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=ROOT, text=True, capture_output=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return rev + ("+dirty" if dirty.strip() else "")


def chromium_version() -> str | None:
    """Launch the Chromium the harness would use, headless, just to read its version."""
    from playwright.sync_api import sync_playwright

    from e2e.browser.launch import launch_args

    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(**launch_args(playwright=p))
            try:
                return browser.version
            finally:
                browser.close()
    except Exception:  # noqa: BLE001 - the version is a nicety; the benchmark still stands
        return None


def machine_info(chromium: str | None = None, *, with_chromium: bool = True) -> dict[str, Any]:
    """Describe where the figures came from: CPUs, Python, Chromium, load, date, commit.

    The load average is kept because figures from a busy machine are not comparable with those
    from a quiet one; it says which kind these are.
    """
    if chromium is None and with_chromium:
        chromium = chromium_version()
    try:
        load = [round(x, 2) for x in os.getloadavg()]
    except OSError:
        load = []
    return {
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "chromium": chromium,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "load_average_1_5_15": load,
        "git": git_revision(),
    }


def write_result(name: str, results_dir: Path, payload: dict[str, Any]) -> Path:
    """Write ``<results_dir>/<name>.json`` atomically (through a ``.tmp`` file) and return it.

    ``figures`` (a list of Figure) become plain dictionaries; NaN becomes null, since JSON has
    no NaN and a reader must see "not measured" rather than a number.
    """
    results_dir.mkdir(parents=True, exist_ok=True)
    data = dict(payload)
    data["figures"] = [asdict(f) if isinstance(f, Figure) else f
                       for f in payload.get("figures", [])]
    path = results_dir / f"{name}.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(_no_nan(data), indent=2, ensure_ascii=False) + "\n", "utf-8")
    tmp.replace(path)
    return path


def _no_nan(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _no_nan(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_no_nan(v) for v in value]
    return value


def rounded(samples: Mapping[str, Sequence[float]], digits: int = 4) -> dict[str, list[float]]:
    """Round raw samples for the JSON: sub-0.1 ms digits of a timing are noise."""
    return {k: [round(v, digits) for v in vs] for k, vs in samples.items()}


# -- command line -------------------------------------------------------------------------------

def base_parser(module: str, description: str, reps: int, warmup: int = 1
                ) -> argparse.ArgumentParser:
    """Options every benchmark has: repetitions, warm-up rounds, where the JSON goes."""
    parser = argparse.ArgumentParser(prog=f"python -m {module}", description=description)
    parser.add_argument("--reps", type=int, default=reps,
                        help=f"timed repetitions of each variant (default {reps})")
    parser.add_argument("--warmup", type=int, default=warmup,
                        help=f"untimed rounds of each variant first (default {warmup})")
    parser.add_argument("--results-dir", type=Path, default=RESULTS_DIR,
                        help="folder for the JSON result (default bench/results; point it "
                             "elsewhere for trial runs whose figures should not be kept)")
    return parser


def check_counts(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Refuse repetition counts that cannot give a median."""
    if args.reps < 1:
        parser.error("--reps must be at least 1")
    if args.warmup < 0:
        parser.error("--warmup must not be negative")


# -- processes ----------------------------------------------------------------------------------

