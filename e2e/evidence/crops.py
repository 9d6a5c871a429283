"""Pictures a writer can publish: each step's screenshot cropped to what the step acts on, outlined.

The crop shows the card the element sits in (a settings table, a form, the Recovery Code box)
when there is one of reasonable size, else the element with generous margins; its edges move out
to blank lines so no heading is cut in half. The outline is a clear red rectangle just outside
the element, so it hides none of its text.

Boxes are page coordinates in CSS px (``e2e.evidence.capture``); a full-page screenshot has
``scale`` (the device scale factor) device pixels per CSS px.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

Box = dict[str, float]
Rect = tuple[float, float, float, float]  # left, top, right, bottom in device pixels

MARGIN_X, MARGIN_Y = 200, 120  # CSS px kept around an element that has no card
SNAP_REACH = 48  # CSS px a crop's edge may move outwards to fall on blank space, not through text
OUTLINE_PAD = 5  # CSS px between the element and its outline, so the outline hides no text
OUTLINE_RGB = (220, 38, 38)
CARD_PAD = 16  # CSS px kept around a card
QUIET = 2  # device px each side of a crop edge that must hold nothing (see snap_outwards)


def device_rect(box: Box, scale: float, pad: float = 0.0) -> Rect:
    """Return ``box`` (CSS px) in device pixels, ``pad`` CSS px larger on every side."""
    return ((box["x"] - pad) * scale, (box["y"] - pad) * scale,
            (box["x"] + box["width"] + pad) * scale, (box["y"] + box["height"] + pad) * scale)


def draw_outline(draw: ImageDraw.ImageDraw, box: Box, scale: float, colour: tuple[int, int, int],
                 *, width: int, pad: float) -> Rect:
    """Outline ``box`` ``pad`` CSS px out, ``width`` device px thick inwards; return the rect."""
    rect = device_rect(box, scale, pad)
    draw.rectangle(rect, outline=colour, width=width)
    return rect


def outline_width(scale: float) -> int:
    """Return the outline's thickness: 3 device px, 4 on HiDPI, clear at any scale."""
    return 3 if scale < 2 else 4


def crop_rect(focus: Box, size: tuple[int, int], scale: float, card: Box | None = None,
              margins: tuple[float, float] = (MARGIN_X, MARGIN_Y)) -> tuple[int, int, int, int]:
    """Return the crop for ``focus``: its ``card`` and the outline, else ``margins`` CSS px each
    side; clamped to the image (the whole image if the element lies off it)."""
    if card is not None:
        outer = device_rect(card, scale, CARD_PAD)
        outline = device_rect(focus, scale, 2 * OUTLINE_PAD)
        left, top = min(outer[0], outline[0]), min(outer[1], outline[1])
        right, bottom = max(outer[2], outline[2]), max(outer[3], outline[3])
    else:
        left, top, right, bottom = device_rect(focus, scale)
        left, right = left - margins[0] * scale, right + margins[0] * scale
        top, bottom = top - margins[1] * scale, bottom + margins[1] * scale
    width, height = size
    rect = (max(0, int(left)), max(0, int(top)),
            min(width, round(right)), min(height, round(bottom)))
    if rect[0] >= rect[2] or rect[1] >= rect[3]:
        return (0, 0, width, height)
    return rect


def snap_outwards(image: Image.Image, rect: tuple[int, int, int, int],
                  reach: int) -> tuple[int, int, int, int]:
    """Move each edge of ``rect`` outwards, up to ``reach`` px, to the first line that cuts
    through nothing, so a crop never halves a heading.

    A line cuts through nothing when the pixel lines on both sides of it (``QUIET`` each side)
    are all the same: text changes from one pixel line to the next. An edge that finds no such
    line within reach stays where it was.
    """
    left, top, right, bottom = rect

    def clean_row(y: int) -> bool:
        if y - QUIET < 0 or y + QUIET > image.height:
            return y in (0, image.height)
        rows = {image.crop((left, r, right, r + 1)).tobytes() for r in range(y - QUIET, y + QUIET)}
        return len(rows) == 1

    def clean_column(x: int) -> bool:
        if x - QUIET < 0 or x + QUIET > image.width:
            return x in (0, image.width)
        columns = {image.crop((c, top, c + 1, bottom)).tobytes()
                   for c in range(x - QUIET, x + QUIET)}
        return len(columns) == 1

    top = next((y for y in range(top, max(0, top - reach) - 1, -1) if clean_row(y)), top)
    bottom = next((y for y in range(bottom, min(image.height, bottom + reach) + 1)
                   if clean_row(y)), bottom)
    left = next((x for x in range(left, max(0, left - reach) - 1, -1) if clean_column(x)), left)
    right = next((x for x in range(right, min(image.width, right + reach) + 1)
                  if clean_column(x)), right)
    return left, top, right, bottom


def crop_and_outline(image: Image.Image, focus: Box, scale: float,
                     card: Box | None = None) -> Image.Image:
    """Return the part of ``image`` around ``focus`` (and its ``card``), the element outlined."""
    picture = image.convert("RGB")
    rect = snap_outwards(picture, crop_rect(focus, picture.size, scale, card),
                         round(SNAP_REACH * scale))
    draw_outline(ImageDraw.Draw(picture), focus, scale, OUTLINE_RGB,
                 width=outline_width(scale), pad=OUTLINE_PAD)
    return picture.crop(rect)


def crop_name(step_id: str) -> str:
    return f"step-{step_id}-crop.png"


def write_crop(folder: Path, step_id: str, screenshot: str | None, focus: Box | None,
               scale: float, card: Box | None = None) -> str | None:
    """Write ``step-<id>-crop.png`` next to the screenshot; return its name, or None."""
    if screenshot is None or focus is None or not (folder / screenshot).exists():
        return None
    with Image.open(folder / screenshot) as image:
        crop = crop_and_outline(image, focus, scale, card)
    crop.save(folder / crop_name(step_id))  # not optimize=True: 3x the time for 1% fewer bytes
    return crop_name(step_id)
