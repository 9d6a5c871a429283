"""The QR code page: scan (2.5), then enter the app's code and "Turn on" (2.6)."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

from e2e.errors import HarnessError
from e2e.evidence.redaction import register_secret
from e2e.labels import Labels
from e2e.pages.base import VALUE_ELEMENTS, ConsolePage, named_group, value_in

PICTURES = "canvas, img, svg, [role=img]"  # whatever can draw a QR code a phone would scan
KEY_SHAPED = re.compile(r"[A-Z2-7]{16,}=*")  # a Base32 secret, spaces and dashes removed


class KeyNotShown(HarnessError, AssertionError):
    """The setup screen shows no key for apps that cannot scan, or several candidates."""


class SetupPage(ConsolePage):
    """The QR code, the same key as text, the code field and "Turn on"."""

    def __init__(self, page: Page, labels: Labels) -> None:
        super().__init__(page, labels)
        # the image named by the catalogue's words, or by a name that holds them
        self.qr_code: Locator = page.get_by_role("img", name=labels.qr_image)
        # the screen's content: its main landmark, or the whole body where it has none (in
        # document order the body comes first, so .last is main when there is one)
        self.content: Locator = page.get_by_role("main").or_(page.locator("body")).last
        # a picture a sighted user would scan though a screen reader cannot name it (a canvas
        # or an <img> without a text alternative, as some QR libraries draw them)
        self.any_picture: Locator = self.content.locator(PICTURES)
        self.manual_key = named_group(page, labels.manual_key)
        self.code = page.get_by_label(labels.code_label, exact=True)
        self.turn_on_button = page.get_by_role("button", name=labels.turn_on_button, exact=True)

    def expect_loaded(self) -> None:
        """The QR code, the code field and "Turn on" are shown."""
        self.expect_heading(self.labels.turn_on_page)
        expect(self.qr_code.or_(self.any_picture).first).to_be_visible()
        expect(self.code).to_be_visible()
        expect(self.turn_on_button).to_be_visible()

    def qr_named(self) -> bool:
        """Whether the QR code is an image the catalogue's words name (a screen reader can
        announce it); call once the screen is loaded."""
        return self.qr_code.count() > 0

    def qr_source(self) -> Locator:
        """What to point the authenticator at: the named QR image, or, when the console gives
        its QR code no name, the screen's main content, read from its pixels as a phone held
        up to the screen would."""
        return self.qr_code if self.qr_named() else self.content

    def text_key(self) -> str:
        """Return the key printed for apps that cannot scan, without its spaces: the value in
        the group the catalogue's words name, else the one Base32 value the screen shows to be
        copied (a console that prints it under a sentence of its own, in no named group)."""
        if self.manual_key.count():
            key = "".join(value_in(self.manual_key).inner_text().split())
        else:
            key = self._lone_key_value()
        register_secret(key)  # from now on no report, log or terminal line may show it
        return key

    def _lone_key_value(self) -> str:
        values = self.content.get_by_role("code").or_(self.content.locator(VALUE_ELEMENTS))
        shaped = {squashed for text in values.all_inner_texts()
                  if KEY_SHAPED.fullmatch(squashed := re.sub(r"[\s-]", "", text).upper())}
        for candidate in shaped:
            register_secret(candidate)  # never quoted, even in the error below
        if len(shaped) == 1:
            return shaped.pop()
        raise KeyNotShown(
            f'no group named "{self.labels.manual_key}" holds the key for apps that cannot scan, '
            f"and the screen shows {len(shaped)} Base32 values to copy instead of one. If the "
            "console names the key's group otherwise, run with --labels FILE (label manual_key).")

    def turn_on(self, code: str) -> None:
        """Type the app's 6-digit code and click "Turn on" (2.6)."""
        self.code.fill(code)
        self.turn_on_button.click()
