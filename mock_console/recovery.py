"""Recovery Codes: 80 random bits, shown once, stored only as a hash, used once.

NIST SP 800-63B-4 §4.2.1 and ASVS 5 §6.5.2 ask for at least 64 bits; Base32 keeps them easy to
read aloud and type (no 0/O or 1/I confusion).
"""

from __future__ import annotations

import base64
import re
import secrets

from mock_console import hashing
from mock_console.errors import InputError

RECOVERY_BYTES = 10  # 80 bits
_RECOVERY = re.compile(r"[A-Z2-7]{16}")


class RecoveryFormatError(InputError):
    """The submitted text cannot be a Recovery Code."""


def new_recovery_code() -> str:
    """Return a fresh Recovery Code formatted as four groups of four, e.g. ``ABCD-EFGH-...``."""
    raw = base64.b32encode(secrets.token_bytes(RECOVERY_BYTES)).decode("ascii")
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def normalise_recovery_code(raw: str) -> str:
    """Return the 16 characters of a Recovery Code (case, spaces and hyphens ignored)."""
    if len(raw) > 64:
        raise RecoveryFormatError("recovery_too_long")
    compact = raw.replace(" ", "").replace("-", "")
    if not compact:
        raise RecoveryFormatError("recovery_empty")
    # isascii() first: str.upper() turns some non-ASCII letters into ASCII ones ("ß" -> "SS").
    if not compact.isascii() or not _RECOVERY.fullmatch(compact := compact.upper()):
        raise RecoveryFormatError("recovery_malformed")
    return compact


def hash_recovery_code(code: str, setting: str = hashing.SCRYPT) -> str:
    """Hash a (normalised) Recovery Code for storage."""
    return hashing.hash_secret(normalise_recovery_code(code), setting)


def recovery_code_matches(stored_hash: str, normalised: str) -> bool:
    """Tell whether a normalised Recovery Code matches its stored hash."""
    return hashing.matches(stored_hash, normalised)
