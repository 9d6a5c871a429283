"""Sign-in (1.1), the code asked at sign-in when 2SV is on, Recovery Code sign-in, sign-out."""

from __future__ import annotations

from flask import Blueprint, redirect, request, session, url_for
from werkzeug.wrappers import Response

from mock_console import flows
from mock_console.errors import InputError
from mock_console.web import (
    page,
    refused_page,
    seal_for_next_page,
    sealed_page,
    single_field,
    unseal,
)

bp = Blueprint("auth", __name__)


@bp.route("/signin", methods=["GET", "POST"])
def signin() -> Response | tuple[str, int]:
    if session.get("user"):
        return redirect(url_for("account.home"))
    notice = session.pop("notice", None)
    if request.method == "GET":
        return page("signin.html", notice=notice)
    username = request.form.get("username", "").strip()
    try:
        done = flows.sign_in(username, request.form.get("password", ""),
                             client=request.remote_addr or "")
    except InputError as refused:
        return refused_page("signin.html", refused, username=username)
    return redirect(url_for("account.home" if done else "auth.challenge"))


@bp.route("/signin/code", methods=["GET", "POST"])
def challenge() -> Response | tuple[str, int]:
    username = flows.pending_user()
    if username is None:
        session["notice"] = "signin_expired"
        return redirect(url_for("auth.signin"))
    if request.method == "GET":
        return page("signin_code.html")
    try:
        flows.sign_in_code(username, single_field("code"))
    except InputError as error:
        return refused_page("signin_code.html", error)
    return redirect(url_for("account.home"))


@bp.route("/signin/recovery", methods=["GET", "POST"])
def recovery() -> Response | tuple[str, int]:
    username = flows.pending_user()
    if username is None:
        session["notice"] = "signin_expired"
        return redirect(url_for("auth.signin"))
    if request.method == "GET":
        return page("signin_recovery.html")
    try:
        new_code = flows.sign_in_recovery(username, single_field("recovery_code"))
    except InputError as error:
        return refused_page("signin_recovery.html", error)
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
    flows.sign_out()
    session["notice"] = "signed_out"
    return redirect(url_for("auth.signin"))
