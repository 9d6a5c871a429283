"""Helpers every screen shares: the signed-in user, the services, form fields, refusals."""

from __future__ import annotations

import functools
import secrets
from collections.abc import Callable
from typing import Any, TypeVar, cast

from flask import current_app, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

from mock_console.accounts import HARD_LOCK_KEYS, Refused, Services
from mock_console.errors import InputError
from mock_console.messages import translate

F = TypeVar("F", bound=Callable[..., Any])

SEALED_COOKIE = "console_pad"
SEALED_SECONDS = 300


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

    return cast(F, wrapped)  # functools.wraps keeps the signature; mypy cannot see it


def single_field(name: str) -> str:
    """Return one form field; a missing field reads as empty, a repeated one is refused."""
    values = request.form.getlist(name)
    if len(values) > 1:
        raise InputError("code_twice")
    return values[0] if values else ""


def refusal_status(error: InputError) -> int:
    """Pick the HTTP status for refused input: 429 while paused (waiting helps), 403 under the
    hard lock (waiting does not: an administrator must act) and for a change that needs access
    confirmed first, 422 otherwise."""
    if error.key == "reauth_required":  # forbidden until access is confirmed (--reauth)
        return 403
    if not isinstance(error, Refused):
        return 422
    if error.key in HARD_LOCK_KEYS:
        return 403
    paused = error.key.startswith("locked") or error.key == "signin_throttled"
    return 429 if paused else 422


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
    if isinstance(error, Refused) and error.key in ("locked", "signin_throttled"):
        response.headers["Retry-After"] = str(int(error.params["minutes"]) * 60)
    return response


def seal_for_next_page(response: Response, name: str, text: str, path: str) -> Response:
    """Carry a secret (a Recovery Code) to the page at ``path`` without writing it in clear.

    Sessions live in SQLite, whose files keep old page versions: the session gets the text XOR a
    one-time pad, and only the browser gets the pad, in a short-lived cookie scoped to ``path``.
    """
    data = text.encode("utf-8")
    pad = secrets.token_bytes(len(data))
    session[name] = bytes(a ^ b for a, b in zip(data, pad, strict=True)).hex()
    response.set_cookie(
        SEALED_COOKIE, pad.hex(), max_age=SEALED_SECONDS, path=path, httponly=True,
        samesite="Lax", secure=current_app.session_interface.get_cookie_secure(current_app),
    )
    return response


def unseal(name: str) -> str | None:
    """Take a secret sealed by ``seal_for_next_page`` out of the session (None: there is none;
    "" when its pad cookie is missing or does not fit)."""
    sealed = session.pop(name, None)
    if sealed is None:
        return None
    try:
        data, pad = bytes.fromhex(sealed), bytes.fromhex(request.cookies.get(SEALED_COOKIE, ""))
    except ValueError:
        return ""
    if len(data) != len(pad):
        return ""
    return bytes(a ^ b for a, b in zip(data, pad, strict=True)).decode("utf-8", "replace")


def sealed_page(path: str, template: str, **context: Any) -> Response:
    """Render a page that showed a sealed secret, and drop the pad cookie."""
    response = current_app.make_response(page(template, **context))
    response.delete_cookie(SEALED_COOKIE, path=path, httponly=True, samesite="Lax",
                           secure=current_app.session_interface.get_cookie_secure(current_app))
    return response
