"""Usage and setup errors exit 2 with a message that says what to do, before anything starts.

Run as a subprocess, as a user runs it (and because Playwright's sync API cannot start inside a
test process whose browser fixtures already run an event loop).
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from e2e.cli import EXIT_SETUP


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    """Run ``python -m e2e`` with ``args``."""
    return subprocess.run([sys.executable, "-m", "e2e", *args], capture_output=True, text=True,
                          timeout=120, check=False)


@pytest.mark.parametrize(("args", "says"), [
    (["run", "--lang", "xx"], "no label catalogue"),
    (["run", "--device", "Nokia 3310"], "unknown device"),
    (["run", "--base-url", "http://127.0.0.1:9"], "no console answers"),
    (["run", "--base-url", "ftp://console.example"], "must start with http"),
    (["doc-check", "no-such-article.txt"], "cannot read the article"),
])
def test_setup_errors_exit_2_with_advice(args: list[str], says: str) -> None:
    done = run_cli(*args)
    assert done.returncode == EXIT_SETUP, done.stdout + done.stderr
    assert says in done.stderr
    assert "Traceback" not in done.stderr


def test_unknown_command_is_a_usage_error() -> None:
    done = run_cli("bogus")
    assert done.returncode == EXIT_SETUP
    assert "invalid choice" in done.stderr
