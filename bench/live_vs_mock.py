"""Benchmark: the procedure against a console on real time (LiveTarget) against the mock's clock.

Why: against a real console the harness cannot move the clock. After "Turn on" it needs a code
from a later time step than the one it just used, so it waits for the next 30-second step, as a
user would. This measures what a suite pays for that: the same procedure, through the harness,
against the mock served WITHOUT its test API and driven as a ``LiveTarget`` (time from HTTP
``Date`` headers, seeded accounts, real waits), and against ``MockTarget`` (clock moved through
the test API), interleaved in one browser. The live run's own time for waiting is recorded too,
with the second of the step it started at, which is what decides that wait.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from bench.common import (
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
    spread,
    write_result,
)
from bench.procedure import chromium, fresh_page, run_harness
from e2e.labels import load_labels
from e2e.target import Credentials, LiveTarget, MockTarget, start_mock_console, stop_process

NAME = "live_vs_mock"
MODULE = f"bench.{NAME}"
DEFAULT_REPS = 3
PERIOD = 30


class TimedLiveTarget(LiveTarget):
    """A ``LiveTarget`` that adds up the seconds it spent waiting for fresh time steps."""

    def __init__(self, base_url: str, credentials: Credentials) -> None:
        super().__init__(base_url, credentials)
        self.waited = 0.0

    def next_step(self, period: int = PERIOD) -> None:
        with Stopwatch() as watch:
            super().next_step(period)
        self.waited += watch.seconds


def seed_file(folder: Path, count: int) -> tuple[Path, list[Credentials]]:
    """Write ``count`` accounts for the console to create at start; a fresh one per run."""
    accounts = [Credentials(f"live-bench-{i}@example.com", f"live-bench-password-{i:03d}")
                for i in range(count)]
    path = folder / "accounts.json"
    path.write_text(json.dumps([{"username": a.username, "password": a.password}
                                for a in accounts]), "utf-8")
    return path, accounts


def warm_http(base_url: str) -> None:
    """Have the live console render its sign-in page once (templates, first connections)."""
    with urllib.request.urlopen(base_url.rstrip("/") + "/signin", timeout=15) as response:
        response.read()


def measure(reps: int, warmup: int) -> dict[str, Any]:
    """Run live and mock runs interleaved; the mock warms up with full runs, live over HTTP.

    A full live warm-up would cost 30-60 s of waiting and warm nothing the mock's runs do not
    (the browser, the harness's code); the live console's own first requests are warmed by a
    plain GET of its sign-in page.
    """
    labels = load_labels("en")
    waits: list[float] = []
    steps: dict[str, dict[str, list[float]]] = {"LiveTarget": {}, "MockTarget": {}}
    offsets: dict[str, list[float]] = {"live": [], "mock": []}
    with tempfile.TemporaryDirectory(prefix="bench-live-") as tmp, MockTarget.start() as mock, \
            chromium() as (playwright, browser):
        seed, seeded = seed_file(Path(tmp), reps)
        process, live_url, _ = start_mock_console(["--seed", str(seed)], db=Path(tmp) / "c.db")
        try:
            warm_http(live_url)

            def live(rep: int) -> float:
                target = TimedLiveTarget(live_url, seeded[rep])
                offsets["live"].append(round(target.now() % PERIOD, 2))
                with fresh_page(playwright, browser, labels, target) as page:
                    seconds = run_harness(page, target, labels, seeded[rep], None,
                                          steps["LiveTarget"])
                waits.append(target.waited)
                return seconds

            def on_mock(rep: int) -> float:
                account = mock.new_account()
                if rep >= 0:
                    offsets["mock"].append(round(mock.now() % PERIOD, 2))
                with fresh_page(playwright, browser, labels, mock) as page:
                    return run_harness(page, mock, labels, account, None,
                                       steps["MockTarget"] if rep >= 0 else None)

            interleave({"MockTarget": on_mock}, 0, warmup)
            samples = interleave({"LiveTarget": live, "MockTarget": on_mock}, reps, 0)
        finally:
            stop_process(process)
        version = browser.version
    return {"samples": samples, "waits": waits, "offsets": offsets, "chromium": version,
            "steps": steps}


def build_result(measured: dict[str, Any], reps: int, warmup: int, command: str
                 ) -> dict[str, Any]:
    """Medians, the live/mock ratio and the README's figures."""
    samples = measured["samples"]
    live, on_mock = median(samples["LiveTarget"]), median(samples["MockTarget"])
    waited = median(measured["waits"])
    figures = [
        Figure("procedure on the mock, MockTarget (clock moved)", on_mock, "s", reps),
        Figure.against("procedure on the mock, LiveTarget (real time)", live, "s", reps,
                       "MockTarget", on_mock,
                       note=f"median {waited:.1f} s of it waiting for a time step (0-30 s, by "
                            "the second of the step a run starts at)"),
    ]
    return {
        "benchmark": NAME,
        "title": "Real-time LiveTarget against MockTarget (what waiting for time steps costs)",
        "command": command,
        "reps": reps,
        "warmup": warmup,
        "warmup_note": "the mock variant warms up with full runs; the live console with one GET "
                       "of its sign-in page (a full live warm-up only adds 30-60 s of waiting)",
        "order": "interleaved, repeated: LiveTarget | MockTarget",
        "timed": "run_procedure, evidence off, from the first click to the end of step 3.5",
        "live_console": "python -m mock_console without --test-api, seeded accounts, a fresh "
                        "one per run; the harness estimates its time from Date headers",
        "samples": rounded(samples),
        "medians": {"LiveTarget": live, "MockTarget": on_mock},
        "spread": {name: spread(values) for name, values in samples.items()},
        "step_medians": {name: {step: round(median(v), 4) for step, v in by_step.items()}
                         for name, by_step in measured["steps"].items()},
        "ratios": {"live/mock": figures[1].ratio},
        "live_wait_note": "a live run waits only when it needs a step real time has not yet "
                          "reached, so its time depends on the second of the 30 s step it "
                          "starts at (start_second_in_step); more --reps steady the median",
        "live_wait_seconds": [round(w, 3) for w in measured["waits"]],
        "live_wait_median": waited,
        "start_second_in_step": measured["offsets"],
        "figures": figures,
        "machine": machine_info(measured["chromium"]),
    }


def main(argv: list[str] | None = None) -> int:
    parser = base_parser(MODULE, "Time the procedure against a real-time LiveTarget and against "
                                 "MockTarget (each run on the live one waits on real time).",
                         DEFAULT_REPS)
    argv = sys.argv[1:] if argv is None else argv
    args = parser.parse_args(argv)
    check_counts(parser, args)
    print(f"{MODULE}: {args.reps} reps per variant after {args.warmup} warm-up round(s); "
          f"each live run waits for up to two 30 s steps")
    started = time.monotonic()
    measured = measure(args.reps, args.warmup)
    result = build_result(measured, args.reps, args.warmup, reproduce_command(MODULE, argv))
    print_figures(result["title"], result["figures"])
    print(f"  (live runs waited {', '.join(f'{w:.1f}' for w in measured['waits'])} s; "
          f"benchmark took {time.monotonic() - started:.0f} s)")
    path = write_result(NAME, args.results_dir, result)
    print(f"written: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
