"""Sign-in (1.1), the code asked at sign-in when 2SV is on, Recovery Code sign-in, sign-out."""

from __future__ import annotations

from flask import Blueprint, redirect, request, session, url_for
from werkzeug.wrappers import Response

from mock_console import accounts
from mock_console.accounts import Refused
from mock_console.errors import InputError
from mock_console.sessions import rotate_session
from mock_console.web import (
    page,
    refused_page,
    seal_for_next_page,
    sealed_page,
    services,
    single_field,
    unseal,
)

bp = Blueprint("auth", __name__)

def _start_session(username: str, how: str) -> None:
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


def _pending_user() -> str | None:
    """Return the user whose password was accepted and who still owes a code, if still fresh."""
    username = session.get("pending_user")
    started = session.get("pending_since", 0)
    lifetime = services().policy.pending_sign_in_seconds
    if username and (lifetime is None or services().clock.now() - started <= lifetime):
        return username
    return None


@bp.route("/signin", methods=["GET", "POST"])
def signin() -> Response | tuple[str, int]:
    if session.get("user"):
        return redirect(url_for("account.home"))
    notice = session.pop("notice", None)
    if request.method == "GET":
        return page("signin.html", notice=notice)
    username = request.form.get("username", "").strip()
    password = request.form.get("password", "")
    if not username or not password:
        return refused_page("signin.html", InputError("signin_missing"), username=username)
    try:
        account = accounts.authenticate(services(), username, password,
                                        client=request.remote_addr or "")
    except Refused as refused:
        return refused_page("signin.html", refused, username=username)
    if not account.challenged_at_sign_in:
        _start_session(account.username, "password")
        return redirect(url_for("account.home"))
    if services().policy.rotate_session_at_sign_in:
        rotate_session()
    session["pending_user"] = account.username
    session["pending_since"] = services().clock.now()
    return redirect(url_for("auth.challenge"))


@bp.route("/signin/code", methods=["GET", "POST"])
def challenge() -> Response | tuple[str, int]:
    username = _pending_user()
    if username is None:
        session["notice"] = "signin_expired"
        return redirect(url_for("auth.signin"))
    if request.method == "GET":
        return page("signin_code.html")
    try:
        accounts.verify_sign_in_code(services(), username, single_field("code"))
    except InputError as error:
        return refused_page("signin_code.html", error)
    _start_session(username, "code")
    return redirect(url_for("account.home"))


@bp.route("/signin/recovery", methods=["GET", "POST"])
def recovery() -> Response | tuple[str, int]:
    username = _pending_user()
    if username is None:
        session["notice"] = "signin_expired"
        return redirect(url_for("auth.signin"))
    if request.method == "GET":
        return page("signin_recovery.html")
    try:
        new_code = accounts.use_recovery_code(services(), username, single_field("recovery_code"))
    except InputError as error:
        return refused_page("signin_recovery.html", error)
    _start_session(username, "recovery code")
    shown_at = url_for("auth.new_recovery_code")
    return seal_for_next_page(redirect(shown_at), "new_recovery_code", new_code, shown_at)


@bp.route("/signin/new-recovery-code")
def new_recovery_code() -> Response:
    code = unseal("new_recovery_code")
    if code is None or not session.get("user"):
        return redirect(url_for("account.home"))
    return sealed_page(request.path, "new_recovery_code.html", recovery_code=code)


@bp.route("/signout", methods=["POST"])
def signout() -> Response:
    lang = session.get("lang")
    session.clear()
    rotate_session()
    if lang:
        session["lang"] = lang
    session["notice"] = "signed_out"
    return redirect(url_for("auth.signin"))
