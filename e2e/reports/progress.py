"""Per-step progress on the terminal: step id, the article's words, result, time."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from e2e.cleanup import Cleanup
from e2e.evidence.redaction import printable, redact
from e2e.procedure import NOT_CHECKED
from e2e.runner import FAILED, PASSED, RunResult, StepResult, substep_line

TEXT_WIDTH = 64
MARKS = {PASSED: "PASS", FAILED: "FAIL"}
COLOURS = {PASSED: "\033[32m", FAILED: "\033[31m"}


def _colour(status: str, text: str) -> str:
    if not sys.stdout.isatty() or os.environ.get("NO_COLOR"):
        return text
    return f"{COLOURS.get(status, chr(27) + '[2m')}{text}\033[0m"


def _clean(text: str) -> str:
    """Console-supplied text as the terminal may show it: secrets redacted, no escape codes."""
    return printable(redact(text))


def print_header(target: str, device: str, lang: str) -> None:
    """Say what is about to run."""
    print(f"2-Step Verification article procedure: {target} | device {device} | language {lang}")


def print_step(step: StepResult) -> None:
    """Print one finished step on one line (and its error below it)."""
    text = step.text if len(step.text) <= TEXT_WIDTH else step.text[: TEXT_WIDTH - 1] + "…"
    text = _clean(text)
    mark = _colour(step.status, MARKS.get(step.status, "SKIP"))
    print(f"  {step.id:>4}  {text:<{TEXT_WIDTH}}  {mark}  {step.seconds:5.2f} s", flush=True)
    for sub in step.substeps:  # met inside the step; the article never mentions them
        print(f"  {sub.id:>5}   ↳ {_clean(substep_line(sub))}", flush=True)
    if step.status == FAILED and step.error:
        for line in _clean(step.error).splitlines():
            print(f"        {line}")


def print_summary(result: RunResult, index: Path) -> None:
    """Print the verdict and where the report is."""
    passed = sum(s.status == PASSED for s in result.steps)
    verdict = _colour(PASSED if result.passed else FAILED,
                      "all steps passed" if result.passed else "FAILED")
    print(f"{verdict}: {passed}/{len(result.steps)} steps in {result.seconds:.1f} s "
          f"(account {result.account})")
    failed = result.failed_step
    if failed is not None:
        print(f"first failure: step {failed.id}: {_clean(failed.error or '').splitlines()[0]}")
    for what in result.notes.get(NOT_CHECKED, []):  # said, never silently skipped
        print(f"not checked on this console: {_clean(what)}")
    print_cleanup(result.cleanup)
    print(f"report: {index}")


def print_cleanup(cleanup: dict[str, Any] | None, prefix: str = "") -> None:
    """Print how a run left its account (``RunResult.cleanup``), a failure in red."""
    if cleanup is None:
        return
    for line in map(_clean, Cleanup.from_dict(cleanup).lines()):
        print(prefix + (_colour(FAILED, line) if "FAILED" in line else line))
