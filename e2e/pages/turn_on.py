"""The "Turn on 2-Step Verification" page with its "Set up" button (2.4)."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from e2e.labels import Labels
from e2e.pages.base import ConsolePage


class TurnOnPage(ConsolePage):
    """The introduction to 2SV, before a secret exists."""

    def __init__(self, page: Page, labels: Labels) -> None:
        super().__init__(page, labels)
        self.set_up_button = page.get_by_role("button", name=labels.set_up_button, exact=True)

    def expect_loaded(self) -> None:
        """The page "Turn on 2-Step Verification" with a "Set up" button is shown."""
        self.expect_heading(self.labels.turn_on_page)
        expect(self.set_up_button).to_be_visible()

    def set_up(self) -> None:
        """Click "Set up" (2.4)."""
        self.set_up_button.click()
