"""What each screen does, once for both front-ends (server-rendered pages and the JSON API).

The rules about an account live in ``accounts``; this module adds what a browser session adds
(who is signed in, a sign-in still owing a code, ending other sessions), so the HTML routes and
``/api/`` call the same functions and no rule is written twice.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from urllib.parse import quote

import segno
from flask import session

from mock_console import accounts
from mock_console.errors import InputError
from mock_console.sessions import end_other_sessions, rotate_session
from mock_console.web import current_user, services

ISSUER = "HENNGE Cloud Protection"


def key_uri(secret: str, account: str, issuer: str = ISSUER) -> str:
    """Return the Key URI ``otpauth://totp/ISSUER:ACCOUNT?secret=...&issuer=ISSUER``."""
    label = f"{quote(issuer, safe='')}:{quote(account, safe='')}"
    return f"otpauth://totp/{label}?secret={secret}&issuer={quote(issuer, safe='')}"


def grouped(key: str) -> str:
    """Show a Base32 key in groups of four, as authenticator apps print it."""
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


@dataclass(frozen=True)
class SetupScreen:
    """What the setup screen shows: the Key URI (drawn as a QR code) and the text key."""

    uri: str
    text_key: str

    def qr_png_data_uri(self) -> str:
        """The QR code as a PNG data: URI (server-rendered page)."""
        return _qr_png_data_uri(self.uri)

    def qr_modules(self) -> list[str]:
        """The QR code's dark modules, one string of 0/1 per row (the SPA draws them)."""
        return list(_qr_modules(self.uri))


# The setup screen is drawn again after every refused code, language switch and reload, with the
# same pending secret; encoding its QR code (choosing the best of eight masks) takes 10-15 ms of
# pure Python. A few recent ones are kept, in memory only, for as long as they may be shown.
QR_CACHE_SIZE = 32


@functools.lru_cache(maxsize=QR_CACHE_SIZE)
def _qr(uri: str) -> segno.QRCode:
    return segno.make(uri, error="m", micro=False)


@functools.lru_cache(maxsize=QR_CACHE_SIZE)
def _qr_png_data_uri(uri: str) -> str:
    return _qr(uri).png_data_uri(scale=5, border=4)


@functools.lru_cache(maxsize=QR_CACHE_SIZE)
def _qr_modules(uri: str) -> tuple[str, ...]:
    return tuple("".join("1" if m else "0" for m in row) for row in _qr(uri).matrix)


def signed_in_account() -> accounts.Account:
    """Return the signed-in user's account (refused when it is gone)."""
    account = accounts.load(services().store.read(), current_user() or "")
    if account is None:
        raise InputError("account_missing")
    return account


def two_step_shown_on() -> bool:
    """Return the 2SV status the screens show: the current one, or the one at sign-in."""
    if not services().policy.status_reflects_change:
        return bool(session.get("status_at_sign_in"))
    account = accounts.load(services().store.read(), current_user() or "")
    return bool(account and account.two_step_enabled)


def start_session(username: str, how: str) -> None:
    """Finish sign-in under a new session id; the id used before sign-in is retired."""
    lang = session.get("lang")
    session.clear()
    if services().policy.rotate_session_at_sign_in:
        rotate_session()
    session["user"] = username
    if lang:
        session["lang"] = lang
    account = accounts.load(services().store.read(), username)
    session["status_at_sign_in"] = bool(account and account.two_step_enabled)
    accounts.signed_in(services(), username, how)


def sign_in(username: str, password: str, client: str) -> bool:
    """Check the password; return True when signed in, False when a code is still owed."""
    username = username.strip()
    if not username or not password:
        raise InputError("signin_missing")
    account = accounts.authenticate(services(), username, password, client=client)
    if not account.challenged_at_sign_in:
        start_session(account.username, "password")
        return True
    if services().policy.rotate_session_at_sign_in:
        rotate_session()
    session["pending_user"] = account.username
    session["pending_since"] = services().clock.now()
    return False


def pending_user() -> str | None:
    """Return the user whose password was accepted and who still owes a code, if still fresh."""
    username = session.get("pending_user")
    started = session.get("pending_since", 0)
    lifetime = services().policy.pending_sign_in_seconds
    if username and (lifetime is None or services().clock.now() - started <= lifetime):
        return username
    return None


def sign_in_code(username: str, code: str) -> None:
    """Check the code owed at sign-in and finish signing in."""
    accounts.verify_sign_in_code(services(), username, code)
    start_session(username, "code")


def sign_in_recovery(username: str, code: str) -> str:
    """Sign in with a Recovery Code; return the new one (shown once)."""
    new_code = accounts.use_recovery_code(services(), username, code)
    start_session(username, "recovery code")
    return new_code


def sign_out() -> None:
    """End the session under a new id, keeping the language."""
    lang = session.get("lang")
    session.clear()
    rotate_session()
    if lang:
        session["lang"] = lang


# -- re-authentication (--reauth): confirm access before Set up and Turn off -------------------

SETUP, TURN_OFF = "setup", "turn_off"
REAUTH_ACTIONS = (SETUP, TURN_OFF)  # what a confirmation may lead to (never a URL: no redirect)
CODE_ALLOWED = frozenset({TURN_OFF})  # 2SV is on only there, so only there a code can confirm


def reauth_needed() -> bool:
    """Whether Set up and Turn off first ask to confirm access (no fresh one in this session)."""
    policy = services().policy
    if not policy.reauth_before_change:
        return False
    confirmed_at = session.get("reauth_at")
    if confirmed_at is None:
        return True
    age = services().clock.now() - float(confirmed_at)
    return not 0 <= age <= policy.reauth_seconds


def require_reauth() -> None:
    """Refuse a change without a fresh confirmation, whoever asks (the screens' buttons, a deep
    link, a forged POST): the screens then show the prompt (unless a fault drops the check)."""
    if services().policy.reauth_server_check and reauth_needed():
        raise InputError("reauth_required")


def confirm_access(action: str, password: str, code: str, client: str) -> None:
    """Check the password (or, before Turn off, a current code); the confirmation then lasts
    ``policy.reauth_seconds`` in this session. Wrong answers count as wrong passwords or codes
    do at sign-in (throttling, lockout, audit), and change nothing."""
    if action not in REAUTH_ACTIONS:
        raise InputError("error_bad_request")
    username = signed_in_account().username
    if password:
        try:
            accounts.authenticate(services(), username, password, client=client)
        except accounts.Refused as refused:
            if refused.key == "signin_failed":
                raise accounts.Refused("reauth_wrong_password") from None
            raise
    elif code and action in CODE_ALLOWED:
        accounts.verify_sign_in_code(services(), username, code)
    else:
        raise InputError("reauth_missing_code" if action in CODE_ALLOWED else "reauth_missing")
    accounts.access_confirmed(services(), username, "password" if password else "code")
    session["reauth_at"] = services().clock.now()


def begin_setup() -> None:
    """'Set up': give the signed-in account a pending secret (nothing when 2SV is already on)."""
    account = signed_in_account()
    if not account.two_step_enabled:
        require_reauth()
        accounts.begin_setup(services(), account.username)


def setup_screen() -> SetupScreen | None:
    """Return what the setup screen shows, or None when no setup is pending."""
    account = signed_in_account()
    if account.two_step_enabled or account.pending_secret is None:
        return None
    secret = account.pending_secret
    shown = grouped(accounts.shown_text_key(services(), secret))
    return SetupScreen(uri=key_uri(secret, account.username), text_key=shown)


def _factor_changed(username: str) -> None:
    """2SV went on or off: the account's other browsers must sign in again."""
    if services().policy.end_other_sessions_on_change:
        end_other_sessions(services().store, username)


def turn_on(code: str) -> str:
    """'Turn on': the code must match the pending secret; return the Recovery Code ("" none)."""
    return turn_on_for(signed_in_account().username, code) or ""


def turn_on_for(username: str, code: str) -> str | None:
    """Turn 2SV on for ``username`` with ``code`` (its pending secret's), ending its other
    sessions; return the Recovery Code, None when the console issues none. The setup page and
    the test API both come here, so the rules are written once."""
    recovery_code = accounts.enable(services(), username, code)
    _factor_changed(username)
    return recovery_code


def turn_off() -> bool:
    """'Turn off': return False when 2SV was not on (nothing changes)."""
    account = signed_in_account()
    if not account.two_step_enabled:
        return False
    require_reauth()
    accounts.disable(services(), account.username)
    _factor_changed(account.username)
    return True
