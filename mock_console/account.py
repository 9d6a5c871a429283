"""The dashboard, Account Information (2.1, 2.2, 3.1) and Security Settings (2.3, 3.2)."""

from __future__ import annotations

from flask import Blueprint, redirect, url_for
from werkzeug.wrappers import Response

from mock_console.flows import two_step_shown_on
from mock_console.web import current_user, login_required, page

bp = Blueprint("account", __name__)


@bp.route("/")
def home() -> Response | tuple[str, int]:
    if current_user() is None:
        return redirect(url_for("auth.signin"))
    return page("home.html")


@bp.route("/account")
@login_required
def information() -> tuple[str, int]:
    return page("account.html", two_step_on=two_step_shown_on())


@bp.route("/account/security")
@login_required
def security() -> tuple[str, int]:
    return page("security.html", two_step_on=two_step_shown_on())
