"""The Account Information page (2.1, 2.2, 3.1)."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from e2e.labels import Labels
from e2e.pages.base import ConsolePage


class AccountInformationPage(ConsolePage):
    """The account and its 2-Step Verification status, with the link to change it."""

    def __init__(self, page: Page, labels: Labels) -> None:
        super().__init__(page, labels)
        self.set_up_link = page.get_by_role("link", name=labels.set_up_link, exact=True)
        self.disable_link = page.get_by_role("link", name=labels.disable_link, exact=True)

    def expect_loaded(self) -> None:
        """The page headed "Account Information" is shown."""
        self.expect_heading(self.labels.account_information)

    def expect_two_step(self, on: bool) -> None:
        """The page shows 2SV as on (and offers to disable it) or off (and offers to set it up)."""
        status = self.labels.status_on if on else self.labels.status_off
        self.expect_status(self.labels.account_two_step_row, status)
        expect(self.disable_link if on else self.set_up_link).to_be_visible()
        expect(self.set_up_link if on else self.disable_link).to_have_count(0)

    def set_up_two_step(self) -> None:
        """Click "Set up 2-Step Verification" (2.2)."""
        self.set_up_link.click()

    def disable_two_step(self) -> None:
        """Click "Disable 2 Step Verification" (3.1)."""
        self.disable_link.click()
