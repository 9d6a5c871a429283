"""Keep the run's secrets out of every text the harness writes or prints.

The harness learns secrets as it goes: the password (the account it signs in with), the TOTP
secret and the otpauth URI (the QR code), the key printed for typing, the Recovery Code, and the
session cookies. Each is registered here the moment it is known, in every spelling a report could
carry (grouped like the screen shows it, lower case, URL-encoded), and ``redact`` replaces them
all in any text before it reaches a file, the terminal or an exception message. ``write_text``
and ``safe_print`` are how the harness's outputs leave the process.

It also makes console-supplied text harmless where it lands: ``printable`` removes terminal
escape sequences and control characters, ``xml_text`` removes what XML 1.0 cannot hold (a JUnit
file with one stray control character is unreadable for every CI).
"""

from __future__ import annotations

import html
import re
import sys
import threading
from pathlib import Path
from typing import TextIO
from urllib.parse import quote, quote_plus

REDACTED = "[redacted]"
MIN_SECRET_CHARS = 6  # shorter values (a 6-digit code is public once used) would scrub words
ANSI_SEQUENCE = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[@-Z\\-_])")
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

_lock = threading.Lock()
_secrets: set[str] = set()
_NOTHING = re.compile(r"(?!)")  # the pattern when no secret is registered: matches nothing
_pattern: re.Pattern[str] | None = None  # None: to be built again from _secrets


def spellings(value: str) -> set[str]:
    """The ways a secret can appear in text: as given, compact, grouped by 4, cased, encoded."""
    compact = re.sub(r"[\s-]", "", value)
    forms = {value, value.strip(), compact, compact.upper(), compact.lower(),
             quote(value, safe=""), quote_plus(value), quote(value, safe=":/?=&"),
             html.escape(value), html.escape(value, quote=False)}
    if compact.isalnum():
        for size in (4, 3):
            groups = [compact[i:i + size] for i in range(0, len(compact), size)]
            forms |= {" ".join(groups), "-".join(groups), " ".join(groups).lower()}
    return {form for form in forms if len(form) >= MIN_SECRET_CHARS}


def register_secret(*values: str | None) -> None:
    """Remember values that must never be written or printed (empty and short ones ignored).

    Registering is cheap: the pattern is built again only when ``redact`` next needs it, so a
    long pytest session that learns thousands of secrets does not rebuild it at each one.
    """
    global _pattern
    with _lock:
        for value in values:
            if value and len(value.strip()) >= MIN_SECRET_CHARS:
                before = len(_secrets)
                _secrets.update(spellings(value))
                if len(_secrets) != before:
                    _pattern = None


def forget_secrets() -> None:
    """Forget every registered secret (tests that check redaction start from none)."""
    global _pattern
    with _lock:
        _secrets.clear()
        _pattern = None


def redact(text: str) -> str:
    """Return ``text`` with every registered secret replaced by ``[redacted]``."""
    if not text:
        return text
    pattern = _pattern if _pattern is not None else _current_pattern()
    return pattern.sub(REDACTED, text) if pattern is not _NOTHING else text


def _current_pattern() -> re.Pattern[str]:
    """One pattern of every registered spelling, longest first (a URI before its key)."""
    global _pattern
    with _lock:
        if _pattern is None:
            ordered = sorted(_secrets, key=len, reverse=True)
            _pattern = re.compile("|".join(map(re.escape, ordered))) if ordered else _NOTHING
        return _pattern


def printable(text: str) -> str:
    """Remove terminal escape sequences and control characters (newlines and tabs stay)."""
    return CONTROL.sub("", ANSI_SEQUENCE.sub("", text))


def xml_text(text: str) -> str:
    """Remove the characters XML 1.0 cannot hold, so a JUnit file stays parseable."""
    return NOT_XML.sub("", text)


def write_text(path: Path, text: str) -> None:
    """Write a report file with every registered secret redacted."""
    path.write_text(redact(text), "utf-8")


def safe_print(*parts: object, file: TextIO | None = None, flush: bool = False) -> None:
    """Print to the terminal with secrets redacted and console text unable to drive it."""
    text = " ".join(str(part) for part in parts)
    print(printable(redact(text)), file=file or sys.stdout, flush=flush)
