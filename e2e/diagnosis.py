"""When a step's locator finds nothing, say which words are missing and what is there instead.

Playwright's "Locator expected to be visible ... element(s) not found" is true, but it does not
tell a QA engineer facing a console that words things differently what to change. This reads the
words the failing locator looked for (accessible names, labels, texts), keeps those that are not
on the screen, and names for each the nearest string that is (doc-check's similarity, among
texts and names given by aria-label, alt or title), and the label catalogue key that holds it, to
change in a catalogue of one's own (``--labels FILE``). Words that are on the screen as another
kind of thing (a link, where a button was looked for) are named too: there the markup differs.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from e2e.doccheck.match import nearest
from e2e.doccheck.screen import (
    BUTTON,
    CELL,
    FIELD_LABEL,
    GROUP,
    HEADING,
    IMAGE,
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
WORDS = re.compile(r'(?:get_by_role\("(?P<role>[\w-]+)", name="(?P<name>(?:[^"\\]|\\.)*)"'
                   r'|get_by_(?P<how>text|label)\("(?P<text>(?:[^"\\]|\\.)*)")'
                   r'(?P<exact>, exact=True)?')
# What a role's element is among the screen's strings (e2e.doccheck.screen): a button or a
# link in the user menu is a "menu item" there.
ROLE_KINDS = {"button": (BUTTON, MENU_ITEM), "link": (LINK, MENU_ITEM),
              "menuitem": (MENU_ITEM, LINK), "heading": (HEADING,), "rowheader": (ROW_NAME,),
              "cell": (CELL,), "img": (IMAGE,), "group": (GROUP,)}
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


class Sought(NamedTuple):
    """One of the words a failed locator looked for, and how: by a role (``role``), or as a
    field's label or a text (``how``), exactly or not; ``kinds``: what it should be on screen."""

    word: str
    kinds: tuple[str, ...]
    role: str = ""
    how: str = ""
    exact: bool = False

    def locator(self, page: Page) -> Locator:
        """Find the word as the failed locator did, anywhere on the page."""
        if self.role:  # a role read from Playwright's log; its type is the Literal of roles
            return page.get_by_role(self.role, name=self.word,  # type: ignore[arg-type]
                                    exact=self.exact)
        if self.how == "label":
            return page.get_by_label(self.word, exact=self.exact)
        return page.get_by_text(self.word, exact=self.exact)

    @property
    def expected(self) -> str:
        """What it should be, in words: "a button", "a field label", "text"."""
        kind = self.kinds[0] if self.kinds else self.role or TEXT
        return kind if kind == TEXT else f"{'an' if kind[0] in 'aeiou' else 'a'} {kind}"


def sought(error_text: str) -> list[Sought]:
    """The words a failed locator looked for, each with how it looked for them."""
    found: list[Sought] = []
    for line in LOCATOR_LINE.findall(error_text):
        for match in WORDS.finditer(line):
            exact = bool(match["exact"])
            if match["role"]:
                word = match["name"].replace('\\"', '"')
                wanted = Sought(word, ROLE_KINDS.get(match["role"], ()), role=match["role"],
                                exact=exact)
            else:
                word = match["text"].replace('\\"', '"')
                kinds = (FIELD_LABEL,) if match["how"] == "label" else (TEXT,)
                wanted = Sought(word, kinds, how=match["how"], exact=exact)
            if word and word not in [w.word for w in found]:
                found.append(wanted)
    return found


def looked_for(error_text: str) -> list[tuple[str, tuple[str, ...]]]:
    """The words a failed locator looked for, each with the kinds of thing it should be."""
    return [(wanted.word, wanted.kinds) for wanted in sought(error_text)]


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


def _on_screen(page: Page, wanted: Sought, candidates: list[Candidate]) -> bool:
    """Whether the page shows ``wanted`` as the failed locator looked for it."""
    try:
        return wanted.locator(page).filter(visible=True).count() > 0
    except PlaywrightError:  # the page is going: judge by its strings
        words = " ".join(wanted.word.split())
        return any(c.kind in wanted.kinds or not wanted.kinds for c in candidates
                   if " ".join(c.text.split()) == words)


def _problem(page: Page, wanted: Sought, candidates: list[Candidate]) -> tuple[bool, str] | None:
    """What is wrong with ``wanted`` on this screen: (whether its words are missing, the
    sentence's end), or None when the screen shows it as looked for."""
    if _on_screen(page, wanted, candidates):
        return None
    words = " ".join(wanted.word.split())
    same = [c for c in candidates if " ".join(c.text.split()) == words]
    if not same:
        return True, f"is not on this screen{_instead(wanted.word, wanted.kinds, candidates)}"
    if any(c.kind in wanted.kinds for c in same):
        return None  # shown as that kind of thing, as far as the screen's strings tell
    as_what = same[0].kind
    as_what = as_what if as_what == TEXT else f"{'an' if as_what[0] in 'aeiou' else 'a'} {as_what}"
    return False, f"is on this screen, but as {as_what}, not {wanted.expected}"


def missing_words(page: Page, labels: Labels, error_text: str,
                  secrets: Sequence[str] = (), keys: Sequence[str] = ()) -> str:
    """Describe the words the locator looked for that are not on screen, or not as the kind of
    thing it looked for (a link, not a button); "" if it cannot tell.

    Strings holding one of ``secrets`` (the key, the Recovery Code) are never offered. A word
    that several catalogue keys hold is named by those of ``keys`` (the step's) when any is.
    """
    wanted = sought(error_text)
    if not wanted:
        return ""
    compact = [s.replace(" ", "").upper() for s in secrets if s]
    candidates = [c for c in visible_strings(page)
                  if not any(s in c.text.replace(" ", "").upper() for s in compact)]
    problems = [(word, found) for word in wanted
                if (found := _problem(page, word, candidates)) is not None]
    if not problems:
        return ""
    catalogue = {**labels.screen, **labels.article}
    parts = []
    for word, (_, sentence) in problems[:MAX_NAMED]:
        holding = [key for key, text in catalogue.items() if text == word.word]
        holding = [key for key in holding if key in keys] or holding
        where = f" (label {', '.join(holding)})" if holding else ""
        parts.append(f'"{word.word}"{where} {sentence}')
    more = f" (and {len(problems) - MAX_NAMED} more)" if len(problems) > MAX_NAMED else ""
    if any(missing for _, (missing, _) in problems):
        advice = ("If the console words it differently, run with --labels FILE: a copy of "
                  f"{labels.source.name} with those labels changed.")
    else:
        advice = ("The words are the catalogue's: the console shows them as another kind of "
                  "thing than the page objects look for.")
    return "; ".join(parts) + more + ". " + advice
