"""What every console screen shares: the header's user menu, headings, messages, rows."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

from e2e.labels import Labels

# Elements that show a value to be copied (a key, a Recovery Code) besides ARIA's "code", which
# have no role of their own
VALUE_ELEMENTS = "kbd, samp, output"


def named_group(page: Page, name: str) -> Locator:
    """The part of the screen the catalogue's words ``name`` label: a group (a fieldset, or
    role="group") or a region (a section with a heading or aria-label)."""
    return page.get_by_role("group", name=name, exact=True).or_(
        page.get_by_role("region", name=name, exact=True))


def value_in(group: Locator) -> Locator:
    """The value ``group`` shows to be copied: whatever element holds it (code, kbd, samp,
    output), not the words around it."""
    return group.get_by_role("code").or_(group.locator(VALUE_ELEMENTS)).first


def shown(page: Page, how: dict[str, str]) -> Locator:
    """The elements that show a kind of message, as the catalogue's ``shown_as`` says: every
    element with that ARIA role, or the elements whose text matches those words."""
    if "role" in how:
        return page.get_by_role(how["role"])  # type: ignore[arg-type]  # a catalogue's string
    return page.get_by_text(re.compile(how["text"], re.IGNORECASE))


class ConsolePage:
    """A screen of the console. Subclasses add the screen's own locators and intents."""

    def __init__(self, page: Page, labels: Labels) -> None:
        self.page = page
        self.labels = labels
        self.alert = shown(page, labels.shown_as["error"])  # how this console shows an error
        self.status_message = shown(page, labels.shown_as["success"])
        self.heading = page.get_by_role("heading")  # any level: consoles title screens as h1 or h2

    # -- header -------------------------------------------------------------------------------

    def open_user_menu(self, username: str | None = None) -> None:
        """Open the user menu: its toggle is the user's name (``username``) on a desktop, the
        catalogue's "Menu" on a phone, or any collapsed toggle of the header (aria-expanded),
        so a console whose toggle lacks aria-expanded is still found by its words."""
        account_setting = self.page.get_by_role("link", name=self.labels.account_setting,
                                                exact=True)
        if account_setting.is_visible():
            return
        # Only the toggle that fits this screen size is displayed; which one is known once the
        # stylesheet applies, so wait for the load event first.
        self.page.wait_for_load_state("load")
        banner = self.page.get_by_role("banner")
        toggles = banner.get_by_role("button", expanded=False).or_(
            banner.get_by_role("button", name=self.labels.menu_button, exact=True))
        if username:
            toggles = toggles.or_(banner.get_by_role("button", name=username, exact=True))
        toggles.filter(visible=True).first.click()
        expect(account_setting).to_be_visible()

    def open_account_setting(self, username: str | None = None) -> None:
        """Choose "Account Setting" in the user menu (article 2.1 / 3.1)."""
        self.open_user_menu(username)
        self.page.get_by_role("link", name=self.labels.account_setting, exact=True).click()

    def sign_out(self, username: str | None = None) -> None:
        """Sign out through the user menu (of ``username``)."""
        self.open_user_menu(username)
        self.page.get_by_role("button", name=self.labels.sign_out, exact=True).click()

    def signed_in_header(self, username: str) -> Locator:
        """The header's sign of a session: the user menu of ``username``, or a phone's "Menu"."""
        nav = self.page.get_by_role("banner")
        mine = nav.get_by_role("button", name=username, exact=True)
        phone = nav.get_by_role("button", name=self.labels.menu_button, exact=True)
        return mine.or_(phone).first

    def expect_signed_in_as(self, username: str, *, timeout: float | None = None) -> None:
        """The header shows the user menu of ``username`` (or the phone's menu button)."""
        expect(self.signed_in_header(username)).to_be_visible(timeout=timeout)

    # -- content ------------------------------------------------------------------------------

    def expect_heading(self, text: str, *, timeout: float | None = None) -> None:
        """A heading of the page, of any level, reads ``text`` exactly."""
        expect(self.page.get_by_role("heading", name=text, exact=True).first).to_be_visible(
            timeout=timeout)

    def expect_alert(self, contains: str | re.Pattern[str] | None = None, *,
                     timeout: float | None = None) -> str:
        """An error message is shown (containing ``contains``); return its text."""
        expect(self.alert).to_be_visible(timeout=timeout)
        if contains is not None:
            expect(self.alert).to_contain_text(contains, timeout=timeout)
        return self.alert.inner_text()

    def expect_no_alert(self, *, timeout: float | None = None) -> None:
        """No error message is shown: nothing shown the way this console shows errors, and none
        of the catalogue's error words on screen, so a console whose errors lack the expected
        role (or a catalogue that names the wrong one) fails here instead of passing vacuously."""
        expect(self.alert).to_have_count(0, timeout=timeout)
        words = self.labels.any_error()
        if words is not None:
            expect(self.page.get_by_text(words).filter(visible=True)).to_have_count(
                0, timeout=timeout)

    def expect_status(self, name: str, status: str, *, timeout: float | None = None) -> None:
        """The setting ``name`` reads ``status``, shown the catalogue's way (``shown_as.status``):
        in the cell of the row headed ``name``, or in a sentence naming both."""
        how = self.labels.shown_as["status"]
        if "text" not in how:
            expect(self.row(name).get_by_role("cell").first).to_have_text(status, timeout=timeout)
            return
        words = re.escape(how["text"]).replace(re.escape("{name}"), re.escape(name))
        words = words.replace(re.escape("{status}"), re.escape(status))
        expect(self.page.get_by_text(re.compile(words, re.IGNORECASE))).to_be_visible(
            timeout=timeout)

    def row(self, name: str) -> Locator:
        """Return the table row whose header cell reads ``name`` exactly."""
        header = self.page.get_by_role("rowheader", name=name, exact=True)
        return self.page.get_by_role("row").filter(has=header)

    def expect_right_of(self, item: Locator, anchor: Locator) -> None:
        """``item`` sits to the right of ``anchor``, as the article describes a button's place."""
        expect(item).to_be_visible()
        # Geometry is only final once the stylesheet has applied: wait for the load event.
        self.page.wait_for_load_state("load")
        item_box, anchor_box = item.bounding_box(), anchor.bounding_box()
        assert item_box and anchor_box, "both elements must be on screen to compare positions"
        on_same_line = abs((item_box["y"] + item_box["height"] / 2)
                           - (anchor_box["y"] + anchor_box["height"] / 2)) < anchor_box["height"]
        right = item_box["x"] >= anchor_box["x"] + anchor_box["width"] - 1
        below = item_box["y"] >= anchor_box["y"] + anchor_box["height"] - 1
        # On a phone the row stacks; the button then follows the name instead of sitting beside it.
        assert (right and on_same_line) or below, (
            f"expected {item} to the right of {anchor}; got boxes {item_box} and {anchor_box}"
        )
