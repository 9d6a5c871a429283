"""The security settings page with the "2-Step Verification" row (2.3, 3.2)."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect

from e2e.labels import Labels
from e2e.pages.base import ConsolePage


class SecuritySettingsPage(ConsolePage):
    """Settings rows, each with a "Change" button to its right."""

    def __init__(self, page: Page, labels: Labels) -> None:
        super().__init__(page, labels)
        self.two_step_row = self.row(labels.two_step_row)
        self.two_step_name = page.get_by_role("rowheader", name=labels.two_step_row, exact=True)
        self.change_button: Locator = self.two_step_row.get_by_role(
            "button", name=labels.change_button, exact=True)

    def expect_loaded(self) -> None:
        """The row "2-Step Verification" is shown with "Change" to its right."""
        self.expect_heading(self.labels.security_heading)
        expect(self.two_step_row).to_be_visible()
        self.expect_right_of(self.change_button, self.two_step_name)

    def change_two_step(self) -> None:
        """Click "Change" to the right of "2-Step Verification" (2.3 / 3.2)."""
        self.change_button.click()
