"""The JSON API the single-page app renders from: the same flows as the server-rendered pages.

Every answer is JSON; refusals carry the catalogue key and its text in the request's language,
with the same HTTP status as the page would have. State-changing requests need the CSRF token
in the ``X-CSRFToken`` header (flask-wtf reads it there); answers are ``no-store`` like pages.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast

from flask import Blueprint, current_app, g, request, session
from flask_wtf.csrf import generate_csrf
from werkzeug.wrappers import Response

from mock_console import flows
from mock_console.accounts import Refused
from mock_console.errors import InputError
from mock_console.messages import catalogue, languages, translate
from mock_console.web import current_user, refusal_message, refusal_status, services

bp = Blueprint("api", __name__, url_prefix="/api")

F = TypeVar("F", bound=Callable[..., Any])
JsonAnswer = Response | tuple[dict[str, Any], int]


def error_answer(key: str, status: int, message: str | None = None) -> Response:
    """A refusal as JSON: the catalogue key and its text (what the page would show)."""
    body = {"error": {"key": key, "message": message or translate(key)}}
    return current_app.make_response((body, status))


def _refused(error: InputError) -> Response:
    response = error_answer(error.key, refusal_status(error), refusal_message(error))
    if isinstance(error, Refused) and error.key in ("locked", "signin_throttled"):
        response.headers["Retry-After"] = str(int(error.params["minutes"]) * 60)
    return response


def _field(name: str) -> str:
    """Return one string field of the JSON body ("" when missing); anything else is refused."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InputError("error_bad_request")
    value = body.get(name, "")
    if not isinstance(value, str):
        raise InputError("code_twice" if isinstance(value, list) else "error_bad_request")
    return value


def signed_in(view: F) -> F:
    """Refuse visitors who are not signed in (401, the sign-in page's notice)."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if current_user() is None:
            return error_answer("signin_required", 401)
        return view(*args, **kwargs)

    return cast(F, wrapped)


def refusing(view: F) -> F:
    """Answer InputError (malformed or refused input) as a JSON refusal."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        try:
            return view(*args, **kwargs)
        except InputError as error:
            return _refused(error)

    return cast(F, wrapped)


def _state() -> dict[str, Any]:
    """Where the visitor stands: who is signed in, a pending code, the 2SV status shown."""
    user = current_user()
    return {
        "user": user,
        "code_owed": user is None and flows.pending_user() is not None,
        "two_step_on": flows.two_step_shown_on() if user else None,
        "confirm_turn_off": services().policy.confirm_turn_off,
        "reauth_needed": flows.reauth_needed() if user else None,
        "correct_confirmation_messages": services().policy.correct_confirmation_messages,
        "lang": g.get("lang", "en"),
        "languages": {code: translate("language_name", in_lang=code) for code in languages()},
        "language_labels": {code: translate("language", in_lang=code) for code in languages()},
        "csrf_token": generate_csrf(),
    }


@bp.route("/session")
def state() -> dict[str, Any]:
    """The visitor's state, and the screens' words in the visitor's language."""
    lang = g.get("lang", "en")
    messages = {key: translate(key) for key in catalogue(lang)}
    return {**_state(), "messages": messages, "notice": session.pop("notice", None)}


@bp.route("/language", methods=["POST"])
@refusing
def language() -> dict[str, Any]:
    """Switch the session's language."""
    asked = _field("lang")
    if asked not in languages():
        raise InputError("error_bad_request")
    session["lang"] = g.lang = asked
    return state()


@bp.route("/signin", methods=["POST"])
@refusing
def signin() -> dict[str, Any]:
    """Username and password; ``code_owed`` says the code screen comes next."""
    if current_user():
        return _state()
    flows.sign_in(_field("username"), _field("password"), client=request.remote_addr or "")
    return _state()


def _owed() -> str:
    username = flows.pending_user()
    if username is None:
        raise InputError("signin_expired")
    return username


@bp.route("/signin/code", methods=["POST"])
@refusing
def signin_code() -> JsonAnswer:
    """The code owed at sign-in."""
    username = _owed()
    flows.sign_in_code(username, _field("code"))
    return _state(), 200


@bp.route("/signin/recovery", methods=["POST"])
@refusing
def signin_recovery() -> JsonAnswer:
    """A Recovery Code instead; the answer carries the new one (shown once, no-store)."""
    username = _owed()
    new_code = flows.sign_in_recovery(username, _field("recovery_code"))
    return _no_store({**_state(), "recovery_code": new_code})


@bp.route("/signout", methods=["POST"])
def signout() -> dict[str, Any]:
    """Sign out."""
    flows.sign_out()
    return _state()


@bp.route("/account")
@signed_in
def account() -> dict[str, Any]:
    """Account Information and Security Settings: the 2SV status shown (and the real one, which
    picks the screen 'Change' opens)."""
    return {**_state(), "two_step_enabled": flows.signed_in_account().two_step_enabled}


@bp.route("/2sv/setup", methods=["GET", "POST"])
@signed_in
@refusing
def setup() -> JsonAnswer:
    """POST ('Set up') makes the pending secret; GET returns the QR modules and the text key."""
    if request.method == "POST":
        flows.begin_setup()
    screen = flows.setup_screen()
    if screen is None:
        return {**_state(), "setup": None}, 200
    return _no_store({**_state(), "setup": {"qr": screen.qr_modules(),
                                            "text_key": screen.text_key}})


@bp.route("/2sv/enable", methods=["POST"])
@signed_in
@refusing
def enable() -> JsonAnswer:
    """'Turn on'; the answer carries the Recovery Code (shown once, no-store)."""
    code = flows.turn_on(_field("code"))
    return _no_store({**_state(), "recovery_code": code})


@bp.route("/2sv/reauth", methods=["POST"])
@signed_in
@refusing
def reauth() -> JsonAnswer:
    """Confirm access (``--reauth``) for ``next``: "setup" (password) or "turn_off" (password
    or code); the app then makes the change, which the server refuses without it."""
    flows.confirm_access(_field("next"), _field("password"), _field("code"),
                         client=request.remote_addr or "")
    return _state(), 200


@bp.route("/2sv/disable", methods=["POST"])
@signed_in
@refusing
def disable() -> JsonAnswer:
    """'Turn off' (after the confirmation dialog)."""
    if not flows.turn_off():
        raise InputError("two_step_not_on")
    return _state(), 200


def _no_store(body: dict[str, Any]) -> Response:
    """An answer carrying a secret: never kept by the browser or a proxy (unless a fault drops
    the security headers, as it does for the pages: the posture check must see it)."""
    response = current_app.make_response(body)
    if services().policy.security_headers:
        response.headers["Cache-Control"] = "no-store"
    return response
