"""What masking finds on a screen whose console words things otherwise than the catalogue."""

from __future__ import annotations

from playwright.sync_api import Page

from e2e.evidence.masking import secret_regions
from e2e.labels import Labels


def test_a_recovery_code_under_a_renamed_group_is_still_painted_out(
    page: Page, labels: Labels
) -> None:
    # Given a confirmation screen that calls the Recovery Code "Backup Code" (not the
    # catalogue's group name), shows it as a value, and once more inside a sentence; and a key
    # whose groups sit in separate value elements; and the run knows no secret yet
    page.set_content(
        "<main><h1>Recovery</h1>"
        "<section aria-label='Backup Code'><code id=rc>POUA-4NFY-4OI6-FECY</code></section>"
        "<p id=sentence>Write down <b id=plain>IUWB-V27W-LD5T-HIUM</b> now.</p>"
        "<div aria-label='Secret'><code class=g>ABCD</code><code class=g>EF23</code></div>"
        "<p id=words>Store it offline</p></main>")

    # When the regions to paint are found
    regions = secret_regions(page, labels, [])

    # Then both codes and every key group are painted, and ordinary words are not
    boxes = [r.box for r in regions]

    def box_of(selector: str) -> dict[str, float]:
        found = page.locator(selector).first.bounding_box()
        assert found is not None
        return {k: round(float(v), 2) for k, v in found.items()}

    for selector in ("#rc", "#plain", "code.g >> nth=0", "code.g >> nth=1"):
        assert box_of(selector) in boxes, (selector, regions)
    assert box_of("#words") not in boxes
    assert box_of("#sentence") not in boxes  # the smallest element holding the code, not its line


def test_the_qr_code_and_the_key_are_found_by_the_names_the_page_objects_accept(
    page: Page, labels: Labels
) -> None:
    # Given a QR code on a canvas whose name only holds the catalogue's words (other case), one
    # as an SVG named by its <title>, and the key in a fieldset named by its legend, as plain
    # text no pattern would take for a key; and the run knows no secret yet
    page.set_content(
        "<main><h1>Set up</h1>"
        f"<canvas id=qr width=90 height=90 aria-label='Scan: {labels.qr_image.upper()} (app)'>"
        "</canvas>"
        f"<svg id=qr2 width=90 height=90><title>{labels.qr_image}</title>"
        "<rect width=90 height=90 /></svg>"
        f"<fieldset id=key><legend>{labels.manual_key}</legend><span id=v>abcdefgh</span>"
        "</fieldset><img id=logo alt='Company logo' width=20 height=20 src='data:,'></main>")

    # When the regions to paint are found
    regions = secret_regions(page, labels, [])

    # Then both QR codes and the whole key group are painted, and the logo is not
    found = {(r.what, tuple(sorted(r.box.items()))) for r in regions}

    def region(what: str, selector: str) -> tuple[str, tuple[tuple[str, float], ...]]:
        box = page.locator(selector).bounding_box()
        assert box is not None
        return what, tuple(sorted((k, round(float(v), 2)) for k, v in box.items()))

    assert region("QR code", "#qr") in found, regions
    assert region("QR code", "#qr2") in found, regions
    assert region("key", "#key") in found, regions
    assert all("logo" not in r.what for r in regions)
    assert len([r for r in regions if r.what == "QR code"]) == 2
