"""Password guessing is throttled (docs/security.md, password guessing; NIST SP 800-63B §5.2.2):
after ten wrong passwords the console pauses sign-in for the account, even with the right one."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from e2e.checks.rules import broken
from e2e.labels import Labels
from e2e.pages import HomePage, SignInPage
from e2e.target import Credentials, MockTarget, Target

GUESSES = 10  # the mock's limit; a real console pausing sooner passes too


@pytest.mark.selftest
@pytest.mark.rule("password_throttling")
def test_ten_wrong_passwords_pause_sign_in_even_with_the_right_one(
    page: Page, target: Target, labels: Labels, account: Credentials,
    record_property: pytest.RecordProperty,
) -> None:
    # Given ten wrong passwords typed at the sign-in page, each refused with a message
    signin = SignInPage(page, labels)
    signin.open(target.base_url)
    for guess in range(GUESSES):
        signin.expect_loaded()
        signin.sign_in(account.username, f"wrong-guess-{guess}")
        signin.expect_alert()

    # When the right password comes next
    signin.sign_in(account.username, account.password)

    # Then the console still refuses, with a message, and the account is not signed in
    try:
        signin.expect_alert()
        signin.expect_loaded()
    except AssertionError:
        HomePage(page, labels).expect_loaded(account.username)  # what a lax console shows
        raise AssertionError(broken("password_throttling", f"{GUESSES} wrong passwords, then "
                                    "the right one signed in at once")) from None
    # and, where the console's audit trail can be read, every guess and the refusal are in it
    if isinstance(target, MockTarget):
        events = target.event_types(account.username)
        assert events.count("password_rejected") == GUESSES, broken("audit", str(events))
        assert "password_throttled" in events, broken("audit", str(events))
    else:
        record_property("not_checked", "the audit trail (no test API on this console)")
