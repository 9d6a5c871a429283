"""No flakes at time boundaries, proven for every second of a step without a browser.

The harness's timing lives in ``e2e.authenticator.Authenticator`` (a code computed at the
console's time, never one whose step was used, never one about to expire) and the console's in
its window and replay rules. This drives both exactly as the procedure does (turn on with a
code, sign in again with a code, turn off, sign in with none) through the console's screens in
this process, started at each of the 30 seconds of a step and with the console's clock a minute
away from the runner's. The browser suite keeps three seconds (the first, the one before the
last, the last) and one skew, in ``tests/console/test_time_boundaries.py``.
"""

from __future__ import annotations

import math
import time

import pytest

from e2e.authenticator import Authenticator
from tests.support.console_driver import ENABLED, HOME, PERIOD, SIGNIN_CODE, Console


class ConsoleTime:
    """The console's clock as the harness's Authenticator sees a target: read it, move it on."""

    def __init__(self, console: Console) -> None:
        self.console = console

    def now(self) -> float:
        return self.console.now()

    def next_step(self, period: int = PERIOD) -> None:
        now = self.console.now()
        self.console.advance((math.floor(now / period) + 1) * period - now + 0.5)


def place_in_step(console: Console, seconds_into_step: float) -> float:
    """Move the console's clock forward to ``seconds_into_step`` of a step; return its time."""
    now = console.now()
    wanted = math.floor(now / PERIOD) * PERIOD + seconds_into_step
    return console.advance(wanted - now + (PERIOD if wanted < now else 0))


def turn_on_and_off_as_the_procedure_does(console: Console) -> None:
    """2.4-2.7 and 3.1-3.5 at the HTTP level, every code from the harness's Authenticator."""
    app = Authenticator(ConsoleTime(console))
    console.signed_in_account()
    console.start_setup()
    app.add_uri(console.qr_text(console.open(console.SETUP)))
    response = console.turn_on(app.code())  # 2.6
    assert response.status_code == 302 and response.location == ENABLED, response.status
    console.to_code_page()  # 2.7: sign out, in again: a code is asked for
    response = console.enter_code(app.code())
    assert response.status_code == 302 and response.location == HOME, response.status
    response = console.turn_off()  # 3.2-3.4
    assert response.status_code == 302, response.status
    console.sign_out()  # 3.5: no code any more
    response = console.sign_in()
    assert response.status_code == 302 and response.location == HOME, response.location
    assert response.location != SIGNIN_CODE


@pytest.mark.parametrize("second", range(PERIOD))
def test_the_procedures_codes_pass_started_at_every_second_of_a_step(
    console: Console, second: int
) -> None:
    # Given the console's clock `second` seconds (and a quarter) into a 30 s step
    placed = place_in_step(console, second + 0.25)
    assert int(placed) % PERIOD == second
    # When the procedure's time-sensitive part runs from there, Then every code is accepted
    turn_on_and_off_as_the_procedure_does(console)


@pytest.mark.parametrize("skew", [-60, +60], ids=["console-60s-behind", "console-60s-ahead"])
def test_the_procedures_codes_follow_the_console_when_the_runner_clock_disagrees(
    console: Console, skew: int
) -> None:
    # Given a console whose clock is two steps away from the runner's own clock
    console.client.post("/__test__/clock", json={"offset": time.time() + skew - console.now()})
    assert abs(console.now() - time.time() - skew) < 1
    # When the procedure's codes are computed, Then they follow the console, not the runner
    turn_on_and_off_as_the_procedure_does(console)
