"""What doc-check sees on a screen: a quoted string found by the role a user sees, every visible
string (for the nearest match when it is not found), and the picture with its scale.

Boxes are in page coordinates, CSS pixels (viewport box plus scroll), so they can be drawn on a
full-page screenshot after multiplying by the device scale factor.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page

from e2e.evidence.geometry import Box, page_box
from e2e.evidence.masking import SECRET_SHAPED, mask_image_file
from e2e.labels import Labels

BUTTON, LINK, HEADING, FIELD_LABEL = "button", "link", "heading", "field label"
ROW_NAME, CELL, MENU_ITEM, TEXT = "row name", "cell", "menu item", "text"
IMAGE, GROUP = "image", "group"
FIELDS = "input, select, textarea, [role=textbox], [role=combobox], [role=spinbutton]"

# A link or button is a menu item when it sits in a menu, or in a list that a toggle button
# opens (aria-controls): the console's user menu is such a disclosure, not an ARIA menu.
IN_MENU_JS = """(el) => {
  if (el.closest('[role=menu], [role=menubar], menu')) return true;
  const list = el.closest('ul, ol');
  return !!(list && list.id && document.querySelector(`[aria-controls~="${list.id}"]`));
}"""

# Every visible string a user could take for the quoted one, with what it is and where: each
# element's text and, where it differs, its accessible name from aria-labelledby, aria-label,
# alt or title (an icon button, an image, a group, a field labelled by an attribute).
VISIBLE_STRINGS_JS = """() => {
  const inMenu = IN_MENU;
  const kinds = [
    ['button, [role=button], input[type=submit], input[type=button], input[type=image]',
     'button'],
    ['a[href], [role=link]', 'link'], ['[role=menuitem]', 'menu item'],
    ['h1, h2, h3, h4, h5, h6, [role=heading]', 'heading'], ['label', 'field label'],
    ['FIELDS', 'field label'],
    ['img, svg, canvas, [role=img]', 'image'], ['[role=group], fieldset', 'group'],
    ['th[scope=row], [role=rowheader]', 'row name'], ['th, [role=columnheader]', 'column header'],
    ['td, [role=cell], [role=gridcell]', 'cell'], ['li', 'list item'],
    ['p, strong, b, em, span, legend, summary, caption, dt, dd', 'text'],
    ['[aria-label], [aria-labelledby], [title]', 'text'],
  ];
  // Values shown to be copied (a key, a Recovery Code) are never words of the console: skip
  // them, and the text of anything holding one, so no diagnosis or report ever quotes a secret.
  const VALUES = 'code, kbd, samp, output';
  const squash = (t) => (t || '').replace(/\\s+/g, ' ').trim();
  const nameOf = (el) => {
    const ids = (el.getAttribute('aria-labelledby') || '').split(/\\s+/).filter(Boolean);
    const by = ids.map(id => (document.getElementById(id) || {}).textContent || '').join(' ');
    return squash(by) || squash(el.getAttribute('aria-label')) || squash(el.getAttribute('alt'))
      || squash(el.getAttribute('title'));
  };
  const seen = new Set(), out = [];
  for (const [selector, kind] of kinds) {
    for (const el of document.querySelectorAll(selector)) {
      if (seen.has(el)) continue;
      seen.add(el);
      if (el.closest(VALUES)) continue;
      const r = el.getBoundingClientRect(), style = getComputedStyle(el);
      if (r.width <= 1 || r.height <= 1 || r.right < 0 || r.bottom < 0) continue;
      if (style.visibility !== 'visible' || Number(style.opacity) === 0) continue;
      const field = kind === 'field label' && el.matches('FIELDS');  // its value was typed
      const text = field || el.querySelector(VALUES) ? '' : squash(el.innerText || el.value);
      const name = nameOf(el);
      const menu = (kind === 'link' || kind === 'button') && inMenu(el);
      const box = {x: r.x + scrollX, y: r.y + scrollY, width: r.width, height: r.height};
      for (const words of new Set([text, name])) {
        if (words && words.length <= 300) out.push({text: words, kind: menu ? 'menu item' : kind,
                                                    box});
      }
    }
  }
  return out;
}""".replace("IN_MENU", IN_MENU_JS).replace("FIELDS", FIELDS)


@dataclass(frozen=True)
class Candidate:
    """A string visible on the screen, what a user sees it as, and where it is."""

    text: str
    kind: str
    box: Box | None = None


@dataclass
class Snapshot:
    """A full-page picture of the screen, with what is needed to draw on it."""

    url: str
    headings: list[str]
    scale: float  # device pixels per CSS pixel: screenshot pixels = page coordinates x scale
    png: bytes


def _by_role(role: str) -> Callable[[Page, str], Locator]:
    # The role is data (a catalogue's "role" entry); Playwright's type lists the ARIA roles.
    return lambda page, text: page.get_by_role(role, name=text, exact=True)  # type: ignore[arg-type]


def _field_label(page: Page, text: str) -> Locator:
    """A form field labelled ``text`` (not a region or group named by aria-label)."""
    return page.get_by_label(text, exact=True).and_(page.locator(FIELDS))


LOCATORS: dict[str, Callable[[Page, str], Locator]] = {
    BUTTON: _by_role("button"),
    LINK: _by_role("link"),
    HEADING: _by_role("heading"),
    FIELD_LABEL: _field_label,
    ROW_NAME: _by_role("rowheader"),
    CELL: _by_role("cell"),
    MENU_ITEM: _by_role("menuitem"),
    TEXT: lambda page, text: page.get_by_text(text, exact=True),
}


def locate(page: Page, text: str, order: tuple[str, ...]) -> Candidate | None:
    """Find ``text`` exactly as one of the kinds in ``order`` (first that is visible wins)."""
    for kind in order:
        matches = LOCATORS[kind](page, text).filter(visible=True)
        if matches.count() == 0:
            continue
        element = matches.first
        if kind in (LINK, BUTTON) and _in_menu(element):
            kind = MENU_ITEM
        box = _label_box(page, text) if kind == FIELD_LABEL else None
        return Candidate(text, kind, box or page_box(page, element))
    return None


def _in_menu(element: Locator) -> bool:
    try:
        return bool(element.evaluate(IN_MENU_JS))
    except PlaywrightError:
        return False


def _label_box(page: Page, text: str) -> Box | None:
    """Highlight the label's words rather than the field it names."""
    labels = page.locator("label").filter(visible=True)
    for index in range(labels.count()):
        label = labels.nth(index)
        if " ".join(label.inner_text().split()) == " ".join(text.split()):
            return page_box(page, label)
    return None


def visible_strings(page: Page) -> list[Candidate]:
    """Return the screen's visible strings (buttons, links, headings, labels, cells, texts)."""
    try:
        found = page.evaluate(VISIBLE_STRINGS_JS)
    except PlaywrightError:
        return []
    return [Candidate(item["text"], item["kind"], item["box"]) for item in found
            if not SECRET_SHAPED.search(item["text"])]


def locator_box(page: Page, locator: Locator | None) -> Box | None:
    """Return the box of the first visible element of ``locator`` (None when there is none)."""
    if locator is None:
        return None
    try:
        visible = locator.filter(visible=True)
        return page_box(page, visible.first) if visible.count() else None
    except PlaywrightError:
        return None


def snapshot(page: Page, labels: Labels, secrets: list[str]) -> Snapshot | None:
    """Take a full-page screenshot (the QR code, key and Recovery Code painted out) with the URL,
    main headings and device scale factor."""
    try:
        png, _ = mask_image_file(page.screenshot(full_page=True, animations="disabled"), page,
                                 labels, secrets)
        scale = float(page.evaluate("() => window.devicePixelRatio") or 1)
        headings = [" ".join(text.split()) for text in
                    page.get_by_role("heading", level=1).filter(visible=True).all_inner_texts()]
    except PlaywrightError:
        return None
    return Snapshot(page.url, headings, scale, png)
