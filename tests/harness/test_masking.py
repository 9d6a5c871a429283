"""Masking paints the QR code, the key and the Recovery Code out of a screenshot, for good."""

from __future__ import annotations

import io

import pytest
import segno
from PIL import Image

from e2e.evidence.masking import FILL, Masked, UnmaskableImage, describe, mask_png
from e2e.qr import zbar_decode_all

URI = "otpauth://totp/HENNGE:admin%40example.com?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=HENNGE"


def page_with_qr(scale: int, at: tuple[int, int] = (100, 80)) -> bytes:
    """A white 'page' of 800x600 CSS px with a QR code of 200 CSS px at ``at``."""
    page = Image.new("RGB", (800 * scale, 600 * scale), "white")
    buffer = io.BytesIO()
    segno.make(URI, error="m").save(buffer, kind="png", scale=5, border=4)
    qr = Image.open(buffer).convert("RGB").resize((200 * scale, 200 * scale))
    page.paste(qr, (at[0] * scale, at[1] * scale))
    out = io.BytesIO()
    page.save(out, format="PNG")
    return out.getvalue()


def readable(png: bytes) -> int:
    return len(zbar_decode_all(Image.open(io.BytesIO(png)).convert("L")))


@pytest.mark.parametrize("scale", [1, 2, 3])
def test_the_qr_code_box_is_painted_solid_and_nothing_decodes(scale: int) -> None:
    png = page_with_qr(scale)
    assert readable(png) == 1  # the picture as taken holds the live secret
    region = Masked("QR code", {"x": 100, "y": 80, "width": 200, "height": 200})
    masked, painted = mask_png(png, [region], scale)
    assert readable(masked) == 0 and painted == [region]
    image = Image.open(io.BytesIO(masked)).convert("RGB")
    assert image.getpixel((110 * scale, 90 * scale)) == FILL  # a solid fill, not a blur


def test_a_qr_code_the_page_did_not_name_is_found_by_zbar_and_painted() -> None:
    png = page_with_qr(1, at=(400, 300))
    masked, painted = mask_png(png, [], 1)
    assert readable(masked) == 0
    assert [r.what for r in painted] == ["QR code (found by zbar)"]
    assert describe(painted) == "masked: QR code"


def test_text_regions_are_painted_with_a_placeholder() -> None:
    png = page_with_qr(1)
    key = Masked("key", {"x": 100, "y": 400, "width": 300, "height": 20})
    masked, _ = mask_png(png, [key], 1)
    image = Image.open(io.BytesIO(masked)).convert("RGB")
    assert image.getpixel((102, 402)) == FILL
    assert any(image.getpixel((x, 410)) != FILL for x in range(200, 300))  # the word "key"


def test_a_screen_with_nothing_to_mask_is_kept_as_taken() -> None:
    # Given a screenshot with no QR code and nothing the page names as a secret
    blank = Image.new("RGB", (800, 600), "white")
    out = io.BytesIO()
    blank.save(out, format="PNG")
    png = out.getvalue()

    # When it is masked, Then it comes back byte for byte (not encoded again), nothing painted
    masked, painted = mask_png(png, [], 2)
    assert masked == png and painted == []


def test_a_qr_code_that_survives_painting_is_refused_not_written(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # Given zbar reads a QR code wherever it is painted over (a reader the fill cannot defeat)
    monkeypatch.setattr("e2e.evidence.masking._readable_qr_boxes",
                        lambda image: [{"x": 0.0, "y": 0.0, "width": 10.0, "height": 10.0}])

    # Then the picture is refused rather than returned
    with pytest.raises(UnmaskableImage, match="still readable"):
        mask_png(page_with_qr(1), [], 1)
