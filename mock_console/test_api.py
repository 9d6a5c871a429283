"""The test API under /__test__/: accounts, the console's clock, audit events, fault switches.

Registered only when the app is created with ``TEST_API=True``, and only for loopback clients.
Everything here a real console could do by waiting or by configuration: it makes the mock fast,
never different.
"""

from __future__ import annotations

import ipaddress
import math
import sqlite3
from typing import Any

from flask import Blueprint, abort, current_app, jsonify, request
from werkzeug.wrappers import Response

from mock_console import accounts, totp
from mock_console.errors import InputError
from mock_console.faults import (
    CATALOGUE,
    CAUGHT_BY,
    FaultParamsError,
    UnknownFault,
    check_params,
    fault,
)
from mock_console.flows import key_uri, turn_on_for
from mock_console.web import services

bp = Blueprint("test_api", __name__, url_prefix="/__test__")

MAX_CLOCK_JUMP = 10 * 365 * 24 * 3600


def _error(status: int, message: str) -> Response:
    response = jsonify({"error": message})
    response.status_code = status
    return response


LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})


@bp.before_request
def loopback_only() -> Response | None:
    """Refuse the test API to any client that is not on this machine."""
    try:
        loopback = ipaddress.ip_address(request.remote_addr or "").is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        return _error(403, "the test API answers only clients on loopback (127.0.0.1 or ::1)")
    # A proxy on this host makes every client look like loopback. Behind --behind-tls-proxy the
    # client's address comes from X-Forwarded-For; otherwise a forwarded request is refused.
    forwarded = [name for name in ("Forwarded", "X-Forwarded-For") if name in request.headers]
    if forwarded and not current_app.config["BEHIND_TLS_PROXY"]:
        named = ", ".join(forwarded)
        return _error(403, f"the test API refuses requests a proxy forwarded ({named}): call "
                           "it on loopback directly, or start the console with "
                           "--behind-tls-proxy when a TLS proxy on this host forwards to it")
    # A page on another site can make a loopback browser send requests here (DNS rebinding gives
    # it a foreign Host; a form post gives it a foreign Origin): refuse both.
    host = (request.host or "").rsplit(":", 1)[0].strip("[]").lower()
    if host not in LOOPBACK_NAMES:
        return _error(403, f"the test API answers only a loopback Host (127.0.0.1, localhost or "
                           f"::1), not {host!r}")
    if request.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
        return _error(403, "the test API refuses cross-site requests")
    origin = request.headers.get("Origin")
    if origin is not None and origin != request.host_url.rstrip("/"):
        return _error(403, f"the test API refuses requests from another origin ({origin})")
    return None


def _json_body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if body is None and request.content_length:
        abort(_error(400, "send a JSON object with Content-Type: application/json"))
    if body is not None and not isinstance(body, dict):
        abort(_error(400, "the body must be a JSON object"))
    return body or {}


def _is_seconds(value: object) -> bool:
    """Tell whether ``value`` is a finite JSON number within MAX_CLOCK_JUMP."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return math.isfinite(value) and abs(value) <= MAX_CLOCK_JUMP


@bp.post("/accounts")
def create_account() -> tuple[Response, int]:
    """Create a fresh account with 2SV off."""
    body = _json_body()
    username, password = body.get("username"), body.get("password")
    for name, value in (("username", username), ("password", password)):
        if value is not None and (not isinstance(value, str) or not 1 <= len(value) <= 200):
            abort(_error(400, f"{name} must be a string of 1 to 200 characters"))
    try:
        username, password = accounts.create(services(), username, password)
    except sqlite3.IntegrityError:
        abort(_error(409, f"an account named {username!r} already exists"))
    return jsonify({"username": username, "password": password}), 201


@bp.get("/accounts/<path:username>")
def account_state(username: str) -> Response:
    """Return what the console holds for an account."""
    account = accounts.load(services().store.read(), username)
    if account is None:
        abort(_error(404, f"no account named {username!r}; create one: POST /__test__/accounts"))
    return jsonify({
        "username": account.username,
        "two_step_enabled": account.two_step_enabled,
        "locked_until": account.locked_until,
        "recovery_codes_left": accounts.recovery_codes_left(services().store, username),
        "failures": account.failures,
        "hard_locked": account.hard_locked_at is not None,
    })


@bp.post("/accounts/<path:username>/unlock")
def unlock_account(username: str) -> Response:
    """Lift the account's lock, timed or hard, as an administrator would (``mock-console
    --unlock`` does the same from a shell)."""
    if accounts.load(services().store.read(), username) is None:
        abort(_error(404, f"no account named {username!r}"))
    cleared = accounts.unlock(services(), username, by="the test API")
    return jsonify({"username": username, "failures_cleared": cleared})


@bp.post("/accounts/<path:username>/two-step")
def turn_on_two_step(username: str) -> tuple[Response, int]:
    """Turn 2SV on as a user who scanned the QR code and typed the code of the console's
    current time step would ("Set up", then "Turn on"), without a browser: for tests whose
    subject comes after article step 2.7. Every rule applies as on the setup page (the step is
    used, the audit event recorded, other sessions ended). Returns the Key URI, the Recovery
    Code (null when the console issues none) and the time step of the code."""
    svc = services()
    account = accounts.load(svc.store.read(), username)
    if account is None:
        abort(_error(404, f"no account named {username!r}; create one: POST /__test__/accounts"))
    if account.two_step_enabled:
        abort(_error(409, f"2-Step Verification is already on for {username!r}"))
    secret = accounts.begin_setup(svc, username)
    step = totp.step_at(svc.clock.now())
    try:
        recovery_code = turn_on_for(username, totp.code_for_step(secret, step))
    except InputError as error:
        abort(_error(409, f"the console refused to turn 2-Step Verification on ({error.key})"))
    response = jsonify({"otpauth_uri": key_uri(secret, username),
                        "recovery_code": recovery_code, "step": step})
    response.headers["Cache-Control"] = "no-store"
    return response, 201


@bp.get("/accounts/<path:username>/events")
def account_events(username: str) -> Response:
    """Return the audit events of an account, oldest first."""
    if accounts.load(services().store.read(), username) is None:
        abort(_error(404, f"no account named {username!r}"))
    return jsonify(accounts.events(services().store, username))


@bp.route("/clock", methods=["GET", "POST"])
def clock() -> Response:
    """Read the console's time, or move it: ``{"advance": s}`` or ``{"offset": s}``."""
    console_clock = services().clock
    if request.method == "POST":
        body = _json_body()
        if len(body.keys() & {"advance", "offset"}) != 1:
            abort(_error(400, 'send exactly one of {"advance": seconds} or {"offset": seconds}'))
        key, value = next((k, body[k]) for k in ("advance", "offset") if k in body)
        if not _is_seconds(value):
            abort(_error(400, f"{key} must be a number of seconds (at most {MAX_CLOCK_JUMP})"))
        if key == "advance" and value < 0:
            abort(_error(400, 'advance must be >= 0; to go back use {"offset": seconds}'))
        if key == "advance":
            console_clock.advance(float(value))
        else:
            console_clock.set_offset(float(value))
    return jsonify({"now": console_clock.now(), "offset": console_clock.offset})


@bp.route("/faults", methods=["GET", "POST"])
def faults() -> Response:
    """List the fault switches, or turn some on (``enable``) or off (``disable``)."""
    switches = services().faults
    if request.method == "POST":
        body = _json_body()
        enable, disable = body.get("enable", []), body.get("disable", [])
        if not isinstance(enable, list) or not isinstance(disable, list):
            abort(_error(400, '"enable" and "disable" must be lists of fault names'))
        # Check the whole request before switching anything: a refused request changes nothing.
        try:
            for name in (*disable, *enable):
                fault(str(name))
        except UnknownFault as unknown:
            abort(_error(400, str(unknown.args[0])))
        params_of: dict[str, dict[str, Any]] = {}
        for name in map(str, enable):
            try:
                params_of[name] = check_params(name, body.get(name, {}))
            except FaultParamsError as error:
                abort(_error(400, str(error)))
        for name in disable:
            switches.disable(str(name))
        for name, params in params_of.items():
            switches.enable(name, params)
    return jsonify({"available": CATALOGUE, "caught_by": CAUGHT_BY, "enabled": switches.enabled()})

