"""No flakes at time boundaries, in the browser: the procedure passes at the first second of a
step, the one before the last and the last (where a code is about to expire and the harness must
take the next step's), and when the runner's clock is a minute off, because codes are computed at
the console's time. Every one of the 30 seconds, and both skews, are swept without a browser in
``tests/mock/test_time_boundaries.py`` through the same Authenticator."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page

from e2e.labels import Labels
from e2e.runner import run_procedure
from e2e.target import MockTarget

PERIOD = 30
BROWSER_SECONDS = (0, PERIOD - 2, PERIOD - 1)  # the first second, the boundary, the last


@pytest.fixture
def clock_mock(private_mock: MockTarget) -> Iterator[MockTarget]:
    """A private mock whose clock this test may move; its offset is restored afterwards."""
    before = private_mock.set_offset(0) - time.time()  # note the drift we start from (≈0)
    yield private_mock
    private_mock.set_offset(max(0.0, before))


@pytest.mark.needs_test_api
@pytest.mark.parametrize("second", BROWSER_SECONDS)
def test_procedure_passes_started_at_every_second_of_a_step(
    page: Page, clock_mock: MockTarget, labels: Labels, second: int
) -> None:
    # Given the console's clock placed `second` seconds into a 30 s step
    placed = clock_mock.place_in_step(second + 0.25)
    assert int(placed) % PERIOD == second

    # When the whole procedure runs from there, Then every step passes
    result = run_procedure(page, clock_mock, labels)
    assert result.passed, result.failure


@pytest.mark.needs_test_api
@pytest.mark.parametrize("skew", [-60], ids=["console-60s-behind"])
def test_procedure_passes_when_runner_and_console_clocks_disagree(
    page: Page, clock_mock: MockTarget, labels: Labels, skew: int
) -> None:
    # Given a console whose clock is two steps away from the runner's own clock
    clock_mock.set_offset(skew)
    assert abs(clock_mock.now() - time.time() - skew) < 1

    # When the procedure runs, Then it passes: codes follow the console, not the runner
    result = run_procedure(page, clock_mock, labels)
    assert result.passed, result.failure
