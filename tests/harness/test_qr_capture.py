"""QR codes rendered by a real browser are read back from screenshots.

Consoles draw the setup QR code as an ``<img>``, an inline ``<svg>`` or a ``<canvas>``, shrink it
with CSS, and show it on high-density screens and in dark themes. Each case below renders one of
those in Chromium and proves ``decode_locator`` returns the exact otpauth URI that was encoded.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import segno
from PIL import Image
from playwright.sync_api import BrowserContext, Locator, Page

from e2e.qr import (
    CAPTURE_MARGIN,
    CSS_CAPTURE_MIN_PX,
    QRDecodeError,
    capture_qr,
    decode_locator,
    decode_qr,
)
from tests.support.qr_pages import DARK, LABEL, LIGHT, MARKUP, img_markup, show

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
PAYLOAD = (
    f"otpauth://totp/ISSUER:acc%40example.com?secret={SECRET}"
    "&issuer=ISSUER&algorithm=SHA1&digits=6&period=30"
)
CSS_PX_PER_MODULE = 1.5  # small: the reader must upscale


@pytest.fixture
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    """Let each test choose its own device scale factor, even when run with ``--device``."""
    return {k: v for k, v in browser_context_args.items() if k != "device_scale_factor"}


@pytest.fixture
def open_page(new_context: Callable[..., BrowserContext]) -> Callable[[float], Page]:
    """Open a page in a fresh context at a given device scale factor; the plugin closes it."""

    def open_(device_scale_factor: float) -> Page:
        context = new_context(device_scale_factor=device_scale_factor)
        return context.new_page()

    return open_


@pytest.mark.parametrize("scale_factor", [1, 2, 3])
@pytest.mark.parametrize("variant", ["img", "svg", "canvas"])
@pytest.mark.parametrize("theme", ["light", "dark"])
def test_decode_locator_reads_otpauth_uri_from_rendered_qr(
    open_page: Callable[[float], Page], variant: str, scale_factor: int, theme: str
) -> None:
    # Given a QR code shrunk to 1.5 CSS px per module, in a page at this device scale factor
    colours = LIGHT if theme == "light" else DARK
    qr = segno.make(PAYLOAD, error="M", micro=False)
    page = open_page(scale_factor)
    show(page, MARKUP[variant](qr, CSS_PX_PER_MODULE, colours=colours), colours["page"])

    # When the harness reads the element by its accessible name
    text = decode_locator(page.get_by_role("img", name=LABEL))

    # Then it gets back exactly the URI that was encoded
    assert text == PAYLOAD


@pytest.mark.parametrize("variant", ["img", "svg", "canvas"])
def test_decode_locator_reads_qr_drawn_without_quiet_zone(
    open_page: Callable[[float], Page], variant: str
) -> None:
    # Given a QR code drawn edge to edge (no quiet zone of its own) at 1.5 CSS px per module
    qr = segno.make(PAYLOAD, error="M", micro=False)
    page = open_page(1)
    show(page, MARKUP[variant](qr, CSS_PX_PER_MODULE, border=0))

    # When it is captured with the page margin around it and decoded
    text = decode_locator(page.get_by_role("img", name=LABEL))

    # Then the URI is read all the same
    assert text == PAYLOAD


def test_decode_locator_reads_qr_below_the_fold(open_page: Callable[[float], Page]) -> None:
    # Given a QR code that is only reachable by scrolling
    qr = segno.make(PAYLOAD, error="M", micro=False)
    page = open_page(2)
    spacer = '<div style="height:2000px"></div>'
    show(page, spacer + img_markup(qr, CSS_PX_PER_MODULE))

    # When the harness reads it
    text = decode_locator(page.get_by_role("img", name=LABEL))

    # Then the capture scrolled it into view and decoded it
    assert text == PAYLOAD


def test_decode_locator_saves_evidence_when_element_is_not_a_qr(
    open_page: Callable[[float], Page], tmp_path: Path
) -> None:
    # Given an element that shows text, not a QR code
    page = open_page(1)
    show(page, '<p data-testid="not-qr">Authenticator app</p>')
    evidence_dir = tmp_path / "evidence"

    # When the harness tries to read a QR code from it
    with pytest.raises(QRDecodeError) as caught:
        decode_locator(page.get_by_test_id("not-qr"), evidence_dir=evidence_dir, name="setup-qr")

    # Then the error names the element and the screenshot, and the screenshot is a PNG on disk
    error = caught.value
    assert error.evidence == evidence_dir / "setup-qr.png"
    assert error.evidence.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert str(error.evidence) in str(error)
    assert "not-qr" in str(error)
    assert "no qr code found" in str(error).lower()


def test_decode_locator_keeps_earlier_evidence(
    open_page: Callable[[float], Page], tmp_path: Path
) -> None:
    # Given evidence already saved under the same name by an earlier failure
    page = open_page(1)
    show(page, '<p data-testid="not-qr">Authenticator app</p>')
    (tmp_path / "qr.png").write_bytes(b"earlier")

    # When a second read fails
    with pytest.raises(QRDecodeError) as caught:
        decode_locator(page.get_by_test_id("not-qr"), evidence_dir=tmp_path)

    # Then the new screenshot is saved beside the earlier one, not over it
    assert caught.value.evidence == tmp_path / "qr-2.png"
    assert (tmp_path / "qr.png").read_bytes() == b"earlier"


def css_width(element: Locator) -> float:
    """The element's width on the page, in CSS px."""
    box = element.bounding_box()
    assert box is not None, "the element is not on the page"
    return box["width"]


def test_a_large_code_on_a_hidpi_screen_is_captured_at_css_scale(
    open_page: Callable[[float], Page]
) -> None:
    # Given a QR code of 4 CSS px a module (wider than CSS_CAPTURE_MIN_PX) on a 3x screen
    qr = segno.make(PAYLOAD, error="M", micro=False)
    page = open_page(3)
    show(page, img_markup(qr, 4), LIGHT["page"])
    code = page.get_by_role("img", name=LABEL)

    # When it is captured, Then the picture has one pixel per CSS px (a ninth of the pixels),
    # and it still reads
    width = css_width(code)
    css = Image.open(io.BytesIO(capture_qr(code)))
    assert css.width == pytest.approx(width + 2 * CAPTURE_MARGIN, abs=2)
    assert decode_qr(capture_qr(code)) == PAYLOAD
    # while a capture at the device's ratio has three pixels per CSS px
    device = Image.open(io.BytesIO(capture_qr(code, scale="device")))
    assert device.width == pytest.approx(3 * css.width, abs=6)
    # and a small code is captured at the device's ratio, where its modules have pixels enough
    show(page, img_markup(qr, CSS_PX_PER_MODULE), LIGHT["page"])
    small = page.get_by_role("img", name=LABEL)
    small_width = css_width(small)
    assert small_width < CSS_CAPTURE_MIN_PX
    shot = Image.open(io.BytesIO(capture_qr(small)))
    assert shot.width == pytest.approx(3 * (small_width + 2 * CAPTURE_MARGIN), abs=6)


def test_a_wide_code_too_dense_for_css_scale_is_read_at_the_device_ratio(
    open_page: Callable[[float], Page]
) -> None:
    # Given the densest code (version 40, 177 modules) in a wide quiet zone, drawn 0.8 CSS px a
    # module on a 3x screen: wider than CSS_CAPTURE_MIN_PX, so captured at CSS scale first,
    # where its modules are smaller than a pixel and cannot be read
    dense = segno.make(PAYLOAD + "&pad=" + "A" * 700, error="M", micro=False, version=40)
    page = open_page(3)
    show(page, img_markup(dense, 0.8, border=20), LIGHT["page"])
    code = page.get_by_role("img", name=LABEL)
    assert css_width(code) >= CSS_CAPTURE_MIN_PX
    with pytest.raises(QRDecodeError):
        decode_qr(capture_qr(code, scale="css"))

    # When the harness reads it, Then it captures again at the device's ratio and reads it
    assert decode_locator(code) == PAYLOAD + "&pad=" + "A" * 700
