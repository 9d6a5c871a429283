"""The pytest plugin gives a suite without conftest.py the harness's fixtures, and they win over
pytest-playwright's of the same names."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import pytest

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
