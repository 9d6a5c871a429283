"""A re-authentication prompt ("Confirm access"): the console asks for the password, or a code,
before a sensitive change. The article never mentions it; consoles show it wherever they like."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page, expect

from e2e.labels import Labels
from e2e.pages.base import ConsolePage

PASSWORD, CODE = "password", "code"


class ReauthPage(ConsolePage):
    """The prompt: its heading, a password field and/or a code field, and "Confirm"."""

    def __init__(self, page: Page, labels: Labels) -> None:
        super().__init__(page, labels)
        heading = labels.get("reauth_heading")
        # A catalogue without the prompt's words: a heading nothing can match, never a guess
        self.prompt_heading = page.get_by_role("heading", name=heading or "\0", exact=True)
        self.password = page.get_by_label(labels.reauth_password_label, exact=True)
        self.code = page.get_by_label(labels.reauth_code_label, exact=True)
        self.confirm_button = page.get_by_role("button", name=labels.get("reauth_button") or "\0",
                                               exact=True)

    @property
    def known(self) -> bool:
        """Whether the catalogue has the prompt's words (else it is never recognised)."""
        return self.labels.get("reauth_heading") is not None

    def expect_loaded(self) -> None:
        """The prompt is shown, with a field to answer it and "Confirm"."""
        expect(self.prompt_heading).to_be_visible()
        expect(self.password.or_(self.code).first).to_be_visible()
        expect(self.confirm_button).to_be_visible()

    def answer(self, password: str, code: Callable[[], str]) -> str:
        """Answer with the password, or with ``code()`` when only a code is asked; return which
        (``"password"`` or ``"code"``)."""
        self.expect_loaded()
        if self.password.is_visible():
            self.password.fill(password)
            how = PASSWORD
        else:
            self.code.fill(code())
            how = CODE
        self.confirm_button.click()
        return how

    def expect_accepted(self) -> None:
        """The console took the answer and moved on; raise, saying what it showed, if not."""
        # the next screen: a heading on a page without the prompt's (any level, as consoles vary)
        next_screen = self.page.locator("body").filter(has_not=self.prompt_heading).get_by_role(
            "heading")
        refusal = self.alert.first
        expect(next_screen.or_(refusal).first).to_be_visible()
        if self.prompt_heading.is_visible() and refusal.is_visible():
            raise AssertionError(f'the console refused the answer: "{refusal.inner_text()}"')
