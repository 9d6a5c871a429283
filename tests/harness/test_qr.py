"""``decode_qr`` reads one QR code from an image, whatever its size, colours or margins.

No browser here: images come from segno, so each case knows exactly what was encoded.
"""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
import segno
from PIL import Image

from e2e import qr as qr_module
from e2e.qr import QRDecodeError, decode_qr

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
OTPAUTH = (
    f"otpauth://totp/ISSUER:acc%40example.com?secret={SECRET}"
    "&issuer=ISSUER&algorithm=SHA1&digits=6&period=30"
)
PAYLOADS = {
    "short": "A1",
    "medium": "otpauth://totp/acc?secret=JBSWY3DPEHPK3PXP",
    "otpauth": OTPAUTH,
}


def make_qr(text: str, error: str = "M") -> segno.QRCode:
    """A full-size QR code at exactly this error level (segno would pick Micro QR or boost it)."""
    return segno.make(text, error=error, micro=False, boost_error=False)


def qr_png(
    text: str = OTPAUTH,
    *,
    error: str = "M",
    scale: int = 4,
    border: int = 4,
    dark: str | None = "#000000",
    light: str | None = "#ffffff",
) -> bytes:
    """PNG bytes of ``text`` as a QR code, as segno writes it."""
    buffer = io.BytesIO()
    make_qr(text, error).save(
        buffer, kind="png", scale=scale, border=border, dark=dark, light=light
    )
    return buffer.getvalue()


def inverted_png(text: str = OTPAUTH, *, scale: int = 4, border: int = 4) -> bytes:
    """A dark-theme QR code: light modules on a dark background."""
    return qr_png(text, scale=scale, border=border, dark="#e8e8e8", light="#1e1e1e")


def side_by_side(*images: bytes) -> Image.Image:
    """Paste images left to right on white, like a page showing several codes."""
    opened = [Image.open(io.BytesIO(data)).convert("L") for data in images]
    width = sum(img.width for img in opened) + 20 * (len(opened) + 1)
    height = max(img.height for img in opened) + 40
    canvas = Image.new("L", (width, height), 255)
    x = 20
    for img in opened:
        canvas.paste(img, (x, 20))
        x += img.width + 20
    return canvas


@pytest.mark.parametrize("error", ["L", "M", "Q", "H"])
@pytest.mark.parametrize("payload", list(PAYLOADS), ids=list(PAYLOADS))
def test_reads_payloads_of_every_size_at_every_error_level(payload: str, error: str) -> None:
    # Given a QR code of this payload size and error correction level
    text = PAYLOADS[payload]
    png = qr_png(text, error=error, scale=3)

    # When it is decoded
    # Then the exact text comes back
    assert decode_qr(png) == text


@pytest.mark.parametrize("scale", range(1, 9))
def test_reads_otpauth_uri_at_every_module_scale(scale: int) -> None:
    # Given the setup URI drawn with modules of 1 to 8 pixels (1 px needs upscaling)
    png = qr_png(OTPAUTH, scale=scale)

    # When it is decoded, Then the URI comes back
    assert decode_qr(png) == OTPAUTH


@pytest.mark.parametrize("scale", [1, 2, 4])
def test_reads_inverted_colours_of_a_dark_theme(scale: int) -> None:
    # Given light modules on a dark background
    png = inverted_png(OTPAUTH, scale=scale)

    # When it is decoded, Then the URI comes back
    assert decode_qr(png) == OTPAUTH


@pytest.mark.parametrize("inverted", [False, True], ids=["light", "dark"])
@pytest.mark.parametrize("scale", [1, 2, 4])
def test_reads_code_drawn_without_quiet_zone(scale: int, inverted: bool) -> None:
    # Given a QR code cropped to its modules, with no quiet zone around it
    png = inverted_png(scale=scale, border=0) if inverted else qr_png(scale=scale, border=0)

    # When it is decoded, Then a quiet zone is added and the URI comes back
    assert decode_qr(png) == OTPAUTH


@pytest.mark.parametrize("mode", ["1", "L", "RGB", "RGBA", "P"])
def test_accepts_pil_image_in_any_common_mode(mode: str) -> None:
    # Given the code as a PIL image rather than bytes
    image = Image.open(io.BytesIO(qr_png(scale=3))).convert(mode)

    # When it is decoded, Then the URI comes back
    assert decode_qr(image) == OTPAUTH


def test_reads_code_on_transparent_background_as_if_on_white_page() -> None:
    # Given a PNG whose light modules are transparent (as some consoles serve it)
    png = qr_png(scale=3, light=None)
    assert Image.open(io.BytesIO(png)).mode in {"RGBA", "LA", "P", "PA", "1"}

    # When it is decoded, Then transparency counts as the page's white and the URI comes back
    assert decode_qr(png) == OTPAUTH


def test_reads_coloured_code_on_tinted_background() -> None:
    # Given brand-coloured modules on an off-white card
    png = qr_png(scale=3, dark="#1a3d7c", light="#f5f1e6")

    # When it is decoded, Then the URI comes back
    assert decode_qr(png) == OTPAUTH


@pytest.mark.parametrize("inverted", [False, True], ids=["light", "dark"])
def test_reads_code_smoothly_downscaled_to_one_and_a_half_pixels_per_module(
    inverted: bool,
) -> None:
    # Given a large code shrunk with anti-aliasing to 1.5 px per module, as a browser does
    png = inverted_png(scale=10) if inverted else qr_png(scale=10)
    big = Image.open(io.BytesIO(png)).convert("L")
    modules = big.width // 10
    small = big.resize((round(modules * 1.5),) * 2, Image.Resampling.LANCZOS)

    # When it is decoded, Then the URI comes back
    assert decode_qr(small) == OTPAUTH


def test_reads_utf8_text() -> None:
    # Given a code holding non-ASCII text (an issuer name in Japanese)
    text = "HENNGE 二段階認証"
    png = qr_png(text, scale=3)

    # When it is decoded, Then the text comes back as a str, not mojibake
    assert decode_qr(png) == text


def test_same_code_shown_twice_counts_as_one() -> None:
    # Given the same QR code twice in one image
    png = qr_png(scale=3)
    image = side_by_side(png, png)

    # When it is decoded, Then the duplicate is merged and the URI comes back
    assert decode_qr(image) == OTPAUTH


def test_two_different_codes_raise_several_found() -> None:
    # Given two different QR codes side by side
    image = side_by_side(qr_png(OTPAUTH, scale=3), qr_png("another code", scale=3))

    # When it is decoded, Then the error says several were found, and how many
    with pytest.raises(QRDecodeError, match=r"several QR codes \(2 different") as caught:
        decode_qr(image)
    assert caught.value.evidence is None


@pytest.mark.parametrize("colour", ["white", "black"])
def test_blank_image_raises_no_qr_found(colour: str) -> None:
    # Given an image with nothing on it
    image = Image.new("RGB", (120, 120), colour)

    # When it is decoded, Then the error says no QR code was found and what to check
    with pytest.raises(QRDecodeError, match="No QR code found") as caught:
        decode_qr(image)
    assert "whole code" in str(caught.value)


def test_bytes_that_are_not_an_image_raise_a_clear_error() -> None:
    # Given bytes that are not an image (an HTML error page, say)
    data = b"<html>502 Bad Gateway</html>"

    # When they are decoded, Then the error says it is not an image and what to pass instead
    with pytest.raises(QRDecodeError, match="not an image"):
        decode_qr(data)


def test_wrong_argument_type_is_a_type_error() -> None:
    # Given a path instead of image data, Then decode_qr refuses it as a programming error
    with pytest.raises(TypeError, match="PNG bytes or a PIL image"):
        decode_qr(Path("qr.png"))  # type: ignore[arg-type]  # the wrong type is the point


@pytest.mark.parametrize(
    "failure",
    [
        ImportError("Unable to find zbar shared library"),
        OSError("libzbar.so.0: cannot open shared object file"),
    ],
    ids=["ImportError", "OSError"],
)
def test_missing_libzbar_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, failure: Exception
) -> None:
    # Given a machine where pyzbar cannot load the zbar system library
    def broken_import() -> None:
        raise failure

    monkeypatch.setattr(qr_module, "_pyzbar", None)
    monkeypatch.setattr(qr_module, "_import_pyzbar", broken_import)

    # When a QR code is decoded
    with pytest.raises(QRDecodeError) as caught:
        decode_qr(qr_png(scale=3))

    # Then the error says zbar is missing and gives the install command for each platform
    message = str(caught.value)
    assert "zbar library could not be loaded" in message
    assert "sudo apt-get install libzbar0" in message
    assert "brew install zbar" in message
    assert caught.value.__cause__ is failure


def test_importing_the_module_does_not_need_libzbar() -> None:
    # Given a Python where pyzbar cannot be imported at all
    code = (
        "import sys; sys.modules['pyzbar'] = None\n"
        "import e2e.qr\n"
        "from PIL import Image\n"
        "try:\n"
        "    e2e.qr.decode_qr(Image.new('L', (40, 40), 255))\n"
        "except e2e.qr.QRDecodeError as exc:\n"
        "    print(exc)\n"
    )

    # When e2e.qr is imported and only then used
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )

    # Then the import succeeds and the failure surfaces at first use, as a QRDecodeError
    assert "sudo apt-get install libzbar0" in result.stdout
