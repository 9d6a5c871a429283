"""Screenshot drift: compare each step's screen with the one kept in a baseline folder.

A writer's published screenshots go stale when the console changes; this says which. Pixels are
compared after masking what differs every run (``e2e.evidence.crops.per_run_boxes``) and after a
small blur, a pixel counts only when it differs clearly and has changed neighbours (antialiasing
moves single pixels, a renamed or moved control changes a patch), and a screen counts as changed
when the changed share of its pixels passes ``SHARE_THRESHOLD`` or its size differs.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image, ImageChops, ImageDraw, ImageFilter

from e2e.evidence.capture import StepEvidence
from e2e.evidence.crops import Box, device_rect
from e2e.evidence.redaction import write_text
from e2e.runner import PASSED, RunResult

CHANGED, UNCHANGED = "changed", "unchanged"
NO_BASELINE, NOT_COMPARED = "no baseline", "not compared"
PIXEL_THRESHOLD = 40  # of 255, per channel, after the blur: what the eye calls "different"
NEIGHBOURS = 3  # changed pixels among the 3x3 around a pixel (itself included) to count it
SHARE_THRESHOLD = 0.0001  # 0.01 %: ~100 px of a 1280x800 page, about one short word
BLUR_RADIUS = 1.0
MASK_PAD = 2  # CSS px: antialiased edges of a masked element are masked too
MANIFEST = "baseline.json"
RED, MASK_GREY = (230, 0, 0), (190, 190, 190)


@dataclass
class Comparison:
    """How one screen compares with its baseline."""

    changed_pixels: int
    total_pixels: int
    size: tuple[int, int]
    baseline_size: tuple[int, int]

    @property
    def share(self) -> float:
        return self.changed_pixels / self.total_pixels if self.total_pixels else 0.0

    @property
    def resized(self) -> bool:
        return self.size != self.baseline_size

    @property
    def changed(self) -> bool:
        return self.resized or self.share > SHARE_THRESHOLD


@dataclass
class Drift:
    """One step's verdict against the baseline, as the reports show it."""

    step: str
    status: str
    message: str
    share: float | None = None
    diff: str | None = None  # diff picture's file name in the report folder

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def masked(image: Image.Image, masks: list[Box], scale: float) -> Image.Image:
    """Return an RGB copy of ``image`` with every mask box filled flat grey."""
    copy = image.convert("RGB")
    draw = ImageDraw.Draw(copy)
    for box in masks:
        draw.rectangle(device_rect(box, scale, MASK_PAD), fill=MASK_GREY)
    return copy


def changed_pixels(current: Image.Image, baseline: Image.Image) -> Image.Image:
    """Return a mode "L" picture, 255 where a pixel changed, of the two images' common area."""
    width, height = min(current.width, baseline.width), min(current.height, baseline.height)
    blur = ImageFilter.GaussianBlur(BLUR_RADIUS)
    a = current.crop((0, 0, width, height)).filter(blur)
    b = baseline.crop((0, 0, width, height)).filter(blur)
    channels = ImageChops.difference(a, b).split()
    strongest = channels[0]
    for channel in channels[1:]:
        strongest = ImageChops.lighter(strongest, channel)
    changed = strongest.point(lambda v: 255 if v > PIXEL_THRESHOLD else 0)
    crowd_level = 255 * NEIGHBOURS // 9
    crowded = changed.filter(ImageFilter.BoxBlur(1)).point(
        lambda v: 255 if v >= crowd_level else 0)
    return ImageChops.darker(changed, crowded)  # changed and not alone


def compare(current: Image.Image, baseline: Image.Image) -> tuple[Comparison, Image.Image]:
    """Compare two (already masked) screens; return the figures and the changed-pixel map.

    Pixels only one of the two pictures has (the page got longer or shorter) count as changed.
    """
    changed = changed_pixels(current, baseline)
    width, height = max(current.width, baseline.width), max(current.height, baseline.height)
    common = changed.width * changed.height
    count = changed.histogram()[255] + (width * height - common)
    return Comparison(count, width * height, current.size, baseline.size), changed


def diff_picture(baseline: Image.Image, current_size: tuple[int, int],
                 changed: Image.Image) -> Image.Image:
    """Draw the changed pixels red over a dimmed baseline; area only one picture has, pink."""
    width = max(baseline.width, current_size[0])
    height = max(baseline.height, current_size[1])
    picture = Image.new("RGB", (width, height), (255, 205, 205))
    dimmed = Image.blend(baseline.convert("L").convert("RGB"),
                         Image.new("RGB", baseline.size, "white"), 0.65)
    common = (min(baseline.width, current_size[0]), min(baseline.height, current_size[1]))
    picture.paste(dimmed.crop((0, 0, *common)), (0, 0))
    visible = changed.filter(ImageFilter.MaxFilter(3))  # a one-pixel stroke is hard to see
    picture.paste(Image.new("RGB", changed.size, RED), (0, 0), visible)
    return picture


def size_message(size: tuple[int, int], baseline: tuple[int, int], scale: float) -> str:
    """Say how a screen's size changed, in CSS px, as a writer measures a page."""
    (width, height), (old_width, old_height) = size, baseline
    parts = []
    if height != old_height:
        longer = "longer" if height > old_height else "shorter"
        parts.append(f"the page got {abs(height - old_height) / scale:.0f} px {longer}")
    if width != old_width:
        wider = "wider" if width > old_width else "narrower"
        parts.append(f"{abs(width - old_width) / scale:.0f} px {wider}")
    return (f"screen size changed from {old_width}x{old_height} to {width}x{height} device px: "
            + " and ".join(parts))


def compare_step(step_id: str, screenshot: Path, evidence: StepEvidence, baseline_dir: Path,
                 kept: dict[str, Any], report_dir: Path) -> Drift:
    """Compare one step's screenshot with ``baseline_dir/step-<id>.png``; write its diff."""
    reference = baseline_dir / f"step-{step_id}.png"
    if not reference.exists():
        return Drift(step_id, NO_BASELINE, f"no baseline: {reference} does not exist")
    scale = evidence.scale
    masks = evidence.masks + [m for m in kept.get("masks", []) if m not in evidence.masks]
    with Image.open(screenshot) as shot, Image.open(reference) as old:
        current, base = masked(shot, masks, scale), masked(old, masks, scale)
    result, changed = compare(current, base)
    if not result.changed:
        return Drift(step_id, UNCHANGED, f"unchanged ({result.share:.3%} of pixels differ)",
                     result.share)
    name = f"step-{step_id}-diff.png"
    diff_picture(base, current.size, changed).save(report_dir / name)
    message = (size_message(result.size, result.baseline_size, scale) if result.resized
               else f"{result.share:.3%} of pixels changed")
    return Drift(step_id, CHANGED, message, result.share, name)


@dataclass
class DriftReport:
    """Every step's verdict against one baseline folder, and what was written to it."""

    baseline_dir: Path
    steps: list[Drift] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    updated: str | None = None  # what --update-baseline did, when asked

    def with_status(self, status: str) -> list[Drift]:
        return [drift for drift in self.steps if drift.status == status]

    @property
    def drifted(self) -> bool:
        return bool(self.with_status(CHANGED))

    def of(self, step_id: str) -> Drift | None:
        return next((drift for drift in self.steps if drift.step == step_id), None)

    def to_dict(self) -> dict[str, Any]:
        return {"dir": str(self.baseline_dir), "share_threshold": SHARE_THRESHOLD,
                "changed": [d.step for d in self.with_status(CHANGED)],
                "unchanged": [d.step for d in self.with_status(UNCHANGED)],
                "no_baseline": [d.step for d in self.with_status(NO_BASELINE)],
                "not_compared": [d.step for d in self.with_status(NOT_COMPARED)],
                "warnings": self.warnings, "updated": self.updated}

    def headline(self) -> str:
        """Say in one line how many screens changed since the baseline."""
        changed = len(self.with_status(CHANGED))
        compared = changed + len(self.with_status(UNCHANGED))
        if not compared:
            return f"screenshot drift against {self.baseline_dir}: no screen had a baseline"
        return (f"screenshot drift against {self.baseline_dir}: "
                + (f"{changed} of {compared} screens changed" if changed
                   else f"no screen changed ({compared} compared)"))

    def summary(self) -> list[str]:
        """Say, in a few terminal lines, which screens changed and which had nothing to compare."""
        changed = self.with_status(CHANGED)
        lines = [self.headline()]
        lines += [f"  {d.step:>4}  changed: {d.message}; diff {d.diff}" for d in changed]
        for status in (NO_BASELINE, NOT_COMPARED):
            if ids := [d.step for d in self.with_status(status)]:
                lines.append(f"  {status}: {', '.join(ids)}")
        lines += [f"  warning: {warning}" for warning in self.warnings]
        if self.updated:
            lines.append(f"  {self.updated}")
        return lines


def check_drift(result: RunResult, evidence: dict[str, StepEvidence], report_dir: Path,
                baseline_dir: Path) -> DriftReport:
    """Compare every passed step's screenshot with the baseline's; write diffs in report_dir."""
    manifest = read_manifest(baseline_dir)
    report = DriftReport(baseline_dir, warnings=_mismatches(manifest, result))
    for step in result.steps:
        if step.status != PASSED or step.screenshot != f"step-{step.id}.png":
            why = "the step failed" if step.screenshot else "the step has no screenshot"
            report.steps.append(Drift(step.id, NOT_COMPARED, f"not compared: {why}"))
            continue
        kept = manifest["steps"].get(step.id, {})
        report.steps.append(compare_step(step.id, report_dir / step.screenshot,
                                         evidence.get(step.id, StepEvidence()), baseline_dir,
                                         kept, report_dir))
    return report


def _mismatches(manifest: dict[str, Any], result: RunResult) -> list[str]:
    """Warn when the baseline was taken as another device or in another language."""
    warnings = []
    for key in ("device", "lang"):
        if manifest.get(key) not in (None, getattr(result, key)):
            warnings.append(f"the baseline was taken with {key} {manifest[key]!r}, this run "
                            f"used {getattr(result, key)!r}: most screens will differ")
    return warnings


def update_baseline(result: RunResult, evidence: dict[str, StepEvidence], report_dir: Path,
                    baseline_dir: Path) -> str:
    """Make this run's screenshots and masks the baseline, when every step passed.

    A failed run's screens are not the article's, so it leaves the baseline as it was.
    """
    if not result.passed:
        failed = result.failed_step
        return (f"baseline not updated: step {failed.id if failed else '?'} failed, "
                "and a baseline must show every step")
    baseline_dir.mkdir(parents=True, exist_ok=True)
    for old in baseline_dir.glob("step-*.png"):
        old.unlink()
    for step in result.steps:
        assert step.screenshot is not None
        shutil.copyfile(report_dir / step.screenshot, baseline_dir / f"step-{step.id}.png")
    about = {"device": result.device, "lang": result.lang, "taken_at": result.started_at}
    write_manifest(baseline_dir, about, {s.id: evidence.get(s.id, StepEvidence())
                                         for s in result.steps})
    return f"baseline updated: {len(result.steps)} screenshots written to {baseline_dir}"


def read_manifest(baseline_dir: Path) -> dict[str, Any]:
    """Return the baseline's ``baseline.json`` (per step: scale and masks), or an empty one."""
    path = baseline_dir / MANIFEST
    if not path.exists():
        return {"steps": {}}
    return json.loads(path.read_text("utf-8"))


def write_manifest(baseline_dir: Path, about: dict[str, str],
                   steps: dict[str, StepEvidence]) -> None:
    """Write ``baseline.json``: where the screenshots came from and each one's masks."""
    data = {**about, "steps": {step_id: asdict(evidence) for step_id, evidence in steps.items()}}
    write_text(baseline_dir / MANIFEST, json.dumps(data, indent=2) + "\n")
