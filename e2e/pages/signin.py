"""The sign-in page (article 1.1: the console URL opens it)."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from e2e.labels import Labels
from e2e.pages.base import ConsolePage


class SignInPage(ConsolePage):
    """Username and password."""

    def __init__(self, page: Page, labels: Labels) -> None:
        super().__init__(page, labels)
        self.username = page.get_by_label(labels.username, exact=True)
        self.password = page.get_by_label(labels.password, exact=True)
        self.submit = page.get_by_role("button", name=labels.signin_button, exact=True)

    def open(self, base_url: str) -> None:
        """Go to the console's URL, as article step 1.1 says."""
        self.page.goto(base_url)

    def expect_loaded(self) -> None:
        """The sign-in form is shown."""
        self.expect_heading(self.labels.signin_heading)
        expect(self.username).to_be_visible()
        expect(self.password).to_be_visible()

    def asks_to_sign_in(self, username: str, *, timeout: float | None = None) -> bool:
        """Wait for this screen or a signed-in one (the header of ``username``); return whether
        the console asks to sign in. Neither within the console's wait is an AssertionError.

        Deciding by one look would race a page still loading, and trying the other screen's
        controls first would wait out the whole timeout whenever the session has ended."""
        expect(self.password.or_(self.signed_in_header(username)).first).to_be_visible(
            timeout=timeout)
        return self.password.is_visible()

    def sign_in(self, username: str, password: str) -> None:
        """Fill in the form and press "Sign in"."""
        self.username.fill(username)
        self.password.fill(password)
        self.submit.click()
