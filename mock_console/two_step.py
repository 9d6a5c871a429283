"""Turning 2-Step Verification on (2.4-2.7) and off (3.3-3.5)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, redirect, request, session, url_for
from werkzeug.wrappers import Response

from mock_console import flows
from mock_console.errors import InputError
from mock_console.flows import ISSUER, grouped, key_uri
from mock_console.web import (
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

__all__ = ["ISSUER", "bp", "grouped", "key_uri"]


@bp.route("")
@login_required
def change() -> Response | tuple[str, int]:
    """'Change' on the 2-Step Verification row: set-up when off, status when on."""
    if flows.signed_in_account().two_step_enabled:
        return page("two_step_status.html",
                    direct_turn_off=not services().policy.confirm_turn_off)
    return page("turn_on.html")


@bp.route("/setup", methods=["GET", "POST"])
@login_required
def setup() -> Response | tuple[str, int]:
    """POST ('Set up') makes the pending secret; GET shows its QR code and the code field."""
    if flows.signed_in_account().two_step_enabled:
        return redirect(url_for("two_step.change"))
    if request.method == "POST":
        try:
            flows.begin_setup()
        except InputError as error:
            return _ask_to_confirm(flows.SETUP, error)
        return redirect(url_for("two_step.setup"))
    screen = flows.setup_screen()
    if screen is None:
        return redirect(url_for("two_step.change"))
    return page("setup.html", **_setup_context(screen))


def _setup_context(screen: flows.SetupScreen) -> dict[str, Any]:
    return {"qr_data_uri": screen.qr_png_data_uri(), "text_key": screen.text_key}


@bp.route("/enable", methods=["POST"])
@login_required
def enable() -> Response:
    """'Turn on': the code must match the pending secret."""
    try:
        code = flows.turn_on(single_field("code"))
    except InputError as error:
        screen = flows.setup_screen()
        if screen is None:
            return refused_page("turn_on.html", error)
        return refused_page("setup.html", error, **_setup_context(screen))
    confirmation = url_for("two_step.enabled")
    return seal_for_next_page(redirect(confirmation), "enabled_recovery_code", code,
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
    if not flows.signed_in_account().two_step_enabled:
        return redirect(url_for("two_step.change"))
    if request.method == "GET":
        return page("turn_off.html")
    try:
        flows.turn_off()
    except InputError as error:
        return _ask_to_confirm(flows.TURN_OFF, error)
    session["just_disabled"] = True
    return redirect(url_for("two_step.disabled"))


def _ask_to_confirm(action: str, error: InputError) -> Response:
    """A change asked for without a fresh confirmation (the screen's button, a deep link, a
    forged POST): refused, nothing changed; the prompt asks, then makes the change."""
    if error.key != "reauth_required":
        raise error
    session["notice"] = error.key
    return redirect(url_for("two_step.confirm", next=action))


@bp.route("/confirm", methods=["GET", "POST"])
@login_required
def confirm() -> Response | tuple[str, int]:
    """Confirm access (``--reauth``), then do the change it was asked for: Set up or Turn off."""
    action = request.values.get("next", "")
    if action not in flows.REAUTH_ACTIONS:
        abort(400)
    if (action == flows.SETUP) == flows.signed_in_account().two_step_enabled:
        return redirect(url_for("two_step.change"))  # nothing left to confirm this for
    context: dict[str, Any] = {"action": action, "code_allowed": action in flows.CODE_ALLOWED}
    if request.method == "GET":
        return page("reauth.html", notice=session.pop("notice", None), **context)
    try:
        flows.confirm_access(action, request.form.get("password", ""), single_field("code"),
                             client=request.remote_addr or "")
    except InputError as error:
        return refused_page("reauth.html", error, **context)
    if action == flows.SETUP:
        flows.begin_setup()
        return redirect(url_for("two_step.setup"))
    flows.turn_off()
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
