"""Bring an account to the state a browser test starts from, through HTTP where the console
has a test API, through the article's steps in the browser where it has none.

Playwright's advice: set up state without the browser where the browser is not what the test
is about. Turning 2SV on through the browser (steps 1.1 to 2.7, a QR code read from pixels) is
what the whole-procedure tests prove, on every device and language; a test of the Recovery Code
or of the code challenge only needs 2SV on. So on a mock with its test API, 2SV is turned on by
``POST /__test__/accounts/<name>/two-step`` (the console's own rules, the code of its current
step) and the browser only signs in with the password and the app's code, as step 2.7 does.
On a real console nothing changes: the article's steps run in the browser (``advance_to``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from playwright.sync_api import Page

from e2e import cleanup, reauth
from e2e.authenticator import Authenticator
from e2e.labels import Labels
from e2e.pages import CodeChallengePage
from e2e.procedure import (
    PROCEDURE,
    STEPS_BY_ID,
    TURN_ON_CLICKED,
    Context,
    Step,
    StepFailed,
    expect_home,
    sign_in,
    step_ids,
)
from e2e.runner import advance_to
from e2e.target import Credentials, MockTarget, Target

TURNED_ON = "2.7"  # the article's step after which 2SV is on and the user signed in with a code


def quick_setup(console: Target) -> bool:
    """Whether state can be set up through the console's test API (a mock that has one)."""
    return isinstance(console, MockTarget) and console.has_test_api


def reach(page: Page, console: Target, labels: Labels, account: Credentials, through: str,
          authenticator: Authenticator | None = None) -> Context:
    """The state after the article's step ``through``, as ``advance_to`` leaves it.

    From 2.7 on, on a console with a test API: 2SV turned on through it, the page signed in
    with the password and the app's code (2.7), then the steps after 2.7 in the browser.
    """
    order = step_ids()
    if not quick_setup(console) or order.index(through) < order.index(TURNED_ON):
        return advance_to(page, console, labels, account, through=through,
                          authenticator=authenticator)
    assert isinstance(console, MockTarget)
    ctx = Context(page=page, target=console, labels=labels, account=account,
                  authenticator=authenticator if authenticator is not None
                  else Authenticator(console))
    reauth.watch(ctx)
    cleanup.track(ctx)  # the plugin's finalizer decides, as for advance_to
    with _as_step(STEPS_BY_ID["2.6"], through):  # "Turn on" with the current code
        turned_on = console.turn_on_two_step(account.username)
    with _as_step(STEPS_BY_ID[TURNED_ON], through):
        if turned_on.recovery_code is None:  # what step 2.7 would have found on the screen
            raise StepFailed("the console issued no Recovery Code when 2-Step Verification "
                             "was turned on")
        entry = ctx.authenticator.add_uri(turned_on.otpauth_uri)
        ctx.authenticator.mark_used(turned_on.step)  # the console has seen the code that turned on
        ctx.notes.update({"otpauth_uri": turned_on.otpauth_uri, "text_key": entry.secret,
                          "recovery_code": turned_on.recovery_code, TURN_ON_CLICKED: True})
        sign_in(ctx)
        challenge = CodeChallengePage(page, labels)
        try:
            challenge.expect_loaded()
        except AssertionError as error:
            raise StepFailed("after turning 2SV on, signing in did not ask for a code (the "
                             f"page shows {challenge.heading.all_inner_texts()})") from error
        challenge.enter_code(ctx.authenticator.code())
        expect_home(ctx)
    for step in PROCEDURE[order.index(TURNED_ON) + 1: order.index(through) + 1]:
        with _as_step(step, through):
            step.show(ctx)
            step.act(ctx)
            step.check(ctx)
    return ctx


@contextlib.contextmanager
def _as_step(step: Step, through: str) -> Iterator[None]:
    """Report a failure as the article step it happened at, as ``advance_to`` does, so the
    self-test sees a test that names what the console broke."""
    try:
        yield
    except Exception as error:  # noqa: BLE001 - reported as the article step it happened at
        lines = [line for line in str(error).strip().splitlines() if line.strip()][:12]
        raise StepFailed(f"step {step.id} ({step.text}) failed while reaching the precondition "
                         f"of a test (step {through}): {chr(10).join(lines)}") from error
