"""The pytest plugin gives a suite without conftest.py the harness's fixtures, and they win over
pytest-playwright's of the same names."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from e2e.data import labels_path

ROOT = Path(__file__).resolve().parents[2]
PLUGIN = "e2e.pytest_plugin.plugin"
OURS = ("target", "base_url", "labels", "mock", "account", "authenticator", "private_mock",
        "faults", "context", "browser", "browser_type_launch_args", "browser_context_args",
        "connect_options")
SUITE = f"""
def test_uses_them({", ".join(OURS)}):
    pass
"""


def run_pytest(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run pytest in ``folder`` (no conftest.py) with the plugin, as an installed wheel would."""
    installed = any(ep.value == PLUGIN for ep in entry_points(group="pytest11"))
    plugin = [] if installed else ["-p", PLUGIN]  # this venv's install may predate the entry point
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
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
