"""A person at the mock console, through Flask's test client, for the mock's unit tests.

``Console`` drives the console the way a person does (open a page, read its labels, fill in the
form next to a label, press the button with a given text), over the tiny DOM of
``tests.support.dom``, and reads what the console holds through its test API and, where the API
does not say, its SQLite file. Every request goes through the shared driver
(``tests.support.console_http``) over the in-process transport; ``client`` stays at hand for
tests that send something no browser would. The fixtures that build it are in mock_app.py.
"""

from __future__ import annotations

import base64
import io
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import pyotp
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.support.console_http import (
    ACCOUNT,
    CHANGE,
    DISABLED,
    ENABLE,
    ENABLED,
    HOME,
    SECURITY,
    SETUP,
    SIGNIN,
    SIGNIN_CODE,
    SIGNIN_RECOVERY,
    SIGNOUT,
    TURN_OFF,
    ConsoleHttp,
)
from tests.support.dom import Element, Page
from tests.support.transport import FlaskReply, FlaskTransport

__all__ = ["ACCOUNT", "CHANGE", "DISABLED", "ENABLE", "ENABLED", "HOME", "PERIOD", "SECURITY",
           "SETUP", "SIGNIN", "SIGNIN_CODE", "SIGNIN_RECOVERY", "SIGNOUT", "STEP_START", "T0",
           "TURN_OFF", "Console", "Element", "Page", "decode_qr_png", "png_of_data_uri"]

PERIOD = 30
STEP_START = 1_700_000_010.0  # the first second of TOTP step 56_666_667 (a multiple of 30)
T0 = STEP_START + 15  # the console's time when a test starts: the middle of a step


def decode_qr_png(png: bytes) -> str:
    """Return the text of the QR code in PNG bytes (the harness's decoder, else pyzbar)."""
    try:
        from e2e.qr import decode_qr
    except ImportError:
        from PIL import Image
        from pyzbar import pyzbar

        found = pyzbar.decode(Image.open(io.BytesIO(png)), symbols=[pyzbar.ZBarSymbol.QRCODE])
        assert len(found) == 1, f"expected one QR code, found {len(found)}"
        return found[0].data.decode("utf-8")
    return decode_qr(png)


def png_of_data_uri(uri: str) -> bytes:
    """Return the bytes of a ``data:image/png;base64,...`` URI."""
    prefix = "data:image/png;base64,"
    assert uri.startswith(prefix), f"not a PNG data URI: {uri[:40]!r}"
    return base64.b64decode(uri[len(prefix):], validate=True)


class Console:
    """A person at the console (one browser: one test client) plus the tester's test API.

    ``new_account`` makes the account this helper works on; the flow methods (sign in, set up,
    turn on, turn off) press the buttons the article names and return the console's response.
    """

    SIGNIN, SIGNIN_CODE, SIGNIN_RECOVERY, SIGNOUT = SIGNIN, SIGNIN_CODE, SIGNIN_RECOVERY, SIGNOUT
    HOME, ACCOUNT, SECURITY, CHANGE = HOME, ACCOUNT, SECURITY, CHANGE
    SETUP, ENABLE, ENABLED, TURN_OFF, DISABLED = SETUP, ENABLE, ENABLED, TURN_OFF, DISABLED
    PERIOD = PERIOD

    def __init__(self, app: Flask, client: FlaskClient) -> None:
        self.app = app
        self.client = client
        self.http = ConsoleHttp(FlaskTransport(client))
        self.username = ""
        self.password = ""
        self.secret = ""  # the active 2SV secret, once turned on
        self.recovery_code = ""  # the last Recovery Code the console showed

    # -- another browser for the same person ---------------------------------------------------

    def other_browser(self) -> Console:
        """Return a helper with its own cookies, on the same account."""
        other = Console(self.app, self.app.test_client())
        other.username, other.password = self.username, self.password
        other.secret, other.recovery_code = self.secret, self.recovery_code
        return other

    # -- the test API --------------------------------------------------------------------------

    def new_account(self) -> str:
        """Create a fresh account (2SV off) through the test API and work on it."""
        created = self.http.create_account()
        self.username, self.password = created["username"], created["password"]
        self.secret = self.recovery_code = ""
        return self.username

    def state(self, username: str | None = None) -> dict[str, Any]:
        """Return the test API's view of the account."""
        return self.http.account(username or self.username)

    def events(self, username: str | None = None) -> list[str]:
        """Return the types of the account's audit events, oldest first."""
        return [event["type"] for event in self.http.events(username or self.username)]

    def now(self) -> float:
        """Return the console's time."""
        return self.http.now()

    def advance(self, seconds: float) -> float:
        """Move the console's clock forward and return its new time."""
        return self.http.advance(seconds)

    def next_step(self, steps: int = 1) -> float:
        """Move the console's clock on by whole TOTP steps (it stays mid-step)."""
        return self.advance(steps * PERIOD)

    def faults(self, enable: Sequence[str] = (), disable: Sequence[str] = (),
               **params: Any) -> Any:
        """Switch fault injections on or off."""
        return self.http.faults(enable, disable, **params)

    # -- what the console holds, beyond the test API ------------------------------------------

    def db(self) -> sqlite3.Connection:
        """Open the console's SQLite file (read-only) as the tester would."""
        uri = f"file:{Path(self.app.config['DATABASE']).as_posix()}?mode=ro"
        conn = sqlite3.connect(uri, uri=True)
        conn.row_factory = sqlite3.Row
        return conn

    def row(self, username: str | None = None) -> dict[str, Any]:
        """Return the account's row of the accounts table."""
        conn = self.db()
        try:
            found = conn.execute("SELECT * FROM accounts WHERE username = ?",
                                 (username or self.username,)).fetchone()
        finally:
            conn.close()
        assert found is not None
        return dict(found)

    def snapshot(self) -> dict[str, Any]:
        """Return everything the console holds for the account: its row, Recovery Codes and
        audit events (compare two snapshots to prove nothing changed)."""
        conn = self.db()
        try:
            codes = [tuple(r) for r in conn.execute(
                "SELECT id, code_hash, used_at FROM recovery_codes WHERE username = ? "
                "ORDER BY id", (self.username,))]
            events = [tuple(r) for r in conn.execute(
                "SELECT id, type, at, detail FROM events WHERE username = ? ORDER BY id",
                (self.username,))]
        finally:
            conn.close()
        return {"account": self.row(), "recovery_codes": codes, "events": events,
                "api": self.state()}

    # -- pages ---------------------------------------------------------------------------------

    @staticmethod
    def read(response: TestResponse) -> Page:
        """Read a response the test made itself as a Page."""
        return Page(response)

    def cookie(self, name: str = "console_session") -> str | None:
        """Return the value of a cookie this browser holds, or None."""
        cookie = self.client.get_cookie(name)
        return cookie.value if cookie else None

    def raw_post(self, path: str, *pairs: tuple[str, str], body: bytes | None = None,
                 content_type: str = "application/x-www-form-urlencoded") -> TestResponse:
        """POST a hand-made form body: ``pairs`` (repeats allowed) or exact ``body`` bytes."""
        data = body if body is not None else urlencode(list(pairs)).encode("utf-8")
        return self.client.post(path, data=data, content_type=content_type)

    def qr_text(self, page: Page) -> str:
        """Decode the QR code <img> of a page, as a phone would scan it."""
        img = page.root.find("img", alt="QR code for 2-Step Verification")
        return decode_qr_png(png_of_data_uri(img.attrs["src"]))

    def open(self, path: str, **kwargs: Any) -> Page:
        """GET a page; ``kwargs`` (headers, query_string) are the test client's own options."""
        if kwargs:
            return Page(self.client.get(path, **kwargs))
        return Page(self._raw(self.http.get(path)))

    def submit(self, page: Page, button_text: str, **fields: str) -> TestResponse:
        """Press a button: send its form with its hidden fields and ``fields`` filled in."""
        form = page.form_of(button_text)
        data = {el.attrs["name"]: el.attrs.get("value", "")
                for el in form.find_all("input") if el.attrs.get("type") == "hidden"}
        data.update(fields)
        method = form.attrs.get("method", "get").lower()
        action = form.attrs.get("action") or urlsplit(page.response.request.path).path
        if method == "post":
            return self._raw(self.http.post(action, data))
        return self._raw(self.http.get(f"{action}?{urlencode(data)}" if data else action))

    @staticmethod
    def _raw(reply: FlaskReply) -> TestResponse:
        """The test client's own response, which the unit tests read in full."""
        return reply.raw

    def token(self, path: str, button_text: str | None = None) -> str:
        """Open ``path`` and return the CSRF token of its form."""
        page = self.open(path)
        assert page.status == 200, f"GET {path}: {page.status}"
        return page.csrf_token(button_text)

    # -- the article's flows -------------------------------------------------------------------

    def sign_in(self, username: str | None = None, password: str | None = None) -> TestResponse:
        """1.1: enter the username and password and press "Sign in"."""
        page = self.open(SIGNIN)
        assert page.status == 200, page.status
        return self.submit(page, "Sign in",
                           username=self.username if username is None else username,
                           password=self.password if password is None else password)

    def signed_in_account(self) -> str:
        """Create an account and sign in to it (2SV off)."""
        self.new_account()
        response = self.sign_in()
        assert response.status_code == 302 and response.location == HOME, response.status
        return self.username

    def sign_out(self) -> TestResponse:
        """Press "Sign out" in the user menu."""
        page = self.open(HOME)
        assert page.status == 200, page.status
        return self.submit(page, "Sign out")

    def start_setup(self) -> str:
        """2.4: press "Set up"; return the pending secret, read from the key shown as text."""
        page = self.open(CHANGE)
        assert page.h1 == "Turn on 2-Step Verification", page.h1
        response = self.submit(page, "Set up")
        assert response.status_code == 302 and response.location == SETUP, response.status
        return self.shown_key()

    def shown_key(self) -> str:
        """Return the key the setup page prints as text, spaces removed."""
        page = self.open(SETUP)
        assert page.status == 200, page.status
        return page.root.find(class_="manual-key").find("code").text.replace(" ", "")

    def code(self, steps: int = 0, secret: str | None = None) -> str:
        """Return the code of ``secret`` (default: the active one) at the console's time, moved
        by ``steps`` time steps."""
        return pyotp.TOTP(secret or self.secret).at(self.now() + steps * PERIOD)

    def wrong_code(self, secret: str | None = None) -> str:
        """Return a well-formed code that matches none of T-2..T+2 of the secret."""
        near = {self.code(k, secret) for k in range(-2, 3)}
        return next(c for c in (f"{n:06d}" for n in range(0, 1_000_000, 7919)) if c not in near)

    def turn_on(self, code: str) -> TestResponse:
        """2.6: enter a code and press "Turn on" on the setup page."""
        page = self.open(SETUP)
        assert page.status == 200, page.status
        return self.submit(page, "Turn on", code=code)

    def enabled_account(self) -> str:
        """Create an account, sign in and turn 2SV on; remember its secret and Recovery Code.
        The clock is then moved one step on, so the code used to turn on is in the past."""
        self.signed_in_account()
        secret = self.start_setup()
        response = self.turn_on(pyotp.TOTP(secret).at(self.now()))
        assert response.status_code == 302 and response.location == ENABLED, response.status
        page = self.open(ENABLED)
        self.secret = secret
        self.recovery_code = page.root.find(class_="recovery").find("code").text
        self.next_step()
        return self.username

    def to_code_page(self) -> Page:
        """Sign out, then sign in with the password: the console asks for the code."""
        if self.http.get(HOME).status == 200:
            self.sign_out()
        response = self.sign_in()
        assert response.status_code == 302 and response.location == SIGNIN_CODE, (
            response.status, response.location)
        return self.open(SIGNIN_CODE)

    def enter_code(self, code: str) -> TestResponse:
        """Type a code on the sign-in code page and press "Verify"."""
        return self.submit(self.open(SIGNIN_CODE), "Verify", code=code)

    def enter_recovery_code(self, code: str) -> TestResponse:
        """Follow "Use your Recovery Code instead", type the code and press "Verify"."""
        return self.submit(self.open(SIGNIN_RECOVERY), "Verify", recovery_code=code)

    def turn_off(self) -> TestResponse:
        """3.2-3.4: open the status page, press "Turn off", then "Turn off" again."""
        status = self.open(CHANGE)
        assert status.h1 == "2-Step Verification", status.h1
        confirm = Page(self.submit(status, "Turn off"))
        assert confirm.h1 == "Turn off 2-Step Verification", confirm.h1
        return self.submit(confirm, "Turn off")
