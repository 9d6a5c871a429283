"""Leaving the "Turn off 2-Step Verification" page (article 3.4) by "Cancel" changes nothing."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from e2e.labels import Labels
from e2e.pages import (
    AccountInformationPage,
    CodeChallengePage,
    SecuritySettingsPage,
    TurnOffPage,
    TwoStepStatusPage,
)
from e2e.procedure import expect_home, sign_in, sign_out
from e2e.target import Credentials, Target
from tests.support.browser_suite import ConsoleSide
from tests.support.preconditions import reach

pytestmark = pytest.mark.selftest  # the console regression suite


@pytest.mark.rule("turn_off_confirmation")
def test_cancel_on_the_turn_off_page_keeps_two_step_verification_on(
    page: Page, target: Target, labels: Labels, account: Credentials,
    console_side: ConsoleSide,
) -> None:
    # Given 2SV is on (article 2.7) and the user went, as in 3.1 to 3.3, to the status page
    ctx = reach(page, target, labels, account, through="2.7")
    account_page = AccountInformationPage(page, labels)
    account_page.open_account_setting()
    account_page.expect_loaded()
    account_page.disable_two_step()
    SecuritySettingsPage(page, labels).expect_loaded()
    SecuritySettingsPage(page, labels).change_two_step()
    status = TwoStepStatusPage(page, labels)
    status.expect_loaded()
    # and clicked "Turn off" there
    status.turn_off()
    turn_off = TurnOffPage(page, labels)
    turn_off.expect_loaded()

    # When the user clicks "Cancel" instead of "Turn off"
    turn_off.cancel()

    # Then the status page is back, and its status row still reads On
    status.expect_loaded()
    status.expect_no_alert()
    # and the console still holds 2SV on, with its Recovery Code, and audited no change
    if (mock := console_side("the stored state and audit trail after Cancel")) is not None:
        state = mock.account_state(account.username)
        assert state["two_step_enabled"] is True and state["recovery_codes_left"] == 1, state
        assert "two_step_disabled" not in mock.event_types(account.username)

    # And signing out and in again still asks for the app's code, which signs in
    sign_out(ctx)
    sign_in(ctx)
    challenge = CodeChallengePage(page, labels)
    challenge.expect_loaded()
    challenge.enter_code(ctx.authenticator.code())
    expect_home(ctx)
