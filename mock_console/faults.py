"""Fault switches: plausible console regressions the harness must catch.

Each switch is off unless a test turns it on through the test API. The catalogue below is the
documentation: one line per fault, saying what the broken console does.
"""

from __future__ import annotations

import json
import threading
from typing import Any

CATALOGUE: dict[str, str] = {
    "accept_any_code": "any well-formed 6-digit code turns 2SV on and signs in",
    "allow_replay": "a code whose time step was already used is accepted again",
    "allow_code_from_two_steps_ago": "the window also accepts codes from T-2 (60-90 s old)",
    "forget_enable": "'Turn on' says 2SV is on, but the account stays off",
    "qr_secret_mismatch": "the key shown as text differs from the secret in the QR code",
    "no_recovery_code": "no Recovery Code is shown after turning 2SV on",
    "no_lockout": "wrong codes are never throttled",
    "recovery_code_reusable": "a Recovery Code signs in more than once",
    "disable_keeps_challenge": "'Turn off' says 2SV is off, but sign-in still asks for a code",
    "skip_turn_off_confirmation": "the status page's 'Turn off' disables at once, no confirmation",
    "no_csrf_check": "state-changing forms are accepted without a valid CSRF token",
    "wrong_confirmation_message": "the confirmation pages show the wrong message",
    "enable_without_code": "'Turn on' turns 2SV on whatever is typed, even nothing",
    "status_not_updated": "Account Information keeps showing the status from before the change",
    "clock_skew": "the console verifies codes with a clock two steps (60 s) ahead of its Date",
    "rename_label": "a label of the article is renamed (params: {'from': ..., 'to': ...})",
}


REQUIRED_PARAMS: dict[str, set[str]] = {"rename_label": {"from", "to"}}


class UnknownFault(KeyError):
    """A fault name that is not in the catalogue."""

    def __str__(self) -> str:  # KeyError would print the message in quotes
        return str(self.args[0])


class FaultParamsError(ValueError):
    """A fault switched on with missing or malformed parameters."""


def check_params(name: str, params: object) -> dict[str, Any]:
    """Return ``params`` if fault ``name`` can be switched on with them, else raise."""
    if not isinstance(params, dict):
        raise FaultParamsError(f"parameters of {name!r} must be a JSON object")
    missing = REQUIRED_PARAMS.get(name, set()) - params.keys()
    if missing:
        wanted = ", ".join(f'"{key}": ...' for key in sorted(REQUIRED_PARAMS[name]))
        raise FaultParamsError(f"{name} needs the parameters {{{wanted}}}")
    return params


def parse_fault_spec(spec: str) -> tuple[str, dict[str, Any]]:
    """Read ``NAME`` or ``NAME=JSON`` (``rename_label={"from": "Change", "to": "Edit"}``)."""
    name, _, raw = spec.partition("=")
    name = name.strip()
    if name not in CATALOGUE:
        raise UnknownFault(f"unknown fault {name!r}; known faults: {', '.join(sorted(CATALOGUE))}")
    try:
        params = json.loads(raw) if raw.strip() else {}
    except ValueError as error:
        raise FaultParamsError(f"parameters of {name!r} are not JSON: {error}") from None
    return name, check_params(name, params)


class Faults:
    """The set of switched-on faults of one console, with optional parameters."""

    def __init__(self) -> None:
        self._on: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()

    def enable(self, name: str, params: dict[str, Any] | None = None) -> None:
        """Switch a fault on (``params`` configure faults such as ``rename_label``)."""
        self._check(name)
        with self._lock:
            self._on[name] = dict(params or {})

    def disable(self, name: str) -> None:
        """Switch a fault off; switching off a fault that is off is fine."""
        self._check(name)
        with self._lock:
            self._on.pop(name, None)

    def clear(self) -> None:
        """Switch every fault off."""
        with self._lock:
            self._on.clear()

    def __contains__(self, name: str) -> bool:
        with self._lock:
            return name in self._on

    def params(self, name: str) -> dict[str, Any]:
        """Return the parameters a fault was switched on with (empty when it is off)."""
        with self._lock:
            return dict(self._on.get(name, {}))

    def enabled(self) -> list[str]:
        """Return the names of the faults that are on, sorted."""
        with self._lock:
            return sorted(self._on)

    @staticmethod
    def _check(name: str) -> None:
        if name not in CATALOGUE:
            known = ", ".join(sorted(CATALOGUE))
            raise UnknownFault(f"unknown fault {name!r}; known faults: {known}")
