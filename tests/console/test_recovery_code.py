"""The Recovery Code shown at article step 2.7: it signs in once, then a new one takes its place;
turning 2SV off makes it void.

NIST SP 800-63B-4 §4.2.1 and ASVS 5 §6.5.2: a recovery code is single use, a new one is issued
after use, and none survives turning the second factor off. Nor is it a way around the lock
that wrong codes set (NIST SP 800-63B §5.2.2).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page

from e2e.labels import Labels
from e2e.pages import CodeChallengePage, NewRecoveryCodePage, RecoveryCodePage
from e2e.procedure import STEPS_BY_ID, Context, expect_home, sign_in, sign_out, wrong_code_for
from e2e.target import Credentials, MockTarget, Target
from tests.support.browser_suite import ConsoleSide
from tests.support.preconditions import reach

pytestmark = pytest.mark.selftest  # the console regression suite


@pytest.fixture
def enabled(page: Page, target: Target, labels: Labels, account: Credentials) -> Context:
    """2SV is on (article 2.7), the Recovery Code kept in ``ctx.notes["recovery_code"]``."""
    return reach(page, target, labels, account, through="2.7")


def sign_in_with_recovery_code(ctx: Context, recovery_code: str) -> None:
    """Sign out, sign in with the password, then "Use your Recovery Code instead"."""
    sign_out(ctx)
    sign_in(ctx)
    challenge = CodeChallengePage(ctx.page, ctx.labels)
    challenge.expect_loaded()
    challenge.use_recovery_code(recovery_code)


def compact(recovery_code: str) -> str:
    """A Recovery Code without the spaces and hyphens it is shown with."""
    return re.sub(r"[\s-]", "", recovery_code).upper()


def expect_new_recovery_code(ctx: Context, instead_of: str) -> str:
    """The console signed in with a Recovery Code and shows a new, different one; return it."""
    shown = NewRecoveryCodePage(ctx.page, ctx.labels)
    shown.expect_loaded()  # with "Please keep your Recovery Code safe."
    new_code = shown.recovery_code()
    assert compact(new_code) != compact(instead_of), "the used Recovery Code was shown again"
    assert len(compact(new_code)) >= 13, f"{new_code!r} is too short to hold 64 random bits"
    shown.continue_()
    expect_home(ctx)
    return new_code


@pytest.mark.rule("recovery")
def test_recovery_code_signs_in_and_is_replaced_by_a_new_one(
    enabled: Context, page: Page, labels: Labels,
    console_side: ConsoleSide,
) -> None:
    # Given 2SV is on and the user kept the Recovery Code shown when it was turned on
    old_code = enabled.notes["recovery_code"]

    # When the user signs in with the password and then the Recovery Code instead of a code
    sign_in_with_recovery_code(enabled, old_code)

    # Then the user is signed in and shown a new Recovery Code to keep safe
    expect_new_recovery_code(enabled, instead_of=old_code)
    # and the console audited the use, and holds exactly one unused Recovery Code (the new one)
    if (mock := console_side("the Recovery Code's audit event and the codes left")) is not None:
        username = enabled.account.username
        assert mock.event_types(username)[-2:] == ["recovery_code_used", "signed_in"]
        assert mock.events(username)[-1]["detail"] == "recovery code"
        state = mock.account_state(username)
        assert state["two_step_enabled"] is True and state["recovery_codes_left"] == 1, state


@pytest.mark.rule("recovery")
def test_used_recovery_code_is_refused_and_the_new_one_works_once(
    enabled: Context, page: Page, labels: Labels,
    console_side: ConsoleSide,
) -> None:
    # Given the Recovery Code was used once to sign in, and a new one was shown
    old_code = enabled.notes["recovery_code"]
    mock = console_side("the audit events of the Recovery Code uses")
    rejected_before = mock.event_types(enabled.account.username).count("code_rejected") \
        if mock is not None else 0
    sign_in_with_recovery_code(enabled, old_code)
    new_code = expect_new_recovery_code(enabled, instead_of=old_code)

    # When the user signs in again with the old Recovery Code
    sign_in_with_recovery_code(enabled, old_code)

    # Then it is refused with a clear message, and the Recovery Code is asked again
    recovery = RecoveryCodePage(page, labels)
    recovery.expect_alert(labels.error("recovery_refused"))
    recovery.expect_loaded()

    # When the new Recovery Code is entered instead
    recovery.enter(new_code)

    # Then it signs in, and yet another Recovery Code replaces it
    expect_new_recovery_code(enabled, instead_of=new_code)

    # And the new Recovery Code does not sign in a second time
    sign_in_with_recovery_code(enabled, new_code)
    recovery.expect_alert(labels.error("recovery_refused"))
    recovery.expect_loaded()
    if mock is not None:
        types = mock.event_types(enabled.account.username)
        assert types.count("recovery_code_used") == 2, types
        assert types.count("code_rejected") == rejected_before + 2, types  # the two reuses


@pytest.mark.rule("recovery")
def test_turning_two_step_off_voids_the_recovery_code(
    page: Page, target: Target, labels: Labels, account: Credentials,
    console_side: ConsoleSide,
) -> None:
    # Given 2SV was turned on (Recovery Code kept) and then off, as in article 3.1 to 3.4
    ctx = reach(page, target, labels, account, through="3.4")

    # When the user signs out and in again with the password
    sign_out(ctx)
    sign_in(ctx)

    # Then no code is asked at all (nor the Recovery Code): the password alone signs in
    expect_home(ctx)
    # and the console holds no Recovery Code for the account
    if (mock := console_side("that no Recovery Code is held after turning off")) is not None:
        state = mock.account_state(account.username)
        assert state["two_step_enabled"] is False and state["recovery_codes_left"] == 0, state


@pytest.mark.rule("recovery")
def test_recovery_code_from_before_turning_off_stays_void_when_turned_on_again(
    page: Page, target: Target, labels: Labels, account: Credentials,
    console_side: ConsoleSide,
) -> None:
    # Given 2SV was turned on (Recovery Code kept), off (article 3.1 to 3.5), and on again
    ctx = reach(page, target, labels, account, through="3.5")
    first_code = ctx.notes["recovery_code"]
    sign_out(ctx)
    sign_in(ctx)
    for step_id in ("2.1", "2.2", "2.3", "2.4", "2.5", "2.6", "2.7"):
        step = STEPS_BY_ID[step_id]
        step.show(ctx)
        step.act(ctx)
        step.check(ctx)
    assert compact(ctx.notes["recovery_code"]) != compact(first_code)

    # When the user signs in with the password and the first Recovery Code
    sign_in_with_recovery_code(ctx, first_code)

    # Then it is refused: turning 2SV off voided it for good
    recovery = RecoveryCodePage(page, labels)
    recovery.expect_alert(labels.error("recovery_refused"))
    recovery.expect_loaded()
    if (mock := console_side("that the void Recovery Code left no audit event")) is not None:
        assert "recovery_code_used" not in mock.event_types(account.username)
        assert mock.account_state(account.username)["recovery_codes_left"] == 1


@pytest.mark.own_console
@pytest.mark.rule("throttling")
@pytest.mark.needs_test_api
def test_recovery_code_is_refused_while_code_entry_is_locked(
    challenged: Context, page: Page, mock: MockTarget, labels: Labels, account: Credentials
) -> None:
    # Given 2SV is on, the Recovery Code kept, and the user signed in again with the password
    ctx, challenge = challenged, CodeChallengePage(page, labels)
    recovery_code = ctx.notes["recovery_code"]
    # and five wrong codes, which lock code entry
    wrong = wrong_code_for(ctx)
    for _ in range(5):
        challenge.enter_code(wrong)
        challenge.expect_alert()
    challenge.expect_alert(labels.error("locked"))

    # When the valid Recovery Code is entered while the lock lasts
    challenge.use_recovery_code(recovery_code)

    # Then it is refused with the lock message: a Recovery Code is no way around the lock
    recovery = RecoveryCodePage(page, labels)
    recovery.expect_alert(labels.error("locked"))
    recovery.expect_loaded()
    types = mock.event_types(account.username)
    assert "recovery_code_used" not in types, types

    # And once the lock has passed, the same Recovery Code signs in (it was not used up); the
    # password is asked again, since the half-finished sign-in expired with the lock
    mock.advance(301)
    sign_in(ctx)
    challenge.expect_loaded()
    challenge.use_recovery_code(recovery_code)
    expect_new_recovery_code(ctx, instead_of=recovery_code)
