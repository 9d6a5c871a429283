"""Matching a quoted string with what a screen shows: similarity, spelling, the role implied.

Pure functions (no browser), so the rules a writer reads in doc-check's report are tested alone:
how close "2 Step Verification" is to "2-Step Verification", what "the [Set up] button" expects
to find, and which visible string sits where a renamed element used to be.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from difflib import SequenceMatcher
from itertools import combinations

from e2e.doccheck.screen import BUTTON, FIELD_LABEL, HEADING, LINK, MENU_ITEM, Box, Candidate

NEAR = 0.75  # similarity from which a visible string counts as the quoted one, changed

# The word after a quote that says what the article takes the element for.
SAID_AS: dict[str, str] = {
    "button": "button", "page": "page", "screen": "page", "link": "link", "field": "field",
    "box": "field", "menu": "menu", "ボタン": "button", "ページ": "page", "画面": "page",
    "リンク": "link", "メニュー": "menu", "欄": "field",
}
EXPECTED_KINDS: dict[str, tuple[str, ...]] = {
    "button": (BUTTON,), "page": (HEADING,), "link": (LINK, MENU_ITEM), "field": (FIELD_LABEL,),
    "menu": (MENU_ITEM,),
}
CLICKABLE = (BUTTON, LINK, MENU_ITEM)
SEARCH_ORDER = (BUTTON, LINK, HEADING, FIELD_LABEL, "row name", "cell", MENU_ITEM, "text")
CLICK_BEFORE = re.compile(r"(?:click|tap|press|select|choose)(?:\s+on)?(?:\s+the)?\s*$", re.I)
CLICK_AFTER = ("をクリック", "を押", "をタップ", "を選択")
OPENING, CLOSING = r"\[［「【", r"\]］」】"  # inside a regex character class
SEPARATORS = re.compile(r"[^\s\-‐‑‒–—_/・]+")


# -- what the article's words imply --------------------------------------------------------

def _quote_spans(text: str, quoted: str) -> list[tuple[int, int]]:
    """Return where ``[ quoted ]`` sits in the sentence, any bracket style and spacing."""
    words = r"\s+".join(re.escape(word) for word in quoted.split())
    pattern = rf"[{OPENING}]\s*{words}\s*[{CLOSING}]"
    return [match.span() for match in re.finditer(pattern, text)]


def said_as(text: str, quoted: str) -> str | None:
    """Return what the sentence calls the quoted element ("the [Set up] button" -> button)."""
    for _, end in _quote_spans(text, quoted):
        after = text[end:].lstrip(" ,、").casefold()
        for word, kind in SAID_AS.items():
            if after.startswith(word) and not after[len(word):len(word) + 1].isalpha():
                return kind
            if not word.isascii() and after.startswith(word):
                return kind
    return None


def expected_kinds(text: str, quoted: str, said: str | None) -> tuple[str, ...]:
    """Return the kinds the article implies: its own word, else clickable after "click on"."""
    if said in EXPECTED_KINDS:
        return EXPECTED_KINDS[said]
    for start, end in _quote_spans(text, quoted):
        if CLICK_BEFORE.search(text[:start]) or text[end:].lstrip().startswith(CLICK_AFTER):
            return CLICKABLE
    return ()


def search_order(expected: Sequence[str]) -> tuple[str, ...]:
    """Look for the kinds the article implies first, then every other kind."""
    return tuple(dict.fromkeys([*expected, *SEARCH_ORDER]))


# -- how close two strings are --------------------------------------------------------------

def normalise(text: str) -> str:
    """Case-fold and collapse whitespace: the form similarities are measured on."""
    return " ".join(text.casefold().split())


def spelling_key(text: str) -> str:
    """Keep letters and digits only: "2-Step Verification" and "2 step verification" agree."""
    return "".join(char for char in text.casefold() if char.isalnum())


def similarity(quoted: str, shown: str) -> float:
    """Return difflib's ratio of the two strings, case-folded and whitespace-normalised."""
    return SequenceMatcher(None, normalise(quoted), normalise(shown), autojunk=False).ratio()


def difference(quoted: str, shown: str) -> str:
    """Name how a shown string differs from the quoted one, for a writer to judge."""
    if " ".join(quoted.split()) == " ".join(shown.split()):
        return "spacing"
    if normalise(quoted) == normalise(shown):
        return "case"
    if spelling_key(quoted) == spelling_key(shown):
        return "hyphens, spaces or punctuation"
    return "wording"


def is_near(quoted: str, shown: str, score: float) -> bool:
    """Close enough to be the same element renamed: similar, or the same words spelt apart."""
    return score >= NEAR or spelling_key(quoted) == spelling_key(shown)


def nearest(quoted: str, candidates: Iterable[Candidate],
            prefer: Sequence[str] = ()) -> tuple[Candidate, float] | None:
    """Return the most similar visible string (the expected kind wins a tie), with its score."""
    scored = [(similarity(quoted, c.text), c.kind in prefer, -index, c)
              for index, c in enumerate(candidates)]
    if not scored:
        return None
    score, _, _, best = max(scored, key=lambda item: item[:3])
    return best, round(score, 3)


def in_place(candidates: Iterable[Candidate], focus: Box | None, kinds: Sequence[str],
             exclude: Iterable[str]) -> list[Candidate]:
    """Return the visible strings inside the element the step acts on (e.g. its table row).

    When the quoted button is gone, the button that now sits in its row is the likeliest rename,
    however unlike its words are ("Change" -> "Edit").
    """
    if focus is None:
        return []
    skip = {normalise(text) for text in exclude}
    inside = []
    for candidate in candidates:
        box = candidate.box
        if box is None or normalise(candidate.text) in skip:
            continue
        centre_x, centre_y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        if (focus["x"] <= centre_x <= focus["x"] + focus["width"]
                and focus["y"] <= centre_y <= focus["y"] + focus["height"]):
            inside.append(candidate)
    return [c for c in inside if c.kind in kinds] if kinds else inside


def _words(text: str) -> list[tuple[str, int, int]]:
    return [(m.group().casefold(), m.start(), m.end()) for m in SEPARATORS.finditer(text)]


def spelling_variants(strings: Iterable[str]) -> dict[str, set[str]]:
    """Group the spellings of one term that differ only in case, hyphens or spaces.

    "Set up 2-Step Verification" and "Disable 2 Step Verification" share the words "2 step
    verification", written "2-Step Verification" in one and "2 Step Verification" in the other.
    """
    variants: dict[str, set[str]] = defaultdict(set)
    for first, second in combinations(dict.fromkeys(strings), 2):
        a, b = _words(first), _words(second)
        matcher = SequenceMatcher(None, [w for w, _, _ in a], [w for w, _, _ in b],
                                  autojunk=False)
        for block in matcher.get_matching_blocks():
            if block.size < 2:
                continue
            one = first[a[block.a][1]:a[block.a + block.size - 1][2]]
            other = second[b[block.b][1]:b[block.b + block.size - 1][2]]
            if one != other:
                variants[" ".join(w for w, _, _ in a[block.a:block.a + block.size])] |= {one,
                                                                                        other}
        if first != second and spelling_key(first) == spelling_key(second):
            variants[normalise(first)] |= {first, second}
    return dict(variants)


def unquoted(text: str) -> str:
    """Return a sentence without its quotes: the article's own words."""
    return re.sub(rf"[{OPENING}][^{CLOSING}]*[{CLOSING}]", " ", text)
