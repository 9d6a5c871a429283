"""State that outlives a request: restarts, the test API's gatekeeping, and many threads at once."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pyotp
import pytest
from flask import Flask
from waitress import wasyncore
from waitress.server import create_server

from e2e.otpauth import parse_otpauth
from e2e.qr import decode_qr
from mock_console import create_app
from mock_console.__main__ import parse_args
from mock_console.clock import Clock
from mock_console.faults import CATALOGUE, CAUGHT_BY
from tests.support.console_http import (
    CLOCK_API,
    DISABLED,
    ENABLED,
    SETUP,
    SIGNIN,
    SIGNIN_CODE,
    ConsoleHttp,
    csrf_token,
    qr_png,
    shown_key,
)
from tests.support.transport import FlaskTransport, HttpReply, HttpTransport

FAULTS = {
    "accept_any_code", "allow_replay", "allow_code_from_two_steps_ago", "forget_enable",
    "qr_secret_mismatch", "no_recovery_code", "no_lockout", "recovery_code_reusable",
    "disable_keeps_challenge", "skip_turn_off_confirmation", "no_csrf_check",
    "wrong_confirmation_message", "enable_without_code", "status_not_updated", "clock_skew",
    "rename_label", "weak_security_headers", "short_secret", "repeated_secret",
    "keep_other_sessions", "no_password_throttling", "enable_code_reusable",
    "recovery_ignores_lockout", "pending_sign_in_never_expires", "no_session_rotation",
    "lenient_code_input", "lockout_never_escalates", "skip_reauth_check",
}


def restarted(app: Flask, clock: Clock) -> Flask:
    """Start a second console on the first one's database file, as after a restart."""
    return create_app({"DATABASE": app.config["DATABASE"], "TEST_API": True, "TESTING": True,
                       "CLOCK": clock})


# -- restart persistence -------------------------------------------------------------------------


def test_account_2sv_state_and_sessions_survive_a_restart(console, app, clock) -> None:
    # given an account with 2SV on, signed in, with the "Turn off" form open
    console.enabled_account()
    events = console.events()
    form = console.open(console.TURN_OFF)
    token = form.csrf_token("Turn off")
    cookie = console.cookie()
    # when the console restarts on the same database
    again = restarted(app, clock)
    assert again.secret_key == app.secret_key
    client = again.test_client()
    client.set_cookie("console_session", cookie)
    # then the account, its 2SV state, its events and the session are all still there
    state = client.get(f"/__test__/accounts/{console.username}").json
    assert state["two_step_enabled"] is True and state["recovery_codes_left"] == 1
    assert [e["type"] for e in
            client.get(f"/__test__/accounts/{console.username}/events").json] == events
    assert client.get(console.ACCOUNT).status_code == 200
    # and a form token issued before the restart still works
    response = client.post(console.TURN_OFF, data={"csrf_token": token})
    assert response.status_code == 302 and response.location == console.DISABLED
    assert client.get(f"/__test__/accounts/{console.username}").json["two_step_enabled"] is False


def test_pending_secret_used_step_and_lock_survive_a_restart(console, app, clock) -> None:
    console.enabled_account()
    console.to_code_page()
    used = console.code()
    assert console.enter_code(used).status_code == 302
    other = console.other_browser()
    other.signed_in_account()
    pending = other.start_setup()
    again = restarted(app, clock)
    # the pending secret of the other account is the same after the restart
    client = again.test_client()
    client.set_cookie("console_session", other.cookie())
    assert pending.encode() in b"".join(client.get(console.SETUP).data.split(b" "))
    # the step already used is still refused
    from_scratch = type(console)(again, again.test_client())
    from_scratch.username, from_scratch.password = console.username, console.password
    from_scratch.secret = console.secret
    from_scratch.to_code_page()
    page = from_scratch.read(from_scratch.enter_code(used))
    assert page.status == 422 and "already been used" in page.alert


def test_password_sign_in_works_after_a_restart(console, app, clock) -> None:
    console.new_account()
    again = restarted(app, clock)
    person = type(console)(again, again.test_client())
    person.username, person.password = console.username, console.password
    assert person.sign_in().location == console.HOME


# -- the test API: off by default, loopback only, careful with its input ------------------------


TEST_API_ROUTES = [("GET", "/__test__/clock"), ("POST", "/__test__/clock"),
                   ("POST", "/__test__/accounts"), ("GET", "/__test__/accounts/someone"),
                   ("GET", "/__test__/accounts/someone/events"), ("GET", "/__test__/faults"),
                   ("POST", "/__test__/faults")]


@pytest.mark.parametrize(("method", "path"), TEST_API_ROUTES)
def test_test_api_is_off_by_default(tmp_path: Path, method: str, path: str) -> None:
    app = create_app({"DATABASE": str(tmp_path / "db.sqlite3")})
    assert app.config["TEST_API"] is False
    response = app.test_client().open(path, method=method, json={"advance": 30})
    assert response.status_code == 404
    assert "/__test__/" not in {str(rule) for rule in app.url_map.iter_rules()}


def test_command_line_serves_without_the_test_api_unless_asked() -> None:
    assert parse_args([]).test_api is False
    assert parse_args([]).host == "127.0.0.1"
    assert parse_args(["--test-api"]).test_api is True


@pytest.mark.parametrize("address", ["10.0.0.5", "192.168.1.20", "2001:db8::1", "",
                                     "::ffff:10.0.0.5", "not-an-address"])
@pytest.mark.parametrize(("method", "path"), TEST_API_ROUTES)
def test_test_api_refuses_clients_not_on_loopback(
    console, clock, method: str, path: str, address: str
) -> None:
    before = clock.now()
    response = console.client.open(path, method=method, json={"advance": 30},
                                   environ_base={"REMOTE_ADDR": address})
    assert response.status_code == 403
    assert "loopback" in response.json["error"]
    assert clock.now() == before
    assert console.client.get("/__test__/faults").json["enabled"] == []


@pytest.mark.parametrize("address", ["127.0.0.1", "127.8.9.10", "::1"])
def test_test_api_answers_loopback_clients(console, address: str) -> None:
    response = console.client.get("/__test__/clock", environ_base={"REMOTE_ADDR": address})
    assert response.status_code == 200


def test_forwarded_for_header_does_not_make_a_remote_client_local(console) -> None:
    response = console.client.post(
        "/__test__/accounts", json={}, headers={"X-Forwarded-For": "127.0.0.1"},
        environ_base={"REMOTE_ADDR": "10.0.0.5"})
    assert response.status_code == 403


def test_remote_clients_still_get_the_console_itself(console) -> None:
    response = console.client.get(console.SIGNIN, environ_base={"REMOTE_ADDR": "10.0.0.5"})
    assert response.status_code == 200


def test_create_account_returns_credentials_of_a_fresh_2sv_off_account(console) -> None:
    response = console.client.post("/__test__/accounts", json={})
    assert response.status_code == 201
    body = response.json
    assert set(body) == {"username", "password"}
    state = console.state(body["username"])
    assert state == {"username": body["username"], "two_step_enabled": False,
                     "locked_until": None, "recovery_codes_left": 0,
                     "failures": 0, "hard_locked": False}
    named = console.client.post("/__test__/accounts",
                                json={"username": "qa@example.com", "password": "pw-123456"})
    assert named.status_code == 201 and named.json["username"] == "qa@example.com"
    again = console.client.post("/__test__/accounts", json={"username": "qa@example.com"})
    assert again.status_code == 409 and "already exists" in again.json["error"]
    # a POST without a body makes an account too
    assert console.client.post("/__test__/accounts").status_code == 201


@pytest.mark.parametrize(("body", "content_type", "error"), [
    (b"{not json", "application/json", "send a JSON object"),
    (b"[1, 2]", "application/json", "must be a JSON object"),
    (b"username=x", "application/x-www-form-urlencoded", "send a JSON object"),
    (json.dumps({"username": 5}).encode(), "application/json", "username must be a string"),
    (json.dumps({"username": ""}).encode(), "application/json", "username must be a string"),
    (json.dumps({"password": "x" * 201}).encode(), "application/json", "password must be"),
])
def test_create_account_refuses_bad_json_clearly(
    console, body: bytes, content_type: str, error: str
) -> None:
    response = console.client.post("/__test__/accounts", data=body, content_type=content_type)
    assert response.status_code == 400
    assert error in response.json["error"]


def test_turning_two_step_on_through_the_test_api_keeps_the_consoles_rules(console) -> None:
    # Given a fresh account, When the test API turns 2SV on (as Set up + the current code would)
    username = console.new_account()
    response = console.client.post(f"/__test__/accounts/{username}/two-step")

    # Then it answers the Key URI, the Recovery Code and the code's step, never to be cached
    assert response.status_code == 201, response.json
    assert response.headers["Cache-Control"] == "no-store"
    body = response.json
    secret = pyotp.parse_uri(body["otpauth_uri"]).secret
    assert pyotp.parse_uri(body["otpauth_uri"]).name == username
    assert body["step"] == int(console.now() // 30)
    # and the console holds 2SV on with one Recovery Code, audited like the setup page's
    state = console.state(username)
    assert state["two_step_enabled"] is True and state["recovery_codes_left"] == 1, state
    assert console.events(username)[-1] == "two_step_enabled"
    # and the step's code is used: signing in with it again is refused as a replay
    console.to_code_page()
    refused = console.enter_code(pyotp.TOTP(secret).at(body["step"] * 30))
    assert refused.status_code == 422 and "code_replayed" in console.events(username)
    # and the Recovery Code it answered signs in
    signed = console.enter_recovery_code(body["recovery_code"])
    assert signed.status_code == 302 and "recovery_code_used" in console.events(username)


def test_turning_two_step_on_through_the_test_api_twice_or_for_nobody_is_refused(
    console
) -> None:
    username = console.new_account()
    assert console.client.post(f"/__test__/accounts/{username}/two-step").status_code == 201
    again = console.client.post(f"/__test__/accounts/{username}/two-step")
    assert again.status_code == 409 and "already on" in again.json["error"]
    missing = console.client.post("/__test__/accounts/nobody@example.com/two-step")
    assert missing.status_code == 404 and "nobody@example.com" in missing.json["error"]
    remote = console.client.post("/__test__/accounts/nobody@example.com/two-step",
                                 environ_base={"REMOTE_ADDR": "10.0.0.5"})
    assert remote.status_code == 403


def test_unknown_account_is_a_clear_404(console) -> None:
    for path in ("/__test__/accounts/nobody@example.com",
                 "/__test__/accounts/nobody@example.com/events"):
        response = console.client.get(path)
        assert response.status_code == 404
        assert "nobody@example.com" in response.json["error"]


def test_clock_moves_forward_or_to_an_offset(console, clock) -> None:
    start = console.now()
    assert console.client.get("/__test__/clock").json["now"] == clock.now() == start
    assert console.client.post("/__test__/clock", json={"advance": 30}).json["now"] == start + 30
    assert console.client.post("/__test__/clock", json={"advance": 0.5}).json["now"] == \
        start + 30.5
    response = console.client.post("/__test__/clock", json={"offset": -100})
    assert response.json["now"] == start - 100 and response.json["offset"] == -100
    assert clock.now() == start - 100


@pytest.mark.parametrize("body", [
    b'{"advance": -1}', b'{"advance": NaN}', b'{"advance": Infinity}', b'{"offset": -Infinity}',
    b'{"advance": "30"}', b'{"advance": true}', b'{"advance": null}', b'{"advance": [30]}',
    b'{"advance": 1e12}', b'{"offset": 1e300}', b'{"advance": 30, "offset": 5}', b"{}",
    b'{"forward": 30}', b"not json", b"30",
])
def test_clock_refuses_bad_input_and_stays_put(console, clock, body: bytes) -> None:
    before = clock.now()
    response = console.client.post("/__test__/clock", data=body,
                                   content_type="application/json")
    assert response.status_code == 400
    assert response.json["error"]
    assert clock.now() == before


def test_faults_list_matches_the_catalogue(console) -> None:
    response = console.client.get("/__test__/faults")
    assert response.status_code == 200
    assert response.json == {"available": CATALOGUE, "caught_by": CAUGHT_BY, "enabled": []}
    assert set(CATALOGUE) == FAULTS
    assert all(isinstance(text, str) and text for text in CATALOGUE.values())


def test_faults_switch_on_and_off(console) -> None:
    assert console.faults(enable=["allow_replay", "no_lockout"])["enabled"] == \
        ["allow_replay", "no_lockout"]
    assert console.faults(disable=["allow_replay"])["enabled"] == ["no_lockout"]
    assert console.faults(disable=["allow_replay"])["enabled"] == ["no_lockout"]  # idempotent
    body = console.faults(enable=["rename_label"], rename_label={"from": "Turn on", "to": "X"})
    assert body["enabled"] == ["no_lockout", "rename_label"]


@pytest.mark.parametrize(("body", "error"), [
    ({"enable": ["no_such_fault"]}, "unknown fault 'no_such_fault'"),
    ({"disable": ["no_such_fault"]}, "unknown fault 'no_such_fault'"),
    ({"enable": ["accept_any_code", "no_such_fault"]}, "unknown fault 'no_such_fault'"),
    ({"enable": "accept_any_code"}, "must be lists of fault names"),
    ({"enable": ["rename_label"]}, "rename_label needs"),
    ({"enable": ["rename_label"], "rename_label": {"from": "Turn on"}}, "rename_label needs"),
    ({"enable": ["accept_any_code"], "accept_any_code": 5}, "must be a JSON object"),
])
def test_faults_refuse_bad_requests_clearly_and_change_nothing(
    console, body: dict, error: str
) -> None:
    console.faults(enable=["no_lockout"])
    response = console.client.post("/__test__/faults", json=body)
    assert response.status_code == 400
    assert error in response.json["error"]
    if "unknown fault" in error:
        for name in CATALOGUE:
            assert name in response.json["error"], f"{name} missing from the list"
    assert console.client.get("/__test__/faults").json["enabled"] == ["no_lockout"]


def test_test_api_needs_no_csrf_token_but_the_console_does(console) -> None:
    assert console.client.post("/__test__/clock", json={"advance": 1}).status_code == 200
    assert console.client.post(console.SIGNIN, data={"username": "a"}).status_code == 400


# -- many threads at once through waitress -------------------------------------------------------


@pytest.fixture
def served(app: Flask) -> Iterator[str]:
    """The console served by waitress on a free loopback port, 8 worker threads."""
    server = create_server(app, host="127.0.0.1", port=0, threads=8, ident="mock-console")
    thread = threading.Thread(target=server.run, name="waitress", daemon=True)
    thread.start()
    try:
        # one host gives one socket, so a single-socket server (the stubs return the union)
        yield f"http://127.0.0.1:{server.effective_port}"  # type: ignore[union-attr]
    finally:
        server.task_dispatcher.shutdown()
        server.trigger.pull_trigger(lambda: wasyncore.close_all(server._map))  # type: ignore[union-attr]
        thread.join(timeout=10)
        assert not thread.is_alive(), "waitress did not stop"


Seen = list[tuple[str, str, int, str]]


class Browser:
    """A browser on the served console (the shared driver over HTTP, no redirects followed)
    that records every reply, for a thread of the load test."""

    def __init__(self, base: str) -> None:
        self.seen: Seen = []
        self.transport = HttpTransport(base)
        self.http = ConsoleHttp(self.transport, observe=self.record)

    def record(self, method: str, path: str, reply: HttpReply) -> None:
        self.seen.append((method, path, reply.status, reply.text))


def full_flow(base: str) -> tuple[str, Seen]:
    """One person: sign in, Set up, one wrong code, Turn on, Turn off; return what was seen."""
    browser = Browser(base)
    http = browser.http
    try:
        account = http.create_account()
        assert http.sign_in(account["username"], account["password"]).status == 302
        assert http.start_setup().status == 302
        page = http.get(SETUP).text
        secret = shown_key(page)
        token = csrf_token(page)
        now = http.now()
        code = pyotp.TOTP(secret).at(now)
        wrong = "000000" if code != "000000" else "111111"
        assert http.turn_on(wrong, token=token).status == 422
        assert http.turn_on(code, token=token).status == 302
        assert "Please keep your Recovery Code safe." in http.get(ENABLED).text
        assert http.turn_off().status == 302
        assert http.get(DISABLED).status == 200
        return account["username"], browser.seen
    finally:
        browser.transport.close()


def page_viewer(base: str) -> tuple[str, Seen]:
    """Someone who keeps opening the sign-in page and sending it half-filled: each visit writes a
    new session row, and no password hash slows it down."""
    browser = Browser(base)
    http = browser.http
    try:
        for _ in range(10):
            browser.transport.clear_cookies()
            token = http.token(SIGNIN)
            assert http.post(SIGNIN, {"csrf_token": token, "username": "x"}).status == 422
            assert http.get(CLOCK_API).status == 200
        return "", browser.seen
    finally:
        browser.transport.close()


FLOWS, VIEWERS = 16, 24


def test_concurrent_requests_through_waitress_have_no_errors(served: str, console) -> None:
    # given 40 threads at once: 16 people each turning 2SV on and off, 24 opening pages
    with ThreadPoolExecutor(max_workers=FLOWS + VIEWERS) as pool:
        flows = [pool.submit(full_flow, served) for _ in range(FLOWS)]
        viewers = [pool.submit(page_viewer, served) for _ in range(VIEWERS)]
        results = [f.result() for f in flows]
        seen = [e for f in flows + viewers for e in f.result()[1]]
    # then no request failed
    assert len(seen) == FLOWS * 13 + VIEWERS * 30
    assert not [s[:3] for s in seen if s[2] >= 500], "server errors under load"
    assert not [s[:3] for s in seen if "database is locked" in s[3]]
    # and each account ends exactly as its own flow left it
    assert len({username for username, _ in results}) == FLOWS
    for username, _ in results:
        assert console.state(username) == {"username": username, "two_step_enabled": False,
                                           "locked_until": None, "recovery_codes_left": 0,
                                           "failures": 0, "hard_locked": False}
        assert console.events(username) == ["signed_in", "code_rejected", "two_step_enabled",
                                             "two_step_disabled"]
        assert console.row(username)["failures"] == 0


def test_one_code_sent_from_many_browsers_at_once_is_accepted_once(served: str, console) -> None:
    console.enabled_account()
    browsers = [Browser(served) for _ in range(5)]  # 4 replays: one short of a lock
    try:
        for browser in browsers:
            response = browser.http.sign_in(console.username, console.password)
            assert response.location == "/signin/code"
        tokens = [b.http.token(SIGNIN_CODE) for b in browsers]
        code = console.code()
        start = threading.Barrier(len(browsers))

        def send(i: int) -> int:
            start.wait()
            return browsers[i].http.enter_code(code, token=tokens[i]).status

        with ThreadPoolExecutor(max_workers=len(browsers)) as pool:
            statuses = list(pool.map(send, range(len(browsers))))
    finally:
        for browser in browsers:
            browser.transport.close()
    assert sorted(statuses) == [302] + [422] * (len(browsers) - 1)
    events = console.events()
    assert events.count("signed_in") == 2  # the one when turning on, and this one
    assert events.count("code_replayed") == len(browsers) - 1


def shared_driver_flow(http: ConsoleHttp[Any]) -> tuple[list[tuple[str, str, int, str | None]],
                                                        list[str]]:
    """Create, sign in, Set up, Turn on (key and QR agree), sign in with a code, Turn off;
    return each request's method, path, status and Location, and the account's events."""
    seen: list[tuple[str, str, int, str | None]] = []
    http.observe = lambda method, path, reply: seen.append(
        (method, path, reply.status, reply.location))
    account = http.create_account()
    http.sign_in(account["username"], account["password"])
    http.start_setup()
    page = http.get(SETUP).text
    secret = shown_key(page)
    assert parse_otpauth(decode_qr(qr_png(page))).secret == secret
    http.turn_on(pyotp.TOTP(secret).at(http.now()))
    http.sign_out()
    http.sign_in(account["username"], account["password"])
    http.advance(30)  # the code used to turn on is then in the past
    http.enter_code(pyotp.TOTP(secret).at(http.now()))
    http.turn_off()
    http.observe = None  # (the reads below name the account, which differs between runs)
    assert http.account(account["username"])["two_step_enabled"] is False
    return seen, [event["type"] for event in http.events(account["username"])]


def test_the_shared_driver_sees_the_same_console_in_process_and_over_http(
        app: Flask, served: str) -> None:
    # given the same flow through Flask's test client and through waitress on loopback
    in_process = shared_driver_flow(ConsoleHttp(FlaskTransport(app.test_client())))
    transport = HttpTransport(served)
    try:
        over_http = shared_driver_flow(ConsoleHttp(transport))
    finally:
        transport.close()
    # then every request answers alike, and both accounts end with the same audit trail
    assert over_http == in_process
    assert in_process[1] == ["signed_in", "two_step_enabled", "signed_in", "two_step_disabled"]
    assert [status for _, _, status, _ in in_process[0]].count(302) == 7
