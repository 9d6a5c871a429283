"""The 2SV status page shown while it is on: "2 Step Verification Status" and "Turn off" (3.3)."""

from __future__ import annotations

from playwright.sync_api import Page

from e2e.labels import Labels
from e2e.pages.base import ConsolePage


class TwoStepStatusPage(ConsolePage):
    """The row "2 Step Verification Status" with its "Turn off" button."""

    def __init__(self, page: Page, labels: Labels) -> None:
        super().__init__(page, labels)
        self.status_row = self.row(labels.status_row)
        self.status_name = page.get_by_role("rowheader", name=labels.status_row, exact=True)
        self.turn_off_button = self.status_row.get_by_role(
            "button", name=labels.turn_off_button, exact=True)

    def expect_loaded(self) -> None:
        """The status row reads On and "Turn off" sits to its right."""
        self.expect_heading(self.labels.status_heading)
        self.expect_status(self.labels.status_row, self.labels.status_on)
        self.expect_right_of(self.turn_off_button, self.status_name)

    def turn_off(self) -> None:
        """Click "Turn off" to the right of "2 Step Verification Status" (3.3)."""
        self.turn_off_button.click()
