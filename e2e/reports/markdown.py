"""``report.md``: the run's screenshots laid out as the help article is, for a writer to paste.

Sections and steps keep the article's numbering and sentences ("## 2. Enabling 2 Step
Verification", "**2.3.** Click on the [Change] ..."), each followed by the step's cropped and
outlined screenshot and a link to the full page, all files beside report.md. Without an article
the procedure's own short texts are used, numbered the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from e2e.cleanup import Cleanup
from e2e.doccheck.article import Article, ArticleStep
from e2e.evidence.redaction import printable, write_text
from e2e.procedure import NOT_CHECKED
from e2e.runner import FAILED, PASSED, SKIPPED, RunResult, StepResult, substep_line

MARKDOWN_NAME = "report.md"
SPECIAL = re.compile(r"([\\`*_<>|])")  # brackets alone stay: the article quotes the UI in them
# What would turn console text (an error quoting the screen) into a link or an image: "](", "![",
# a reference definition "]:", "][", and the bare URLs GFM links by itself.
LINKISH = re.compile(r"(?i)(\]\(|!\[|\]:|\]\[)|(?<=[a-z])(://)|\b(www)(\.)")
NOT_IN_ARTICLE = "Steps the article does not have"


@dataclass(frozen=True)
class Entry:
    """One numbered step as the writer reads it: the words, the items under it, the run's step."""

    id: str
    section: str
    text: str
    items: tuple[ArticleStep, ...]
    run: StepResult | None


def escape(text: str) -> str:
    """Escape what Markdown would read as formatting, links or images; drop control characters."""
    escaped = SPECIAL.sub(r"\\\1", printable(text))
    return LINKISH.sub(_break_link, escaped)


def _break_link(match: re.Match[str]) -> str:
    if match.group(1):
        return match.group(1)[0] + "\\" + match.group(1)[1]
    return ":\\/\\/" if match.group(2) else f"{match.group(3)}\\."


def entries(result: RunResult, article: Article | None) -> list[Entry]:
    """Return the steps in the article's order (the procedure's without an article).

    Steps the run has but the article lacks come last, in a section saying so.
    """
    runs = {step.id: step for step in result.steps}
    if article is None:
        return [Entry(s.id, s.section, s.text, (), s) for s in result.steps]
    found = [Entry(s.id, s.section, s.text,
                   tuple(i for i in article.steps if i.parent == s.id), runs.get(s.id))
             for s in article.main_steps]
    named = {entry.id for entry in found}
    return found + [Entry(s.id, NOT_IN_ARTICLE, s.text, (), s)
                    for s in result.steps if s.id not in named]


def section_heading(entry: Entry) -> str:
    """Return "## 2. Enabling 2 Step Verification": the section's number is its steps' first."""
    if entry.section == NOT_IN_ARTICLE:
        return f"## {NOT_IN_ARTICLE}"
    return f"## {entry.id.split('.')[0]}. {escape(entry.section)}"


def write_markdown(result: RunResult, folder: Path, crops: dict[str, str | None],
                   article: Article | None) -> Path:
    """Write ``report.md`` into ``folder``, where its pictures already are; return its path."""
    path = folder / MARKDOWN_NAME
    write_text(path, render_markdown(result, crops, article))
    return path


def render_markdown(result: RunResult, crops: dict[str, str | None],
                    article: Article | None) -> str:
    """Return the Markdown text: title, a line on the run, then each section and its steps."""
    title = article.title if article else "2-Step Verification"
    passed = sum(step.status == PASSED for step in result.steps)
    lines = [f"# {escape(title)}", "",
             f"*Screenshots of {result.started_at}, device {escape(result.device)}, language "
             f"{escape(result.lang)}: {passed} of {len(result.steps)} steps passed.*", ""]
    section = None
    for entry in entries(result, article):
        if entry.section != section:
            section = entry.section
            lines += [section_heading(entry), ""]
        lines += _step_lines(entry, crops.get(entry.id))
    if result.notes.get(NOT_CHECKED):
        lines += ["## Not checked on this console", ""]
        lines += [f"- {escape(str(what))}" for what in result.notes[NOT_CHECKED]] + [""]
    if result.cleanup is not None:
        lines += ["## Cleanup: the account left as found", ""]
        lines += [escape(line) for line in Cleanup.from_dict(result.cleanup).lines()] + [""]
    lines += _posture_lines(result.posture)
    return "\n".join(lines).rstrip() + "\n"


def _posture_lines(checks: list[dict[str, str]]) -> list[str]:
    """The console's security posture as a Markdown table (after the article's steps)."""
    if not checks:
        return []
    lines = ["## Security posture of the console", "",
             "| check | result | evidence | reference |", "|---|---|---|---|"]
    lines += [f"| {_cell(c['title'])} | {c['status']} | {_cell(c['evidence'])} | "
              f"{_cell(c['reference'])} |" for c in checks]
    return [*lines, ""]


def _cell(text: str) -> str:
    return escape(text).replace("\n", " ")


def _step_lines(entry: Entry, crop: str | None) -> list[str]:
    lines = [f"**{entry.id}.** {escape(entry.text)}", ""]
    numbered = [item for item in entry.items if not item.id.endswith("/note")]
    notes = [item for item in entry.items if item.id.endswith("/note")]
    if numbered:
        lines += [f"{item.id.rsplit('/', 1)[1]}. {escape(item.text)}" for item in numbered] + [""]
    lines += [f"※ {escape(note.text)}" for note in notes] + ([""] if notes else [])
    run = entry.run
    if run is None:
        return [*lines, "> No screenshot: the harness has no step for this.", ""]
    if run.status == SKIPPED:
        reason = (run.error or "").removeprefix("not run: ") or "an earlier step failed"
        return [*lines, f"> Not run: {escape(reason)}", ""]
    if run.substeps:  # screens the console put inside the step that the article never shows
        lines += [f"> {escape(sub.id)}: {escape(substep_line(sub))}" for sub in run.substeps]
        lines += [""]
    if run.status == FAILED:
        first = (run.error or "failed").splitlines()[0]
        lines += [f"> This step failed in the run: {escape(first)}", ""]
    if crop:
        lines += [f"![{entry.id}]({crop})", ""]
        if run.screenshot:
            lines += [f"[Full page]({run.screenshot})", ""]
    elif run.screenshot:
        lines += [f"![{entry.id}]({run.screenshot})", ""]
    return lines
