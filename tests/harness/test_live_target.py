"""A real-console run: the mock served WITHOUT its test API, driven as LiveTarget.

This is the one test that waits on real time: the harness reads the console's time from HTTP
``Date`` headers and waits for the next 30-second step when it needs a fresh code, exactly as it
must against the real product.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page

from e2e.labels import Labels
from e2e.runner import PASSED, run_procedure
from e2e.target import Credentials, LiveTarget, start_mock_console, stop_process

SEEDED = Credentials("live-admin@example.com", "live-target-password-123")


@pytest.fixture
def console_without_test_api(tmp_path: Path) -> Iterator[str]:
    """Serve the mock with a seeded account and no test API; yield its URL."""
    seed = tmp_path / "accounts.json"
    seed.write_text(json.dumps([{"username": SEEDED.username, "password": SEEDED.password}]))
    process, base_url, _ = start_mock_console(["--seed", str(seed)], db=tmp_path / "c.sqlite3")
    try:
        yield base_url
    finally:
        stop_process(process)


@pytest.mark.slow
def test_live_target_runs_the_whole_procedure_on_real_time(
    page: Page, labels: Labels, console_without_test_api: str
) -> None:
    # Given a console that offers no test API (no clock to move, no accounts to create)
    target = LiveTarget(console_without_test_api, SEEDED)
    assert not target.has_test_api and not target.moves_clock

    # When the harness follows the article, waiting for fresh time steps when it must
    result = run_procedure(page, target, labels)

    # Then every step passed, and the console time it estimated is within a second of real time
    assert [s.status for s in result.steps] == [PASSED] * len(result.steps), result.failure
    assert abs(target.now() - time.time()) < 1.5
    # and what only a test API shows (stored state, audit events) is said to be unchecked
    assert any("no test API" in what for what in result.notes["not_checked"]), result.notes


def test_live_target_without_credentials_says_what_to_set(console_without_test_api: str) -> None:
    # Given a real console and no E2E_USERNAME / E2E_PASSWORD
    target = LiveTarget(console_without_test_api, None)
    # When an account is asked for, Then the error says which variables to set
    with pytest.raises(RuntimeError, match="E2E_USERNAME and E2E_PASSWORD"):
        target.new_account()
