"""Signing in while 2-Step Verification is on: the code asked after the password.

Each test starts where the article's step 2.7 leaves the user (2SV on, signed in with a code),
then signs out and in again with the password: the console now asks for the app's code. A code
is accepted once (RFC 6238 §5.2): the same step again (the one that turned 2SV on, too), or an
older step after a newer one, is a replay; wrong codes count towards a lock that holds across
browser sessions.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from e2e.checks.rules import broken
from e2e.labels import Labels
from e2e.pages import CodeChallengePage, RecoveryCodePage
from e2e.procedure import STEPS_BY_ID, Context, expect_home, sign_in, sign_out, wrong_code_for
from e2e.runner import advance_to
from e2e.target import Credentials, MockTarget, Target
from tests.support.browser_suite import ConsoleSide

pytestmark = pytest.mark.selftest  # the console regression suite


@pytest.mark.rule("enabled_outcome")
def test_sign_in_asks_for_the_app_code_refuses_a_wrong_one_and_accepts_the_right_one(
    challenged: Context, page: Page, labels: Labels,
    console_side: ConsoleSide,
) -> None:
    challenge = CodeChallengePage(page, labels)
    # Given the password was accepted: the console asks for the code in the article's words
    expect(page.get_by_text(labels.signin_code_label, exact=True)).to_be_visible()
    expect(challenge.code).to_be_editable()
    events_before = challenged.mock.event_types(challenged.account.username) \
        if challenged.mock else []

    # When a wrong code is entered
    challenge.enter_code(wrong_code_for(challenged))

    # Then it is refused with a clear message and the code is asked again
    challenge.expect_alert(labels.error("wrong_code"))
    challenge.expect_loaded()
    if (mock := console_side("the audit event of the refused code")) is not None:
        assert mock.event_types(challenged.account.username) == [
            *events_before, "code_rejected"]

    # When the app's current code is entered
    challenge.enter_code(challenged.authenticator.code())

    # Then the user is signed in
    expect_home(challenged)
    if (mock := console_side("the audit event of the sign-in with the code")) is not None:
        last = mock.events(challenged.account.username)[-1]
        assert (last["type"], last["detail"]) == ("signed_in", "code"), last


@pytest.mark.rule("replay")
def test_code_already_used_to_sign_in_is_refused_as_a_replay(
    challenged: Context, page: Page, labels: Labels,
    console_side: ConsoleSide,
) -> None:
    # Given the code of the time step the last sign-in used (still inside the window)
    entry = challenged.authenticator.entry()
    used_step = max(challenged.authenticator.used_steps())
    events_before = challenged.mock.event_types(challenged.account.username) \
        if challenged.mock else []

    # When it is entered again
    challenge = CodeChallengePage(page, labels)
    challenge.enter_code(entry.code_for_step(used_step))

    # Then it is refused: the user is told it has already been used, and still asked for a code
    challenge.expect_alert(labels.error("already_used"))
    challenge.expect_loaded()
    if (mock := console_side("the audit event of the replay")) is not None:
        new_events = mock.event_types(challenged.account.username)[len(events_before):]
        assert "code_replayed" in new_events, new_events
        assert "signed_in" not in new_events, new_events


@pytest.mark.own_console
@pytest.mark.rule("replay")
@pytest.mark.needs_test_api
def test_older_code_after_a_newer_one_is_refused(
    challenged: Context, mock: MockTarget, page: Page, labels: Labels
) -> None:
    entry = challenged.authenticator.entry()
    username = challenged.account.username
    # Given the console's clock two steps past the last step used, 10 s into the step T
    while entry.step(mock.now()) < max(challenged.authenticator.used_steps()) + 2:
        mock.next_step()
    mock.place_in_step(10)
    step = entry.step(mock.now())
    # and a sign-in with the app's code for T
    challenge = CodeChallengePage(page, labels)
    challenge.enter_code(entry.code_for_step(step))
    challenged.authenticator.mark_used(step)
    expect_home(challenged)
    sign_out(challenged)
    sign_in(challenged)
    challenge.expect_loaded()
    events_before = mock.event_types(username)

    # When the code for T-1 is entered: never used, inside the window, but older than T
    challenge.enter_code(entry.code_for_step(step - 1))

    # Then it is refused as already used, and the user is not signed in
    challenge.expect_alert(labels.error("already_used"))
    challenge.expect_loaded()
    new_events = mock.event_types(username)[len(events_before):]
    assert "code_replayed" in new_events and "signed_in" not in new_events, new_events


@pytest.mark.rule("throttling")
@pytest.mark.needs_test_api
def test_five_wrong_codes_across_two_browser_sessions_lock_code_entry_in_both(
    challenged: Context, mock: MockTarget, page: Page, labels: Labels,
    new_context: Callable[..., BrowserContext],
) -> None:
    username = challenged.account.username
    wrong = wrong_code_for(challenged)
    sign_ins = mock.event_types(username).count("signed_in")
    first = CodeChallengePage(page, labels)
    # Given three wrong codes in one browser
    for _ in range(3):
        first.enter_code(wrong)
        first.expect_alert(labels.error("wrong_code"))
        expect(first.alert).not_to_contain_text(labels.error("locked"))

    # and the same account signed in with its password in a second browser
    other = dataclasses.replace(challenged, page=new_context().new_page())
    sign_in(other)
    second = CodeChallengePage(other.page, labels)
    second.expect_loaded()

    # When two more wrong codes are entered there
    second.enter_code(wrong)
    second.expect_alert(labels.error("wrong_code"))
    expect(second.alert).not_to_contain_text(labels.error("locked"))
    second.enter_code(wrong)

    # Then the fifth failure locks code entry for the account, and the user is told
    second.expect_alert(labels.error("locked"))
    state = mock.account_state(username)
    assert state["locked_until"] is not None and state["locked_until"] > mock.now(), state
    types = mock.event_types(username)
    assert types[-6:] == ["code_rejected"] * 5 + ["locked"], types

    # And the app's valid code is refused in both browsers while the lock lasts
    valid = challenged.authenticator.code()
    for challenge in (second, first):
        challenge.enter_code(valid)
        challenge.expect_alert(labels.error("locked"))
        challenge.expect_loaded()
    assert mock.event_types(username)[-1] == "locked", "a sign-in happened while locked"
    assert mock.event_types(username).count("signed_in") == sign_ins, "signed in while locked"


@pytest.mark.rule("replay")
def test_code_that_turned_two_step_on_is_refused_at_the_next_sign_in(
    page: Page, console: Target, labels: Labels, account: Credentials,
    console_side: ConsoleSide,
) -> None:
    # Given 2SV was just turned on with the app's code for step T (article 2.6); on the mock
    # the clock is put at the start of a step, so T stays inside the window throughout
    mock = console if isinstance(console, MockTarget) else None
    ctx = advance_to(page, console, labels, account, through="2.5")
    if mock is not None:
        mock.place_in_step(1)
    STEPS_BY_ID["2.6"].act(ctx)
    STEPS_BY_ID["2.6"].check(ctx)
    entry = ctx.authenticator.entry()
    enable_step = max(ctx.authenticator.used_steps())

    # When the user signs out, in again with the password, and enters that same code
    sign_out(ctx)
    sign_in(ctx)
    challenge = CodeChallengePage(page, labels)
    challenge.expect_loaded()
    if entry.step(console.now()) > enable_step + 1:
        pytest.skip("the console's clock left the code's window before it could be entered "
                    "again (over 30 s between turning on and signing in): nothing to prove")
    events_before = mock.event_types(account.username) if mock else []
    challenge.enter_code(entry.code_for_step(enable_step))

    # Then it is refused as already used (still inside the window, so only replay refuses it)
    challenge.expect_alert(labels.error("already_used"))
    challenge.expect_loaded()
    if (mock := console_side("the audit trail: no sign-in happened")) is not None:
        new_events = mock.event_types(account.username)[len(events_before):]
        assert "signed_in" not in new_events, new_events


@pytest.mark.own_console
@pytest.mark.rule("throttling")
@pytest.mark.needs_test_api
def test_locks_grow_longer_and_twenty_wrong_codes_lock_the_account_until_an_administrator_acts(
    challenged: Context, mock: MockTarget, page: Page, labels: Labels
) -> None:
    username, wrong = challenged.account.username, wrong_code_for(challenged)
    challenge = CodeChallengePage(page, labels)
    sign_ins = mock.event_types(username).count("signed_in")

    def wrong_codes(count: int, then: re.Pattern[str]) -> None:
        for _ in range(count):
            challenge.enter_code(wrong)
            challenge.expect_alert()
        challenge.expect_alert(then)

    def sign_in_again_after(seconds: float) -> None:
        mock.advance(seconds)  # longer than a half-finished sign-in lives: the password again
        sign_in(challenged)
        challenge.expect_loaded()

    # Given five wrong codes (a 5-minute lock), and five more once it has passed
    wrong_codes(5, labels.error("locked"))
    sign_in_again_after(301)
    wrong_codes(5, labels.error("locked"))

    # When five minutes have passed again, Then the second lock still holds: locks grow longer
    sign_in_again_after(301)
    challenge.enter_code(challenged.authenticator.code())
    try:
        challenge.expect_alert(labels.error("locked"))
    except AssertionError:
        raise AssertionError(broken("throttling", "the lock after ten wrong codes in a row "
                                    "ended after five minutes, like the first")) from None

    # When the wrong codes go on, each time the lock has passed, to twenty in a row
    sign_in_again_after(300)  # 10 minutes in all
    wrong_codes(5, labels.error("locked"))
    sign_in_again_after(20 * 60 + 1)
    for _ in range(4):
        challenge.enter_code(wrong)
        challenge.expect_alert()

    # Then the twentieth locks the account for good, saying an administrator must unlock it
    challenge.enter_code(wrong)
    try:
        challenge.expect_alert(labels.error("locked_for_good"))
    except AssertionError:
        raise AssertionError(broken("throttling", "twenty wrong codes in a row did not lock the "
                                    "account until an administrator unlocks it")) from None
    # and hours later neither the app's code nor the Recovery Code gets in
    sign_in_again_after(6 * 3600)
    challenge.enter_code(challenged.authenticator.code())
    challenge.expect_alert(labels.error("locked_for_good"))
    challenge.use_recovery_code(challenged.notes["recovery_code"])
    RecoveryCodePage(page, labels).expect_alert(labels.error("locked_for_good"))
    assert mock.event_types(username).count("signed_in") == sign_ins, "signed in while locked"

    # Until an administrator unlocks it: then the app's code signs in
    mock.unlock(username)
    sign_in_again_after(0)
    challenge.enter_code(challenged.authenticator.code())
    expect_home(challenged)
