"""QR codes rendered by a real browser are read back from screenshots.

Consoles draw the setup QR code as an ``<img>``, an inline ``<svg>`` or a ``<canvas>``, shrink it
with CSS, and show it on high-density screens and in dark themes. Each case below renders one of
those in Chromium and proves ``decode_locator`` returns the exact otpauth URI that was encoded.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import segno
from playwright.sync_api import BrowserContext, Page

from e2e.qr import QRDecodeError, decode_locator
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
