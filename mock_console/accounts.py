"""What the console does to an account: 2SV setup, code checks, lockout, Recovery Codes, audit.

Screens call these functions; they never touch SQL themselves. Each function runs in one
transaction, so concurrent requests for one account see each other's effects in order.
"""

from __future__ import annotations

import ipaddress
import math
import secrets
import sqlite3
from dataclasses import dataclass
from typing import Any

from mock_console import hashing, recovery, totp
from mock_console.clock import Clock
from mock_console.errors import InputError
from mock_console.faults import Faults
from mock_console.policy import Policy
from mock_console.store import Store

EVENT_TYPES = (
    "signed_in", "two_step_enabled", "two_step_disabled", "code_rejected", "code_replayed",
    "locked", "recovery_code_used", "account_hard_locked", "account_unlocked",
    "access_confirmed",
)

HARD_LOCK_KEYS = ("account_locked", "account_locked_now")  # refusals only an administrator lifts
MAX_LOCK_DOUBLINGS = 16  # bounds a timed lock when the hard lock is switched off


@dataclass(frozen=True)
class Account:
    """One row of the accounts table."""

    username: str
    password_hash: str
    two_step_enabled: bool
    totp_secret: str | None
    pending_secret: str | None
    last_step: int | None
    failures: int  # wrong codes in a row, across lock periods; a success or an unlock resets it
    locked_until: float | None
    hard_locked_at: float | None = None  # set by the hard lock; only ``unlock`` clears it

    @property
    def challenged_at_sign_in(self) -> bool:
        """Whether sign-in asks for a code (a secret is active)."""
        return self.totp_secret is not None


class Refused(InputError):
    """Well-formed input the console refused (a wrong or replayed code, a locked account)."""


@dataclass(frozen=True)
class Services:
    """The mechanisms account operations need, bundled so screens pass one object."""

    store: Store
    clock: Clock
    faults: Faults
    password_hashing: str = hashing.SCRYPT  # mock_console.hashing: scrypt, or fast for tests

    @property
    def policy(self) -> Policy:
        """The rules the console keeps now (bent only by switched-on faults)."""
        return self.faults.policy

    def verification_time(self) -> float:
        """Return the time codes are checked at: the console's clock, as its Date header says."""
        return self.clock.now() + self.policy.verification_skew_seconds


def _row_to_account(row: sqlite3.Row | None) -> Account | None:
    if row is None:
        return None
    return Account(
        username=row["username"], password_hash=row["password_hash"],
        two_step_enabled=bool(row["two_step_enabled"]), totp_secret=row["totp_secret"],
        pending_secret=row["pending_secret"], last_step=row["last_step"],
        failures=row["failures"], locked_until=row["locked_until"],
        hard_locked_at=row["hard_locked_at"],
    )


def load(db: sqlite3.Connection, username: str) -> Account | None:
    """Return the account named ``username``, or None."""
    row = db.execute("SELECT * FROM accounts WHERE username = ?", (username,)).fetchone()
    return _row_to_account(row)


def record(db: sqlite3.Connection, username: str, kind: str, at: float, detail: str = "") -> None:
    """Append an audit event."""
    db.execute(
        "INSERT INTO events (username, type, at, detail) VALUES (?, ?, ?, ?)",
        (username, kind, at, detail),
    )


def events(store: Store, username: str) -> list[dict[str, Any]]:
    """Return the audit events of an account, oldest first."""
    rows = store.read().execute(
        "SELECT type, at, detail FROM events WHERE username = ? ORDER BY id", (username,)
    ).fetchall()
    return [{"type": r["type"], "at": r["at"], "detail": r["detail"]} for r in rows]


def recovery_codes_left(store: Store, username: str) -> int:
    """Return how many unused Recovery Codes an account has."""
    row = store.read().execute(
        "SELECT COUNT(*) FROM recovery_codes WHERE username = ? AND used_at IS NULL", (username,)
    ).fetchone()
    return int(row[0])


def create(
    svc: Services, username: str | None = None, password: str | None = None
) -> tuple[str, str]:
    """Create an account with 2SV off and return its username and password."""
    username = username or f"admin-{secrets.token_hex(5)}@example.com"
    password = password or secrets.token_urlsafe(12)
    # Hash before the transaction: scrypt takes ~0.1 s, and the write lock would stall
    # every other request (even a page view saves its session) for that long.
    password_hash = hashing.hash_secret(password, svc.password_hashing)
    with _transaction(svc) as db:
        db.execute(
            "INSERT INTO accounts (username, password_hash, created_at) VALUES (?, ?, ?)",
            (username, password_hash, svc.clock.now()),
        )
    return username, password


def authenticate(svc: Services, username: str, password: str, client: str = "") -> Account:
    """Check a username and password; raise Refused with one message for either being wrong.

    Password guessing is throttled (NIST SP 800-63B §5.2.2): after ``max_password_failures``
    wrong passwords for an account, or ``max_client_password_failures`` from one client, within
    the window, sign-in pauses; every wrong password and every refusal is an audit event.
    """
    name, now, policy = username[:256], svc.clock.now(), svc.policy
    if policy.max_password_failures is not None:
        wait = _password_pause(svc, name, client, now)
        if wait > 0:
            with _transaction(svc) as db:
                record(db, name, "password_throttled", now, client)
            raise Refused("signin_throttled", minutes=max(1, math.ceil(wait / 60)))
    account = load(svc.store.read(), username) if len(username) <= 256 else None
    if account is None or len(password) > 1024:
        # Hash anyway so a missing account takes as long as a wrong password.
        hashing.matches(hashing.dummy_hash(svc.password_hashing), password[:1024])
        _password_rejected(svc, name, client, now)
    elif not hashing.matches(account.password_hash, password):
        _password_rejected(svc, name, client, now)
    else:
        return account
    raise Refused("signin_failed")


def _password_rejected(svc: Services, name: str, client: str, now: float) -> None:
    if svc.policy.max_password_failures is not None:  # audited along with the throttling
        with _transaction(svc) as db:
            record(db, name, "password_rejected", now, client)


def _is_loopback(client: str) -> bool:
    try:
        return not client or ipaddress.ip_address(client).is_loopback
    except ValueError:
        return False


def _password_pause(svc: Services, name: str, client: str, now: float) -> float:
    """Seconds sign-in stays paused for this account or client (0: not paused)."""
    policy, db = svc.policy, svc.store.read()
    since = now - policy.password_window_seconds
    last_success = db.execute("SELECT MAX(at) FROM events WHERE username = ? AND "
                              "type IN ('signed_in', 'account_unlocked', 'access_confirmed')",
                              (name,)).fetchone()[0] or 0.0
    for where, args, limit in (
        ("username = ? AND at > ?", (name, max(since, last_success)),
         policy.max_password_failures or 0),
        ("detail = ? AND at > ?", (client, since), policy.max_client_password_failures),
    ):
        if where.startswith("detail") and _is_loopback(client):
            continue  # every local browser (a test suite's too) shares loopback: not one client
        failures = [row[0] for row in db.execute(
            f"SELECT at FROM events WHERE type = 'password_rejected' AND {where} "
            "ORDER BY at DESC", args)]
        if limit and len(failures) >= limit:
            wait = failures[0] + policy.password_pause_seconds - now
            if wait > 0:
                return wait
    return 0.0




def signed_in(svc: Services, username: str, how: str) -> None:
    """Record a completed sign-in."""
    with _transaction(svc) as db:
        record(db, username, "signed_in", svc.clock.now(), how)


def access_confirmed(svc: Services, username: str, how: str) -> None:
    """Record a confirmation of access before a change (--reauth): by password or code."""
    with _transaction(svc) as db:
        record(db, username, "access_confirmed", svc.clock.now(), how)


def begin_setup(svc: Services, username: str) -> str:
    """Give the account a pending secret ("Set up"), keeping one that is already pending."""
    with _transaction(svc) as db:
        account = _require(db, username)
        if account.pending_secret:
            return account.pending_secret
        policy = svc.policy
        secret = (totp.new_secret(policy.secret_bytes) if policy.fresh_secret_per_enrolment
                  else totp.derived_secret(username, policy.secret_bytes))
        db.execute("UPDATE accounts SET pending_secret = ? WHERE username = ?", (secret, username))
        return secret


def shown_text_key(svc: Services, secret: str) -> str:
    """Return the key the setup page prints as text (another key when the policy says the text
    key need not match the QR code)."""
    if not svc.policy.text_key_matches_qr:
        return totp.new_secret()
    return secret


def enable(svc: Services, username: str, raw_code: str) -> str | None:
    """Verify a code against the pending secret and turn 2SV on; return the new Recovery Code.

    Raises InputError for malformed input (nothing changes) and Refused for a wrong, replayed
    or locked-out code (the failure is counted and audited; the pending secret stays).
    """
    policy = svc.policy
    without_code = not policy.require_code_to_enable
    code = raw_code if without_code else totp.normalise_code(raw_code, policy.strict_code_input)
    with _transaction(svc) as db:
        account = _require(db, username)
        if account.pending_secret is None:
            raise Refused("setup_expired")
        now = svc.clock.now()
        if not without_code:
            step = _check_code(svc, db, account, account.pending_secret, code, now)
        else:
            step = totp.step_at(now)
        if not policy.persist_enable:  # says on, saves nothing
            return recovery.new_recovery_code() if policy.issue_recovery_code else None
        db.execute(
            "UPDATE accounts SET two_step_enabled = 1, totp_secret = pending_secret, "
            "pending_secret = NULL, last_step = ?, failures = 0, locked_until = NULL "
            "WHERE username = ?",
            (step if policy.enable_step_used else None, username),
        )
        record(db, username, "two_step_enabled", now)
        db.execute("DELETE FROM recovery_codes WHERE username = ?", (username,))
        if not policy.issue_recovery_code:
            return None
        return _issue_recovery_code(svc, db, username)


def verify_sign_in_code(svc: Services, username: str, raw_code: str) -> None:
    """Check the code asked for at sign-in; raise InputError or Refused when it is not accepted."""
    code = totp.normalise_code(raw_code, svc.policy.strict_code_input)
    with _transaction(svc) as db:
        account = _require(db, username)
        if account.totp_secret is None:
            raise Refused("two_step_not_on")
        step = _check_code(svc, db, account, account.totp_secret, code, svc.clock.now())
        db.execute("UPDATE accounts SET last_step = MAX(COALESCE(last_step, ?), ?) "
                   "WHERE username = ?", (step, step, username))


def use_recovery_code(svc: Services, username: str, raw_code: str) -> str:
    """Sign in with a Recovery Code; it is used up and a new one is returned."""
    code = recovery.normalise_recovery_code(raw_code)
    with _transaction(svc) as db:
        account = _require(db, username)
        now = svc.clock.now()
        if svc.policy.recovery_obeys_lock:
            _refuse_if_locked(svc, db, account, now)
        rows = db.execute(
            "SELECT id, code_hash FROM recovery_codes WHERE username = ? AND used_at IS NULL",
            (username,),
        ).fetchall()
        match = next(
            (r for r in rows if recovery.recovery_code_matches(r["code_hash"], code)), None
        )
        if match is None or account.totp_secret is None:
            _count_failure(svc, db, account, now, "recovery code")
            refusal = _wrong_code_refusal(svc, db, username)  # the fifth failure says it locked
            locked = refusal.key in ("locked_now", *HARD_LOCK_KEYS)
            raise refusal if locked else Refused("recovery_wrong")
        record(db, username, "recovery_code_used", now)
        db.execute("UPDATE accounts SET failures = 0, locked_until = NULL WHERE username = ?",
                   (username,))
        if not svc.policy.recovery_single_use:
            return recovery.new_recovery_code()
        db.execute("UPDATE recovery_codes SET used_at = ? WHERE id = ?", (now, match["id"]))
        return _issue_recovery_code(svc, db, username)


def disable(svc: Services, username: str) -> None:
    """Turn 2SV off: the secret and every Recovery Code become void."""
    with _transaction(svc) as db:
        _require(db, username)
        keep_secret = not svc.policy.disable_clears_secret
        db.execute(
            "UPDATE accounts SET two_step_enabled = 0, pending_secret = NULL, failures = 0, "
            "locked_until = NULL"
            + ("" if keep_secret else ", totp_secret = NULL, last_step = NULL")
            + " WHERE username = ?",
            (username,),
        )
        if not keep_secret:
            db.execute("DELETE FROM recovery_codes WHERE username = ?", (username,))
        record(db, username, "two_step_disabled", svc.clock.now())


def lock_remaining(svc: Services, account: Account) -> float:
    """Return the seconds the account stays locked (0 when it is not; inf under a hard lock)."""
    if not svc.policy.locks:
        return 0.0
    if account.hard_locked_at is not None:
        return math.inf
    if account.locked_until is None:
        return 0.0
    return max(0.0, account.locked_until - svc.clock.now())


def unlock(svc: Services, username: str, by: str) -> int:
    """Lift a timed or hard lock, as an administrator does, and return the wrong codes in a row
    it clears: the count starts again from zero. Raises Refused("account_missing")."""
    with _transaction(svc) as db:
        account = _require(db, username)
        db.execute("UPDATE accounts SET failures = 0, locked_until = NULL, hard_locked_at = NULL "
                   "WHERE username = ?", (username,))
        record(db, username, "account_unlocked", svc.clock.now(),
               f"by {by}; {account.failures} wrong codes in a row cleared")
    return account.failures


def lock_pause(policy: Policy, failures: int) -> int:
    """Seconds of the timed lock that ``failures`` wrong codes in a row start (0: none).

    Every ``max_failures``-th failure locks; each further lock of the same run lasts
    ``lock_growth`` times longer (5, 10, 20 minutes...), so guessing slows down geometrically.
    """
    if policy.max_failures is None or failures <= 0 or failures % policy.max_failures:
        return 0
    doublings = min(failures // policy.max_failures - 1, MAX_LOCK_DOUBLINGS)
    return int(policy.lock_seconds * policy.lock_growth ** doublings)


def _hard_locks(policy: Policy, failures: int) -> bool:
    """Whether ``failures`` wrong codes in a row reach the lock only an administrator lifts."""
    return policy.hard_lock_failures is not None and failures >= policy.hard_lock_failures


def _transaction(svc: Services):  # noqa: ANN202 - a context manager
    """Open a transaction that keeps its writes (failure counts, audit) when a code is refused."""
    return svc.store.transaction(keep=(Refused,))


def _require(db: sqlite3.Connection, username: str) -> Account:
    account = load(db, username)
    if account is None:
        raise Refused("account_missing")
    return account


def _issue_recovery_code(svc: Services, db: sqlite3.Connection, username: str) -> str:
    code = recovery.new_recovery_code()
    db.execute(
        "INSERT INTO recovery_codes (username, code_hash) VALUES (?, ?)",
        (username, recovery.hash_recovery_code(code, svc.password_hashing)),
    )
    return code


def _refuse_if_locked(svc: Services, db: sqlite3.Connection, account: Account, now: float) -> None:
    if not svc.policy.locks:
        return
    if account.hard_locked_at is not None:
        raise Refused("account_locked")
    if account.locked_until is None:
        return
    if account.locked_until > now:
        raise Refused("locked", until=account.locked_until,
                      minutes=max(1, round((account.locked_until - now) / 60)))
    # The pause is over, but the run of wrong codes is not: the next lock comes sooner and lasts
    # longer (NIST SP 800-63B §5.2.2 counts consecutive failures, not failures per lock).
    db.execute("UPDATE accounts SET locked_until = NULL WHERE username = ?", (account.username,))


def _count_failure(svc: Services, db: sqlite3.Connection, account: Account, now: float,
                   what: str) -> None:
    """Count a wrong code; every ``max_failures``-th in a row locks for a longer pause, and
    ``hard_lock_failures`` in a row lock until an administrator unlocks the account."""
    current = db.execute("SELECT failures FROM accounts WHERE username = ?",
                         (account.username,)).fetchone()[0]
    failures = current + 1
    record(db, account.username, "code_rejected", now, what)
    policy, name = svc.policy, account.username
    pause = lock_pause(policy, failures)
    if policy.locks and _hard_locks(policy, failures):
        db.execute("UPDATE accounts SET failures = ?, locked_until = NULL, hard_locked_at = ? "
                   "WHERE username = ?", (failures, now, name))
        record(db, name, "account_hard_locked", now, f"{failures} wrong codes in a row")
    elif pause:
        db.execute("UPDATE accounts SET failures = ?, locked_until = ? WHERE username = ?",
                   (failures, now + pause, name))
        record(db, name, "locked", now, f"{failures} wrong codes in a row; locked for {pause} s")
    else:
        db.execute("UPDATE accounts SET failures = ? WHERE username = ?", (failures, name))


def _check_code(svc: Services, db: sqlite3.Connection, account: Account, secret: str,
                code: str, now: float) -> int:
    """Match a well-formed code; count and audit failures; return the matched step."""
    _refuse_if_locked(svc, db, account, now)
    policy = svc.policy
    if not policy.verify_codes:
        return totp.step_at(now)
    # A new secret has no used steps yet; last_step belongs to the active secret only.
    last_step = account.last_step if secret == account.totp_secret else None
    match = totp.verify(secret, code, svc.verification_time(), last_step,
                        behind=policy.steps_behind, ahead=policy.steps_ahead,
                        allow_replay=not policy.replay_protection)
    if match.step is None:
        _count_failure(svc, db, account, now, "wrong code")
        raise _wrong_code_refusal(svc, db, account.username)
    if match.replayed:
        record(db, account.username, "code_replayed", now)
        _count_failure(svc, db, account, now, "replayed code")
        refusal = _wrong_code_refusal(svc, db, account.username)  # a replay that locks says so
        locked = refusal.key in ("locked_now", *HARD_LOCK_KEYS)
        raise refusal if locked else Refused("code_replayed")
    db.execute("UPDATE accounts SET failures = 0, locked_until = NULL WHERE username = ?",
               (account.username,))
    return match.step


def _wrong_code_refusal(svc: Services, db: sqlite3.Connection, username: str) -> Refused:
    """Say what a wrong code led to: a lock just begun, or how many attempts are left before
    the next lock (and how long it will last, or that only an administrator lifts it)."""
    row = db.execute("SELECT failures, locked_until, hard_locked_at FROM accounts "
                     "WHERE username = ?", (username,)).fetchone()
    policy, now = svc.policy, svc.clock.now()
    if not policy.locks or policy.max_failures is None:
        return Refused("code_wrong_unlimited")
    if row["hard_locked_at"] is not None:
        return Refused("account_locked_now")
    if row["locked_until"] is not None and row["locked_until"] > now:
        return Refused("locked_now", minutes=math.ceil((row["locked_until"] - now) / 60))
    failures = row["failures"]
    left = policy.max_failures - failures % policy.max_failures
    if _hard_locks(policy, failures + left):
        return Refused("code_wrong_last", left=(policy.hard_lock_failures or 0) - failures)
    return Refused("code_wrong", left=left,
                   minutes=math.ceil(lock_pause(policy, failures + left) / 60))


__all__ = [
    "Account", "InputError", "Refused", "Services", "access_confirmed", "authenticate",
    "begin_setup", "create",
    "disable", "enable", "events", "load", "lock_pause", "lock_remaining", "recovery_codes_left",
    "shown_text_key", "signed_in", "unlock", "use_recovery_code", "verify_sign_in_code",
]
