"""The pytest plugin gives a suite without conftest.py the harness's fixtures, and they win over
pytest-playwright's of the same names."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from e2e.data import labels_path
from e2e.process import start_listener
from e2e.target import READY_LINE, MockTarget

ROOT = Path(__file__).resolve().parents[2]
PLUGIN = "e2e.pytest_plugin.plugin"
OURS = ("target", "base_url", "labels", "mock", "account", "authenticator", "private_mock",
        "faults", "context", "browser", "browser_type_launch_args", "browser_context_args",
        "connect_options")
SUITE = f"""
def test_uses_them({", ".join(OURS)}):
    pass
"""


def run_pytest(folder: Path, *args: str, env: dict[str, str] | None = None
               ) -> subprocess.CompletedProcess[str]:
    """Run pytest in ``folder`` (no conftest.py) with the plugin, as an installed wheel would."""
    installed = any(ep.value == PLUGIN for ep in entry_points(group="pytest11"))
    plugin = [] if installed else ["-p", PLUGIN]  # this venv's install may predate the entry point
    env = {**os.environ, **(env or {}), "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *plugin,
                           *args], cwd=folder, env=env, capture_output=True, text=True,
                          check=False)


@pytest.fixture
def suite(tmp_path: Path) -> Path:
    """A QA team's folder: one test asking for the public fixtures, no conftest.py."""
    (tmp_path / "test_suite.py").write_text(SUITE, "utf-8")
    return tmp_path


def test_the_public_fixtures_are_the_plugins_not_pytest_playwrights(suite: Path) -> None:
    done = run_pytest(suite, "--fixtures-per-test", "test_suite.py")

    assert done.returncode == 0, done.stdout + done.stderr
    where = {line.split(" -- ")[0]: line.split(" -- ")[1] for line in done.stdout.splitlines()
             if " -- " in line}
    wrong = {name: where.get(name) for name in OURS
             if "e2e/pytest_plugin/fixtures.py" not in where.get(name, "")}
    assert not wrong, f"not the plugin's fixtures: {wrong}"


def test_options_are_offered(suite: Path) -> None:
    done = run_pytest(suite, "--help")

    assert done.returncode == 0, done.stderr
    for option in ("--lang", "--labels=FILE", "--accounts=FILE", "--base-url"):
        assert option in done.stdout, option


def test_a_browser_other_than_chromium_is_refused_with_a_reason(suite: Path) -> None:
    done = run_pytest(suite, "--browser", "firefox", "--co")

    assert done.returncode == pytest.ExitCode.USAGE_ERROR, done.stdout + done.stderr
    assert "drives Chromium only" in done.stderr


LEAKY = """
import pytest
from e2e.evidence.redaction import register_secret

@pytest.mark.rule("input")
def test_fails_quoting_secrets():
    register_secret("hunter2-the-password")
    print("captured: hunter2-the-password")
    assert False, ("received: hunter2-the-password, key ABCD EFGH 2345 WXYZ, "
                   "otpauth://totp/Console:admin?secret=JBSWY3DPEHPK3PXP")
"""


def test_failure_text_and_junit_hold_no_secret_even_from_a_worker(tmp_path: Path) -> None:
    # Given a test that fails quoting the password it registered, a key the harness never read
    # and an otpauth URI (as a Playwright assertion quotes what it received)
    (tmp_path / "test_leaky.py").write_text(LEAKY, "utf-8")
    junit = tmp_path / "junit.xml"

    # When it runs in an xdist worker, with JUnit written by the controller
    done = run_pytest(tmp_path, "-n", "1", "-p", "no:randomly", f"--junitxml={junit}",
                      "test_leaky.py")

    # Then it fails, and neither the terminal nor the JUnit file quotes any of them
    assert done.returncode == pytest.ExitCode.TESTS_FAILED, done.stdout + done.stderr
    # and the failure keeps its shape: JUnit's message is still the crash line, naming the rule
    # (what the self-test reads to call a fault caught)
    message = ET.parse(junit).getroot().find(".//failure").get("message")  # type: ignore[union-attr]
    assert message.startswith("security rule broken: "), message
    for text in (done.stdout + done.stderr, junit.read_text("utf-8")):
        assert "[redacted]" in text
        for secret in ("hunter2-the-password", "ABCD EFGH 2345 WXYZ", "JBSWY3DPEHPK3PXP",
                       "otpauth://"):
            assert secret not in text


def test_recordings_of_a_real_console_are_a_usage_error_before_any_worker(suite: Path,
                                                                         tmp_path: Path) -> None:
    # Given a console without the test API (the plugin treats it as the real one)
    console = start_listener([sys.executable, "-m", "mock_console", "--host", "127.0.0.1",
                              "--port", "0", "--db", str(tmp_path / "c.sqlite3")], READY_LINE)
    try:
        # When the suite asks pytest-playwright for traces with two workers
        done = run_pytest(suite, "-n", "2", "--base-url", console.url, "--tracing", "on",
                          "test_suite.py")
    finally:
        console.stop()

    # Then pytest stops with a usage error saying why and what to do, not an internal error
    output = done.stdout + done.stderr
    assert done.returncode == pytest.ExitCode.USAGE_ERROR, output
    assert "refusing --tracing=on" in output and "--artifacts-contain-secrets" in output
    assert "INTERNALERROR" not in output
    assert not (suite / "test-results").exists()


TURNS_2SV_ON = """
from e2e.procedure import PROCEDURE, Context

def test_turns_2sv_on_with_the_steps_alone(page, target, labels, account, authenticator):
    ctx = Context(page=page, target=target, labels=labels, account=account,
                  authenticator=authenticator)
    for step in PROCEDURE[:PROCEDURE.index(next(s for s in PROCEDURE if s.id == "2.6")) + 1]:
        step.show(ctx)
        step.act(ctx)
        step.check(ctx)
"""


@pytest.mark.slow  # a real console's clock: cleanup's code waits for the next 30-second step
def test_a_test_that_turns_2sv_on_by_itself_on_a_real_console_is_cleaned_up(
        tmp_path: Path) -> None:
    # Given a console without the test API (treated as the real one) and a seeded account
    seed, db = tmp_path / "accounts.json", tmp_path / "console.sqlite3"
    username, password = "suite-admin@example.com", "a-password-for-the-finalizer-test"
    seed.write_text(f'[{{"username": "{username}", "password": "{password}"}}]', "utf-8")
    (tmp_path / "suite").mkdir()
    (tmp_path / "suite" / "test_on.py").write_text(TURNS_2SV_ON, "utf-8")
    console = start_listener([sys.executable, "-m", "mock_console", "--host", "127.0.0.1",
                              "--port", "0", "--db", str(db), "--seed", str(seed)], READY_LINE)
    try:
        # When a test of a QA team's own turns 2SV on through the steps, never turning it off
        done = run_pytest(tmp_path / "suite", "-p", "no:randomly", "--base-url", console.url,
                          env={"E2E_USERNAME": username, "E2E_PASSWORD": password})
    finally:
        console.stop()

    # Then the test passes, and the plugin's finalizer left the account with 2SV off
    assert done.returncode == 0, done.stdout + done.stderr
    with MockTarget.start(db=db) as afterwards:  # the same database, read through a test API
        assert afterwards.account_state(username)["two_step_enabled"] is False
RENAMED_LABEL_SUITE = '''
from playwright.sync_api import expect

from e2e.evidence.redaction import register_secret
from e2e.pages import SignInPage


def sign_in_page(page, labels, base_url):
    page.set_default_timeout(1500)  # what is missing is missing: no need for the console's wait
    expect.set_options(timeout=1500)
    signin = SignInPage(page, labels)
    signin.open(base_url)
    return signin


def test_an_assertion_on_a_renamed_field(page, labels, base_url):
    sign_in_page(page, labels, base_url).expect_loaded()


def test_an_action_on_a_renamed_field(page, labels, base_url):
    signin = sign_in_page(page, labels, base_url)
    register_secret("Username")  # the screen's word, standing in for a secret the run learnt
    signin.username.fill("someone")


def test_a_failure_of_another_kind(page):
    raise AssertionError("the console answered 500")
'''


def sections_by_test(output: str, name: str) -> dict[str, str]:
    """The report section ``name`` of each failed test in pytest's terminal ``output``."""
    found = {}
    for block in re.split(r"\n_{3,} (?=test_\w+)", output)[1:]:
        test = re.split(r"[\[ ]", block, maxsplit=1)[0]
        section = re.search(rf"\n-+ {name} -+\n(.*?)(?=\n[-=_]{{3,}}|\Z)", block, re.S)
        if section:
            found[test] = section.group(1)
    return found


def test_a_failed_locator_in_a_plain_test_names_the_missing_words(tmp_path: Path) -> None:
    # Given a suite of plain pytest tests using the page objects, and a catalogue whose one
    # label ("Username") a console words otherwise
    (tmp_path / "test_suite.py").write_text(RENAMED_LABEL_SUITE, "utf-8")
    catalogue = json.loads(labels_path("en").read_text("utf-8"))
    catalogue["screen"]["username"] = "User name"
    (tmp_path / "renamed.json").write_text(json.dumps(catalogue), "utf-8")

    # When they run against the embedded mock
    done = run_pytest(tmp_path, "-p", "no:randomly", "-p", "no:xdist", "--labels",
                      "renamed.json", "test_suite.py")

    # Then a failed assertion and a timed-out action each name the word, its key, what the
    # screen shows instead and --labels; secrets redacted; another failure gets no such section
    assert done.returncode == pytest.ExitCode.TESTS_FAILED, done.stdout + done.stderr
    hints = sections_by_test(done.stdout, "missing words")
    assert set(hints) == {"test_an_assertion_on_a_renamed_field",
                          "test_an_action_on_a_renamed_field"}, done.stdout
    asserted = hints["test_an_assertion_on_a_renamed_field"]
    assert '"User name" (label username) is not on this screen' in asserted
    assert 'nearest on screen: "Username" (field label)' in asserted
    assert "--labels FILE" in asserted and "renamed.json" in asserted
    acted = hints["test_an_action_on_a_renamed_field"]
    assert "is not on this screen" in acted and '"[redacted]" (field label)' in acted
    assert "Username" not in acted
