"""The writer's crops: page boxes (CSS px) become screenshot pixels (x scale factor), crops are
clamped to the picture, keep the element's card, never halve a line, and outline the element.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from e2e.evidence.crops import (
    CARD_PAD,
    MARGIN_X,
    MARGIN_Y,
    OUTLINE_PAD,
    OUTLINE_RGB,
    crop_and_outline,
    crop_rect,
    device_rect,
    outline_width,
    snap_outwards,
    write_crop,
)

WHITE = (255, 255, 255)


def box(x: float, y: float, width: float, height: float) -> dict[str, float]:
    return {"x": x, "y": y, "width": width, "height": height}


def blank(width: int, height: int) -> Image.Image:
    return Image.new("RGB", (width, height), WHITE)


@pytest.mark.parametrize(("scale", "expected"), [
    (1, (100, 50, 120, 60)), (2, (200, 100, 240, 120)), (2.625, (262.5, 131.25, 315, 157.5)),
])
def test_a_page_box_becomes_screenshot_pixels_times_the_scale_factor(
    scale: float, expected: tuple[float, ...]
) -> None:
    assert device_rect(box(100, 50, 20, 10), scale) == pytest.approx(expected)


def test_padding_is_in_css_px_so_it_scales_too() -> None:
    assert device_rect(box(100, 50, 20, 10), 2, pad=5) == (190, 90, 250, 130)


def test_without_a_card_the_crop_keeps_generous_margins_around_the_element() -> None:
    # Given a 40x20 CSS px button in the middle of a 2x screenshot of a 1280x2000 page
    focus = box(600, 900, 40, 20)

    # Then the crop keeps MARGIN_X / MARGIN_Y CSS px each side, in device pixels
    assert crop_rect(focus, (2560, 4000), 2) == (
        (600 - MARGIN_X) * 2, (900 - MARGIN_Y) * 2, (640 + MARGIN_X) * 2, (920 + MARGIN_Y) * 2)


@pytest.mark.parametrize(("focus", "expected"), [
    (box(10, 5, 40, 20), (0, 0, (50 + MARGIN_X) * 2, (25 + MARGIN_Y) * 2)),  # top left corner
    (box(1250, 1990, 30, 10), ((1250 - MARGIN_X) * 2, (1990 - MARGIN_Y) * 2, 2560, 4000)),
])
def test_the_crop_is_clamped_at_the_picture_edges(
    focus: dict[str, float], expected: tuple[int, ...]
) -> None:
    assert crop_rect(focus, (2560, 4000), 2) == expected


def test_an_element_off_the_picture_gets_the_whole_picture() -> None:
    assert crop_rect(box(5000, 5000, 10, 10), (1280, 800), 1) == (0, 0, 1280, 800)


def test_with_a_card_the_crop_is_the_card_and_a_little_space() -> None:
    card = box(192, 80, 896, 295)
    crop = crop_rect(box(217, 237, 846, 60), (2560, 1600), 2, card)
    assert crop == ((192 - CARD_PAD) * 2, (80 - CARD_PAD) * 2,
                    (192 + 896 + CARD_PAD) * 2, (80 + 295 + CARD_PAD) * 2)


def test_the_outline_is_clear_and_just_outside_the_element_at_any_scale() -> None:
    for scale in (1, 2, 3):
        # Given a white page with a grey 100x30 CSS px button at (200, 100)
        page = blank(round(800 * scale), round(600 * scale))
        button = box(200, 100, 100, 30)
        ImageDraw.Draw(page).rectangle(device_rect(button, scale), fill=(200, 200, 200))

        # When the writer's crop is made
        crop = crop_and_outline(page, button, scale)

        # Then the outline runs OUTLINE_PAD CSS px outside the button, 3-4 device px thick
        left, top, *_ = crop_rect(button, page.size, scale)
        edge = round((200 - OUTLINE_PAD) * scale) - left
        middle = round(115 * scale) - top
        thick = [crop.getpixel((edge + i, middle)) for i in range(outline_width(scale))]
        assert thick == [OUTLINE_RGB] * outline_width(scale)
        assert 3 <= outline_width(scale) <= 4
        assert crop.getpixel((edge - 1, middle)) == WHITE
        # And the button itself is not covered
        assert crop.getpixel((round(250 * scale) - left, middle)) == (200, 200, 200)


def test_a_crop_edge_moves_out_to_blank_space_instead_of_cutting_a_line() -> None:
    # Given a heading (rows 40 to about 62) that the crop's top edge (row 50) would halve
    page = blank(400, 300)
    draw = ImageDraw.Draw(page)
    draw.text((20, 40), "Security Settings", fill=(30, 30, 30), font=ImageFont.load_default(24))
    heading_top = draw.textbbox((20, 40), "Security Settings",
                                font=ImageFont.load_default(24))[1]

    # Then the edge moves up to blank space above the heading
    left, top, right, bottom = snap_outwards(page, (10, 50, 350, 250), reach=40)
    assert (left, right, bottom) == (10, 350, 250)
    assert heading_top - 4 <= top <= heading_top
    # And stays where it was when no blank line is within reach
    assert snap_outwards(page, (10, 50, 350, 250), reach=3) == (10, 50, 350, 250)


def test_write_crop_names_the_file_after_the_step_and_skips_steps_without_an_element(
    tmp_path: Path
) -> None:
    blank(400, 300).save(tmp_path / "step-2.3.png")

    assert write_crop(tmp_path, "2.3", "step-2.3.png", box(100, 100, 50, 20), 1) == \
        "step-2.3-crop.png"
    # 200 CSS px each side, 120 above and below: clamped at the left, top and bottom
    with Image.open(tmp_path / "step-2.3-crop.png") as crop:
        assert crop.size == (350, 240)
    assert write_crop(tmp_path, "1.1", "step-2.3.png", None, 1) is None
    assert write_crop(tmp_path, "2.4", None, box(1, 1, 1, 1), 1) is None
