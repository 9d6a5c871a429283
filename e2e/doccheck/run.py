"""Check a help article against the console: is each string it quotes on screen at its step?

Each article step maps to the procedure step that performs it (the same id; a sub-procedure item
"2.5/3" and a note "2.7/note" belong to their step). The procedure runs once, and at every screen
a step shows, each quoted string of that step is looked for exactly, by what a user sees it as (a
button, a link, a heading, a field label, a row name, a menu item, plain text); when it is not
there, the nearest visible string is found by similarity. Each quoted string ends up:

- ``verified``: on screen exactly, as the kind recorded;
- ``different``: not exactly, but the nearest string is close (similarity >= 0.75, or the same
  words apart from case, hyphens and spaces, like "2-Step" against "2 Step");
- ``missing``: nothing close; the nearest string is still named, preferring the element that
  now sits where the step acts (a renamed button in its row);
- ``app``: quoted in a step performed in the authenticator app, not on the console;
- ``not reached``: the run stopped before the step's screen (the failure is shown);
- ``no procedure step``: the article has a step the procedure does not know.

Procedure steps the article never mentions are listed as ``not in article``, and so are screens
the console put inside a step (a re-authentication prompt, a sub-step "2.4a"). The article's own
inconsistencies (one term spelt two ways, an element called a page that the screen shows as a menu
item) are listed as notes, derived from the quotes and what was found, never hidden.

Exit status: 0 when every quoted console string is verified and the article's steps and the
procedure's match one to one; 1 on drift; 2 when the article cannot be read or the run cannot
start. Drift includes ``not in article``: the procedure is the article as data, so a procedure
step the article does not mention means the article lost a step the console needs (a reader gets
stuck) or the procedure is stale; either way someone must act before a release. A step whose run
failed is drift too, even if its strings were verified: the article promises the step works.
"""

from __future__ import annotations

import contextlib
import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page

from e2e.doccheck.article import Article, ArticleStep
from e2e.doccheck.match import (
    EXPECTED_KINDS,
    difference,
    expected_kinds,
    in_place,
    is_near,
    nearest,
    said_as,
    search_order,
    spelling_variants,
    unquoted,
)
from e2e.doccheck.screen import (
    Box,
    Candidate,
    locate,
    locator_box,
    snapshot,
    visible_strings,
)
from e2e.labels import Labels
from e2e.procedure import PROCEDURE, Context, Step, known_secrets
from e2e.runner import FAILED, RunResult, StepResult, run_procedure
from e2e.target import Credentials, Target

VERIFIED, DIFFERENT, MISSING, APP = "verified", "different", "missing", "app"
NOT_REACHED, NO_PROCEDURE_STEP = "not reached", "no procedure step"
NOT_IN_ARTICLE = "not in article"
DRIFT_RESULTS = frozenset({DIFFERENT, MISSING, NOT_REACHED, NO_PROCEDURE_STEP})
RANK = {VERIFIED: 3, DIFFERENT: 2, MISSING: 1}
EXIT_VERIFIED, EXIT_DRIFT = 0, 1

# Steps the authenticator app performs (the virtual authenticator here): what they quote is the
# app's screen, which the console never shows. Keyed by step, so every item under it follows.
APP_STEPS: dict[str, str] = {
    "2.5": "in the authenticator app, performed by the virtual authenticator",
}


# -- the model --------------------------------------------------------------------------------

@dataclass
class QuoteCheck:
    """What became of one quoted string of one article step."""

    step: str
    quoted: str
    result: str
    said_as: str | None = None  # what the article calls it: button, page, link, field, menu
    found_as: str | None = None  # the kind it was found as, when verified
    box: Box | None = None
    nearest: str | None = None
    nearest_as: str | None = None
    nearest_box: Box | None = None
    similarity: float | None = None
    difference: str | None = None  # how the nearest differs: spacing, case, hyphen..., wording
    in_its_place: bool = False  # the nearest is the element where the step acts
    observation: int | None = None  # which look at the procedure step's screen decided it
    reason: str | None = None

    @property
    def drift(self) -> bool:
        return self.result in DRIFT_RESULTS


@dataclass
class Observation:
    """One look at a procedure step's screen: where, what it was headed, and its picture."""

    step: str
    index: int
    moment: str
    url: str
    headings: list[str]
    scale: float
    png: bytes = field(repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if k != "png"}


@dataclass
class StepCheck:
    """One article step: the procedure step that performs it, how that ran, and its quotes."""

    id: str
    text: str
    section: str
    parent: str | None
    procedure_step: str | None
    run_status: str  # passed, failed, skipped (not run), or "no procedure step"
    error: str | None = None
    quotes: list[QuoteCheck] = field(default_factory=list)


@dataclass
class DocCheck:
    """The whole check: every article step, unmentioned procedure steps, notes, pictures."""

    article: str
    title: str
    target: str
    device: str
    lang: str
    started_at: str
    seconds: float = 0.0
    steps: list[StepCheck] = field(default_factory=list)
    not_in_article: list[dict[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    observations: dict[str, list[Observation]] = field(default_factory=dict)
    cleanup: dict[str, Any] | None = None  # how the run left the account (e2e.cleanup)

    @property
    def quotes(self) -> list[QuoteCheck]:
        return [quote for step in self.steps for quote in step.quotes]

    def drift(self) -> list[str]:
        """Say, one line each, what keeps the article from being verified."""
        found = [f"{q.step} [{q.quoted}]: {q.result}" + (f' (nearest "{q.nearest}")'
                                                          if q.nearest else "")
                 for q in self.quotes if q.drift and q.result != NOT_REACHED]
        unreached = [q for q in self.quotes if q.result == NOT_REACHED]
        if unreached:
            steps = list(dict.fromkeys(q.step for q in unreached))
            found.append(f"{len(unreached)} quoted string(s) not reached at {', '.join(steps)}")
        found += [f"{s.id}: no procedure step" for s in self.steps
                  if s.run_status == NO_PROCEDURE_STEP]
        failed = {s.procedure_step for s in self.steps if s.run_status == FAILED}
        found += [f"{step_id}: the step failed" for step_id in sorted(failed, key=_step_key)]
        found += [f"{p['id']}: not in article" for p in self.not_in_article]
        if self.cleanup is not None and not self.cleanup["ok"]:  # the account not left as found
            found.append(f"cleanup failed: {self.cleanup['error']}")
        return found

    @property
    def passed(self) -> bool:
        return not self.drift()

    @property
    def exit_code(self) -> int:
        return EXIT_VERIFIED if self.passed else EXIT_DRIFT

    def counts(self) -> dict[str, int]:
        """Count the quoted strings per result, and the unmentioned procedure steps."""
        counts: dict[str, int] = defaultdict(int)
        for quote in self.quotes:
            counts[quote.result] += 1
        if self.not_in_article:
            counts[NOT_IN_ARTICLE] = len(self.not_in_article)
        return dict(counts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "article": self.article, "title": self.title, "target": self.target,
            "device": self.device, "lang": self.lang, "started_at": self.started_at,
            "seconds": round(self.seconds, 2), "passed": self.passed,
            "exit_code": self.exit_code, "counts": self.counts(), "drift": self.drift(),
            "steps": [asdict(step) for step in self.steps],
            "not_in_article": self.not_in_article, "notes": self.notes,
            "observations": {k: [o.to_dict() for o in v] for k, v in self.observations.items()},
            "cleanup": self.cleanup,
        }


def _step_key(step_id: str | None) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", step_id or ""))


# -- mapping the article onto the procedure ------------------------------------------------------

def procedure_step_id(article_step_id: str) -> str:
    """Return the procedure step an article step belongs to: "2.5/3" and "2.7/note" -> own step."""
    return article_step_id.split("/", 1)[0]


def in_app(step: ArticleStep) -> str | None:
    """Say why a step's quotes are not on the console (the app performs it), or None."""
    return APP_STEPS.get(procedure_step_id(step.id))


@dataclass(frozen=True)
class Wanted:
    """A quoted console string to look for at a procedure step's screen."""

    step: str  # article step id
    index: int  # position among the article step's quotes
    quoted: str
    said_as: str | None
    expected: tuple[str, ...]  # kinds the article's words imply, looked for first


def wanted_strings(article: Article) -> dict[str, list[Wanted]]:
    """Group the article's console quotes by the procedure step whose screen should show them."""
    wanted: dict[str, list[Wanted]] = defaultdict(list)
    for step in article.steps:
        if in_app(step):
            continue
        for index, quoted in enumerate(step.quoted):
            said = said_as(step.text, quoted)
            wanted[procedure_step_id(step.id)].append(
                Wanted(step.id, index, quoted, said, expected_kinds(step.text, quoted, said)))
    return dict(wanted)


# -- matching -----------------------------------------------------------------------------

def judge(wanted: Wanted, found: Candidate | None, candidates: Sequence[Candidate] = (),
          place: Sequence[Candidate] = ()) -> QuoteCheck:
    """Classify one quoted string at one screen: verified, different or missing."""
    check = QuoteCheck(wanted.step, wanted.quoted, MISSING, said_as=wanted.said_as)
    if found is not None:
        check.result, check.found_as, check.box = VERIFIED, found.kind, found.box
        return check
    best = nearest(wanted.quoted, candidates, wanted.expected)
    if best is not None and best[0].text == " ".join(wanted.quoted.split()):
        check.result, check.found_as, check.box = VERIFIED, best[0].kind, best[0].box
        return check
    if best is not None and is_near(wanted.quoted, best[0].text, best[1]):
        check.result = DIFFERENT
    else:
        replacement = nearest(wanted.quoted, place, wanted.expected)
        best = replacement or best
        check.in_its_place = replacement is not None
    if best is not None:
        candidate, score = best
        check.nearest, check.nearest_as, check.nearest_box = (candidate.text, candidate.kind,
                                                              candidate.box)
        check.similarity, check.difference = score, difference(wanted.quoted, candidate.text)
    return check


def better(new: QuoteCheck, old: QuoteCheck | None) -> bool:
    """Keep the best look at a string across a step's screens: verified, then the closest."""
    if old is None:
        return True
    return (RANK.get(new.result, 0), new.similarity or 0) > (RANK.get(old.result, 0),
                                                             old.similarity or 0)


# -- putting the run and the looks together -------------------------------------------------------

def assemble(article: Article, run: RunResult, looks: dict[tuple[str, int], QuoteCheck],
             procedure: Sequence[Step] = PROCEDURE) -> tuple[list[StepCheck], list[dict[str, str]]]:
    """Return each article step's check and the procedure steps the article never mentions."""
    known = {step.id for step in procedure}
    outcomes = {outcome.id: outcome for outcome in run.steps}
    checks = [_step_check(step, known, outcomes.get(procedure_step_id(step.id)), run, looks)
              for step in article.steps]
    mentioned = {procedure_step_id(step.id) for step in article.steps}
    unmentioned = [{"id": step.id, "text": step.text} for step in procedure
                   if step.id not in mentioned]
    # Screens the console put inside a step (a re-authentication prompt): no article step can
    # name them, so a reader meets a screen the article never mentions
    unmentioned += [{"id": sub.id, "text": sub.text} for outcome in run.steps
                    for sub in outcome.substeps]
    return checks, unmentioned


def _step_check(step: ArticleStep, known: set[str], outcome: StepResult | None, run: RunResult,
                looks: dict[tuple[str, int], QuoteCheck]) -> StepCheck:
    procedure_id = procedure_step_id(step.id)
    if procedure_id not in known:
        reason = f"the procedure has no step {procedure_id}, so nothing performs this step"
        quotes = [QuoteCheck(step.id, q, NO_PROCEDURE_STEP, said_as=said_as(step.text, q),
                             reason=reason) for q in step.quoted]
        return StepCheck(step.id, step.text, step.section, step.parent, None, NO_PROCEDURE_STEP,
                         reason, quotes)
    status = outcome.status if outcome is not None else "skipped"
    error = outcome.error if outcome is not None and outcome.status == FAILED else None
    check = StepCheck(step.id, step.text, step.section, step.parent, procedure_id, status, error)
    app = in_app(step)
    for index, quoted in enumerate(step.quoted):
        said = said_as(step.text, quoted)
        if app:
            check.quotes.append(QuoteCheck(step.id, quoted, APP, said_as=said, reason=app))
        elif (step.id, index) in looks:
            check.quotes.append(looks[(step.id, index)])
        else:
            check.quotes.append(QuoteCheck(step.id, quoted, NOT_REACHED, said_as=said,
                                           reason=_why_not_reached(outcome, run)))
    return check


def _why_not_reached(outcome: StepResult | None, run: RunResult) -> str:
    """Say briefly why a quote was never looked for; the failure itself is shown once, apart."""
    if outcome is not None and outcome.status == FAILED:
        return f"step {outcome.id} failed before its screen came up"
    stopped = run.failed_step
    if stopped is not None:
        return f"the run stopped at step {stopped.id}, before this step"
    return "the step's screen was never observed"


def cross_reference(checks: Sequence[StepCheck]) -> None:
    """Tell an unreached quote what became of the same string where it was reached.

    "3.2 [Change] not reached" alone hides that the button is gone; "missing at 2.3 (nearest
    "Edit")" tells the writer that 3.2 needs the same fix.
    """
    judged = {}
    for quote in (q for step in checks for q in step.quotes):
        if quote.result in (DIFFERENT, MISSING) and quote.quoted not in judged:
            judged[quote.quoted] = quote
    for quote in (q for step in checks for q in step.quotes if q.result == NOT_REACHED):
        seen = judged.get(quote.quoted)
        if seen is not None:
            nearest_text = f' (nearest "{seen.nearest}")' if seen.nearest else ""
            quote.reason = f"{quote.reason}; {seen.result} at {seen.step}{nearest_text}"


# -- the article's own inconsistencies --------------------------------------------------------

def spelling_notes(article: Article, checks: Sequence[StepCheck]) -> list[str]:
    """Note each term the article spells two ways, where each spelling is, and what the screen
    showed for the quotes that hold it."""
    console = [q for s in checks for q in s.quotes if q.result != APP]
    notes = []
    for spellings in spelling_variants(q.quoted for q in console).values():
        parts, screen = [], {}
        for spelling in sorted(spellings, key=lambda s: (-len(_quoted_in(console, s)), s)):
            quoted_at = _quoted_in(console, spelling)
            prose = _prose_places(article, spelling)
            where = f"quoted at {', '.join(quoted_at)}" if quoted_at else "not quoted"
            also = f"; also in {'; '.join(prose)}" if prose else ""
            parts.append(f'"{spelling}" ({where}{also})')
            screen[spelling] = [q for q in console if spelling in q.quoted and q.result in RANK]
        notes.append(f"The article spells one term {len(spellings)} ways: {' and '.join(parts)}."
                     f" {_screen_verdict(screen)}Pick one spelling for the article and the "
                     "console.")
    return notes


def _screen_verdict(by_spelling: dict[str, list[QuoteCheck]]) -> str:
    """Say what the screen showed for the quotes holding each spelling (only those reached)."""
    reached = [q for quotes in by_spelling.values() for q in quotes]
    changed = [q for q in reached if q.result != VERIFIED]
    if changed:
        listed = "; ".join(f'{q.step} [{q.quoted}] is {q.result} (screen: "{q.nearest}")'
                           for q in changed)
        return f"On screen: {listed}. "
    if all(by_spelling.values()):
        return "Each quote was verified as spelt, so the console shows both spellings too. "
    return ""


def _quoted_in(quotes: Sequence[QuoteCheck], spelling: str) -> list[str]:
    return list(dict.fromkeys(q.step for q in quotes if spelling in q.quoted))


def _prose_places(article: Article, spelling: str) -> list[str]:
    """Return where the article's own sentences (not its quotes) use a spelling."""
    steps = [s.id for s in article.steps if spelling in unquoted(s.text)]
    places = [f"the text of {_and(steps)}"] if steps else []
    sections = list(dict.fromkeys(s.section for s in article.steps if spelling in s.section))
    if sections:
        places.append("the section title" + ("s " if len(sections) > 1 else " ")
                      + _and([f'"{section}"' for section in sections]))
    if spelling in article.title:
        places.append(f'the title "{article.title}"')
    return places


def _and(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def kind_notes(checks: Sequence[StepCheck], observations: dict[str, list[Observation]]
               ) -> list[str]:
    """Note quotes the article calls one thing (a page) that the screen shows as another."""
    notes = []
    for step in checks:
        for quote in step.quotes:
            expected = EXPECTED_KINDS.get(quote.said_as or "")
            if quote.result != VERIFIED or not expected or quote.found_as in expected:
                continue
            note = (f'{quote.step} calls [{quote.quoted}] a {quote.said_as}, but the screen shows '
                    f'"{quote.quoted}" as a {quote.found_as}')
            looks = observations.get(step.procedure_step or "", [])
            headings = [h for h in (looks[-1].headings if looks else []) if h != quote.quoted]
            if quote.said_as == "page" and headings:
                note += f'; the page this step reaches is headed "{headings[0]}"'
            notes.append(note + ".")
    return notes


# -- running it ------------------------------------------------------------------------------

class _Looker:
    """The runner's inspector: at every screen a step shows, look for the step's quotes."""

    def __init__(self, article: Article, page: Page, procedure: Sequence[Step]) -> None:
        self.page = page
        self.procedure = list(procedure)
        self.wanted = wanted_strings(article)
        self.mapped = {procedure_step_id(step.id) for step in article.steps}
        self.looks: dict[tuple[str, int], QuoteCheck] = {}
        self.observations: dict[str, list[Observation]] = defaultdict(list)
        self._ctx: Context | None = None

    def inspect(self, ctx: Context, step: Step) -> None:
        self._ctx = ctx
        try:
            self._look(step, f"screen {len(self.observations[step.id]) + 1}")
        except PlaywrightError:
            # The page moved on while it was read (a navigation mid-evaluate). Looking must never
            # fail the step it looks at; the quotes are judged at the step's other screens, or
            # end up "not reached".
            return

    def after_step(self, outcome: StepResult) -> None:
        """Look at the screen a failed step stopped on for the next step's quotes.

        A step's check waits for the next step's screen ("2.2" clicks, then expects the row with
        "Change" that 2.3 is about), so when that screen comes up changed, the run stops one step
        early. The screen counts as the next step's only if the failed step got somewhere (the
        URL changed since its own screen) and one of the next step's quotes is there exactly: a
        step that failed before leaving its screen says nothing about the next one.
        """
        if outcome.status != FAILED or self._ctx is None:
            return
        ids = [step.id for step in self.procedure]
        position = ids.index(outcome.id) if outcome.id in ids else len(ids)
        own = self.observations.get(outcome.id) or []
        if own and own[-1].url == self.page.url:
            return
        if position + 1 < len(ids) and self.wanted.get(ids[position + 1]):
            with contextlib.suppress(PlaywrightError):
                self._look(self.procedure[position + 1], f"where step {outcome.id} stopped",
                           need_anchor=True)

    def _look(self, step: Step, moment: str, *, need_anchor: bool = False) -> None:
        if step.id not in self.mapped:
            return
        wanted = self.wanted.get(step.id, [])
        screen: list[Candidate] | None = None
        focus: Box | None = None
        results: list[tuple[Wanted, QuoteCheck]] = []
        for item in wanted:
            found = locate(self.page, item.quoted, search_order(item.expected))
            if found is None and screen is None:
                screen, focus = visible_strings(self.page), self._focus(step)
            place = in_place(screen or [], focus, item.expected, [w.quoted for w in wanted])
            results.append((item, judge(item, found, screen or [], place)))
        if need_anchor and not any(check.result == VERIFIED for _, check in results):
            return
        index = self._keep_picture(step, moment)
        for item, check in results:
            check.observation = index
            key = (item.step, item.index)
            if better(check, self.looks.get(key)):
                self.looks[key] = check

    def _focus(self, step: Step) -> Box | None:
        """Return where the step acts (its row, its button), for a renamed element's place."""
        if step.focus is None or self._ctx is None:
            return None
        try:
            return locator_box(self.page, step.focus(self._ctx))
        except Exception:  # noqa: BLE001 - a focus that cannot be built just means no place
            return None

    def _keep_picture(self, step: Step, moment: str) -> int | None:
        ctx = self._ctx
        if ctx is None:  # no run context, no way to find the secrets to paint out: no picture
            return None
        shot = snapshot(self.page, ctx.labels, known_secrets(ctx))
        if shot is None:
            return None
        pictures = self.observations[step.id]
        pictures.append(Observation(step.id, len(pictures), moment, shot.url, shot.headings,
                                    shot.scale, shot.png))
        return len(pictures) - 1


def run_doc_check(article: Article, page: Page, target: Target, labels: Labels, *,
                  source: str = "", account: Credentials | None = None,
                  device: str = "Desktop", procedure: Sequence[Step] = PROCEDURE,
                  on_step: Callable[[StepResult], None] | None = None,
                  leave_as_found: bool = True) -> DocCheck:
    """Run the procedure once against ``target`` and check the article's quotes at each step.

    ``leave_as_found`` as in ``run_procedure``: the run ends signed out, 2SV off again."""
    looker = _Looker(article, page, procedure)

    def after_step(outcome: StepResult) -> None:
        looker.after_step(outcome)
        if on_step is not None:
            on_step(outcome)

    run = run_procedure(page, target, labels, account=account, steps=procedure, device=device,
                        inspect=looker.inspect, on_step=after_step, leave_as_found=leave_as_found)
    steps, unmentioned = assemble(article, run, looker.looks, procedure)
    cross_reference(steps)
    observations = dict(looker.observations)
    return DocCheck(article=source, title=article.title, target=run.target, device=run.device,
                    lang=run.lang, started_at=run.started_at, seconds=run.seconds, steps=steps,
                    not_in_article=unmentioned,
                    notes=spelling_notes(article, steps) + kind_notes(steps, observations),
                    observations=observations, cleanup=run.cleanup)
