"""How the console hashes passwords and Recovery Codes: a real KDF unless told otherwise.

A served console keeps werkzeug's scrypt at full cost (n=2^15, r=8, p=1: about 0.1 s a hash,
what a trustworthy console spends). The embedded mock a test run starts only ever holds
throwaway accounts it created itself, so, as web frameworks' test settings do, it may use the
``fast`` setting: the same scrypt with n=2^8, some 100 times cheaper. Checking reads the
parameters from the stored hash, so both kinds of hash verify under either setting.
"""

from __future__ import annotations

import functools
import secrets

from werkzeug.security import check_password_hash, generate_password_hash

SCRYPT, FAST = "scrypt", "fast"
METHODS = {SCRYPT: "scrypt", FAST: "scrypt:256:8:1"}
DESCRIPTIONS = {SCRYPT: "scrypt, full cost",
                FAST: "fast scrypt (n=256): for throwaway test accounts only, never real ones"}


def hash_secret(value: str, setting: str) -> str:
    """Hash a password or a Recovery Code for storage under ``setting``."""
    return generate_password_hash(value, method=METHODS[setting])


def matches(stored_hash: str, value: str) -> bool:
    """Tell whether ``value`` matches a stored hash (its own parameters say how it was made)."""
    return check_password_hash(stored_hash, value)


@functools.cache
def dummy_hash(setting: str) -> str:
    """A hash of nothing anyone knows, checked for unknown accounts so they take as long."""
    return hash_secret(secrets.token_hex(8), setting)
