"""The dashboard a signed-in administrator lands on."""

from __future__ import annotations

from e2e.pages.base import ConsolePage


class HomePage(ConsolePage):
    """The landing page after sign-in; the user menu leads on (2.1)."""

    def expect_loaded(self, username: str) -> None:
        """The dashboard is shown to ``username``."""
        self.expect_heading(self.labels.home_heading)
        self.expect_signed_in_as(username)
