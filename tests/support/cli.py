"""Run the harness's command line as a user would: one runner for every test that needs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_TIMEOUT_SECONDS = 300  # a whole procedure with evidence takes about 10 s


def run_e2e(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None,
            timeout: float = DEFAULT_TIMEOUT_SECONDS) -> subprocess.CompletedProcess[str]:
    """Run ``python -m e2e ARGS`` and return it finished, output captured, whatever its exit.

    ``cwd`` (a test's tmp folder) keeps a default report folder out of the checkout; the
    project stays importable from there through ``PYTHONPATH``.
    """
    environment = dict(os.environ if env is None else env)
    if cwd is not None:
        environment["PYTHONPATH"] = os.pathsep.join(
            filter(None, [str(ROOT), environment.get("PYTHONPATH", "")]))
    return subprocess.run([sys.executable, "-m", "e2e", *args], capture_output=True, text=True,
                          timeout=timeout, check=False, env=environment, cwd=cwd)
