"""What a failed locator looked for, read back from Playwright's call log."""

from __future__ import annotations

from e2e.diagnosis import looked_for
from e2e.doccheck.screen import BUTTON, FIELD_LABEL, MENU_ITEM, ROW_NAME, TEXT

CALL_LOG = '''Locator expected to be visible
Actual value: None
Error: element(s) not found
Call log:
  - Expect "to_be_visible" get_by_role("row").filter(has=get_by_role("rowheader", name="2-Step \
Verification", exact=True)).get_by_role("button", name="Change", exact=True) with timeout 5000ms
  - waiting for get_by_role("row").filter(has=get_by_role("rowheader", name="2-Step \
Verification", exact=True)).get_by_role("button", name="Change", exact=True)
'''


def test_the_words_and_what_kind_of_thing_each_should_be_are_read_once() -> None:
    # (a button in the user menu is a "menu item" among the screen's strings)
    assert looked_for(CALL_LOG) == [("2-Step Verification", (ROW_NAME,)),
                                    ("Change", (BUTTON, MENU_ITEM))]


def test_labels_texts_and_quotes_inside_names() -> None:
    log = ('  - waiting for get_by_label("Enter the code", exact=True)\n'
           '  - waiting for get_by_text("Say \\"hi\\"")\n')
    assert looked_for(log) == [("Enter the code", (FIELD_LABEL,)), ('Say "hi"', (TEXT,))]


def test_an_error_without_a_call_log_names_nothing() -> None:
    assert looked_for("AssertionError: the console answered 500") == []
