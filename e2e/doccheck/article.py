"""Read a help article (plain text, Markdown or a help-centre page's HTML) into numbered steps.

Finds the numbered steps ("2.3. Click on ..."), the sub-procedures inside a step (the
authenticator app's own "1. Open HENNGE Lock ..."), and the UI strings each step quotes in
brackets: ``[ Set up 2-Step Verification ]``, ``[Change]``, and the Japanese ``［…］``, ``「…」``
and ``【…】``, tolerating any spacing inside them.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from e2e.errors import HarnessError

STEP = re.compile(r"^\s*(?:#+\s*)?(?:\*\*)?(\d+)\.(\d+)\.?(?:\*\*)?\s+(.*\S)")
ITEM = re.compile(r"^\s*(?:#+\s*)?(?:\*\*)?(\d+)\.(?:\*\*)?\s+(.*\S)")
QUOTE = re.compile(r"\[\s*([^\[\]]+?)\s*\](?!\()|［\s*(.+?)\s*］|「\s*(.+?)\s*」|【\s*(.+?)\s*】")
NOTE_MARKS = ("※", "*", "Note:")
NUMBERED = re.compile(r"^\s*\d+(?:\.\d+)*\.(?:\s|$)")  # a list item that carries its own number
BLOCK_START = re.compile(r"^\s*(?:#|[-*+]\s|>|\||(?:\*\*|__)?\d+[.)]|※|Note:)")
SKIPPED_TAGS = ("script", "style", "noscript", "template", "title")  # not the article's text
BLOCK_TAGS = {"p", "div", "li", "br", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "section",
              "article", "ol", "ul", "table", "blockquote", "pre"}


class ArticleError(HarnessError, ValueError):
    """The article cannot be read or holds no numbered steps."""


@dataclass(frozen=True)
class ArticleStep:
    """One numbered step, or one item of a sub-procedure inside a step (``parent`` set)."""

    id: str
    text: str
    quoted: tuple[str, ...]
    section: str = ""
    parent: str | None = None


@dataclass
class Article:
    """The article's title, notes before the first step, and its steps in order."""

    title: str
    steps: list[ArticleStep] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def step(self, step_id: str) -> ArticleStep | None:
        return next((s for s in self.steps if s.id == step_id), None)

    @property
    def main_steps(self) -> list[ArticleStep]:
        """The numbered steps, without sub-procedure items."""
        return [s for s in self.steps if s.parent is None]


def quoted_strings(text: str) -> tuple[str, ...]:
    """Return the UI strings quoted in brackets, whitespace inside normalised."""
    found = []
    for match in QUOTE.finditer(text):
        raw = next(group for group in match.groups() if group is not None)
        found.append(" ".join(raw.split()))
    return tuple(found)


class _TextExtractor(HTMLParser):
    """Turn HTML into lines of text: one line per block element, scripts and styles dropped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0
        self._ol_counters: list[int] = []
        self._pending_number: int | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIPPED_TAGS:
            self._skip += 1
        if tag == "ol":
            self._ol_counters.append(_int_attr(attrs, "start", 1) - 1)
        if tag in BLOCK_TAGS:
            self.parts.append("\n")
        if tag == "li" and self._ol_counters:
            self._ol_counters[-1] = _int_attr(attrs, "value", self._ol_counters[-1] + 1)
            # Written out only if the item does not number itself ("<li>2.3. Click ...").
            self._pending_number = self._ol_counters[-1]

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED_TAGS:
            self._skip = max(0, self._skip - 1)
        if tag == "ol" and self._ol_counters:
            self._ol_counters.pop()
        if tag in BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if self._pending_number is not None and data.strip():
            if not NUMBERED.match(data):
                self.parts.append(f"{self._pending_number}. ")
            self._pending_number = None
        self.parts.append(data)


def _int_attr(attrs: list[tuple[str, str | None]], name: str, default: int) -> int:
    """Return an integer attribute such as ``<ol start="3">``, or ``default``."""
    value = dict(attrs).get(name)
    return int(value) if value and value.strip().isdigit() else default


def html_to_text(markup: str) -> str:
    """Return the visible text of an HTML page, one block per line."""
    extractor = _TextExtractor()
    extractor.feed(markup)
    extractor.close()
    text = "".join(extractor.parts)
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return "\n".join(line for line in lines if line)


def markdown_to_text(markdown: str) -> str:
    """Strip the Markdown that hides step numbers and brackets (emphasis, escapes, links)."""
    text = re.sub(r"\\([\[\]\\*_#.])", r"\1", markdown)  # \[ Set up \] -> [ Set up ]
    text = re.sub(r"^\s*>\s?", "", text, flags=re.MULTILINE)  # block quotes (a notice box)
    text = join_wrapped(text)
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", text)  # images
    text = re.sub(r"(?<!\\)\[([^\[\]]+)\]\((?:[^)]*)\)", r"\1", text)  # links keep their text
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)
    return re.sub(r"^\s*[-*+]\s+", "", text, flags=re.MULTILINE)


def join_wrapped(text: str) -> str:
    """Join a paragraph wrapped over several lines, so a bracket split by the wrap still pairs.

    A line continues the previous one unless a blank line separates them or it starts a block of
    its own (a number, a heading, a bullet, a note mark).
    """
    lines: list[str] = []
    for line in text.splitlines():
        if line.strip() and lines and lines[-1].strip() and not BLOCK_START.match(line):
            lines[-1] = f"{lines[-1].rstrip()} {line.strip()}"
        else:
            lines.append(line)
    return "\n".join(lines)


def to_text(raw: str, suffix: str = "") -> str:
    """Return the article as plain text, whatever its format."""
    if suffix in (".html", ".htm") or re.search(r"<\s*(html|body|p|ol|li|div)\b", raw, re.I):
        return html_to_text(raw)
    if suffix in (".md", ".markdown") or re.search(r"^#{1,6}\s|\\\[|\*\*", raw, re.M):
        return markdown_to_text(raw)
    text = join_wrapped(raw)
    return html.unescape(text) if "&" in text and ";" in text else text


def parse_article(raw: str, suffix: str = "") -> Article:
    """Find the title, notes, numbered steps and sub-procedure items of an article."""
    lines = [line.strip() for line in to_text(raw, suffix).splitlines() if line.strip()]
    if not lines:
        raise ArticleError("the article is empty")
    step_majors = [int(m.group(1)) for line in lines if (m := STEP.match(line))]
    article = Article(title=_title(raw, lines[0]))
    current: ArticleStep | None = None
    section = ""
    for index, line in enumerate(lines):
        if match := STEP.match(line):
            major, minor, text = match.groups()
            current = ArticleStep(f"{major}.{minor}", text, quoted_strings(text), section)
            article.steps.append(current)
        elif match := ITEM.match(line):
            number, text = match.groups()
            if _heads_a_section(int(number), lines[index + 1:], current, step_majors):
                section, current = text, None
            elif current is not None:
                article.steps.append(ArticleStep(f"{current.id}/{number}", text,
                                                 quoted_strings(text), section, current.id))
            else:
                article.notes.append(text)
        elif current is not None and line.startswith(NOTE_MARKS):
            # "※ Please keep your Recovery Code safe.": the article says the screen shows this.
            said = line.lstrip("".join(NOTE_MARKS)).strip()
            article.steps.append(ArticleStep(f"{current.id}/note", said,
                                             quoted_strings(said) or (said,), section, current.id))
    if not article.main_steps:
        raise ArticleError("no numbered steps (like '2.3. Click on ...') were found in the article")
    return article


def _title(raw: str, first_line: str) -> str:
    """Return a page's first <h1> (its <title> names the site too), else the first line."""
    heading = re.search(r"<h1\b[^>]*>(.*?)</h1\s*>", raw, re.I | re.S)
    if heading:
        text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", heading.group(1))).split())
        if text:
            return text
    return re.sub(r"^#+\s*", "", first_line).strip()


def _heads_a_section(number: int, rest: list[str], current: ArticleStep | None,
                     step_majors: list[int]) -> bool:
    """Tell whether "N. text" is a section heading: steps N.x follow before any other item."""
    if number not in step_majors:
        return False
    if current is not None and int(current.id.split(".")[0]) >= number:
        return False  # a sub-procedure item inside a later section's step
    for line in rest:
        if match := STEP.match(line):
            return int(match.group(1)) == number
        if ITEM.match(line):
            return False
    return False


def read_article(path: Path) -> Article:
    """Read and parse the article at ``path``."""
    try:
        raw = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ArticleError(f"cannot read the article {path}: {error}") from None
    return parse_article(raw, path.suffix.lower())
