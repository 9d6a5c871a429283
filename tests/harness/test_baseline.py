"""Screenshot drift without a browser: what counts as a changed screen, what is masked, and what
the baseline folder holds.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from e2e.evidence.baseline import (
    CHANGED,
    MANIFEST,
    NO_BASELINE,
    NOT_COMPARED,
    RED,
    SHARE_THRESHOLD,
    UNCHANGED,
    check_drift,
    compare,
    compare_step,
    masked,
    read_manifest,
    update_baseline,
)
from e2e.evidence.capture import StepEvidence
from e2e.procedure import PROCEDURE
from e2e.runner import FAILED, PASSED, SKIPPED, RunResult, StepResult

PAGE = (640, 400)
BACKGROUND, INK = (244, 246, 248), (29, 36, 48)
FONT = ImageFont.load_default(16)


def screen(button: str = "Change", at: tuple[int, int] = (450, 150), size: tuple[int, int] = PAGE,
           shift: int = 0) -> Image.Image:
    """Draw a settings screen: a heading, a line of text and a button labelled ``button``.

    Text is drawn at 4x and scaled down, ``shift`` quarter pixels to the right, as a browser
    antialiases text that sits at a fractional position.
    """
    return _screen(button, at, size, shift).copy()


@functools.cache
def _screen(button: str, at: tuple[int, int], size: tuple[int, int], shift: int) -> Image.Image:
    big = Image.new("RGB", (size[0] * 4, size[1] * 4), BACKGROUND)
    draw = ImageDraw.Draw(big)
    font = ImageFont.load_default(64)
    draw.text((100 * 4 + shift, 40 * 4), "Security Settings", fill=INK, font=font)
    draw.text((100 * 4 + shift, 90 * 4), "Settings that protect how you sign in.", fill=INK,
              font=font)
    x, y = at[0] * 4, at[1] * 4
    draw.rounded_rectangle((x, y, x + 100 * 4, y + 40 * 4), 16, fill="white", outline=INK,
                           width=4)
    draw.text((x + 14 * 4 + shift, y + 8 * 4), button, fill=INK, font=font)
    return big.resize(size, Image.LANCZOS)


def test_identical_screens_do_not_differ() -> None:
    result, _ = compare(screen(), screen())
    assert (result.changed_pixels, result.share, result.changed) == (0, 0.0, False)


def test_antialiasing_noise_is_not_a_change() -> None:
    # Given the same screen with its text a quarter pixel to the right (other antialiasing)
    # and a few stray pixels
    noisy = screen(shift=1)
    for x, y in ((10, 10), (320, 350), (600, 30)):
        noisy.putpixel((x, y), (0, 0, 0))

    # Then nothing counts as changed
    result, _ = compare(noisy, screen())
    assert result.changed_pixels == 0 and not result.changed


def test_a_renamed_button_is_a_change() -> None:
    result, changed = compare(screen(button="Modify"), screen(button="Change"))
    assert result.changed and result.share > SHARE_THRESHOLD
    left, top, right, bottom = changed.getbbox() or (0, 0, 0, 0)
    assert left >= 450 and right <= 550 and top >= 150 and bottom <= 190  # in the button


def test_a_moved_button_is_a_change() -> None:
    result, _ = compare(screen(at=(440, 150)), screen(at=(450, 150)))
    assert result.changed and result.share > SHARE_THRESHOLD


def test_a_longer_page_is_a_change_said_in_css_px(tmp_path: Path) -> None:
    # Given a baseline 800 px tall and a 2x screenshot of the page now 40 CSS px longer
    (tmp_path / "base").mkdir()
    screen(size=(640, 400)).resize((1280, 800)).save(tmp_path / "base" / "step-2.3.png")
    screen(size=(640, 420)).resize((1280, 840)).save(tmp_path / "step-2.3.png")

    # When they are compared
    drift = compare_step("2.3", tmp_path / "step-2.3.png", StepEvidence(scale=2),
                         tmp_path / "base", {}, tmp_path)

    # Then the step changed, the message says how, and the extra rows count as changed
    assert drift.status == CHANGED
    assert "the page got 20 px longer" in drift.message
    assert drift.share is not None and drift.share >= 40 / 840
    with Image.open(tmp_path / "step-2.3-diff.png") as diff:
        assert diff.size == (1280, 840)


def test_per_run_content_is_masked_in_both_screens() -> None:
    # Given two screens whose QR codes differ (new account, new secret)
    qr = {"x": 100, "y": 200, "width": 150, "height": 150}
    one, two = screen(), screen()
    ImageDraw.Draw(one).rectangle((100, 200, 175, 275), fill="black")
    ImageDraw.Draw(two).rectangle((175, 275, 250, 350), fill="black")

    # Then they differ, unless the QR code's box is masked
    assert compare(one, two)[0].changed
    assert not compare(masked(one, [qr], 1), masked(two, [qr], 1))[0].changed


def test_masks_are_in_css_px_and_scaled() -> None:
    picture = Image.new("RGB", (200, 200), "white")
    out = masked(picture, [{"x": 10, "y": 10, "width": 20, "height": 20}], 2)
    assert out.getpixel((25, 25)) != (255, 255, 255)  # inside (20..60 device px)
    assert out.getpixel((70, 70)) == (255, 255, 255)


def test_the_baseline_masks_are_used_too(tmp_path: Path) -> None:
    # Given a baseline whose account name sat at x 300 and a run whose name sits at x 360
    (tmp_path / "base").mkdir()
    old, new = screen(), screen()
    ImageDraw.Draw(old).text((300, 5), "admin-fff@example.com", fill=INK, font=FONT)
    ImageDraw.Draw(new).text((360, 5), "admin-000@example.com", fill=INK, font=FONT)
    old.save(tmp_path / "base" / "step-2.1.png")
    new.save(tmp_path / "step-2.1.png")
    kept = {"masks": [{"x": 295, "y": 0, "width": 250, "height": 30}]}
    here = StepEvidence(masks=[{"x": 355, "y": 0, "width": 250, "height": 30}])

    # Then the screen is unchanged: each run's name is under one of the two masks
    drift = compare_step("2.1", tmp_path / "step-2.1.png", here, tmp_path / "base", kept,
                         tmp_path)
    assert drift.status == UNCHANGED, drift.message


def test_the_diff_picture_shows_changes_red_over_a_dimmed_baseline(tmp_path: Path) -> None:
    (tmp_path / "base").mkdir()
    screen(button="Change").save(tmp_path / "base" / "step-2.3.png")
    screen(button="Modify").save(tmp_path / "step-2.3.png")

    drift = compare_step("2.3", tmp_path / "step-2.3.png", StepEvidence(), tmp_path / "base", {},
                         tmp_path)

    assert drift.status == CHANGED and drift.diff == "step-2.3-diff.png"
    assert f"{drift.share:.3%} of pixels changed" == drift.message
    with Image.open(tmp_path / drift.diff) as diff:
        colours = {colour for _, colour in diff.crop((450, 150, 550, 190)).getcolors(10_000)}
        assert RED in colours
        assert diff.getpixel((50, 350)) > BACKGROUND  # dimmed: lighter than the page was


def run_of(statuses: dict[str, str], folder: Path) -> RunResult:
    """A run whose recorded steps ended as ``statuses`` says, each passed one with a screen."""
    run = RunResult("mock", "a@example.com", "en", "Desktop", "2026-01-01T00:00:00+00:00")
    for step in PROCEDURE:
        if step.id in statuses:
            shot = f"step-{step.id}.png" if statuses[step.id] == PASSED else None
            if shot:
                screen().save(folder / shot)
            run.steps.append(StepResult(step.id, step.section, step.text, statuses[step.id],
                                        screenshot=shot))
    return run


def test_update_then_check_round_trips_and_keeps_the_masks(tmp_path: Path) -> None:
    # Given a passed run with a mask on step 2.5
    run = run_of({"2.4": PASSED, "2.5": PASSED}, tmp_path)
    evidence = {"2.5": StepEvidence(2, [{"x": 1, "y": 2, "width": 3, "height": 4}])}

    # When it becomes the baseline (the folder is created)
    said = update_baseline(run, evidence, tmp_path, tmp_path / "new" / "baseline")

    # Then the screenshots and masks are there, and the same run shows no drift against them
    assert said.startswith("baseline updated: 2 screenshots")
    manifest = read_manifest(tmp_path / "new" / "baseline")
    assert manifest["steps"]["2.5"] == {"scale": 2, "masks": evidence["2.5"].masks, "card": None}
    assert (manifest["device"], manifest["lang"]) == ("Desktop", "en")
    drift = check_drift(run, evidence, tmp_path, tmp_path / "new" / "baseline")
    assert [d.status for d in drift.steps] == [UNCHANGED, UNCHANGED] and not drift.drifted


def test_a_failed_run_does_not_replace_the_baseline(tmp_path: Path) -> None:
    run = run_of({"2.4": PASSED, "2.5": FAILED, "2.6": SKIPPED}, tmp_path)
    said = update_baseline(run, {}, tmp_path, tmp_path / "baseline")
    assert said.startswith("baseline not updated: step 2.5 failed")
    assert not (tmp_path / "baseline").exists()


def test_missing_baselines_and_failed_steps_are_listed_not_failed(tmp_path: Path) -> None:
    # Given a baseline with step 2.4 only, and a run where 2.5 failed and 2.6 did not run
    (tmp_path / "baseline").mkdir()
    screen().save(tmp_path / "baseline" / "step-2.4.png")
    run = run_of({"2.3": PASSED, "2.4": PASSED, "2.5": FAILED, "2.6": SKIPPED}, tmp_path)

    drift = check_drift(run, {}, tmp_path, tmp_path / "baseline")

    assert {d.step: d.status for d in drift.steps} == {
        "2.3": NO_BASELINE, "2.4": UNCHANGED, "2.5": NOT_COMPARED, "2.6": NOT_COMPARED}
    assert not drift.drifted
    assert drift.summary()[1:] == ["  no baseline: 2.3", "  not compared: 2.5, 2.6"]
    assert drift.to_dict()["no_baseline"] == ["2.3"]


def test_a_baseline_of_another_device_is_warned_about(tmp_path: Path) -> None:
    (tmp_path / "baseline").mkdir()
    (tmp_path / "baseline" / MANIFEST).write_text(json.dumps(
        {"device": "Pixel 7", "lang": "en", "steps": {}}), "utf-8")
    drift = check_drift(run_of({"2.3": PASSED}, tmp_path), {}, tmp_path, tmp_path / "baseline")
    assert drift.warnings == ["the baseline was taken with device 'Pixel 7', this run used "
                              "'Desktop': most screens will differ"]


@pytest.mark.parametrize("missing", [True, False])
def test_the_headline_says_what_was_compared(tmp_path: Path, missing: bool) -> None:
    (tmp_path / "baseline").mkdir()
    if not missing:
        screen().save(tmp_path / "baseline" / "step-2.3.png")
    drift = check_drift(run_of({"2.3": PASSED}, tmp_path), {}, tmp_path, tmp_path / "baseline")
    assert drift.headline().endswith(
        "no screen had a baseline" if missing else "no screen changed (1 compared)")
