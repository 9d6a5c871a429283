"""Benchmark: reading a QR code from the screen, per way of drawing it and per screen density.

Why: step 2.5 reads the setup QR code from pixels, and the harness promises to do so for an
``<img>``, an inline ``<svg>`` or a ``<canvas>``, at device scale factors 1 to 3, shrunk by CSS to
about 1.5 px per module. Small renderings defeat zbar as given and cost extra preprocessing
attempts (upscaling, thresholding, a quiet zone); this shows what each case costs, against the
same code drawn at a comfortable size. Each sample captures the element (``e2e.qr.capture_qr``)
and decodes the PNG (``e2e.qr.decode_qr``); the decode alone is timed on that same PNG. All
variants are interleaved, one round after another, after a warm-up round.
"""

from __future__ import annotations

import io
import sys
import time
from collections.abc import Callable
from itertools import product
from typing import Any

import segno
from PIL import Image
from playwright.sync_api import Page

import e2e.qr as qr
from bench.common import (
    BenchError,
    Figure,
    base_parser,
    check_counts,
    interleave,
    machine_info,
    median,
    print_figures,
    reproduce_command,
    rounded,
    write_result,
)
from bench.procedure import chromium
from tests.support.qr_pages import LABEL, MARKUP, show

NAME = "qr_decode"
MODULE = f"bench.{NAME}"
DEFAULT_REPS = 15
KINDS = ("img", "svg", "canvas")
SCALE_FACTORS = (1, 2, 3)
SIZES = {"1.5 px/module": 1.5, "4 px/module": 4.0}  # CSS px per module: small, comfortable
SMALL, COMFORTABLE = SIZES
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
PAYLOAD = ("otpauth://totp/HENNGE%20Cloud%20Protection:admin-0123456789%40example.com"
           f"?secret={SECRET}&issuer=HENNGE%20Cloud%20Protection")


def variant_name(kind: str, dsf: int, size: str) -> str:
    return f"{kind} @{dsf}x, {size}"


# -- what succeeded -----------------------------------------------------------------------------

def winning_preprocessing(png: bytes) -> tuple[str | None, int | None]:
    """Return which of ``decode_qr``'s preprocessing variants read the code, and after how many.

    ``e2e.qr`` has no public hook for this, so its private ``_open``/``_variants``/``_scan`` are
    replayed here, outside any timing; if they change shape the answer is (None, None).
    """
    open_, variants, scan = (getattr(qr, n, None) for n in ("_open", "_variants", "_scan"))
    if not (callable(open_) and callable(variants) and callable(scan)):
        return None, None
    try:
        for attempt, (name, image) in enumerate(variants(open_(png)), start=1):
            if scan(image):
                return str(name), attempt
    except Exception:  # noqa: BLE001 - a private API changed: report "unknown", do not fail
        return None, None
    return None, None


# -- the benchmark ------------------------------------------------------------------------------

def measure(reps: int, warmup: int) -> dict[str, Any]:
    """Capture and decode every variant, round after round; keep capture and decode apart."""
    code = segno.make(PAYLOAD, error="m", micro=False)
    capture: dict[str, list[float]] = {}
    decode: dict[str, list[float]] = {}
    last_png: dict[str, bytes] = {}
    with chromium() as (_, browser):
        pages: dict[str, Page] = {}
        for dsf, kind, size in product(SCALE_FACTORS, KINDS, SIZES):
            # A context of its own per variant, as a harness run has: one page, in front.
            context = browser.new_context(device_scale_factor=dsf,
                                          viewport={"width": 800, "height": 600})
            page = context.new_page()
            show(page, MARKUP[kind](code, SIZES[size]))
            pages[variant_name(kind, dsf, size)] = page

        def sample_of(name: str) -> Callable[[int], float]:
            locator = pages[name].get_by_role("img", name=LABEL, exact=True)

            def sample(rep: int) -> float:
                started = time.perf_counter()
                png = qr.capture_qr(locator)
                captured = time.perf_counter()
                text = qr.decode_qr(png)
                done = time.perf_counter()
                if text != PAYLOAD:
                    raise BenchError(f"{name}: read {text!r}, not the encoded URI")
                if rep >= 0:
                    capture.setdefault(name, []).append(captured - started)
                    decode.setdefault(name, []).append(done - captured)
                last_png[name] = png
                return done - started
            return sample

        names = [variant_name(k, d, s) for s, d, k in product(SIZES, SCALE_FACTORS, KINDS)]
        totals = interleave({n: sample_of(n) for n in names}, reps, warmup,
                            log=lambda line: None)
        version = browser.version
    won = {name: winning_preprocessing(png) for name, png in last_png.items()}
    sizes = {name: list(Image.open(io.BytesIO(png)).size)
             for name, png in last_png.items()}
    return {"totals": totals, "capture": capture, "decode": decode, "won": won,
            "png_size": sizes, "chromium": version}


def build_result(measured: dict[str, Any], reps: int, warmup: int, command: str
                 ) -> dict[str, Any]:
    """Per variant: medians of capture+decode, capture, decode; figures for the small case."""
    totals, capture, decode = measured["totals"], measured["capture"], measured["decode"]
    variants: dict[str, Any] = {}
    for name, values in totals.items():
        preprocessing, attempts = measured["won"].get(name, (None, None))
        variants[name] = {
            "capture_and_decode_median_s": median(values),
            "capture_median_s": median(capture[name]),
            "decode_only_median_s": median(decode[name]),
            "png_px": measured["png_size"].get(name),
            "decoded_as": preprocessing,
            "attempts": attempts,
        }
    figures = []
    for dsf, kind in product(SCALE_FACTORS, KINDS):
        small, comfy = variant_name(kind, dsf, SMALL), variant_name(kind, dsf, COMFORTABLE)
        info = variants[small]
        note = (f"decode alone {info['decode_only_median_s'] * 1000:.0f} ms; read on attempt "
                f"{info['attempts'] or '?'} ({info['decoded_as'] or '?'})")
        figures.append(Figure.against(f"QR capture+decode, {small}",
                                      variants[small]["capture_and_decode_median_s"] * 1000,
                                      "ms", reps, f"{COMFORTABLE}",
                                      variants[comfy]["capture_and_decode_median_s"] * 1000,
                                      note=note))
    return {
        "benchmark": NAME,
        "title": "QR code capture and decode per variant (img/svg/canvas x device scale factor)",
        "command": command,
        "reps": reps,
        "warmup": warmup,
        "order": "interleaved: every variant once per round, rounds repeated",
        "timed": "capture_qr(locator) then decode_qr(png); decode-only is the second part, on "
                 "the PNG just captured",
        "payload": PAYLOAD,
        "sizes_css_px_per_module": SIZES,
        "decoded_as_note": "the preprocessing variant of decode_qr that read the code, found by "
                           "replaying e2e.qr's private helpers (no public hook); null if unknown",
        "variants": variants,
        "samples": {"capture_and_decode": rounded(totals, 5), "capture": rounded(capture, 5),
                    "decode_only": rounded(decode, 5)},
        "medians": {name: v["capture_and_decode_median_s"] for name, v in variants.items()},
        "ratios": {f.label: f.ratio for f in figures},
        "figures": figures,
        "machine": machine_info(measured["chromium"]),
    }


def main(argv: list[str] | None = None) -> int:
    parser = base_parser(MODULE, "Time QR capture and decode for img/svg/canvas codes at device "
                                 "scale factors 1-3, small and comfortable.", DEFAULT_REPS)
    argv = sys.argv[1:] if argv is None else argv
    args = parser.parse_args(argv)
    check_counts(parser, args)
    print(f"{MODULE}: {args.reps} reps of {len(KINDS) * len(SCALE_FACTORS) * len(SIZES)} "
          f"variants after {args.warmup} warm-up round(s)")
    measured = measure(args.reps, args.warmup)
    result = build_result(measured, args.reps, args.warmup, reproduce_command(MODULE, argv))
    print(f"\n  {'variant':<28} {'capture+decode':>15} {'capture':>9} {'decode':>9}  read as")
    for name, v in result["variants"].items():
        print(f"  {name:<28} {v['capture_and_decode_median_s'] * 1000:12.1f} ms "
              f"{v['capture_median_s'] * 1000:6.1f} ms {v['decode_only_median_s'] * 1000:6.1f} ms"
              f"  {v['decoded_as']} (attempt {v['attempts']}, {v['png_px']} px)")
    print_figures(result["title"], result["figures"])
    path = write_result(NAME, args.results_dir, result)
    print(f"written: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
