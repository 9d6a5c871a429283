"""When a step's locator finds nothing, say which words are missing and what is there instead.

Playwright's "Locator expected to be visible ... element(s) not found" is true, but it does not
tell a QA engineer facing a console that words things differently what to change. This reads the
words the failing locator looked for (accessible names, labels, texts), keeps those that are not
on the screen, and names for each the nearest string that is (doc-check's similarity), and the
label catalogue key that holds it, to change in a catalogue of one's own (``--labels FILE``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from playwright.sync_api import Page
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from e2e.doccheck.match import nearest
from e2e.doccheck.screen import (
    BUTTON,
    CELL,
    FIELD_LABEL,
    HEADING,
    LINK,
    MENU_ITEM,
    ROW_NAME,
    TEXT,
    Candidate,
    visible_strings,
)
from e2e.labels import Labels

MAX_NAMED = 3  # missing words named in one failure; more would bury the message
# Playwright's call log: 'Expect "to_be_visible" get_by_role(...) with timeout 5000ms' or
# 'waiting for get_by_role(...)'; the words sit in name="...", get_by_text("..."), ...
LOCATOR_LINE = re.compile(r'(?:Expect "\w+"|waiting for) (.+?)(?: with timeout \d+ms)?$',
                          re.MULTILINE)
WORDS = re.compile(r'get_by_role\("(?P<role>[\w-]+)", name="(?P<name>(?:[^"\\]|\\.)*)"'
                   r'|get_by_(?P<how>text|label)\("(?P<text>(?:[^"\\]|\\.)*)"')
ROLE_KINDS = {"button": (BUTTON,), "link": (LINK, MENU_ITEM), "menuitem": (MENU_ITEM, LINK),
              "heading": (HEADING,), "rowheader": (ROW_NAME,), "cell": (CELL,)}
MIN_SIMILARITY = 0.5  # below this, "nearest" means little: list what that kind of thing says
MAX_LISTED = 5


def found_nothing(error: BaseException) -> BaseException | None:
    """The error saying a locator matched nothing in time: ``error`` itself, or the one it was
    raised from (a step's own words, such as "Account Information does not show 2-Step
    Verification as on", raised from the locator's timeout), or None."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, PlaywrightTimeoutError) or "Locator expected" in str(current):
            return current
        current = current.__cause__ or current.__context__
    return None


def looked_for(error_text: str) -> list[tuple[str, tuple[str, ...]]]:
    """The words a failed locator looked for, each with the kinds of thing it should be."""
    found: list[tuple[str, tuple[str, ...]]] = []
    for line in LOCATOR_LINE.findall(error_text):
        for match in WORDS.finditer(line):
            if match["role"]:
                word, kinds = match["name"], ROLE_KINDS.get(match["role"], ())
            else:
                word, kinds = match["text"], (FIELD_LABEL,) if match["how"] == "label" else (TEXT,)
            word = word.replace('\\"', '"')
            if word and word not in [w for w, _ in found]:
                found.append((word, kinds))
    return found


def _instead(word: str, kinds: tuple[str, ...], candidates: list[Candidate]) -> str:
    """What the screen shows instead of ``word``: its nearest look-alike, or what is there."""
    same_kind = [c for c in candidates if c.kind in kinds] or candidates
    best = nearest(word, same_kind, prefer=kinds)
    if best is not None and best[1] >= MIN_SIMILARITY:
        return f'; nearest on screen: "{best[0].text}" ({best[0].kind})'
    if same_kind is not candidates:
        listed = ", ".join(f'"{c.text}"' for c in same_kind[:MAX_LISTED])
        return f"; the screen's {kinds[0]}s: {listed}"
    return ""


def missing_words(page: Page, labels: Labels, error_text: str,
                  secrets: Sequence[str] = (), keys: Sequence[str] = ()) -> str:
    """Describe the words the locator looked for that are not on screen ("" if it cannot tell).

    Strings holding one of ``secrets`` (the key, the Recovery Code) are never offered. A word
    that several catalogue keys hold is named by those of ``keys`` (the step's) when any is.
    """
    wanted = looked_for(error_text)
    if not wanted:
        return ""
    compact = [s.replace(" ", "").upper() for s in secrets if s]
    candidates = [c for c in visible_strings(page)
                  if not any(s in c.text.replace(" ", "").upper() for s in compact)]
    shown = {" ".join(c.text.split()) for c in candidates}
    missing = [(word, kinds) for word, kinds in wanted if " ".join(word.split()) not in shown]
    if not missing:
        return ""
    catalogue = {**labels.screen, **labels.article}
    parts = []
    for word, kinds in missing[:MAX_NAMED]:
        holding = [key for key, text in catalogue.items() if text == word]
        holding = [key for key in holding if key in keys] or holding
        where = f" (label {', '.join(holding)})" if holding else ""
        parts.append(f'"{word}"{where} is not on this screen{_instead(word, kinds, candidates)}')
    more = f" (and {len(missing) - MAX_NAMED} more)" if len(missing) > MAX_NAMED else ""
    return ("; ".join(parts) + more + ". If the console words it differently, run with "
            f"--labels FILE: a copy of {labels.source.name} with those labels changed.")
