"""The code asked for at sign-in while 2-Step Verification is on, and the Recovery Code page."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from e2e.labels import Labels
from e2e.pages.base import ConsolePage, named_group, value_in


class CodeChallengePage(ConsolePage):
    """'Enter the code that the app generates:' after the password."""

    def __init__(self, page: Page, labels: Labels) -> None:
        super().__init__(page, labels)
        self.code = page.get_by_label(labels.signin_code_label, exact=True)
        self.verify = page.get_by_role("button", name=labels.verify_button, exact=True)
        self.use_recovery = page.get_by_role("link", name=labels.use_recovery_link, exact=True)

    def expect_loaded(self) -> None:
        """The console asks for a code."""
        self.expect_heading(self.labels.challenge_heading)
        expect(self.code).to_be_visible()

    def enter_code(self, code: str) -> None:
        """Type a code and press "Verify"."""
        self.code.fill(code)
        self.verify.click()

    def use_recovery_code(self, recovery_code: str) -> None:
        """Follow "Use your Recovery Code instead" and sign in with it."""
        self.use_recovery.click()
        recovery = RecoveryCodePage(self.page, self.labels)
        recovery.expect_loaded()
        recovery.enter(recovery_code)


class RecoveryCodePage(ConsolePage):
    """Sign-in with the Recovery Code kept when 2SV was turned on."""

    def __init__(self, page: Page, labels: Labels) -> None:
        super().__init__(page, labels)
        self.field = page.get_by_label(labels.recovery_label, exact=True)
        self.verify = page.get_by_role("button", name=labels.recovery_verify_button, exact=True)

    def expect_loaded(self) -> None:
        """The Recovery Code form is shown."""
        self.expect_heading(self.labels.recovery_heading)
        expect(self.field).to_be_visible()

    def enter(self, recovery_code: str) -> None:
        """Type the Recovery Code and press "Verify"."""
        self.field.fill(recovery_code)
        self.verify.click()


class NewRecoveryCodePage(ConsolePage):
    """After a Recovery Code is used, the console issues and shows a new one."""

    def expect_loaded(self) -> None:
        """The new Recovery Code is shown with the advice to keep it safe."""
        self.expect_heading(self.labels.new_recovery_heading)
        expect(self.page.get_by_text(self.labels.keep_safe, exact=True)).to_be_visible()

    def recovery_code(self) -> str:
        """Return the new Recovery Code as shown."""
        return value_in(named_group(self.page, self.labels.recovery_code)).inner_text().strip()

    def continue_(self) -> None:
        """Go on to the console."""
        self.page.get_by_role("link", name=self.labels["continue"], exact=True).click()
