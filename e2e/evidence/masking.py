"""Paint the live second factor out of every screenshot before it reaches the disk.

A screenshot of step 2.5 holds the QR code and the key, one of 2.7 the Recovery Code: with the
password, enough to take over the administrator on a real console. So every picture the harness
keeps is masked first, irreversibly: a solid neutral box with a short placeholder ("QR code",
"key", "Recovery Code"), never a blur. The boxes come from the page as a user finds those
things (the QR image by its accessible name, the key and the Recovery Code groups), plus every
element whose text holds a registered secret in any spelling, every value shown to be copied
(`code`, `kbd`, `samp`, `output`) and any text shaped like a key or a Recovery Code, whatever a
console calls their group. Then zbar reads the masked picture:
a QR code still readable is painted over where zbar found it, and if one survives even that, the
picture is refused (``UnmaskableImage``) rather than written.

Boxes are page coordinates in CSS px; a full-page screenshot has ``scale`` device px per CSS px.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from PIL import Image, ImageDraw

from e2e.errors import HarnessError

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from e2e.labels import Labels

# Four or more groups of four letters and digits, with at least one digit: how keys and Recovery
# Codes look, and no label does. Painted out here, and never quoted by a diagnosis or a report,
# even where the markup does not mark such a string as a value (one pattern, Python and JS).
SECRET_SHAPED = re.compile(r"\b(?=[A-Z2-9 -]*\d)[A-Z0-9]{4}(?:[ -]?[A-Z0-9]{4}){3,}\b")

FILL = (214, 218, 224)
INK = (74, 82, 94)
PAD = 4  # CSS px painted beyond each box, so antialiased edges and focus rings go too

# Boxes (page coordinates) of: the QR image(s), the key and Recovery Code values, and the smallest
# elements whose text, spaces and dashes removed, contains one of the given secrets.
_SECRET_BOXES_JS = """({qrName, groups, secrets, secretShaped}) => {
  const page = (r) => ({x: r.left + scrollX, y: r.top + scrollY, width: r.width, height: r.height});
  const out = [];
  const add = (what, el) => {
    const r = el.getBoundingClientRect();
    if (r.width > 0 && r.height > 0) out.push({what, box: page(r)});
  };
  // An element's name as the page objects' locators read it: aria-labelledby, aria-label, alt,
  // a fieldset's legend, an SVG's title, the title attribute; spaces collapsed
  const text = (el) => ((el && el.textContent) || '').replace(/\\s+/g, ' ').trim();
  const named = (el) => {
    const ids = el.getAttribute('aria-labelledby');
    if (ids) return ids.split(/\\s+/).map(id => text(document.getElementById(id))).join(' ').trim();
    const own = el.getAttribute('aria-label') || el.getAttribute('alt') || '';
    if (own.trim()) return own.replace(/\\s+/g, ' ').trim();
    const caption = el.tagName === 'FIELDSET' ? el.querySelector(':scope > legend')
      : el.tagName.toLowerCase() === 'svg' ? el.querySelector(':scope > title') : null;
    return caption ? text(caption) : (el.getAttribute('title') || '').trim();
  };
  // the QR image: any image whose name holds the catalogue's words (as get_by_role matches it)
  const qrWords = qrName.toLowerCase();
  for (const el of document.querySelectorAll('img, canvas, svg, [role=img]')) {
    if (qrWords && named(el).toLowerCase().includes(qrWords)) add('QR code', el);
  }
  for (const [what, name] of groups) {
    const holders = '[role=group], [role=region], fieldset, section, div';
    for (const group of document.querySelectorAll(holders)) {
      if (named(group) !== name) continue;
      const values = group.querySelectorAll('code, kbd, samp, output');
      if (values.length) values.forEach(v => add(what, v)); else add(what, group);
    }
  }
  // Values shown to be copied, and text shaped like a key or a Recovery Code, are painted out
  // even where a console names their group otherwise than the catalogue (or not at all).
  for (const el of document.querySelectorAll('code, kbd, samp, output')) {
    if (/^[A-Za-z0-9][A-Za-z0-9 -]{3,}$/.test((el.textContent || '').trim())) add('value', el);
  }
  const squash = (t) => t.replace(/[\\s-]/g, '').toUpperCase();
  const wanted = secrets.map(squash).filter(s => s.length >= 6);
  const shaped = new RegExp(secretShaped);
  const holds = (el) => {
    const t = squash(el.textContent || '');
    return wanted.some(s => t.includes(s)) || shaped.test(el.textContent || '');
  };
  const walk = (el) => {
    const inner = Array.from(el.children).filter(holds);
    if (inner.length) inner.forEach(walk); else add('secret text', el);
  };
  if (document.body && holds(document.body)) walk(document.body);
  return out;
}"""


class UnmaskableImage(HarnessError):
    """A picture still shows a readable QR code after masking; it was not written."""


@dataclass(frozen=True)
class Masked:
    """One region painted over: what it hid, and where (page coordinates, CSS px)."""

    what: str
    box: dict[str, float]
    picture: str = ""  # the file it was painted over in (a step may keep two: its own, a failure)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def secret_regions(page: Page, labels: Labels, secrets: Iterable[str] = ()) -> list[Masked]:
    """Find what must not be published on the page now, as a user finds it."""
    found = page.evaluate(_SECRET_BOXES_JS, {
        "qrName": labels.qr_image,
        "groups": [["key", labels.manual_key], ["Recovery Code", labels.recovery_code]],
        "secrets": [s for s in secrets if s],
        "secretShaped": SECRET_SHAPED.pattern,
    })
    regions: list[Masked] = []
    for item in found:
        region = Masked(item["what"], {k: round(float(v), 2) for k, v in item["box"].items()})
        if all(region.box != seen.box for seen in regions):  # one box, named once
            regions.append(region)
    return regions


def mask_png(png: bytes, regions: list[Masked], scale: float) -> tuple[bytes, list[Masked]]:
    """Paint ``regions`` out of a screenshot; return the PNG and every region painted.

    zbar then reads the result: a QR code it still finds is painted too (recorded as "QR code
    (found by zbar)"); one that survives that raises ``UnmaskableImage``. A screenshot with
    nothing to paint (most steps' screens) is returned as taken, not encoded again: at 3x,
    encoding every screenshot again took a sixth of a whole run.
    """
    image: Image.Image = Image.open(io.BytesIO(png))
    painted: list[Masked] = []
    if regions:
        image = _painted(image, regions, scale)
        painted += regions
    for attempt in range(2):
        found = _readable_qr_boxes(image)
        if not found:
            break
        if attempt:
            raise UnmaskableImage("a QR code is still readable in a screenshot after masking; it "
                                  "was not written. Report this with the page's markup (not the "
                                  "picture).")
        extra = [Masked("QR code (found by zbar)", {k: v / scale for k, v in box.items()})
                 for box in found]
        image = _painted(image, extra, scale)
        painted += extra
    if not painted:
        return png, painted
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue(), painted


def mask_image_file(png: bytes, page: Page, labels: Labels, secrets: Iterable[str]
                    ) -> tuple[bytes, list[Masked]]:
    """Mask a full-page screenshot of ``page`` just taken (the page has not moved since)."""
    scale = float(page.evaluate("() => window.devicePixelRatio") or 1)
    return mask_png(png, secret_regions(page, labels, secrets), scale)


def describe(regions: list[Masked]) -> str:
    """One line for a caption: "masked: QR code, key"."""
    names = sorted({r.what.split(" (")[0] for r in regions})
    return f"masked: {', '.join(names)}" if names else ""


def _painted(image: Image.Image, regions: list[Masked], scale: float) -> Image.Image:
    """The image in RGB with ``regions`` painted over (in place when it already was RGB)."""
    image = image if image.mode == "RGB" else image.convert("RGB")
    draw = ImageDraw.Draw(image)
    for region in regions:
        b = region.box
        rect = ((b["x"] - PAD) * scale, (b["y"] - PAD) * scale,
                (b["x"] + b["width"] + PAD) * scale, (b["y"] + b["height"] + PAD) * scale)
        draw.rectangle(rect, fill=FILL)
        label = region.what.split(" (")[0]
        width = draw.textlength(label)
        if width + 8 <= rect[2] - rect[0] and rect[3] - rect[1] >= 14:
            draw.text(((rect[0] + rect[2] - width) / 2, (rect[1] + rect[3]) / 2 - 6), label,
                      fill=INK)
    return image


def _readable_qr_boxes(image: Image.Image) -> list[dict[str, float]]:
    """Boxes (device px) of every QR code zbar can read in the image."""
    from e2e.qr import zbar_decode_all

    return [{"x": float(left), "y": float(top), "width": float(width), "height": float(height)}
            for left, top, width, height in zbar_decode_all(image.convert("L"))]
