"""Fixtures of the harness's own tests: one shared CLI run, and the mock console as an app.

``app``, ``clock`` and the rest come from ``tests.support.mock_app`` (the mock's unit tests use
them too): the Authenticator is checked against the console's own TOTP there.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.support.browser_suite import CliRun, once_per_session
from tests.support.cli import run_e2e
from tests.support.mock_app import (  # noqa: F401 - fixtures, found by name
    app,
    client,
    clock,
    db_path,
    password_hashing,
    production_hashing,
)


@pytest.fixture(scope="session")
def embedded_run(tmp_path_factory: pytest.TempPathFactory) -> CliRun:
    """``python -m e2e run --report DIR`` against the embedded mock, once for the whole test
    run: a read-only result for every test that checks what such a run prints and writes."""
    def run(folder: Path) -> dict[str, Any]:
        done = run_e2e("run", "--report", str(folder))
        return {"returncode": done.returncode, "stdout": done.stdout, "stderr": done.stderr}

    folder, made = once_per_session(tmp_path_factory, "embedded-run", run)
    return CliRun(subprocess.CompletedProcess(["e2e", "run"], made["returncode"],
                                              made["stdout"], made["stderr"]), folder)
