"""Turning 2-Step Verification on (2.4-2.7) and off (3.3-3.5)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import segno
from flask import Blueprint, redirect, request, session, url_for
from werkzeug.wrappers import Response

from mock_console import accounts
from mock_console.errors import InputError
from mock_console.sessions import end_other_sessions
from mock_console.web import (
    current_user,
    login_required,
    page,
    refused_page,
    seal_for_next_page,
    sealed_page,
    services,
    single_field,
    unseal,
)

bp = Blueprint("two_step", __name__, url_prefix="/account/security/2sv")

ISSUER = "HENNGE Cloud Protection"


def key_uri(secret: str, account: str, issuer: str = ISSUER) -> str:
    """Return the Key URI ``otpauth://totp/ISSUER:ACCOUNT?secret=...&issuer=ISSUER``."""
    label = f"{quote(issuer, safe='')}:{quote(account, safe='')}"
    return f"otpauth://totp/{label}?secret={secret}&issuer={quote(issuer, safe='')}"


def qr_png_data_uri(text: str) -> str:
    """Draw ``text`` as a QR code PNG (segno) and return it as a data: URI."""
    return segno.make(text, error="m", micro=False).png_data_uri(scale=5, border=4)


def grouped(key: str) -> str:
    """Show a Base32 key in groups of four, as authenticator apps print it."""
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def _account() -> accounts.Account:
    account = accounts.load(services().store.read(), current_user() or "")
    if account is None:
        raise InputError("account_missing")
    return account


@bp.route("")
@login_required
def change() -> Response | tuple[str, int]:
    """'Change' on the 2-Step Verification row: set-up when off, status when on."""
    if _account().two_step_enabled:
        return page("two_step_status.html",
                    direct_turn_off=not services().policy.confirm_turn_off)
    return page("turn_on.html")


@bp.route("/setup", methods=["GET", "POST"])
@login_required
def setup() -> Response | tuple[str, int]:
    """POST ('Set up') makes the pending secret; GET shows its QR code and the code field."""
    account = _account()
    if account.two_step_enabled:
        return redirect(url_for("two_step.change"))
    if request.method == "POST":
        accounts.begin_setup(services(), account.username)
        return redirect(url_for("two_step.setup"))
    if account.pending_secret is None:
        return redirect(url_for("two_step.change"))
    return page("setup.html", **_setup_context(account.username, account.pending_secret))


def _setup_context(username: str, secret: str) -> dict[str, Any]:
    uri = key_uri(secret, username)
    return {
        "qr_data_uri": qr_png_data_uri(uri),
        "text_key": grouped(accounts.shown_text_key(services(), secret)),
    }


def _factor_changed(username: str) -> None:
    """2SV went on or off: the account's other browsers must sign in again."""
    if services().policy.end_other_sessions_on_change:
        end_other_sessions(services().store, username)


@bp.route("/enable", methods=["POST"])
@login_required
def enable() -> Response:
    """'Turn on': the code must match the pending secret."""
    account = _account()
    try:
        code = accounts.enable(services(), account.username, single_field("code"))
    except InputError as error:
        fresh = _account()
        if fresh.pending_secret is None:
            return refused_page("turn_on.html", error)
        return refused_page("setup.html", error, **_setup_context(fresh.username,
                                                                   fresh.pending_secret))
    _factor_changed(account.username)
    confirmation = url_for("two_step.enabled")
    return seal_for_next_page(redirect(confirmation), "enabled_recovery_code", code or "",
                              confirmation)


@bp.route("/enabled")
@login_required
def enabled() -> Response:
    """2.7: the confirmation, with the Recovery Code shown this once."""
    code = unseal("enabled_recovery_code")
    if code is None:
        return redirect(url_for("account.information"))
    wrong = not services().policy.correct_confirmation_messages
    return sealed_page(request.path, "enabled.html", recovery_code=code, wrong_message=wrong)


@bp.route("/turn-off", methods=["GET", "POST"])
@login_required
def turn_off() -> Response | tuple[str, int]:
    """GET: the 'Turn off 2-Step Verification' page (3.4); POST: turn it off."""
    if not _account().two_step_enabled:
        return redirect(url_for("two_step.change"))
    if request.method == "GET":
        return page("turn_off.html")
    accounts.disable(services(), current_user() or "")
    _factor_changed(current_user() or "")
    session["just_disabled"] = True
    return redirect(url_for("two_step.disabled"))


@bp.route("/disabled")
@login_required
def disabled() -> Response | tuple[str, int]:
    """3.5: the confirmation that 2SV is off."""
    if not session.pop("just_disabled", False):
        return redirect(url_for("account.information"))
    wrong = not services().policy.correct_confirmation_messages
    return page("disabled.html", wrong_message=wrong)

