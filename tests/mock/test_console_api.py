"""The JSON API behind the single-page app: the same rules and words as the server-rendered pages.

Each test drives /api/ as spa.js does (the CSRF token in the X-CSRFToken header) and checks what
the answer says and what the console holds afterwards (the test API's state and audit events).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyotp
import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from mock_console import create_app
from mock_console.clock import Clock
from tests.support.console_driver import Console

WRONG = ("That code is not correct. Check that the app shows this account and enter its "
         "current code. Attempts left before a 5-minute lock: {left}.")
CSRF = ("This form has expired or did not come from this page, so nothing was changed. "
        "Go back, reload the page and try again.")


class Api:
    """spa.js's side of the API, over Flask's test client."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def token(self) -> str:
        return str(self.client.get("/api/session").json["csrf_token"])

    def post(self, path: str, body: dict[str, Any] | None = None, *,
             csrf: bool = True) -> TestResponse:
        headers = {"X-CSRFToken": self.token()} if csrf else {}
        return self.client.post(f"/api{path}", json=body or {}, headers=headers)

    def get(self, path: str) -> TestResponse:
        return self.client.get(f"/api{path}")


@pytest.fixture
def api(client: FlaskClient) -> Api:
    return Api(client)


def signed_in(console: Console, api: Api) -> None:
    console.new_account()
    answer = api.post("/signin", {"username": console.username, "password": console.password})
    assert answer.status_code == 200 and answer.json["user"] == console.username


def secret_of(answer: TestResponse) -> str:
    return str(answer.json["setup"]["text_key"]).replace(" ", "")


def test_session_carries_the_catalogue_in_the_visitors_language(api: Api) -> None:
    answer = api.client.get("/api/session?lang=ja")
    assert answer.json["user"] is None and answer.json["lang"] == "ja"
    assert answer.json["messages"]["turn_on_button"] == "有効にする"
    assert answer.json["languages"] == {"en": "English", "ja": "日本語"}


def test_sign_in_with_a_wrong_password_gives_the_pages_words(console: Console, api: Api) -> None:
    console.new_account()
    answer = api.post("/signin", {"username": console.username, "password": "wrong"})
    assert answer.status_code == 422
    assert answer.json["error"] == {
        "key": "signin_failed",
        "message": "The username or password is incorrect. Check them and try again."}
    assert api.get("/session").json["user"] is None


def test_csrf_is_refused_without_the_header_and_nothing_changes(console: Console,
                                                                api: Api) -> None:
    console.new_account()
    answer = api.post("/signin", {"username": console.username,
                                  "password": console.password}, csrf=False)
    assert answer.status_code == 400
    assert answer.json["error"] == {"key": "error_csrf", "message": CSRF}
    assert api.get("/session").json["user"] is None
    assert console.events() == []


def test_the_whole_procedure_through_the_api(console: Console, api: Api) -> None:
    signed_in(console, api)
    assert api.get("/account").json["two_step_on"] is False
    setup = api.post("/2sv/setup")
    assert setup.status_code == 200 and setup.headers["Cache-Control"] == "no-store"
    assert set(setup.json["setup"]["qr"][0]) <= {"0", "1"}
    secret = secret_of(setup)
    turned_on = api.post("/2sv/enable", {"code": pyotp.TOTP(secret).at(console.now())})
    assert turned_on.status_code == 200 and turned_on.headers["Cache-Control"] == "no-store"
    recovery_code = turned_on.json["recovery_code"]
    assert recovery_code and turned_on.json["two_step_on"] is True
    assert console.state()["two_step_enabled"] is True
    console.next_step()
    assert api.post("/signout").json["user"] is None
    owed = api.post("/signin", {"username": console.username, "password": console.password})
    assert owed.json["code_owed"] is True and owed.json["user"] is None
    recovered = api.post("/signin/recovery", {"recovery_code": recovery_code})
    assert recovered.status_code == 200 and recovered.headers["Cache-Control"] == "no-store"
    assert recovered.json["recovery_code"] not in ("", recovery_code)
    assert api.post("/2sv/disable").json["two_step_on"] is False
    assert console.events() == ["signed_in", "two_step_enabled", "recovery_code_used",
                                "signed_in", "two_step_disabled"]


def test_a_wrong_code_at_turn_on_is_refused_with_the_pages_words(console: Console,
                                                                 api: Api) -> None:
    signed_in(console, api)
    secret = secret_of(api.post("/2sv/setup"))
    answer = api.post("/2sv/enable", {"code": console.wrong_code(secret)})
    assert answer.status_code == 422
    assert answer.json["error"] == {"key": "code_wrong", "message": WRONG.format(left=4)}
    assert console.state()["two_step_enabled"] is False


@pytest.mark.parametrize("body", [{"code": ["123456", "123456"]}, {"code": 123456}, {}])
def test_bad_input_at_turn_on_changes_nothing(console: Console, api: Api,
                                              body: dict[str, Any]) -> None:
    signed_in(console, api)
    api.post("/2sv/setup")
    before = console.state()
    answer = api.post("/2sv/enable", body)
    assert answer.status_code == 422 and answer.json["error"]["message"]
    assert console.state() == before
    assert console.events() == ["signed_in"]


def test_a_body_that_is_not_an_object_changes_nothing(console: Console, api: Api) -> None:
    console.new_account()
    answer = api.client.post("/api/signin", data="[1]", content_type="application/json",
                             headers={"X-CSRFToken": api.token()})
    assert answer.status_code == 422 and answer.json["error"]["key"] == "error_bad_request"
    assert console.events() == []


def test_the_account_needs_a_signed_in_user(api: Api) -> None:
    answer = api.get("/account")
    assert answer.status_code == 401
    assert answer.json["error"] == {"key": "signin_required", "message": "Sign in to continue."}
    assert api.post("/2sv/setup").status_code == 401


def test_language_switch_changes_the_words(api: Api) -> None:
    answer = api.post("/language", {"lang": "ja"})
    assert answer.status_code == 200 and answer.json["lang"] == "ja"
    assert api.get("/session").json["messages"]["signin_button"] == "サインイン"
    assert api.post("/language", {"lang": "xx"}).status_code == 422


@pytest.fixture
def spa_client(db_path: Path, clock: Clock, password_hashing: str) -> FlaskClient:
    """A browser on the console served as the single-page app."""
    return create_app({"DATABASE": str(db_path), "TEST_API": True, "TESTING": True,
                       "CLOCK": clock, "PASSWORD_HASHING": password_hashing,
                       "UI": "spa"}).test_client()


@pytest.mark.parametrize("path", ["/", "/signin", "/account/security",
                                  "/account/security/2sv/turn-off"])
def test_the_spa_serves_its_shell_at_every_screens_address(spa_client: FlaskClient,
                                                           path: str) -> None:
    answer = spa_client.get(path)
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "/static/spa.js" in html
    assert "<script>" not in html  # no inline script: the CSP stays strict
    assert "'unsafe-inline'" not in answer.headers["Content-Security-Policy"]
    assert answer.headers["Cache-Control"] == "no-store"


def test_the_spa_answers_an_unknown_address_with_its_error_screen(
        spa_client: FlaskClient) -> None:
    answer = spa_client.get("/no-such-screen")
    assert answer.status_code == 404
    assert 'data-error="' in answer.get_data(as_text=True)
    assert spa_client.post("/signin").status_code == 405  # no server-rendered forms


def test_the_api_answers_the_same_on_the_spa(spa_client: FlaskClient) -> None:
    answer = spa_client.get("/api/session")
    assert answer.status_code == 200 and answer.json["user"] is None
