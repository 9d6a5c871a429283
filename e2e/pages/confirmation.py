"""The confirmations after turning 2SV on (2.7, with the Recovery Code) and off (3.5)."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from e2e.evidence.redaction import register_secret
from e2e.labels import Labels
from e2e.pages.base import ConsolePage, named_group, value_in


class EnabledPage(ConsolePage):
    """"2-Step Verification has been turned on", the Recovery Code shown once."""

    def __init__(self, page: Page, labels: Labels) -> None:
        super().__init__(page, labels)
        self.recovery_group = named_group(page, labels.recovery_code)
        self.keep_safe = page.get_by_text(labels.keep_safe, exact=True)

    def expect_loaded(self) -> None:
        """The console confirms 2SV is on and shows a Recovery Code to keep."""
        self.expect_heading(self.labels.enabled_heading)
        expect(self.status_message).to_contain_text(self.labels.enabled_message)
        expect(value_in(self.recovery_group)).to_be_visible()
        expect(self.keep_safe).to_be_visible()

    def recovery_code(self) -> str:
        """Return the Recovery Code as shown."""
        code = value_in(self.recovery_group).inner_text().strip()
        register_secret(code)  # from now on no report, log or terminal line may show it
        return code


class DisabledPage(ConsolePage):
    """"2-Step Verification has been turned off"."""

    def expect_loaded(self) -> None:
        """The console confirms 2SV is off."""
        self.expect_heading(self.labels.disabled_heading)
        expect(self.status_message).to_contain_text(self.labels.disabled_message)
