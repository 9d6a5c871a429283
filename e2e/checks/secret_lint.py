"""The quality of the TOTP secret a console issues, judged from what the QR code carries.

A console that issues short, patterned or recycled secrets makes every code guessable or every
account's codes the same. The harness checks what it can see: at least 128 bits (NIST SP 800-63B
§5.1.5.1 asks at least 112; RFC 4226 R6 recommends 160), no trivial pattern (a repeated block,
few distinct bytes, a constant step), a new secret at each enrolment of an account, and never one
secret for two accounts. Only a salted hash of each secret is kept, in this process, to compare.
"""

from __future__ import annotations

import hashlib
import secrets
import threading

MIN_SECRET_BITS = 128
_salt = secrets.token_bytes(16)
_seen: dict[str, str] = {}  # salted hash of a secret -> the account it was issued to
_lock = threading.Lock()


def secret_problems(secret: bytes, account: str) -> list[str]:
    """What is wrong with ``secret`` issued to ``account`` (empty when nothing is); remembers it."""
    problems = []
    bits = len(secret) * 8
    if bits < MIN_SECRET_BITS:
        problems.append(f"the secret has {bits} bits, fewer than {MIN_SECRET_BITS}")
    if secret and _patterned(secret):
        problems.append("the secret follows a trivial pattern (a repeated block, few distinct "
                        "bytes or a constant step), not random bytes")
    fingerprint = hashlib.sha256(_salt + secret).hexdigest()
    with _lock:
        earlier = _seen.setdefault(fingerprint, account)
    if earlier != account:
        problems.append(f"the same secret was issued to another account ({earlier})")
    elif fingerprint in _issued_to(account):
        problems.append("the same secret as an earlier enrolment of this account: a new one "
                        "must be issued each time 2SV is set up")
    with _lock:
        _enrolments.setdefault(account, []).append(fingerprint)
    return problems


_enrolments: dict[str, list[str]] = {}


def _issued_to(account: str) -> list[str]:
    with _lock:
        return list(_enrolments.get(account, []))


def _patterned(secret: bytes) -> bool:
    n = len(secret)
    if len(set(secret)) <= max(2, n // 5):
        return True
    if any(secret == (secret[:p] * (n // p + 1))[:n] for p in range(1, n // 2 + 1)):
        return True
    steps = {(secret[i + 1] - secret[i]) % 256 for i in range(n - 1)}
    return len(steps) == 1
