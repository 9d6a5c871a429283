"""Where an element sits on a full-page screenshot.

Playwright's ``bounding_box`` is relative to the viewport; a full-page screenshot starts at the
top of the page, so the scroll offset is added. Boxes are CSS pixels; multiply by the device
scale factor for screenshot pixels.
"""

from __future__ import annotations

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page

Box = dict[str, float]
BOX_TIMEOUT_MS = 2_000


def page_box(page: Page, element: Locator, timeout: float = BOX_TIMEOUT_MS) -> Box | None:
    """Return an element's box in page coordinates, or None when it is not laid out."""
    try:
        box = element.bounding_box(timeout=timeout)
        scroll = page.evaluate("() => [window.scrollX, window.scrollY]")
    except PlaywrightError:
        return None
    if box is None:
        return None
    return {"x": box["x"] + scroll[0], "y": box["y"] + scroll[1],
            "width": box["width"], "height": box["height"]}
