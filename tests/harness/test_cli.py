"""`python -m e2e run`: what `make run` runs. Exit 0 all passed, 1 a step failed."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from e2e.procedure import step_ids
from e2e.target import MockTarget
from tests.support.browser_suite import CliRun
from tests.support.cli import run_e2e


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    """Run `python -m e2e run` as a user would."""
    return run_e2e("run", *args)


def test_run_against_the_embedded_mock_passes_and_writes_the_report(
    embedded_run: CliRun
) -> None:
    # When `python -m e2e run` runs with no base URL (the embedded mock)
    done, tmp_path = embedded_run.done, embedded_run.report

    # Then it exits 0, prints each step, and the report has every step with its screenshot
    assert done.returncode == 0, done.stdout + done.stderr
    for step_id in step_ids():
        assert f" {step_id}  " in done.stdout
    assert "all steps passed" in done.stdout
    report = json.loads((tmp_path / "report.json").read_text())
    assert [s["id"] for s in report["steps"]] == step_ids()
    assert all(s["status"] == "passed" and s["screenshot"] for s in report["steps"])
    html = (tmp_path / "index.html").read_text()
    assert html.count('<section class="step"') == len(step_ids())
    crops = sum(1 for s in report["steps"] if s["crop"])  # each step that acts on an element
    assert html.count("data:image/png;base64,") == len(step_ids()) + crops
    assert (tmp_path / "junit.xml").exists()
    # and the console's security posture: every check passes on the mock, or says it was not
    # observed, but "reauth": the mock without --reauth turns 2SV off without asking to confirm
    # access; one summary line on the terminal, a section in index.html and report.md
    posture = {c["id"]: c["status"] for c in report["posture"]}
    assert posture.pop("reauth") == "fail"
    assert {status for status in posture.values()} <= {"pass", "unknown"}, report["posture"]
    assert posture["csp"] == posture["no_store"] == posture["rotation"] == "pass"
    assert posture["other_sessions"] == "pass"  # the second browser had to sign in again
    assert "posture: " in done.stdout and " 1 fail" in done.stdout
    assert "Security posture of the console" in html
    assert "## Security posture of the console" in (tmp_path / "report.md").read_text()


@pytest.mark.needs_test_api
def test_run_exits_1_and_names_the_step_when_the_console_is_broken(
    faults: MockTarget, tmp_path: Path
) -> None:
    # Given a console that shows no Recovery Code after turning 2SV on
    faults.enable_fault("no_recovery_code")

    # When the procedure runs against it
    done = run_cli("--base-url", faults.base_url, "--report", str(tmp_path))

    # Then the run fails at step 2.6, saying what was expected, and later steps are not run
    assert done.returncode == 1, done.stdout + done.stderr
    assert "step 2.6" in done.stdout and "FAIL" in done.stdout
    report = json.loads((tmp_path / "report.json").read_text())
    statuses = {s["id"]: s["status"] for s in report["steps"]}
    assert statuses["2.5"] == "passed" and statuses["2.6"] == "failed"
    assert statuses["3.5"] == "skipped"
    assert (tmp_path / "step-2.6-failure.png").exists()


@pytest.mark.needs_test_api
def test_fail_on_posture_exits_4_when_every_step_passed_but_a_posture_check_failed(
    faults: MockTarget, tmp_path: Path
) -> None:
    # Given a console whose pages may be cached, framed and run inline script, and which leaves
    # a browser signed in before 2SV was turned on signed in after it
    faults.enable_fault("weak_security_headers")
    faults.enable_fault("keep_other_sessions")

    # When the procedure runs with --fail-on-posture
    done = run_cli("--base-url", faults.base_url, "--report", str(tmp_path), "--no-evidence",
                   "--fail-on-posture")

    # Then every step passed, but the run exits 4 naming the failed checks
    assert done.returncode == 4, done.stdout + done.stderr
    assert "all steps passed" in done.stdout
    assert "failed: frame, no_store, csp, nosniff, other_sessions, reauth" in done.stdout
    failed = [c["id"] for c in json.loads((tmp_path / "report.json").read_text())["posture"]
              if c["status"] == "fail"]
    assert failed == ["frame", "no_store", "csp", "nosniff", "other_sessions", "reauth"]
