"""A run against a console holds nothing that helps anyone sign in, and leaves the account as found.

What a security reviewer would do: make a run fail after 2-Step Verification was turned on, then
scan every file it wrote (zbar on every picture, inside HTML too; every text for the password,
the secret in every spelling, the otpauth URI, the Recovery Code and the session cookie), and
check that the account ended with 2SV off and no session left open.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from e2e.labels import load_labels
from e2e.process import start_listener
from e2e.target import READY_LINE, Credentials, MockTarget
from tests.support.cli import run_e2e
from tests.support.leaks import find_leaks
from tests.support.secrets_seen import TERMINATE_AT_ENV

SEEDED = Credentials("pool-admin@example.com", "pool-password-for-the-safety-test")


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return run_e2e("run", *args, env=env, timeout=600)  # a failed run's cleanup waits too


@pytest.fixture
def renamed_disable_link(tmp_path: Path) -> Path:
    """A label catalogue whose "Disable 2 Step Verification" link has another name, so the run
    fails once 2SV is on (the Account Information check of step 2.7 looks for it)."""
    catalogue = json.loads(load_labels("en").source.read_text("utf-8"))
    catalogue["article"]["disable_link"] = "Switch two-step off"
    path = tmp_path / "renamed.json"
    path.write_text(json.dumps(catalogue), "utf-8")
    return path


@pytest.mark.needs_test_api
def test_a_run_that_fails_after_turning_on_leaks_nothing_and_turns_2sv_off_again(
    private_mock: MockTarget, renamed_disable_link: Path, tmp_path: Path
) -> None:
    # Given a console whose Disable link the harness will not find, and a report folder
    report, seen = tmp_path / "report", tmp_path / "secrets-seen.json"

    # When `python -m e2e run` runs (recording each secret it learns) and fails after "Turn on"
    done = subprocess.run(
        [sys.executable, "-m", "tests.support.secrets_seen", str(seen), "run", "--base-url",
         private_mock.base_url, "--report", str(report), "--labels", str(renamed_disable_link)],
        capture_output=True, text=True, timeout=600, check=False)
    out, err = done.stdout, done.stderr
    assert done.returncode == 1, out + err
    data = json.loads((report / "report.json").read_text())
    statuses = {s["id"]: s["status"] for s in data["steps"]}
    assert statuses["2.6"] == "passed" and "failed" in statuses.values()
    # and the failure, in the step's own words, still names the catalogue words not on screen
    assert '"Switch two-step off" (label disable_link) is not on this screen' in out

    # Then the account has 2SV off again and the run says so, apart from the steps
    state = private_mock.account_state(data["account"])
    assert state["two_step_enabled"] is False, state
    assert data["cleanup"]["two_step"] == "done" and data["cleanup"]["sign_out"] == "done"
    # (the run failed on a link that never showed, so cleanup went to the settings page first
    # instead of waiting for that link again on the article's way)
    assert any("from the 2-Step Verification settings page" in action
               for action in data["cleanup"]["actions"]), data["cleanup"]["actions"]
    assert not any("that way failed" in action for action in data["cleanup"]["actions"]), \
        data["cleanup"]["actions"]
    assert "2-Step Verification turned off again" in out
    assert 'classname="cleanup"' in (report / "junit.xml").read_text()

    # and nothing the run wrote or printed holds a readable QR code or a secret
    secrets = json.loads(seen.read_text())
    assert len(secrets) >= 5  # URI, secret, Recovery Code, password, session cookie
    assert find_leaks(report, secrets) == []
    assert not [secret for secret in secrets if secret in out + err]
    masked = {region["what"] for step in data["steps"] for region in step["masked"]}
    assert {"QR code", "key", "Recovery Code"} <= masked


def test_a_trace_of_a_real_console_is_refused_without_an_explicit_yes(tmp_path: Path) -> None:
    # Given a console without the test API (the harness treats it as the real one)
    seed = tmp_path / "accounts.json"
    seed.write_text(json.dumps([{"username": SEEDED.username, "password": SEEDED.password}]))
    console = start_listener([sys.executable, "-m", "mock_console", "--host", "127.0.0.1",
                              "--port", "0", "--db", str(tmp_path / "c.sqlite3"),
                              "--seed", str(seed)], READY_LINE)
    try:
        env = {**os.environ, "E2E_USERNAME": SEEDED.username, "E2E_PASSWORD": SEEDED.password}
        # When a run asks for a trace without accepting that it holds secrets
        done = run_cli("--base-url", console.url, "--report", str(tmp_path / "r"), "--trace",
                       env=env)
    finally:
        console.stop()
        output = console.output()
    # Then it is refused before anything runs, saying why and what to do
    assert done.returncode == 2, done.stdout + done.stderr
    assert "refusing to record a Playwright trace" in done.stderr
    assert "--trace-contains-secrets" in done.stderr
    assert not list((tmp_path / "r").glob("trace*.zip"))
    # and the console never printed the seeded password
    assert SEEDED.username in output and SEEDED.password not in output


def test_unmasked_evidence_is_refused_outside_the_embedded_mock(tmp_path: Path) -> None:
    done = run_cli("--base-url", "https://console.example/", "--unmasked-evidence",
                   "--report", str(tmp_path))
    assert done.returncode == 2
    assert "only allowed with the embedded mock" in done.stderr


@pytest.mark.slow  # a real console's clock: cleanup's code waits for the next 30-second step
def test_a_run_stopped_by_sigterm_after_turn_on_on_a_real_console_still_leaves_it_as_found(
        tmp_path: Path) -> None:
    # Given a console without the test API (treated as the real one) with a seeded account
    seed, db = tmp_path / "accounts.json", tmp_path / "console.sqlite3"
    seed.write_text(json.dumps([{"username": SEEDED.username, "password": SEEDED.password}]))
    console = start_listener([sys.executable, "-m", "mock_console", "--host", "127.0.0.1",
                              "--port", "0", "--db", str(db), "--seed", str(seed)], READY_LINE)
    report, seen = tmp_path / "report", tmp_path / "secrets-seen.json"
    try:
        # When the run, recording a trace the user accepted holds secrets, gets SIGTERM (a CI
        # job cancelled) right after clicking "Turn on"
        env = {**os.environ, "E2E_USERNAME": SEEDED.username, "E2E_PASSWORD": SEEDED.password,
               TERMINATE_AT_ENV: "2.6"}
        done = subprocess.run(
            [sys.executable, "-m", "tests.support.secrets_seen", str(seen), "run",
             "--base-url", console.url, "--report", str(report), "--trace",
             "--trace-contains-secrets"],
            capture_output=True, text=True, timeout=600, check=False, env=env)
    finally:
        console.stop()
    out, err = done.stdout, done.stderr

    # Then the run says where it was stopped, and fails
    assert done.returncode == 1, out + err
    data = json.loads((report / "report.json").read_text())
    stopped = {s["id"]: s for s in data["steps"]}["2.6"]
    assert stopped["status"] == "failed" and "interrupted" in stopped["error"], stopped
    # and it turned 2SV off again and ended every session it held (the run's, signed out before
    # cleanup signed in with a code; that one's, before it signed in to prove no code is asked;
    # the last), each proven over by a fresh browser context carrying its cookie
    cleanup = data["cleanup"]
    assert cleanup["two_step"] == "done" and cleanup["sign_out"] == "done", cleanup
    assert cleanup["actions"].count("signed out of the session before signing in again") == 2
    assert any("(3 probed)" in action for action in cleanup["actions"]), cleanup["actions"]
    with MockTarget.start(db=db) as afterwards:  # the same database, read through a test API
        assert afterwards.account_state(SEEDED.username)["two_step_enabled"] is False

    # and the trace, which holds everything, is not in the report folder CI uploads
    trace = next(Path(word) for word in err.split() if word.endswith("trace.SENSITIVE.zip"))
    try:
        assert trace.is_file() and report not in trace.parents
    finally:
        trace.unlink(missing_ok=True)
        trace.parent.rmdir()
    assert not list(report.rglob("*.zip"))
    # and nothing it wrote or printed holds a readable QR code or a secret
    secrets = [*json.loads(seen.read_text()), SEEDED.password]
    assert len(set(secrets)) >= 6  # URI, secret, password, and 3+ session cookies
    assert find_leaks(report, secrets) == []
    assert not [secret for secret in secrets if secret in out + err]
