"""A faithful mock of the HENNGE Cloud Protection Admin Console's 2-Step Verification screens.

``create_app`` builds the Flask app; ``python -m mock_console`` serves it with waitress.
"""

from __future__ import annotations

import secrets
from dataclasses import replace
from pathlib import Path
from typing import Any

from flask import Flask, current_app, g, render_template, request
from flask_wtf.csrf import CSRFError, CSRFProtect
from jinja2 import BytecodeCache
from jinja2.bccache import Bucket
from werkzeug.exceptions import HTTPException
from werkzeug.http import http_date
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response

from mock_console import hashing
from mock_console.accounts import Services
from mock_console.clock import Clock
from mock_console.faults import Faults
from mock_console.messages import choose_language, languages, translate
from mock_console.policy import STRICT
from mock_console.sessions import SQLiteSessionInterface
from mock_console.store import Store

MAX_FORM_BYTES = 64 * 1024
ERROR_KEYS = {400: "error_bad_request", 404: "error_not_found", 405: "error_method",
              413: "error_too_large"}


STATIC_MAX_AGE_SECONDS = 3600
HSTS = "max-age=31536000; includeSubDomains"  # a year (ASVS 5 §3.4.1)


class _CompiledTemplates(BytecodeCache):
    """The templates compiled once per process, shared by every app it builds.

    Each app has its own Jinja environment, which compiles every template again at first use;
    the unit tests build an app per test, and compiling was a tenth of their time. The bucket's
    checksum of the source still decides: a changed template is compiled again.
    """

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        if (code := self._code.get(bucket.key)) is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


COMPILED_TEMPLATES = _CompiledTemplates()


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the console. Config: DATABASE (path), TEST_API (bool), CLOCK (a Clock),
    BEHIND_TLS_PROXY (bool: a TLS-terminating proxy on this host forwards to it), UI ("html"
    server-rendered pages, or "spa": a shell and plain JS over /api/), LATENCY_MS (API delay),
    REAUTH (bool: confirm access with the password, or a code, before Set up and Turn off)."""
    app = Flask(__name__, instance_relative_config=True)
    app.jinja_options = {**app.jinja_options, "bytecode_cache": COMPILED_TEMPLATES}
    app.config.from_mapping(
        DATABASE=str(Path(app.instance_path) / "console.sqlite3"),
        TEST_API=False,
        BEHIND_TLS_PROXY=False,
        UI="html",
        LATENCY_MS=0,
        REAUTH=False,
        MAX_CONTENT_LENGTH=MAX_FORM_BYTES,
        MAX_FORM_MEMORY_SIZE=MAX_FORM_BYTES,
        SESSION_COOKIE_NAME="console_session",
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_HTTPONLY=True,
        WTF_CSRF_TIME_LIMIT=None,  # the session's own lifetime bounds the token
        WTF_CSRF_CHECK_DEFAULT=False,  # checked in a hook below, so a fault can switch it off
        # Over https flask-wtf also demands a same-host Referer, which browsers never send here
        # (Referrer-Policy: no-referrer; and behind a proxy the Host is the proxy's): every form
        # would fail. The token, tied to this browser's Secure, SameSite=Lax cookie, protects.
        WTF_CSRF_SSL_STRICT=False,
        # The stylesheet and script hold no secret and change only with a release: let the
        # browser keep them instead of asking again at every page (pages stay no-store).
        SEND_FILE_MAX_AGE_DEFAULT=STATIC_MAX_AGE_SECONDS,
    )
    app.config.update(test_config or {})
    if app.config["BEHIND_TLS_PROXY"]:
        # Only when told: the browser speaks TLS to a proxy on this host, which says so in
        # X-Forwarded-Proto and names the client in X-Forwarded-For (one hop of each). Without
        # the option those headers are anybody's words and change nothing.
        # Flask documents wrapping wsgi_app so; its stubs call it a method that must not be set
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1)  # type: ignore[method-assign]
        app.config["SESSION_COOKIE_SECURE"] = True
    store = Store(app.config["DATABASE"])
    clock = app.config.get("CLOCK") or Clock()
    base = replace(STRICT, reauth_before_change=True) if app.config["REAUTH"] else STRICT
    services = Services(store=store, clock=clock, faults=Faults(base),
                        password_hashing=app.config.get("PASSWORD_HASHING", hashing.SCRYPT))
    app.extensions["mock_console"] = services
    app.config.setdefault("SECRET_KEY", None)
    app.secret_key = app.config["SECRET_KEY"] or _persistent_secret_key(store)
    app.session_interface = SQLiteSessionInterface(store, clock)
    csrf = CSRFProtect(app)

    from mock_console import account, api, auth, spa, two_step

    pages = (spa.bp,) if app.config["UI"] == "spa" else (auth.bp, account.bp, two_step.bp)
    for blueprint in (*pages, api.bp):
        app.register_blueprint(blueprint)
    if app.config["TEST_API"]:
        from mock_console import test_api

        app.register_blueprint(test_api.bp)
        csrf.exempt(test_api.bp)
    _install_request_hooks(app, services, csrf)
    _install_error_pages(app)
    return app


def _persistent_secret_key(store: Store) -> str:
    """Keep the signing key in the database, so forms and sessions survive a restart."""
    with store.transaction() as db:
        db.execute("CREATE TABLE IF NOT EXISTS settings (name TEXT PRIMARY KEY, value TEXT)")
        db.execute("INSERT OR IGNORE INTO settings VALUES ('secret_key', ?)",
                   (secrets.token_hex(32),))
        return db.execute("SELECT value FROM settings WHERE name = 'secret_key'").fetchone()[0]


# Scripts and styles only from the console's own files (no inline script), the QR code as a data:
# image, no framing, forms post only to the console (ASVS 5 §3.4.3, §3.4.6).
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; "
                           "img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; "
                           "form-action 'self'")


def _install_request_hooks(app: Flask, services: Services, csrf: CSRFProtect) -> None:
    @app.before_request
    def language_and_csrf() -> None:
        g.lang = choose_language()
        if services.policy.csrf_check:
            csrf.protect(apply_exemptions=True)

    @app.after_request
    def console_headers(response: Response) -> Response:
        response.headers["Date"] = http_date(services.clock.now())
        if app.config["BEHIND_TLS_PROXY"] and request.is_secure:  # never over http (RFC 6797)
            response.headers["Strict-Transport-Security"] = HSTS
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        if not services.policy.security_headers:
            response.headers.setdefault("Cache-Control", "private, no-cache")
            return response
        response.headers.setdefault("Cache-Control", "no-store")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response

    @app.context_processor
    def template_helpers() -> dict[str, Any]:
        from mock_console.web import current_user

        return {"t": translate, "lang": g.get("lang", "en"), "languages": languages(),
                "user": current_user()}


def _install_error_pages(app: Flask) -> None:
    def error_page(key: str, status: int) -> tuple[str | dict[str, Any], int]:
        if request.path.startswith("/__test__/"):
            return {"error": translate(key)}, status
        if request.path.startswith("/api/"):
            return {"error": {"key": key, "message": translate(key)}}, status
        if current_app.config["UI"] == "spa":
            from mock_console.spa import shell

            return shell(translate(key), status)
        return render_template("error.html", message=translate(key)), status

    @app.errorhandler(CSRFError)
    def csrf_error(_: CSRFError) -> tuple[str | dict[str, Any], int]:
        return error_page("error_csrf", 400)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Any:
        if error.response is not None:
            return error.response
        return error_page(ERROR_KEYS.get(error.code or 500, "error_bad_request"), error.code or 500)

    @app.errorhandler(Exception)
    def server_error(error: Exception) -> tuple[str | dict[str, Any], int]:
        app.logger.exception("unhandled error", exc_info=error)
        return error_page("error_server", 500)
