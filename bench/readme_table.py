"""Rewrite the README's table of figures from ``bench/results/*.json``.

Why: figures quoted by hand drift from the measurements. The README's "Speed" section holds a
block between ``<!-- bench:start -->`` and ``<!-- bench:end -->`` that only this script writes,
one row per figure: median, baseline, ratio, repetitions and the command that measured it, with
the machine and date it came from. Everything outside the markers is left exactly as it is.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

from bench.common import RESULTS_DIR, ROOT, fmt

START, END = "<!-- bench:start -->", "<!-- bench:end -->"
README = ROOT / "README.md"
ORDER = ("procedure", "live_vs_mock", "qr_decode", "throughput", "suite")
EMPTY = "No figures yet: `make bench` measures them and rewrites this table."


class ReadmeError(RuntimeError):
    """The README has no (or broken) markers for the table."""


def load_results(results_dir: Path) -> list[dict[str, Any]]:
    """Read every result that has figures, in the order the README presents them.

    Other JSON in the folder (the flake check's report, say) has no ``figures`` and is skipped.
    """
    results = []
    for path in sorted(results_dir.glob("*.json")):
        data = json.loads(path.read_text("utf-8"))
        if not isinstance(data, dict) or not data.get("figures"):
            continue
        data.setdefault("benchmark", path.stem)
        results.append(data)
    rank = {name: i for i, name in enumerate(ORDER)}
    return sorted(results, key=lambda r: (rank.get(r["benchmark"], len(ORDER)), r["benchmark"]))


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _number(value: float | None) -> float:
    return math.nan if value is None else float(value)


def machine_line(results: list[dict[str, Any]]) -> str:
    """Say where and when the figures were measured (each distinct machine once)."""
    machines = [r.get("machine", {}) for r in results]

    def each(key: str) -> str:
        return "/".join(sorted({str(m[key]) for m in machines if m.get(key)})) or "?"

    described = f"{each('cpu_count')} CPUs, Python {each('python')}, Chromium {each('chromium')}"
    dates = sorted(r.get("machine", {}).get("date", "")[:10] for r in results)
    commits = sorted({r.get("machine", {}).get("git", "?") for r in results})
    loads = [r.get("machine", {}).get("load_average_1_5_15", [None])[0] for r in results]
    load = max((x for x in loads if x is not None), default=None)
    when = dates[0] if dates[0] == dates[-1] else f"{dates[0]} to {dates[-1]}"
    return (f"Measured {when} on {described} (commit {', '.join(commits)}"
            + (f"; highest 1-minute load average {load:g}" if load is not None else "") + ").")


def table(results: list[dict[str, Any]]) -> str:
    """Render the block that goes between the markers."""
    if not results:
        return EMPTY
    rows = ["| figure | median | baseline | ratio | reps | notes | command |",
            "|---|---:|---|---:|---:|---|---|"]
    for result in results:
        for f in result.get("figures", []):
            value, unit = _number(f.get("value")), f.get("unit", "")
            baseline = (f"{f['baseline_label']}: {fmt(_number(f.get('baseline')), unit)}"
                        if f.get("baseline_label") else "")
            ratio = fmt(_number(f.get("ratio")), "x") if f.get("baseline_label") else ""
            rows.append("| " + " | ".join(_cell(c) for c in (
                f.get("label", "?"), fmt(value, unit), baseline, ratio, str(f.get("reps", "?")),
                f.get("note", ""), f"`{result.get('command', '')}`")) + " |")
    intro = (machine_line(results) + " Medians of the stated repetitions; every ratio is "
             "against the baseline measured in the same run, the variants interleaved.")
    return intro + "\n\n" + "\n".join(rows)


def rewrite(readme: Path, block: str) -> bool:
    """Replace what is between the markers; return whether the file changed."""
    text = readme.read_text("utf-8")
    if text.count(START) != 1 or text.count(END) != 1 or text.index(START) > text.index(END):
        raise ReadmeError(f"{readme} needs exactly one {START} followed by one {END}")
    head, rest = text.split(START)
    _, tail = rest.split(END)
    new = f"{head}{START}\n{block}\n{END}{tail}"
    if new == text:
        return False
    readme.write_text(new, "utf-8")
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.readme_table", description=__doc__)
    parser.add_argument("--results-dir", type=Path, default=RESULTS_DIR,
                        help="folder of the JSON results (default bench/results)")
    parser.add_argument("--readme", type=Path, default=README,
                        help="the file to rewrite (default README.md)")
    parser.add_argument("--print", action="store_true", dest="print_only",
                        help="print the table instead of rewriting the README")
    args = parser.parse_args(argv)
    block = table(load_results(args.results_dir))
    if args.print_only:
        print(block)
        return 0
    try:
        changed = rewrite(args.readme, block)
    except ReadmeError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"{args.readme}: table {'rewritten' if changed else 'already up to date'} "
          f"({len(block.splitlines())} lines)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
