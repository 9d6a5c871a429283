"""The strings the harness expects on screen, read from the shipped ``e2e/data/labels/<lang>.json``
(or a catalogue file of the user's, for a console whose words differ from the article's).

The harness never imports the mock console: it knows the screens by the words the help article
and the product show, so the same suite can run against the real console and notice drift.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from e2e.data import labels_path, shipped_languages
from e2e.errors import HarnessError

# Keys for things one console words alike and another apart (the code field of the setup page
# and of the sign-in challenge; the password field of the sign-in form and of a re-authentication
# prompt; "Turn off" beside the status and in the confirmation; "Verify" of the code and of the
# Recovery Code; the 2SV row of Account Information and of the security settings; the way back
# from the turn-off confirmation), each falling back to the key it was split from, so a catalogue
# that predates the split keeps working.
FALLBACKS = {"signin_code_label": "code_label", "reauth_password_label": "password",
             "reauth_code_label": "signin_code_label", "turn_off_confirm_button": "turn_off_button",
             "recovery_verify_button": "verify_button", "account_two_step_row": "two_step_row",
             "turn_off_cancel": "cancel"}


# How a console shows each kind of message: by an ARIA role, or by its words (a regular
# expression, any case) in any element; and a setting's status: as a table row ({"role": "row"}:
# its header cell names the setting, its cell reads the status) or as a sentence whose words
# name both ({"text": "{name} is {status}"}). A catalogue without "shown_as" gets these.
MESSAGE_KINDS = ("error", "success", "status")
DEFAULT_SHOWN_AS = {"error": {"role": "alert"}, "success": {"role": "status"},
                    "status": {"role": "row"}}


class LabelsError(HarnessError, RuntimeError):
    """A label catalogue is missing or malformed; the message names the file and the key."""


@dataclass(frozen=True)
class Labels:
    """A label catalogue: ``article`` strings (quoted by the help article) and ``screen`` ones;
    ``shown_as``, how the console shows an error and a success (a role, or words); ``errors``,
    the words of each kind of error (regular expressions), so a test names the refusal it
    expects in any language and "no error shown" is proven by words too, never vacuously."""

    lang: str
    article: dict[str, str]
    screen: dict[str, str]
    source: Path
    shown_as: dict[str, dict[str, str]] = field(
        default_factory=lambda: {k: dict(v) for k, v in DEFAULT_SHOWN_AS.items()})
    errors: dict[str, str] = field(default_factory=dict)

    def __getitem__(self, key: str) -> str:
        if key in self.article:
            return self.article[key]
        if key in self.screen:
            return self.screen[key]
        if key in FALLBACKS:  # a catalogue written before the key existed: the words it split
            return self[FALLBACKS[key]]
        raise LabelsError(f"{self.source} has no label {key!r}; add it under 'article' or 'screen'")

    def error(self, kind: str) -> re.Pattern[str]:
        """The words of the error ``kind`` ("wrong_code", "already_used", "locked", ...)."""
        if kind not in self.errors:
            raise LabelsError(f"{self.source} has no words for the error {kind!r}; add a "
                              f"regular expression for it under 'errors'")
        return re.compile(self.errors[kind], re.IGNORECASE)

    def any_error(self) -> re.Pattern[str] | None:
        """The words of every error of the catalogue in one expression (None without any)."""
        if not self.errors:
            return None
        return re.compile("|".join(f"(?:{words})" for words in self.errors.values()),
                          re.IGNORECASE)

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
        article, screen = dict(data["article"]), dict(data["screen"])
    except (ValueError, KeyError, TypeError) as error:
        raise LabelsError(
            f"{source} is not a label catalogue ({error}); it needs 'article' and 'screen' objects"
        ) from None
    return Labels(lang, article, screen, source, _shown_as(source, data.get("shown_as", {})),
                  _errors(source, data.get("errors", {})))


def _shown_as(source: Path, given: object) -> dict[str, dict[str, str]]:
    """Check the catalogue's "shown_as" and fill in the kinds it leaves out."""
    if not isinstance(given, dict):
        raise LabelsError(f"{source}: 'shown_as' must be an object, e.g. "
                          f'{{"error": {{"role": "alert"}}, "success": {{"text": "Saved"}}}}')
    shown = {k: dict(v) for k, v in DEFAULT_SHOWN_AS.items()}
    for kind, how in given.items():
        if kind not in MESSAGE_KINDS:
            raise LabelsError(f"{source}: 'shown_as' has {kind!r}; the kinds are "
                              f"{', '.join(MESSAGE_KINDS)}")
        if not (isinstance(how, dict) and len(how) == 1 and set(how) <= {"role", "text"}
                and isinstance(next(iter(how.values())), str)):
            raise LabelsError(f"{source}: 'shown_as.{kind}' must name one role or one text, "
                              f'e.g. {{"role": "alert"}} or {{"text": "^Error"}}; got {how!r}')
        if kind == "status" and how.get("role", "row") != "row":
            raise LabelsError(f"{source}: 'shown_as.status' is a table row ({{\"role\": \"row\"}})"
                              f' or a sentence ({{"text": "{{name}} is {{status}}"}}); got {how!r}')
        if kind == "status" and "text" in how and "{status}" not in how["text"]:
            raise LabelsError(f"{source}: 'shown_as.status.text' must say where the status word "
                              f"goes, with {{status}} (and {{name}} for the setting's name)")
        if "text" in how and kind != "status":  # a status sentence is words, not a pattern
            _compiles(source, f"shown_as.{kind}.text", how["text"])
        shown[kind] = dict(how)
    return shown


def _errors(source: Path, given: object) -> dict[str, str]:
    """Check the catalogue's "errors": each kind's words, a regular expression."""
    if not isinstance(given, dict) or not all(isinstance(v, str) and v for v in given.values()):
        raise LabelsError(f"{source}: 'errors' must map each kind of error to its words, a "
                          f'regular expression, e.g. {{"already_used": "already been used"}}')
    for kind, words in given.items():
        _compiles(source, f"errors.{kind}", words)
    return dict(given)


def _compiles(source: Path, where: str, pattern: str) -> None:
    try:
        re.compile(pattern)
    except re.error as error:
        raise LabelsError(f"{source}: {where} is not a regular expression ({error}): "
                          f"{pattern!r}") from None
