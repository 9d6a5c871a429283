"""A virtual authenticator app: the harness's stand-in for HENNGE Lock ("Add New OTP").

It scans the console's QR code, keeps the accounts it has added, and hands out codes at the
*console's* time. Because the console accepts each time step only once (RFC 6238 §5.2) and a code
shown a second before it expires may be stale by the time it is submitted, the app never hands
out a step it has handed out before, nor a code with less than ``margin`` seconds left: it asks
the time source for the next step instead (the mock advances its clock, a real console is waited
on). That keeps positive tests deterministic without sleeping.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from e2e.errors import HarnessError
from e2e.evidence.redaction import register_secret
from e2e.otpauth import OtpAuth, parse_otpauth

__all__ = ["Authenticator", "AuthenticatorError", "TimeSource"]


@runtime_checkable
class TimeSource(Protocol):
    """The console's clock as the harness sees it; the harness's Target objects implement it."""

    def now(self) -> float:
        """The console's current time in epoch seconds."""
        ...

    def next_step(self, period: int = 30) -> None:
        """Move the console's time to the start of the next TOTP step (advance or wait)."""
        ...


class AuthenticatorError(HarnessError, RuntimeError):
    """The authenticator cannot do what was asked; the message says what to do instead."""


class Authenticator:
    """Accounts added by scanning QR codes, and a per-account ledger of the time steps handed out.

    ``margin`` is the fewest seconds a code must have left in its step when handed out;
    ``max_advances`` bounds how many steps one :meth:`code` call may move the time source.
    """

    def __init__(self, time_source: TimeSource, margin: float = 3.0, max_advances: int = 5):
        if margin < 0:
            raise ValueError(f"margin must not be negative, got {margin}")
        if max_advances < 1:
            raise ValueError(f"max_advances must be at least 1, got {max_advances}")
        self.time_source = time_source
        self.margin = float(margin)
        self.max_advances = max_advances
        self._entries: dict[str, OtpAuth] = {}  # insertion order: the last one is the default
        self._ledger: dict[str, set[int]] = {}  # keyed like _entries; survives remove()

    # -- adding and removing accounts ------------------------------------------------------

    def scan(
        self, source: Any, evidence_dir: str | Path | None = None, name: str = "qr"
    ) -> OtpAuth:
        """Decode the QR code in ``source`` and add its account, like tapping "Add New OTP".

        ``source`` is a Playwright ``Locator`` (screenshotted, with evidence saved to
        ``evidence_dir``), PNG ``bytes`` or a ``PIL.Image.Image``. Raises ``e2e.qr.QRDecodeError``
        when there is no single readable QR code, :class:`~e2e.otpauth.OtpAuthError` when its text
        is not a TOTP Key URI.
        """
        if isinstance(source, str):
            raise TypeError(
                "scan() takes a Locator, PNG bytes or a PIL image; "
                "pass an otpauth URI string to Authenticator.add_uri instead"
            )
        from e2e import qr  # lazy: the QR module pulls in pyzbar and libzbar

        if isinstance(source, bytes | bytearray | memoryview):
            text = qr.decode_qr(bytes(source))
        elif _is_pil_image(source):
            text = qr.decode_qr(source)
        elif _is_locator(source):
            folder = None if evidence_dir is None else Path(evidence_dir)
            text = qr.decode_locator(source, evidence_dir=folder, name=name)
        else:
            raise TypeError(
                f"scan() takes a Playwright Locator, PNG bytes or a PIL image, "
                f"not {type(source).__name__}"
            )
        return self.add_uri(text)

    def add_uri(self, uri: str) -> OtpAuth:
        """Parse ``uri`` and store the account; re-adding an issuer+account replaces its secret."""
        register_secret(uri)  # the URI carries the secret: neither may reach any output
        entry = parse_otpauth(uri)
        register_secret(entry.secret)
        self._entries.pop(entry.key, None)  # re-insert so it becomes the default
        self._entries[entry.key] = entry
        self._ledger.setdefault(entry.key, set())
        return entry

    def remove(self, account: str) -> OtpAuth:
        """Delete an account from the app (its ledger is kept: the console still remembers)."""
        entry = self.entry(account)
        del self._entries[entry.key]
        return entry

    # -- looking accounts up ----------------------------------------------------------------

    @property
    def entries(self) -> tuple[OtpAuth, ...]:
        """The stored accounts, oldest first (the last one is the default)."""
        return tuple(self._entries.values())

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[OtpAuth]:
        return iter(self.entries)

    def entry(self, account: str | None = None) -> OtpAuth:
        """The account named ``account`` ("Issuer:account" or the account name), else the latest."""
        if not self._entries:
            raise AuthenticatorError(
                "no account added yet: scan the QR code first (Authenticator.scan)"
            )
        if account is None:
            return next(reversed(self._entries.values()))
        if account in self._entries:
            return self._entries[account]
        matches = [e for e in self._entries.values() if e.account == account]
        if len(matches) == 1:
            return matches[0]
        known = ", ".join(repr(k) for k in self._entries)
        if matches:
            raise AuthenticatorError(
                f"{len(matches)} accounts are named {account!r}: "
                f"pass one of {', '.join(repr(e.key) for e in matches)}"
            )
        raise AuthenticatorError(
            f"no account {account!r} in the authenticator (added: {known}); "
            "scan its QR code first or pass 'Issuer:account'"
        )

    def secret(self, account: str | None = None) -> str:
        """The normalised Base32 secret, to compare with the key the console shows as text."""
        return self.entry(account).secret

    # -- the step ledger --------------------------------------------------------------------

    def used_steps(self, account: str | None = None) -> set[int]:
        """A copy of the time steps handed out (or marked used) for the account."""
        return set(self._ledger[self.entry(account).key])

    def mark_used(self, step: int, account: str | None = None) -> None:
        """Record that the console has seen ``step`` (e.g. a code typed in outside this app)."""
        self._ledger[self.entry(account).key].add(int(step))

    # -- codes ------------------------------------------------------------------------------

    def code(self, at: float | None = None, account: str | None = None) -> str:
        """The code to type now, at the console's time; or, with ``at``, the code for that time.

        With ``at=None`` it returns a code from a step later than every step handed out for the
        account (the console rejects steps at or below the last one it accepted) with at least
        ``margin`` seconds left, moving the time source on as needed. With an explicit ``at`` it
        never waits (for window tests such as T-1 / T+1) but refuses a step already used.
        """
        entry = self.entry(account)
        ledger = self._ledger[entry.key]
        if at is not None:
            step = entry.step(at)
            if step in ledger:
                raise AuthenticatorError(
                    f"time step {step} was already used for {entry.key!r}: the console would "
                    "reject it as a replay; call code() without at= for a fresh one"
                )
        else:
            step = self._fresh_step(entry, ledger)
        ledger.add(step)
        return entry.code_for_step(step)

    def _fresh_step(self, entry: OtpAuth, ledger: set[int]) -> int:
        """Move the time source on until its step is later than the ledger, with margin left."""
        period = entry.period
        if self.margin >= period:
            raise AuthenticatorError(
                f"margin {self.margin:g} s leaves no usable time in a {period} s step: "
                "create the Authenticator with a smaller margin"
            )
        latest = max(ledger, default=-1)
        now = self.time_source.now()
        needed = latest - entry.step(now) + 1
        if needed > self.max_advances:
            raise AuthenticatorError(
                f"step {latest} is already used for {entry.key!r}, {needed} steps ahead of the "
                f"console's time {now:.3f}: more than max_advances={self.max_advances}; "
                "do not mark future steps used, or raise max_advances"
            )
        advances = 0
        while True:
            step = entry.step(now)
            if step > latest and entry.seconds_left(now) >= self.margin:
                return step
            if advances == self.max_advances:
                raise AuthenticatorError(
                    f"no fresh code for {entry.key!r} after {advances} calls to "
                    f"next_step({period}) (time now {now:.3f}, last used step {latest}): "
                    "the time source's next_step() must move to the start of the next step"
                )
            self.time_source.next_step(period)
            advances += 1
            before, now = now, self.time_source.now()
            if now <= before:
                raise AuthenticatorError(
                    f"the time source did not move: now() was {before:.3f} before and {now:.3f} "
                    f"after next_step({period}); a Target must advance the mock's clock or wait "
                    "on a real console until the next step"
                )


def _is_pil_image(obj: object) -> bool:
    try:
        from PIL import Image
    except ImportError:  # pragma: no cover - pillow is a dependency
        return False
    return isinstance(obj, Image.Image)


def _is_locator(obj: object) -> bool:
    """A Playwright sync ``Locator``, or anything shaped like one (has ``screenshot()``)."""
    try:
        from playwright.sync_api import Locator
    except ImportError:  # pragma: no cover - playwright is a dependency
        pass
    else:
        if isinstance(obj, Locator):
            return True
    return callable(getattr(obj, "screenshot", None))
