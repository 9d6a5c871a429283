"""What the run notes about each step's screen beside its screenshot: scale, per-run content, card.

A new account each run gives a new QR code, secret key, Recovery Code and account name, so the
baseline comparison (``e2e.evidence.baseline``) masks them instead of crying drift; the boxes are
found while the run is on the screen, as a user finds those things (by role and name, by text).
The card around the element a step acts on lets the writer's crop (``e2e.evidence.crops``) show
it whole.

Boxes are page coordinates in CSS px (Playwright's viewport boxes plus the scroll).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page

from e2e.evidence.crops import Box
from e2e.labels import Labels
from e2e.procedure import Context, Step

PARENT_MAX_AREA = 6  # a name's parent is masked with it unless it is this many times larger
CARDS = "section, article, form, dialog, [role=dialog], [role=group], table"
CARD_MAX_HEIGHT = 600  # CSS px: a taller card is most of the page, not context for one element

_JS_PAGE_BOX = """const page = (r) => ({x: r.left + scrollX, y: r.top + scrollY,
                                       width: r.width, height: r.height});"""

# One round trip per locator: the boxes of every visible match. For the account name (asName)
# the box is widened to what the name's length moves; see per_run_boxes.
_BOXES_JS = """(elements, {asName, maxArea}) => {
  %s
  const union = (rects) => {
    const left = Math.min(...rects.map(r => r.left)), top = Math.min(...rects.map(r => r.top));
    const right = Math.max(...rects.map(r => r.right));
    const bottom = Math.max(...rects.map(r => r.bottom));
    return {left, top, width: right - left, height: bottom - top};
  };
  const widened = (el, r) => {
    const cell = el.closest('td, th');
    if (cell && cell.closest('table')) {  // the name's column and those right of it
      const rows = Array.from(cell.closest('table').rows);
      const cells = rows.flatMap(row => Array.from(row.cells))
                        .filter(c => c.cellIndex >= cell.cellIndex);
      return union(cells.map(c => c.getBoundingClientRect()).filter(c => c.width > 0));
    }
    const p = el.parentElement ? el.parentElement.getBoundingClientRect() : null;
    return p && p.width * p.height <= maxArea * r.width * r.height ? union([r, p]) : r;
  };
  const out = [];
  for (const el of elements) {
    const r = el.getBoundingClientRect();
    if (r.width > 0 && r.height > 0) out.push(page(asName ? widened(el, r) : r));
  }
  return out;
}""".replace("%s", _JS_PAGE_BOX)

# The outermost card-like ancestor no taller than maxHeight, or null.
_CARD_JS = """(elements, {cards, maxHeight}) => {
  %s
  let best = null;
  for (let a = elements.length ? elements[0].parentElement : null; a; a = a.parentElement) {
    if (!a.matches(cards)) continue;
    const r = a.getBoundingClientRect();
    if (r.height > maxHeight) break;
    if (r.width > 0 && r.height > 0) best = r;
  }
  return best && page(best);
}""".replace("%s", _JS_PAGE_BOX)


@dataclass
class StepEvidence:
    """What one step's screenshot needs besides its pixels: scale, per-run boxes, focus card."""

    scale: float = 1.0
    masks: list[Box] = field(default_factory=list)
    card: Box | None = None  # the card around the element the step acts on


class EvidenceRecorder:
    """The runner's ``inspect`` hook: note scale, per-run boxes and card of each step's screen.

    The runner looks at a step's screen (possibly more than once) and takes its screenshot right
    after the last look that precedes it; looks after the screenshot (during the step's action)
    would describe another screen, so they are ignored. The evidence folder must not hold this
    run's screenshots yet (the CLI clears it).
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.steps: dict[str, StepEvidence] = {}

    def __call__(self, ctx: Context, step: Step) -> None:
        if (self.folder / f"step-{step.id}.png").exists():
            return
        try:
            scale = float(ctx.page.evaluate("() => window.devicePixelRatio") or 1)
            masks = per_run_boxes(ctx.page, ctx.labels, ctx.account.username)
            card = card_box(step.focus(ctx)) if step.focus is not None else None
        except PlaywrightError:
            return  # the page is gone; the step's own error says why
        self.steps[step.id] = StepEvidence(scale, masks, card)


def per_run_boxes(page: Page, labels: Labels, username: str) -> list[Box]:
    """Return the boxes of what differs every run, found as a user finds it.

    The account name's length is new each run too, and moves what its layout shares with it:
    in a table, its column and those to the right (the auto layout sizes a column by its widest
    cell, so the "Off" under the name moves); elsewhere, its parent (the language switch beside
    the user button, the user menu as wide as the name), unless that is much larger.
    """
    code = page.get_by_role("code")
    plain = page.get_by_role("img", name=labels.qr_image, exact=True)
    for key in ("manual_key", "recovery_code"):
        # the secret itself, not the words around it, where it is marked up
        group = page.get_by_role("group", name=labels[key], exact=True)
        plain = plain.or_(group.get_by_role("code")).or_(group.filter(has_not=code))
    plain = plain.or_(page.get_by_role("time")).or_(page.get_by_role("timer"))
    names = page.get_by_text(username).or_(
        page.get_by_role("banner").get_by_role("button", name=username))
    # Two round trips, not one per kind of thing: this runs at every step of every run
    unique: list[Box] = []
    for box in _boxes(plain) + _boxes(names, as_name=True):
        if box not in unique:
            unique.append(box)
    return unique


def card_box(focus: Locator) -> Box | None:
    """Return the box of the card (section, form, group, table) that holds ``focus``, if any."""
    box = focus.first.evaluate_all(_CARD_JS, {"cards": CARDS, "maxHeight": CARD_MAX_HEIGHT})
    return _rounded(box) if box else None


def _boxes(locator: Locator, *, as_name: bool = False) -> list[Box]:
    boxes: list[dict[str, Any]] = locator.evaluate_all(
        _BOXES_JS, {"asName": as_name, "maxArea": PARENT_MAX_AREA})
    return [_rounded(box) for box in boxes]


def _rounded(box: dict[str, Any]) -> Box:
    return {key: round(float(value), 2) for key, value in box.items()}
