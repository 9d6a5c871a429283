"""Fault switches: plausible console regressions the harness must catch.

Each switch is declared once, below, as a change to the console's ``Policy``: the product code
reads only the policy and never a fault's name. Every switch is off unless a test turns it on
through the test API (or ``python -m mock_console --fault``). Unknown names are an error
everywhere, so a typo can never silently leave a fault off.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from mock_console.policy import STRICT, Policy

TOTP_PERIOD = 30
PROCEDURE = "procedure"  # the article's whole procedure (tests marked ``procedure``)


@dataclass(frozen=True)
class Fault:
    """One way to break the console: what the broken console does, and the policy it keeps."""

    name: str
    description: str
    breaks: Callable[[Policy, dict[str, Any]], Policy]
    # The security rules (docs/security.md) whose tests should fail, or PROCEDURE for the
    # article's own steps: selftest --quick runs those tests first (a hint, never a verdict).
    caught_by: tuple[str, ...] = ()
    params: frozenset[str] = frozenset()  # parameters it must be switched on with


def _set(**changes: Any) -> Callable[[Policy, dict[str, Any]], Policy]:
    """Return a fault's policy change that sets the given fields."""
    return lambda policy, _params: replace(policy, **changes)


def _rename(policy: Policy, params: dict[str, Any]) -> Policy:
    return replace(policy, label_renames=(*policy.label_renames,
                                          (str(params["from"]), str(params["to"]))))


FAULTS: tuple[Fault, ...] = (
    Fault("accept_any_code", "any well-formed 6-digit code turns 2SV on and signs in",
          _set(verify_codes=False), ("pending", "enabled_outcome")),
    Fault("allow_replay", "a code whose time step was already used is accepted again",
          _set(replay_protection=False), ("replay",)),
    Fault("allow_code_from_two_steps_ago",
          "the window also accepts codes from T-2 (60-90 s old)", _set(steps_behind=2),
          ("window",)),
    Fault("forget_enable", "'Turn on' says 2SV is on, but the account stays off",
          _set(persist_enable=False), ("enabled_outcome", PROCEDURE)),
    Fault("qr_secret_mismatch", "the key shown as text differs from the secret in the QR code",
          _set(text_key_matches_qr=False), (PROCEDURE,)),
    Fault("no_recovery_code", "no Recovery Code is shown after turning 2SV on",
          _set(issue_recovery_code=False), ("recovery", PROCEDURE)),
    Fault("no_lockout", "wrong codes are never throttled", _set(max_failures=None),
          ("throttling",)),
    Fault("recovery_code_reusable", "a Recovery Code signs in more than once",
          _set(recovery_single_use=False), ("recovery",)),
    Fault("disable_keeps_challenge",
          "'Turn off' says 2SV is off, but sign-in still asks for a code",
          _set(disable_clears_secret=False), (PROCEDURE,)),
    Fault("skip_turn_off_confirmation",
          "the status page's 'Turn off' disables at once, no confirmation",
          _set(confirm_turn_off=False), ("turn_off_confirmation",)),
    Fault("no_csrf_check", "state-changing forms are accepted without a valid CSRF token",
          _set(csrf_check=False), ("csrf",)),
    Fault("wrong_confirmation_message", "the confirmation pages show the wrong message",
          _set(correct_confirmation_messages=False), (PROCEDURE,)),
    Fault("enable_without_code", "'Turn on' turns 2SV on whatever is typed, even nothing",
          _set(require_code_to_enable=False), ("pending",)),
    Fault("status_not_updated",
          "Account Information keeps showing the status from before the change",
          _set(status_reflects_change=False), (PROCEDURE,)),
    Fault("clock_skew", "the console verifies codes with a clock two steps (60 s) ahead of its "
          "Date", _set(verification_skew_seconds=2 * TOTP_PERIOD), ("window", PROCEDURE)),
    Fault("weak_security_headers", "the pages may be cached, framed and sniffed, and run inline "
          "script (no Cache-Control: no-store, X-Frame-Options, nosniff or CSP)",
          _set(security_headers=False), ("headers",)),
    Fault("short_secret", "the secret issued at 'Set up' has 80 bits, not 160",
          _set(secret_bytes=10), ("secret", PROCEDURE)),
    Fault("repeated_secret", "every enrolment of an account gets the same secret (derived from "
          "the account's name), not a fresh random one", _set(fresh_secret_per_enrolment=False),
          ("secret",)),
    Fault("keep_other_sessions", "turning 2SV on or off leaves the account's other sessions "
          "signed in", _set(end_other_sessions_on_change=False), ("other_sessions",)),
    Fault("no_password_throttling", "wrong passwords are never throttled and leave no audit "
          "event", _set(max_password_failures=None), ("password_throttling",)),
    Fault("enable_code_reusable", "the code that turned 2SV on signs in again (its time step is "
          "not marked used)", _set(enable_step_used=False), ("replay",)),
    Fault("recovery_ignores_lockout", "a Recovery Code signs in while code entry is locked",
          _set(recovery_obeys_lock=False), ("throttling",)),
    Fault("pending_sign_in_never_expires", "a password accepted long ago still lets a code "
          "finish signing in", _set(pending_sign_in_seconds=None), ("session",)),
    Fault("no_session_rotation", "the session id is kept at sign-in (session fixation)",
          _set(rotate_session_at_sign_in=False), ("session",)),
    Fault("lenient_code_input", "codes in full-width or other non-ASCII digits, or with "
          "hyphens, are read as ASCII digits and accepted", _set(strict_code_input=False),
          ("input",)),
    Fault("lockout_never_escalates", "every lock lasts five minutes, however many wrong codes came "
          "before, and no number of them locks the account for good",
          _set(lock_growth=1, hard_lock_failures=None), ("throttling",)),
    Fault("skip_reauth_check", "with --reauth, Set up and Turn off go through without a fresh "
          "confirmation of access: the server never refuses them for want of one (the screens' "
          "buttons, a deep link, a forged POST, the JSON API)", _set(reauth_server_check=False),
          ("reauth",)),
    Fault("rename_label", "a label of the article is renamed (params: {'from': ..., 'to': ...})",
          _rename, (PROCEDURE,), frozenset({"from", "to"})),
)

BY_NAME: dict[str, Fault] = {fault.name: fault for fault in FAULTS}
CATALOGUE: dict[str, str] = {fault.name: fault.description for fault in FAULTS}
CAUGHT_BY: dict[str, list[str]] = {fault.name: list(fault.caught_by) for fault in FAULTS}


class UnknownFault(KeyError):
    """A fault name that is not in the catalogue."""

    def __str__(self) -> str:  # KeyError would print the message in quotes
        return str(self.args[0])


class FaultParamsError(ValueError):
    """A fault switched on with missing or malformed parameters."""


def fault(name: str) -> Fault:
    """Return the fault called ``name``, or raise UnknownFault listing the known ones."""
    try:
        return BY_NAME[name]
    except KeyError:
        known = ", ".join(sorted(BY_NAME))
        raise UnknownFault(f"unknown fault {name!r}; known faults: {known}") from None


def check_params(name: str, params: object) -> dict[str, Any]:
    """Return ``params`` if fault ``name`` can be switched on with them, else raise."""
    wanted = fault(name).params
    if not isinstance(params, dict):
        raise FaultParamsError(f"parameters of {name!r} must be a JSON object")
    missing = wanted - params.keys()
    if missing:
        keys = ", ".join(f'"{key}": ...' for key in sorted(wanted))
        raise FaultParamsError(f"{name} needs the parameters {{{keys}}}")
    return params


def parse_fault_spec(spec: str) -> tuple[str, dict[str, Any]]:
    """Read ``NAME`` or ``NAME=JSON`` (``rename_label={"from": "Change", "to": "Edit"}``)."""
    name, _, raw = spec.partition("=")
    name = name.strip()
    fault(name)
    try:
        params = json.loads(raw) if raw.strip() else {}
    except ValueError as error:
        raise FaultParamsError(f"parameters of {name!r} are not JSON: {error}") from None
    return name, check_params(name, params)


class Faults:
    """The switched-on faults of one console, and the policy the console keeps because of them."""

    def __init__(self, base: Policy = STRICT) -> None:
        self._base = base
        self._on: dict[str, dict[str, Any]] = {}
        self._policy = base
        self._lock = threading.Lock()

    @property
    def policy(self) -> Policy:
        """The rules in force: the base policy with every switched-on fault applied."""
        return self._policy

    def enable(self, name: str, params: dict[str, Any] | None = None) -> None:
        """Switch a fault on (``params`` configure faults such as ``rename_label``)."""
        checked = check_params(name, dict(params or {}))
        with self._lock:
            self._on[name] = checked
            self._recompute()

    def disable(self, name: str) -> None:
        """Switch a fault off; switching off a fault that is off is fine."""
        fault(name)
        with self._lock:
            self._on.pop(name, None)
            self._recompute()

    def clear(self) -> None:
        """Switch every fault off."""
        with self._lock:
            self._on.clear()
            self._recompute()

    def is_on(self, name: str) -> bool:
        """Tell whether the fault ``name`` is on (an unknown name is an error, not False)."""
        fault(name)
        with self._lock:
            return name in self._on

    def params(self, name: str) -> dict[str, Any]:
        """Return the parameters a fault was switched on with (empty when it is off)."""
        fault(name)
        with self._lock:
            return dict(self._on.get(name, {}))

    def enabled(self) -> list[str]:
        """Return the names of the faults that are on, sorted."""
        with self._lock:
            return sorted(self._on)

    def _recompute(self) -> None:
        policy = self._base
        for name, params in self._on.items():
            policy = BY_NAME[name].breaks(policy, params)
        self._policy = policy
