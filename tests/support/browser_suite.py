"""Types the browser tests share with their conftest (a conftest itself is never imported)."""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from e2e.target import MockTarget

# ``console_side(what)``: the mock that proves ``what`` through its test API, or None after
# recording that ``what`` went unchecked on this console (see tests/console/conftest.py).
ConsoleSide = Callable[[str], MockTarget | None]


@dataclass(frozen=True)
class CliRun:
    """One finished ``python -m e2e run``: its exit code, its output and its report folder."""

    done: subprocess.CompletedProcess[str]
    report: Path



def once_per_session(tmp_path_factory: pytest.TempPathFactory, name: str,
                     make: Callable[[Path], dict[str, Any]]) -> tuple[Path, dict[str, Any]]:
    """Make something expensive and read-only once for the whole run, across xdist workers.

    The first worker to ask runs ``make(folder)`` under a lock in the base temp folder all
    workers share (xdist's documented pattern); the others wait for it and read the same
    folder and the JSON ``make`` returned. Without xdist it is simply made once.
    """
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # each worker's basetemp is a folder in the shared one
    folder, made = root / name, root / f"{name}.json"
    with (root / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not made.exists():
                folder.mkdir()
                made.write_text(json.dumps(make(folder)), "utf-8")
            return folder, json.loads(made.read_text("utf-8"))
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
