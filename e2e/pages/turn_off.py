"""The "Turn off 2-Step Verification" page that confirms the change (3.4)."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from e2e.labels import Labels
from e2e.pages.base import ConsolePage


class TurnOffPage(ConsolePage):
    """A last question before 2SV goes off: "Turn off" or cancel."""

    def __init__(self, page: Page, labels: Labels) -> None:
        super().__init__(page, labels)
        self.turn_off_button = page.get_by_role("button", name=labels.turn_off_confirm_button,
                                                exact=True)
        self.cancel_link = page.get_by_role("link", name=labels.turn_off_cancel, exact=True)

    def expect_loaded(self) -> None:
        """The page "Turn off 2-Step Verification" with "Turn off" and a way back is shown."""
        self.expect_heading(self.labels.turn_off_page)
        expect(self.turn_off_button).to_be_visible()
        expect(self.cancel_link).to_be_visible()

    def turn_off(self) -> None:
        """Click "Turn off" (3.4)."""
        self.turn_off_button.click()

    def cancel(self) -> None:
        """Leave without turning 2SV off."""
        self.cancel_link.click()
