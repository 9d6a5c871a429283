"""Pages that draw a QR code the ways consoles do, for the QR reader's tests and its benchmark.

An ``<img>`` (a PNG drawn large and shrunk by CSS), an inline ``<svg>`` scaled through its
viewBox, and a ``<canvas>`` filled module by module by script; in page colours that can be
inverted (a dark theme) and with or without the quiet zone. ``tests/harness/test_qr_capture.py``
proves the reader on them and ``bench/qr_decode.py`` times it on the very same pages.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import segno
from playwright.sync_api import Page

QUIET_ZONE = 4  # modules, as the QR specification asks
LABEL = "QR code for 2-Step Verification"  # the accessible name a locator finds the code by
LIGHT = {"page": "#ffffff", "dark": "#000000", "light": "#ffffff"}
# A dark theme draws light modules on a dark background: the colours of a QR code inverted.
DARK = {"page": "#121212", "dark": "#e8e8e8", "light": "#1e1e1e"}

Markup = Callable[..., str]


def css_size(code: segno.QRCode, px_per_module: float, border: int = QUIET_ZONE) -> str:
    """Width of the code in CSS px when each module is ``px_per_module`` wide."""
    width, _ = code.symbol_size(scale=1, border=border)
    return f"{width * px_per_module}px"


def img_markup(code: segno.QRCode, px_per_module: float, *, colours: dict[str, str] = LIGHT,
               border: int = QUIET_ZONE) -> str:
    """A PNG in a data URI, drawn large and shrunk by CSS, as consoles commonly do."""
    uri = code.png_data_uri(scale=8, border=border, dark=colours["dark"], light=colours["light"])
    size = css_size(code, px_per_module, border)
    return f'<img alt="{LABEL}" src="{uri}" style="width:{size};height:{size}">'


def svg_markup(code: segno.QRCode, px_per_module: float, *, colours: dict[str, str] = LIGHT,
               border: int = QUIET_ZONE) -> str:
    """An inline SVG scaled through its viewBox."""
    svg = code.svg_inline(scale=1, border=border, omitsize=True, dark=colours["dark"],
                          light=colours["light"], svgclass=None, lineclass=None)
    size = css_size(code, px_per_module, border)
    attrs = f'role="img" aria-label="{LABEL}" style="width:{size};height:{size}"'
    return svg.replace("<svg ", f"<svg {attrs} ", 1)


def canvas_markup(code: segno.QRCode, px_per_module: float, *,
                  colours: dict[str, str] = LIGHT, border: int = QUIET_ZONE) -> str:
    """A canvas filled module by module from ``code.matrix`` by script, then sized by CSS."""
    matrix = [[1 if module & 1 else 0 for module in row] for row in code.matrix]
    size = css_size(code, px_per_module, border)
    return f"""
<canvas role="img" aria-label="{LABEL}" style="width:{size};height:{size}"></canvas>
<script>
{{
  const matrix = {json.dumps(matrix)};
  const border = {border}, unit = 6, n = matrix.length + 2 * border;
  const canvas = document.querySelector("canvas");
  canvas.width = canvas.height = n * unit;
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = {json.dumps(colours["light"])};
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.fillStyle = {json.dumps(colours["dark"])};
  matrix.forEach((row, y) => row.forEach((dark, x) => {{
    if (dark) ctx.fillRect((x + border) * unit, (y + border) * unit, unit, unit);
  }}));
}}
</script>"""


MARKUP: dict[str, Markup] = {"img": img_markup, "svg": svg_markup, "canvas": canvas_markup}


def show(page: Page, body: str, background: str = LIGHT["page"]) -> None:
    """Render ``body`` on a page of the given background colour, off the top-left corner."""
    page.set_content(f"""<!doctype html><html><body style="margin:0;background:{background}">
        <main style="padding:40px 60px"><h1 style="font-size:12px">Scan this code</h1>
        {body}</main></body></html>""")
