"""Run the procedure's steps in a browser page, with evidence per step.

For each step: show its screen, note which of the article's labels are visible, take the
screenshot, act, check. The first failure stops the run (later steps depend on it) and is kept
with its own screenshot.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page

from e2e import cleanup, reauth
from e2e.authenticator import Authenticator
from e2e.diagnosis import found_nothing, missing_words
from e2e.evidence.geometry import page_box
from e2e.evidence.masking import Masked, UnmaskableImage, mask_image_file
from e2e.labels import Labels
from e2e.procedure import (
    FOUND_NOTHING,
    NOT_CHECKED,
    PROCEDURE,
    QR_NAMED,
    Context,
    Step,
    StepFailed,
    SubStep,
    known_secrets,
)
from e2e.target import Credentials, Target

PASSED, FAILED, SKIPPED = "passed", "failed", "skipped"
UNMASKED_EVIDENCE = "unmasked_evidence"  # ctx.notes key: keep screenshots as taken (mock only)
INTERRUPTED = "interrupted"  # result.notes key: Ctrl-C or SIGTERM stopped the run at a step
Inspector = Callable[[Context, Step], None]
MAX_ERROR_LINES = 12


@dataclass
class StepResult:
    """What happened at one step, and the evidence for it."""

    id: str
    section: str
    text: str
    status: str = SKIPPED
    seconds: float = 0.0
    url: str = ""
    labels: dict[str, bool] = field(default_factory=dict)  # label text -> seen on screen
    screenshot: str | None = None  # file name inside the evidence folder
    focus_box: dict[str, float] | None = None  # the element the step acts on, page coordinates
    error: str | None = None
    masked: list[dict[str, Any]] = field(default_factory=list)  # regions painted over (masking)
    substeps: list[SubStep] = field(default_factory=list)  # screens the article never mentions


@dataclass
class RunResult:
    """One pass through the article."""

    target: str
    account: str
    lang: str
    device: str
    started_at: str
    seconds: float = 0.0
    steps: list[StepResult] = field(default_factory=list)
    notes: dict[str, Any] = field(default_factory=dict)
    # e2e.checks.posture checks, as dicts
    posture: list[dict[str, str]] = field(default_factory=list)
    cleanup: dict[str, Any] | None = None  # e2e.cleanup.Cleanup, as a dict

    @property
    def passed(self) -> bool:
        """Every step passed, and the account was left as found."""
        return (bool(self.steps) and all(step.status == PASSED for step in self.steps)
                and (self.cleanup is None or bool(self.cleanup["ok"])))

    @property
    def failed_step(self) -> StepResult | None:
        return next((step for step in self.steps if step.status == FAILED), None)

    @property
    def failure(self) -> str:
        """The first failed step's message ("step 2.6 (...) failed: ..."), or "" if none failed."""
        failed = self.failed_step
        if failed is not None:
            return failed.error or f"step {failed.id} failed"
        if self.cleanup is not None and not self.cleanup["ok"]:
            return f"cleanup failed: {self.cleanup['error']}"
        return ""

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["passed"] = self.passed
        return data


def substep_line(sub: SubStep) -> str:
    """One line for a sub-step in every report: what the console asked, what the harness did,
    the result and the time (never the answer given)."""
    verdict = "passed" if sub.status == PASSED else f"FAILED: {sub.error}"
    return f"{sub.text} ({verdict}, {sub.seconds:.2f} s)"


def combine(*inspectors: Inspector | None) -> Inspector | None:
    """One inspector that calls each given one in turn (None when none is given)."""
    present = [i for i in inspectors if i is not None]
    if not present:
        return None

    def inspect_all(ctx: Context, step: Step) -> None:
        for inspector in present:
            inspector(ctx, step)

    return inspect_all


def run_procedure(
    page: Page,
    target: Target,
    labels: Labels,
    *,
    account: Credentials | None = None,
    steps: Sequence[Step] = PROCEDURE,
    record_from: str | None = None,
    evidence_dir: Path | None = None,
    device: str = "Desktop",
    on_step: Callable[[StepResult], None] | None = None,
    inspect: Inspector | None = None,
    unmasked_evidence: bool = False,
    leave_as_found: bool = True,
) -> RunResult:
    """Run ``steps`` for a (new) account; steps before ``record_from`` run unrecorded as setup.

    ``inspect(ctx, step)`` is called whenever a recorded step's screen is observed (after its
    ``show``, at any point the step itself asks, and on failure), for checks such as doc-check's.
    Screenshots have the QR code, the key and the Recovery Code painted out
    (``e2e.evidence.masking``) unless ``unmasked_evidence`` (for debugging the QR reader on the
    embedded mock; the CLI allows it nowhere else); only then is a QR code that cannot be read
    kept too.
    With ``leave_as_found`` the run ends signed out, and 2SV off again if it may have been left
    on (``e2e.cleanup``); ``result.cleanup`` says what was done. That holds when the run is
    interrupted (``KeyboardInterrupt``: Ctrl-C, or SIGTERM as the CLI turns it) too: the step
    under way is reported as interrupted, cleanup runs, and ``result.notes["interrupted"]`` is
    set; a second interrupt during cleanup stops it.
    """
    account = account or target.new_account()
    ctx = Context(page=page, target=target, labels=labels, account=account,
                  authenticator=Authenticator(target))
    reauth.watch(ctx)  # a re-authentication prompt, wherever it comes, becomes a sub-step
    if evidence_dir is not None:
        evidence_dir.mkdir(parents=True, exist_ok=True)
        if unmasked_evidence:
            ctx.notes[UNMASKED_EVIDENCE] = True
            ctx.notes["evidence_dir"] = evidence_dir  # an unreadable QR code's picture, unmasked
    result = RunResult(target=target.describe(), account=account.username, lang=labels.lang,
                       device=device, started_at=datetime.now(UTC).isoformat(timespec="seconds"))
    recording, failed, interrupted = record_from is None, False, False
    started = time.perf_counter()
    for step in steps:
        recording = recording or step.id == record_from
        if failed:
            outcome = StepResult(step.id, step.section, step.text,
                                 error="not run: the run was interrupted" if interrupted
                                 else "not run: an earlier step failed")
        else:
            try:
                outcome = _run_step(ctx, step, evidence_dir if recording else None,
                                    inspect if recording else None)
            except KeyboardInterrupt:  # Ctrl-C, or SIGTERM as the CLI turns it: clean up first
                interrupted = True
                outcome = StepResult(step.id, step.section, step.text, status=FAILED,
                                     url=ctx.page.url, error=f"step {step.id} ({step.text}) "
                                     "was interrupted (Ctrl-C or SIGTERM): the run stopped here")
            failed = outcome.status == FAILED
            if failed and not recording:  # the setup failed: report it, it is why nothing ran
                outcome.error = f"setup for step {record_from} failed: {outcome.error}"
        if recording or outcome.status == FAILED:
            result.steps.append(outcome)
            if on_step is not None:
                on_step(outcome)
    # An interrupted run against a mock with a test API stops at once: its accounts are
    # throwaway, and a Ctrl-C in a terminal has most likely stopped the embedded mock too.
    if leave_as_found and not (interrupted and target.has_test_api):
        result.cleanup = cleanup.leave_as_found(ctx).to_dict()
    result.seconds = time.perf_counter() - started
    result.notes = {k: v for k, v in ctx.notes.items()
                    if k in ("otpauth_warnings", NOT_CHECKED) and v}
    if QR_NAMED in ctx.notes:  # False: the QR code had no name a screen reader announces
        result.notes[QR_NAMED] = bool(ctx.notes[QR_NAMED])
    if interrupted:
        result.notes[INTERRUPTED] = True
    return result


def _run_step(ctx: Context, step: Step, evidence_dir: Path | None,
              inspect: Inspector | None = None) -> StepResult:
    outcome = StepResult(step.id, step.section, step.text)
    started = time.perf_counter()
    observed = False
    met_before = len(ctx.substeps)

    def observe() -> None:
        nonlocal observed
        observed = True
        for key in step.labels:
            text = ctx.labels[key]
            if not outcome.labels.get(text):
                visible = ctx.page.get_by_text(text, exact=True).filter(visible=True)
                outcome.labels[text] = visible.count() > 0
        if inspect is not None:
            inspect(ctx, step)

    ctx.observe = observe
    try:
        step.show(ctx)
        observe()
        if evidence_dir is not None:
            _capture(ctx, step, outcome, evidence_dir, suffix="")
        step.act(ctx)
        step.check(ctx)
        outcome.status = PASSED
    except Exception as error:  # noqa: BLE001 - any failure is the step's; the run reports it
        outcome.status = FAILED
        outcome.error = f"step {step.id} ({step.text}) failed: {_describe(error)}"
        if (refused := reauth.failure_of(ctx.substeps[met_before:])) is not None:
            outcome.error = f"step {step.id} ({step.text}) failed: {refused}\n{_describe(error)}"
        if not observed:  # the screen did not come up as expected: still record what is there
            with contextlib.suppress(Exception):
                observe()
        if found_nothing(error) is not None:  # name the catalogue words missing
            ctx.notes[FOUND_NOTHING] = step.id  # and what is there instead
            outcome.error += _missing_words_line(ctx, step, error)
        if evidence_dir is not None:
            try:
                _capture(ctx, step, outcome, evidence_dir, suffix="-failure")
            except UnmaskableImage as unmaskable:
                outcome.error += f" (no failure screenshot: {unmaskable})"
    finally:
        ctx.observe = lambda: None
    outcome.seconds = time.perf_counter() - started
    outcome.url = ctx.page.url
    outcome.substeps = ctx.substeps[met_before:]
    for letter, sub in zip("abcdefghijklmnopqrstuvwxyz", outcome.substeps, strict=False):
        sub.id = f"{step.id}{letter}"
    return outcome


def _capture(ctx: Context, step: Step, outcome: StepResult, folder: Path, suffix: str) -> None:
    """Save the full-page screenshot, secrets painted out, and where the step's element sits."""
    name = f"step-{step.id}{suffix}.png"
    try:
        png = ctx.page.screenshot(full_page=True, animations="disabled")
        regions: list[Masked] = []
        if not ctx.notes.get(UNMASKED_EVIDENCE):
            png, regions = mask_image_file(png, ctx.page, ctx.labels, known_secrets(ctx))
    except PlaywrightError:
        return  # a page that is gone cannot be captured; the error says why the step failed
    (folder / name).write_bytes(png)
    outcome.screenshot = name
    outcome.masked += [{**region.to_dict(), "picture": name} for region in regions]
    if step.focus is not None and not suffix:
        outcome.focus_box = page_box(ctx.page, step.focus(ctx).first)


def _missing_words_line(ctx: Context, step: Step, error: BaseException) -> str:
    """"\n" and the words a locator that found nothing looked for, with what the screen shows
    instead ("" when ``error`` is no such failure or the screen cannot tell)."""
    missing = found_nothing(error)
    if missing is None:
        return ""
    try:
        hint = missing_words(ctx.page, ctx.labels, str(missing), known_secrets(ctx),
                             keys=step.labels)
    except Exception:  # noqa: BLE001 - a hint never hides the failure it would explain
        return ""
    return f"\n{hint}" if hint else ""


def _describe(error: BaseException) -> str:
    """Return an error's message, trimmed to what a person reads in a terminal."""
    lines = [line for line in str(error).strip().splitlines() if line.strip()]
    if not lines:
        return type(error).__name__
    text = "\n".join(lines[:MAX_ERROR_LINES])
    return text if len(lines) <= MAX_ERROR_LINES else text + "\n..."


def advance_to(page: Page, target: Target, labels: Labels, account: Credentials,
               through: str, authenticator: Authenticator | None = None,
               answer_reauth: bool = True) -> Context:
    """Run the article's steps up to and including ``through``, unrecorded; return the context.

    Tests use it to reach a precondition the way a user would (for example ``"2.4"``: the QR code
    page is open; ``"2.5"``: the app has scanned it; ``"2.7"``: 2SV is on and the user signed in
    again with a code, the Recovery Code in ``ctx.notes["recovery_code"]``). Raises the step's
    failure when one fails. A re-authentication prompt is answered on the way (and afterwards,
    by the page's handler) unless ``answer_reauth`` is False: a test of the prompt answers it.
    """
    ctx = Context(page=page, target=target, labels=labels, account=account,
                  authenticator=authenticator if authenticator is not None
                  else Authenticator(target))
    if answer_reauth:
        reauth.watch(ctx)
    else:
        reauth.stop_watching(ctx)
    cleanup.track(ctx)  # the pytest plugin's finalizer leaves the account as found
    for step in PROCEDURE:
        met_before = len(ctx.substeps)
        try:
            step.show(ctx)
            step.act(ctx)
            step.check(ctx)
        except Exception as error:  # noqa: BLE001 - reported as the article step it happened at
            refused = reauth.failure_of(ctx.substeps[met_before:])
            raise StepFailed(f"step {step.id} ({step.text}) failed while reaching the "
                             f"precondition of a test (step {through}): "
                             f"{refused + chr(10) if refused else ''}{_describe(error)}"
                             f"{_missing_words_line(ctx, step, error)}") from error
        if step.id == through:
            return ctx
    raise ValueError(f"no step {through!r} in the procedure; steps: {[s.id for s in PROCEDURE]}")
