"""Helpers every screen shares: the signed-in user, the services, form fields, refusals."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import current_app, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

from mock_console.accounts import Refused, Services
from mock_console.errors import InputError
from mock_console.messages import translate

F = TypeVar("F", bound=Callable[..., Any])


def services() -> Services:
    """Return the store, clock and faults of the running console."""
    return current_app.extensions["mock_console"]


def current_user() -> str | None:
    """Return the signed-in username, or None."""
    return session.get("user")


def login_required(view: F) -> F:
    """Send visitors who are not signed in to the sign-in page."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if current_user() is None:
            session["notice"] = "signin_required"
            return redirect(url_for("auth.signin"))
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def single_field(name: str) -> str:
    """Return one form field; a missing field reads as empty, a repeated one is refused."""
    values = request.form.getlist(name)
    if len(values) > 1:
        raise InputError("code_twice")
    return values[0] if values else ""


def refusal_status(error: InputError) -> int:
    """Pick the HTTP status for refused input: 429 while locked, 422 otherwise."""
    return 429 if isinstance(error, Refused) and error.key.startswith("locked") else 422


def refusal_message(error: InputError) -> str:
    """Return the user-facing text of a refusal."""
    return translate(error.key, **error.params)


def page(template: str, status: int = 200, **context: Any) -> tuple[str, int]:
    """Render a screen with a status code."""
    return render_template(template, **context), status


def refused_page(template: str, error: InputError, **context: Any) -> Response:
    """Render a form again with the refusal message and a matching status."""
    body = render_template(template, error=refusal_message(error), **context)
    response = current_app.make_response((body, refusal_status(error)))
    if isinstance(error, Refused) and error.key == "locked":
        response.headers["Retry-After"] = str(int(error.params["minutes"]) * 60)
    return response
