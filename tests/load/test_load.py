"""Load check: 50 administrators turn 2SV on and off at the same moment, against ONE mock console.

Why: the suite runs in parallel (``pytest -n N``), and several workers may share one console
under waitress. Each of them is a person with a session cookie, CSRF tokens and a TOTP secret
held in one SQLite file; if two threads ever read-then-write the same rows, or SQLite's lock
surfaces as "database is locked", a worker would see another's state or a 500. Each flow is
plain HTTP (the shared driver, ``tests.support.console_http``, over ``requests``; no browser),
so 50 run at once on one machine:

create an account (test API) -> sign in -> Set up -> read the key (text and QR) -> Turn on with
the code at the console's time -> sign out -> sign in with a code -> Turn off.

The sign-in code is the one for step T+1 (or later) where T is the step used to turn on: the
console refuses a replayed step, and its window accepts T+1 before its time. The clock is never
moved, so no flow disturbs another.
"""

from __future__ import annotations

import math
import re
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import pyotp
import pytest

from e2e.otpauth import parse_otpauth
from e2e.qr import decode_qr
from tests.support.console_http import (
    CHANGE,
    DISABLED,
    ENABLED,
    HOME,
    SETUP,
    SIGNIN,
    SIGNIN_CODE,
    TURN_OFF,
    ConsoleHttp,
    csrf_token,
    qr_png,
    shown_key,
)
from tests.support.listening import Listener, start_listener
from tests.support.transport import HttpReply, HttpTransport

FLOWS = 50
PERIOD = 30
REQUEST_TIMEOUT = 60  # seconds per request; the whole check normally takes a few seconds
EXPECTED_EVENTS = [("signed_in", "password"), ("two_step_enabled", None),
                   ("signed_in", "code"), ("two_step_disabled", None)]
USERNAMES = re.compile(r"[\w.+-]+@example\.com")
LOCKED = "database is locked"
SERVING = re.compile(r"^mock console serving on (http://[^/\s]+)")


class FlowError(AssertionError):
    """One flow saw something it must not: an error status, another's data, a wrong page."""


@dataclass
class Flow:
    """One administrator's session against the console, refusing any reply it must not see.

    Every request follows redirects, as a browser does; ``check`` sees each reply.
    """

    base_url: str
    username: str = ""
    password: str = ""
    statuses: list[int] = field(default_factory=list)
    console: ConsoleHttp[HttpReply] = field(init=False)

    def __post_init__(self) -> None:
        self.console = ConsoleHttp(HttpTransport(self.base_url, timeout=REQUEST_TIMEOUT),
                                   observe=self.check)

    def check(self, method: str, path: str, response: HttpReply) -> None:
        """Record the reply's statuses; refuse any error status or foreign data."""
        self.statuses.extend(response.redirects + [response.status])
        if response.status >= 400:
            raise FlowError(f"{self.username}: {method} {path} -> {response.status}: "
                            f"{response.text[:300]}")
        if LOCKED in response.text:
            raise FlowError(f"{self.username}: {method} {path} says {LOCKED!r}")
        shown = set(USERNAMES.findall(response.text)) - {self.username}
        if self.username and shown:  # (the account's creation names it before it is ours)
            raise FlowError(f"{self.username}: {method} {path} shows another account: {shown}")

    def page(self, path: str, *, ends_at: str, shows_user: bool = True) -> str:
        """GET a page, check where it ended up (after redirects) and that it is this user's."""
        return self.landed(self.console.get(path, follow=True), ends_at, shows_user)

    def landed(self, response: HttpReply, ends_at: str, shows_user: bool) -> str:
        if response.path != ends_at:
            raise FlowError(f"{self.username}: expected {ends_at}, landed on {response.path}: "
                            f"{response.text[:300]}")
        if shows_user and self.username not in response.text:
            raise FlowError(f"{self.username}: {response.path} does not show the signed-in user")
        return response.text

    def sign_in(self, ends_at: str) -> str:
        form = self.page(SIGNIN, ends_at=SIGNIN, shows_user=False)
        response = self.console.sign_in(self.username, self.password, token=csrf_token(form),
                                        follow=True)
        return self.landed(response, ends_at, shows_user=ends_at == HOME)

    def run(self) -> None:
        """The whole flow; raises FlowError at the first thing that is not as it should be."""
        created = self.console.create_account()
        self.username, self.password = created["username"], created["password"]

        home = self.sign_in(ends_at=HOME)
        start = self.page(CHANGE, ends_at=CHANGE)
        setup = self.landed(self.console.start_setup(token=csrf_token(start), follow=True),
                            SETUP, True)
        secret = read_key(setup, self.username)

        now = self.console.now()
        turned_on_step = math.floor(now / PERIOD)
        code = pyotp.TOTP(secret).at(now)
        self.landed(self.console.turn_on(code, token=csrf_token(setup), follow=True),
                    ENABLED, True)

        self.landed(self.console.sign_out(token=csrf_token(home), follow=True), SIGNIN, False)
        challenge = self.sign_in(ends_at=SIGNIN_CODE)
        current = math.floor(self.console.now() / PERIOD)
        step = max(turned_on_step + 1, current - 1)  # unused, and inside the window T-1..T+1
        self.landed(self.console.enter_code(pyotp.TOTP(secret).at(step * PERIOD),
                                            token=csrf_token(challenge), follow=True), HOME, True)

        self.page(CHANGE, ends_at=CHANGE)
        turn_off = self.page(TURN_OFF, ends_at=TURN_OFF)
        self.landed(self.console.turn_off(token=csrf_token(turn_off), follow=True),
                    DISABLED, True)


def read_key(setup: str, username: str) -> str:
    """Read the key as a person would: the text under the QR code, which must match the QR."""
    key = shown_key(setup)
    scanned = parse_otpauth(decode_qr(qr_png(setup)))
    if scanned.account != username or scanned.secret != key:
        raise FlowError(f"{username}: the QR code is for {scanned.account} with another key")
    return key


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Listener]:
    """Serve ONE mock with its test API (waitress, its default threads), keeping its output.

    Cheap password hashing, as the embedded mock has: what is under test is concurrency, and
    a hundred full-cost scrypt sign-ins would only measure the KDF (``bench.throughput`` does).
    """
    db = tmp_path_factory.mktemp("load-console") / "console.sqlite3"
    server = start_listener([sys.executable, "-m", "mock_console", "--test-api", "--host",
                             "127.0.0.1", "--port", "0", "--db", str(db),
                             "--password-hashing", "fast"], SERVING)
    yield server
    server.stop()


def test_fifty_concurrent_flows_against_one_console_keep_every_account_apart(
    console: Listener, record_property: pytest.RecordProperty
) -> None:
    flows = [Flow(console.url) for _ in range(FLOWS)]
    together = threading.Barrier(FLOWS, timeout=REQUEST_TIMEOUT)

    def run(flow: Flow) -> BaseException | None:
        together.wait()  # all 50 start at the same moment
        try:
            flow.run()
        except Exception as error:  # noqa: BLE001 - collected and reported below
            return error
        return None

    # When 50 administrators run the whole flow at once
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=FLOWS) as pool:
        errors = [e for e in pool.map(run, flows) if e is not None]
    seconds = time.perf_counter() - started
    requests_sent = sum(len(f.statuses) for f in flows)
    figures = (f"{FLOWS} flows ({requests_sent} HTTP requests) in {seconds:.2f} s: "
               f"{FLOWS / seconds:.1f} flows/s, {requests_sent / seconds:.0f} requests/s, "
               f"{len(errors)} errors")
    print(f"\nload check: {figures}")
    record_property("load_check", figures)

    # Then none failed: no error status, no other account's data, every page where expected
    assert not errors, f"{len(errors)} of {FLOWS} flows failed; first: {errors[0]}"
    assert all(status < 400 for flow in flows for status in flow.statuses)

    # And every account ends with 2SV off and exactly its own audit trail, in order
    for flow in flows:
        state = flow.console.account(flow.username)
        assert state["username"] == flow.username and state["two_step_enabled"] is False, state
        events = flow.console.events(flow.username)
        seen = [(e["type"], e["detail"] if e["type"] == "signed_in" else None) for e in events]
        assert seen == EXPECTED_EVENTS, (flow.username, events)
        assert [e["at"] for e in events] == sorted(e["at"] for e in events), events
    assert len({flow.username for flow in flows}) == FLOWS

    # And the console never logged an error, "database is locked" least of all
    console.stop()  # so that everything it printed has been read
    logged = console.output()
    assert LOCKED not in logged and "Traceback" not in logged, logged[-3000:]
