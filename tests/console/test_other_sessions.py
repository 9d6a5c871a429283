"""Turning 2-Step Verification on ends the account's other sessions (docs/security.md, sessions on
factor change; ASVS 5 §7.4.3): a browser signed in before the change must sign in again."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page

from e2e.authenticator import Authenticator
from e2e.checks.rules import broken
from e2e.labels import Labels
from e2e.pages import SignInPage
from e2e.procedure import ACCOUNT_URL
from e2e.runner import advance_to
from e2e.target import Credentials, Target


@pytest.mark.selftest
@pytest.mark.rule("other_sessions")
def test_a_browser_signed_in_before_turning_2sv_on_must_sign_in_again(
    page: Page, browser: Browser, browser_context_args: dict, target: Target, labels: Labels,
    account: Credentials,
) -> None:
    # Given the account signed in in a second browser, on its Account Information page
    other = browser.new_context(**browser_context_args)
    try:
        second = other.new_page()
        ctx = advance_to(second, target, labels, account, through="2.1")
        account_page = ctx.notes[ACCOUNT_URL]

        # When the first browser turns 2SV on
        advance_to(page, target, labels, account, through="2.6",
                   authenticator=Authenticator(target))

        # Then the second browser's next page asks it to sign in
        second.goto(account_page)
        signin = SignInPage(second, labels)
        try:
            signin.expect_loaded()
        except AssertionError:
            raise AssertionError(broken("other_sessions", "a browser signed in before 2SV was "
                                        "turned on still opens the console")) from None
    finally:
        other.close()
