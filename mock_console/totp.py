"""TOTP verification as RFC 6238 asks: SHA1, 6 digits, 30 s steps, a window of one step.

Input is checked before any arithmetic: only ASCII digits count (``str.isdigit`` and pyotp
accept full-width, Arabic-Indic and superscript digits; a console must not).
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
import unicodedata
from dataclasses import dataclass

import pyotp

from mock_console.errors import InputError

PERIOD = 30
DIGITS = 6
SECRET_BYTES = 20  # 160 bits, RFC 4226 R6.
_SIX_ASCII_DIGITS = re.compile(r"[0-9]{6}")


class CodeFormatError(InputError):
    """The submitted text is not a 6-digit code."""


def new_secret(nbytes: int = SECRET_BYTES) -> str:
    """Return a fresh random secret (160 bits by default) as Base32 without padding."""
    return base64.b32encode(secrets.token_bytes(nbytes)).decode("ascii").rstrip("=")


def derived_secret(username: str, nbytes: int = SECRET_BYTES) -> str:
    """A secret computed from the account's name: what a broken console (a fault) issues."""
    digest = hashlib.sha256(username.encode()).digest()[:nbytes]
    return base64.b32encode(digest).decode("ascii").rstrip("=")


def normalise_code(raw: str, strict: bool = True) -> str:
    """Return the six digits of ``raw`` after removing ASCII spaces, or raise CodeFormatError.

    ``strict=False`` is a broken console's leniency (a fault): any Unicode decimal digit is read
    as its ASCII one and any whitespace or hyphen is dropped, so "０８１-８０４" passes.
    """
    if len(raw) > 64:
        raise CodeFormatError("code_too_long")
    if not strict:
        raw = "".join(str(unicodedata.digit(c)) if unicodedata.digit(c, None) is not None
                      and unicodedata.decimal(c, None) is not None else c
                      for c in raw if not (c.isspace() or c == "-"))
    compact = raw.replace(" ", "")
    if not compact:
        raise CodeFormatError("code_empty")
    if not _SIX_ASCII_DIGITS.fullmatch(compact):
        raise CodeFormatError("code_not_six_digits")
    return compact


def step_at(at: float) -> int:
    """Return the TOTP time step that contains ``at``."""
    return int(at // PERIOD)


def code_for_step(secret: str, step: int) -> str:
    """Return the code of ``secret`` for time step ``step``."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=PERIOD).at(step * PERIOD)


@dataclass(frozen=True)
class Match:
    """Which step a code matched, if any."""

    step: int | None
    replayed: bool = False


def verify(
    secret: str, code: str, at: float, last_step: int | None, *, behind: int = 1,
    ahead: int = 1, allow_replay: bool = False,
) -> Match:
    """Match ``code`` against steps ``T-behind .. T+ahead`` at console time ``at``.

    A match at or below ``last_step`` (the step matched last time) is a replay.
    """
    current = step_at(at)
    for step in range(current - behind, current + ahead + 1):
        if secrets.compare_digest(code_for_step(secret, step), code):
            if last_step is not None and step <= last_step and not allow_replay:
                return Match(step=step, replayed=True)
            return Match(step=step)
    return Match(step=None)
