"""Usage and setup errors exit 2 with a message that says what to do, before anything starts.

Run as a subprocess, as a user runs it (and because Playwright's sync API cannot start inside a
test process whose browser fixtures already run an event loop).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from e2e.browser.devices import MATRIX
from e2e.cleanup import DONE, FAILED, Cleanup
from e2e.cli.main import EXIT_SETUP, build_parser
from e2e.cli.matrix import MatrixResult, devices_asked, format_table
from e2e.procedure import PROCEDURE
from e2e.runner import PASSED, RunResult, StepResult
from tests.support.cli import run_e2e

ROOT = Path(__file__).resolve().parents[2]


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run ``python -m e2e`` with ``args`` in ``cwd`` (the test's tmp folder: a default report
    folder lands there, never in the checkout)."""
    return run_e2e(*args, cwd=cwd, timeout=120)


@pytest.mark.parametrize(("args", "says"), [
    (["run", "--lang", "xx"], "no label catalogue"),
    (["run", "--device", "Nokia 3310"], "unknown device"),
    (["run", "--base-url", "http://127.0.0.1:9"], "no console answers"),
    (["run", "--base-url", "ftp://console.example"], "must start with http"),
    (["doc-check", "no-such-article.txt"], "cannot read the article"),
    (["run", "--mock-reauth", "--base-url", "http://127.0.0.1:9"], "cannot go with --base-url"),
])
def test_setup_errors_exit_2_with_advice(args: list[str], says: str, tmp_path: Path) -> None:
    done = run_cli(*args, cwd=tmp_path)
    assert done.returncode == EXIT_SETUP, done.stdout + done.stderr
    assert says in done.stderr
    assert "Traceback" not in done.stderr


def test_a_setup_error_leaves_the_last_good_report_alone(tmp_path: Path) -> None:
    # Given the report of an earlier run
    report = tmp_path / "latest"
    report.mkdir()
    (report / "step-1.1.png").write_bytes(b"earlier run")
    # When a run with a typo in its console URL stops before reaching the console
    done = run_cli("run", "--base-url", "http://127.0.0.1:9", "--report", str(report),
                   cwd=tmp_path)
    # Then it says so, and the earlier report's screenshots are still there
    assert done.returncode == EXIT_SETUP, done.stdout + done.stderr
    assert (report / "step-1.1.png").read_bytes() == b"earlier run"


def test_unknown_command_is_a_usage_error(tmp_path: Path) -> None:
    done = run_cli("bogus", cwd=tmp_path)
    assert done.returncode == EXIT_SETUP
    assert "invalid choice" in done.stderr


def test_matrix_refuses_device_and_devices_together(tmp_path: Path) -> None:
    done = run_cli("matrix", "--device", "Pixel 7", "--devices", "Desktop,iPhone 14",
                   cwd=tmp_path)
    assert done.returncode == EXIT_SETUP
    assert "either --devices LIST or --device NAME" in done.stderr


def test_the_installed_scripts_name_themselves_in_their_usage(tmp_path: Path) -> None:
    bin_dir = Path(sys.executable).parent
    for script, prog in (("e2e-2sv", "usage: e2e-2sv"), ("mock-console", "usage: mock-console")):
        done = subprocess.run([str(bin_dir / script), "--help"], capture_output=True,
                              text=True, timeout=60, check=False, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith(prog), done.stdout[:80]


@pytest.mark.parametrize(("argv", "devices"), [
    (["matrix"], list(MATRIX)),
    (["matrix", "--device", "Desktop"], ["Desktop"]),  # the default device, asked for by name
    (["matrix", "--device", "Pixel 7"], ["Pixel 7"]),
    (["matrix", "--devices", "Desktop,iPhone 14"], ["Desktop", "iPhone 14"]),
    (["matrix", "--device", "Desktop", "--devices", "Pixel 7"], None),
])
def test_matrix_runs_the_devices_asked_for(argv: list[str], devices: list[str] | None) -> None:
    assert devices_asked(build_parser().parse_args(argv)) == devices


def a_cleanup(two_step: str) -> dict[str, object]:
    """How a run left its account: signed out, 2SV turned off again or not (FAILED)."""
    return Cleanup("admin@example.com", two_step=two_step, sign_out="done",
                   error="no Disable link on Account Information" if two_step == FAILED
                   else None).to_dict()


def test_the_matrix_shows_each_devices_cleanup_and_fails_on_one_that_failed() -> None:
    # Given two devices whose steps all passed, one of which left 2SV on
    runs = {}
    for device, cleanup in (("Desktop", a_cleanup(DONE)), ("Pixel 7", a_cleanup(FAILED))):
        run = RunResult("t", "admin@example.com", "en", device, "now", cleanup=cleanup)
        run.steps = [StepResult(s.id, s.section, s.text, PASSED) for s in PROCEDURE]
        runs[device] = run
    result = MatrixResult(runs)

    # When the matrix is judged and tabulated
    table, data = format_table(result), result.to_dict()

    # Then it fails, its table has a cleanup row (✓ Desktop, ✗ Pixel 7), and its JSON says why
    assert not result.passed
    assert re.search(r"^clean\s+✓\s+✗\s*$", table, re.MULTILINE), table
    assert data["failures"] == {"Pixel 7": "cleanup failed: no Disable link on Account "
                                           "Information"}
    assert data["cleanup"]["Pixel 7"]["two_step"] == FAILED
