"""The strings the harness expects on screen, read from the shipped ``e2e/data/labels/<lang>.json``
(or a catalogue file of the user's, for a console whose words differ from the article's).

The harness never imports the mock console: it knows the screens by the words the help article
and the product show, so the same suite can run against the real console and notice drift.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from e2e.data import labels_path, shipped_languages
from e2e.errors import HarnessError

# Keys for things one console words alike and another apart (the code field of the setup page
# and of the sign-in challenge; the password field of the sign-in form and of a re-authentication
# prompt), each falling back to the key it was split from, so a catalogue that predates the split
# keeps working.
FALLBACKS = {"signin_code_label": "code_label", "reauth_password_label": "password",
             "reauth_code_label": "signin_code_label"}


class LabelsError(HarnessError, RuntimeError):
    """A label catalogue is missing or malformed; the message names the file and the key."""


@dataclass(frozen=True)
class Labels:
    """A label catalogue: ``article`` strings (quoted by the help article) and ``screen`` ones."""

    lang: str
    article: dict[str, str]
    screen: dict[str, str]
    source: Path

    def __getitem__(self, key: str) -> str:
        if key in self.article:
            return self.article[key]
        if key in self.screen:
            return self.screen[key]
        if key in FALLBACKS:  # a catalogue written before the key existed: the words it split
            return self[FALLBACKS[key]]
        raise LabelsError(f"{self.source} has no label {key!r}; add it under 'article' or 'screen'")

    def get(self, key: str) -> str | None:
        """Return the label ``key``, or None when the catalogue has no words for it (a prompt
        that catalogue's console never shows)."""
        try:
            return self[key]
        except LabelsError:
            return None

    def __getattr__(self, key: str) -> str:
        if key.startswith("_"):
            raise AttributeError(key)
        try:
            return self[key]
        except LabelsError as error:
            raise AttributeError(str(error)) from None


def available_languages() -> list[str]:
    """Return the languages that have a label catalogue."""
    return shipped_languages()


def load_labels(lang: str = "en", path: Path | None = None) -> Labels:
    """Load the shipped catalogue for ``lang``, or the file at ``path`` (a custom catalogue)."""
    source = path or labels_path(lang)
    if not source.exists():
        known = ", ".join(available_languages()) or "none"
        raise LabelsError(f"no label catalogue at {source} (languages available: {known})")
    try:
        data = json.loads(source.read_text("utf-8"))
        return Labels(lang, dict(data["article"]), dict(data["screen"]), source)
    except (ValueError, KeyError, TypeError) as error:
        raise LabelsError(
            f"{source} is not a label catalogue ({error}); it needs 'article' and 'screen' objects"
        ) from None
