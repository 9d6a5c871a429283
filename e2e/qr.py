"""Read the QR code a console shows, the way a phone's authenticator app would.

The console's "scan this code" screen is the only place the TOTP secret travels, so the harness
must read it from pixels rather than from the DOM: that is what proves the code a user scans is
the code the console checks. Screenshots are hostile input (anti-aliased 1.5 px modules, no quiet
zone, dark themes), so ``decode_qr`` retries with cheap preprocessing before giving up.
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Literal

from PIL import Image, ImageOps, UnidentifiedImageError

from e2e.errors import HarnessError

if TYPE_CHECKING:
    from playwright.sync_api import FloatRect, Locator

__all__ = ["QRDecodeError", "capture_qr", "decode_locator", "decode_qr"]

INSTALL_ZBAR = (
    "install the system library: `sudo apt-get install libzbar0` (Debian/Ubuntu), "
    "`brew install zbar` (macOS)"
)
UPSCALES = (2, 3, 4)
# Upscaling past this many pixels a side only slows a failing decode down: an image that large
# already has modules of several pixels, unless the code is a speck in a full-page screenshot.
MAX_UPSCALED_SIDE = 2000
# Page around the element kept in a capture, in CSS px: a QR drawn without its own quiet zone
# still gets a light border, which zbar needs to find the finder patterns.
CAPTURE_MARGIN = 8
# On a HiDPI screen an element this wide (CSS px) is captured at one pixel per CSS px: a QR code
# of up to 57 modules (version 10; a Key URI needs 41 to 49) then still has 3 px a module, and
# the capture has a quarter (2x) or a ninth (3x) of the pixels to encode and decode. A code that
# does not read so is captured again at the device's pixel ratio (``decode_locator``).
CSS_CAPTURE_MIN_PX = 171


class QRDecodeError(HarnessError):
    """The image holds no readable QR code, several, or zbar is unavailable.

    ``evidence`` is the screenshot saved for the report, when there is one.
    """

    def __init__(self, message: str, evidence: Path | None = None) -> None:
        super().__init__(message)
        self.evidence = evidence


_pyzbar: ModuleType | None = None


def _import_pyzbar() -> ModuleType:
    """Import pyzbar; kept apart so tests can simulate a machine without libzbar."""
    from pyzbar import pyzbar

    return pyzbar


def _zbar() -> ModuleType:
    """Load pyzbar on first use, so importing ``e2e.qr`` works even where libzbar is missing."""
    global _pyzbar
    if _pyzbar is None:
        try:
            _pyzbar = _import_pyzbar()
        except (ImportError, OSError) as exc:
            raise QRDecodeError(
                f"Cannot decode QR codes: the zbar library could not be loaded ({exc}); "
                f"{INSTALL_ZBAR}."
            ) from exc
    return _pyzbar


def zbar_decode_all(gray: Image.Image) -> list[tuple[int, int, int, int]]:
    """Rects (left, top, width, height, in image px) of every QR code zbar reads in ``gray``.

    Used to prove a masked screenshot holds no readable QR code; unlike ``decode_qr`` it tries
    the image as it is (a full page), without the upscaling that a small element needs.
    """
    pyzbar = _zbar()
    found = pyzbar.decode(gray, symbols=[pyzbar.ZBarSymbol.QRCODE])
    return [(r.rect.left, r.rect.top, r.rect.width, r.rect.height) for r in found]


def require_zbar() -> None:
    """Raise QRDecodeError (with the install command) when zbar cannot be loaded."""
    _zbar()


def _open(image: bytes | Image.Image) -> Image.Image:
    """Return the image as 8-bit grayscale, transparent areas laid on white like a page."""
    if isinstance(image, bytes | bytearray | memoryview):
        try:
            img: Image.Image = Image.open(io.BytesIO(bytes(image)))
            img.load()
        except (UnidentifiedImageError, OSError) as exc:
            raise QRDecodeError(
                f"Cannot decode QR code: the data is not an image Pillow can read ({exc}); "
                "pass PNG bytes, e.g. from `locator.screenshot()`."
            ) from exc
    elif isinstance(image, Image.Image):
        img = image
    else:
        raise TypeError(f"decode_qr() takes PNG bytes or a PIL image, not {type(image).__name__}")
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        img = Image.alpha_composite(white, rgba)
    return img.convert("L")


def _otsu(gray: Image.Image) -> Image.Image:
    """Binarise at the threshold that best splits dark from light (Otsu), so grey edges of
    anti-aliased modules fall on one side or the other."""
    hist = gray.histogram()
    total = sum(hist)
    weighted_total = sum(i * h for i, h in enumerate(hist))
    best, best_var = 128, -1.0
    weight_dark = 0
    sum_dark = 0
    for level in range(256):
        weight_dark += hist[level]
        if weight_dark == 0:
            continue
        weight_light = total - weight_dark
        if weight_light == 0:
            break
        sum_dark += level * hist[level]
        mean_dark = sum_dark / weight_dark
        mean_light = (weighted_total - sum_dark) / weight_light
        var = weight_dark * weight_light * (mean_dark - mean_light) ** 2
        if var > best_var:
            best, best_var = level, var
    return gray.point(lambda v: 255 if v > best else 0)


def _upscale(factor: int, smooth: bool = False) -> Callable[[Image.Image], Image.Image]:
    """Upscale so zbar sees modules of several pixels.

    Nearest-neighbour keeps crisp modules crisp. Bicubic is for the other case: at 1.5 device px
    per module, modules alternate one and two pixels wide with grey seams, and only a smooth
    resample (then a threshold) puts their edges back on a regular grid.
    """
    method = Image.Resampling.BICUBIC if smooth else Image.Resampling.NEAREST

    def apply(img: Image.Image) -> Image.Image:
        return img.resize((img.width * factor, img.height * factor), method)

    return apply


def _border(img: Image.Image) -> Image.Image:
    """Add a white quiet zone, which QR codes drawn edge to edge lack."""
    pad = max(8, min(img.size) // 8)
    return ImageOps.expand(img, border=pad, fill=255)


def _variants(gray: Image.Image) -> Iterator[tuple[str, Image.Image]]:
    """Yield preprocessed images, cheapest and most likely first, each with a name for logs."""
    factors = [f for f in UPSCALES if max(gray.size) * f <= MAX_UPSCALED_SIDE]
    scales = [f"x{f}" for f in factors] + [f"x{f}-smooth" for f in factors]
    steps: dict[str, Callable[[Image.Image], Image.Image]] = {
        "invert": ImageOps.invert,
        **{f"x{f}": _upscale(f) for f in factors},
        **{f"x{f}-smooth": _upscale(f, smooth=True) for f in factors},
        "threshold": _otsu,
        "border": _border,
    }
    yield "as given", gray
    for name in [*scales, "threshold", "border", "invert"]:
        yield name, steps[name](gray)
    # Combinations, each applied in a fixed order: invert, scale, threshold, border.
    for invert, scale, threshold, border in itertools.product(
        (False, True), (None, *scales), (False, True), (False, True)
    ):
        chosen = [
            *(["invert"] if invert else []),
            *([scale] if scale else []),
            *(["threshold"] if threshold else []),
            *(["border"] if border else []),
        ]
        if len(chosen) < 2:
            continue
        img = gray
        for step in chosen:
            img = steps[step](img)
        yield "+".join(chosen), img


def _scan(img: Image.Image) -> list[bytes]:
    """Decode QR symbols only: other symbologies would turn page noise into false hits."""
    zbar = _zbar()
    return [found.data for found in zbar.decode(img, symbols=[zbar.ZBarSymbol.QRCODE])]


def _one(found: list[bytes], variant: str) -> str:
    """Return the single payload, refusing ambiguity: a test must know which code it scanned."""
    distinct = list(dict.fromkeys(found))
    if len(distinct) > 1:
        raise QRDecodeError(
            f"Found several QR codes ({len(distinct)} different ones, "
            f"read as {variant}); crop the image or locate the one element that holds the code."
        )
    try:
        return distinct[0].decode("utf-8")
    except UnicodeDecodeError as exc:
        raise QRDecodeError(
            f"Found a QR code but its content is not UTF-8 text ({exc}); "
            "an otpauth:// URI is always ASCII, so this is not the setup code."
        ) from exc


def decode_qr(image: bytes | Image.Image) -> str:
    """Return the text of the one QR code in ``image`` (PNG bytes or a PIL image).

    Tries the image as given, then preprocessed variants; raises ``QRDecodeError`` when none
    holds a QR code, when several different ones are found, or when libzbar is missing.
    """
    gray = _open(image)
    tried = 0
    for variant, img in _variants(gray):
        tried += 1
        found = _scan(img)
        if found:
            return _one(found, variant)
    raise QRDecodeError(
        f"No QR code found in the {gray.width}x{gray.height} image after {tried} attempts "
        "(as given, upscaled, thresholded, with a quiet zone, inverted, and combinations); "
        "check that the screenshot shows the whole code, unobscured and finished rendering."
    )


# In one round trip: bring the element into view (as a person scrolls to the code) and measure
# it and the viewport; "visible" as Playwright means it (a box, not visibility: hidden).
_SCROLL_AND_MEASURE = """element => {
  element.scrollIntoView({block: "nearest", inline: "nearest"});
  const box = element.getBoundingClientRect();
  return {x: box.x, y: box.y, width: box.width, height: box.height,
          viewportWidth: window.innerWidth, viewportHeight: window.innerHeight,
          pixelRatio: window.devicePixelRatio,
          visible: box.width > 0 && box.height > 0
                   && getComputedStyle(element).visibility !== "hidden"};
}"""


Scale = Literal["auto", "device", "css"]


def capture_qr(locator: Locator, scale: Scale = "auto") -> bytes:
    """Screenshot the element plus a small margin of page, as PNG.

    ``scale`` "device" captures at the device's pixel ratio, "css" at one pixel per CSS px;
    "auto" chooses "css" for an element at least ``CSS_CAPTURE_MIN_PX`` wide on a HiDPI screen
    (modules big enough either way, far fewer pixels), "device" otherwise.
    Waits for the element to be visible with Playwright's auto-waiting, but only when it is
    not already (the common case costs two round trips to the browser: measure, capture). The
    margin gives a QR drawn without its own quiet zone the light border a scanner needs.
    """
    return _capture(locator, scale)[0]


def _capture(locator: Locator, scale: Scale) -> tuple[bytes, Scale]:
    """``capture_qr``, and the scale it captured at ("device" or "css")."""
    geometry = locator.evaluate(_SCROLL_AND_MEASURE)
    if not geometry["visible"]:
        locator.wait_for(state="visible")
        geometry = locator.evaluate(_SCROLL_AND_MEASURE)
    x, y, width, height = (float(geometry[k]) for k in ("x", "y", "width", "height"))
    left = max(0.0, x - CAPTURE_MARGIN)
    top = max(0.0, y - CAPTURE_MARGIN)
    right = min(float(geometry["viewportWidth"]), x + width + CAPTURE_MARGIN)
    bottom = min(float(geometry["viewportHeight"]), y + height + CAPTURE_MARGIN)
    if right - left < width or bottom - top < height:
        # Larger than the viewport: let Playwright capture the element however it must.
        scale = "device" if scale == "auto" else scale
        return locator.screenshot(animations="disabled", caret="hide", scale=scale), scale
    clip: FloatRect = {"x": left, "y": top, "width": right - left, "height": bottom - top}
    if scale == "auto":
        large = min(width, height) >= CSS_CAPTURE_MIN_PX
        scale = "css" if large and float(geometry.get("pixelRatio") or 1) > 1 else "device"
    # No caret="hide": it restyles the page at every capture, and no text caret lives in a code
    return locator.page.screenshot(clip=clip, animations="disabled", scale=scale), scale


def _describe(locator: Locator) -> str:
    """Name the element for a human: its ``describe()`` text if set, else its selector."""
    return getattr(locator, "description", None) or str(locator)


def _evidence_path(evidence_dir: Path, name: str) -> Path:
    """Pick a file name in ``evidence_dir`` that does not overwrite earlier evidence."""
    evidence_dir.mkdir(parents=True, exist_ok=True)
    path = evidence_dir / f"{name}.png"
    for n in itertools.count(2):
        if not path.exists():
            return path
        path = evidence_dir / f"{name}-{n}.png"
    raise AssertionError("unreachable")


def decode_locator(locator: Locator, evidence_dir: Path | None = None, name: str = "qr") -> str:
    """Capture the element and return its QR text; on failure keep the screenshot as evidence.

    The raised ``QRDecodeError`` names the element and the saved PNG, so a failed run can be
    diagnosed from its report alone.
    """
    png, scale = _capture(locator, "auto")
    if scale == "css":
        try:
            return decode_qr(png)
        except QRDecodeError:
            png = capture_qr(locator, scale="device")  # at full resolution
    try:
        return decode_qr(png)
    except QRDecodeError as exc:
        evidence = None
        where = "no screenshot kept: pass evidence_dir to keep one"
        if evidence_dir is not None:
            evidence = _evidence_path(Path(evidence_dir), name)
            evidence.write_bytes(png)
            where = f"screenshot saved to {evidence}"
        raise QRDecodeError(f"{exc} Element: {_describe(locator)}; {where}.", evidence) from exc
