"""Re-authentication (``--reauth``): confirm access before Set up and Turn off.

With the switch on, "Set up" first asks for the password and "Turn off" for the password or a
current code; a confirmation lasts five minutes of the console's clock, in that session only. A
request straight to either change without one is refused, by the pages and by the JSON API alike
(rule ``reauth``), unless the ``skip_reauth_check`` fault drops that server-side check.
"""

from __future__ import annotations

from pathlib import Path

import pyotp
import pytest
from flask import Flask
from werkzeug.test import TestResponse

from mock_console import create_app, hashing
from mock_console.clock import Clock
from tests.support.console_driver import CHANGE, DISABLED, SETUP, TURN_OFF, Console, Page

CONFIRM = "/account/security/2sv/confirm"
PROMPT = "Confirm access"
WRONG_PASSWORD = ("That password is not right, so nothing was changed. Enter this account's "
                  "password and try again.")


@pytest.fixture
def app(db_path: Path, clock: Clock) -> Flask:
    """A console started with ``--reauth``."""
    return create_app({"DATABASE": str(db_path), "TEST_API": True, "TESTING": True,
                       "CLOCK": clock, "PASSWORD_HASHING": hashing.FAST, "REAUTH": True})


def followed(console: Console, response: TestResponse) -> Page:
    """The page a response leads to (its redirect followed)."""
    return console.open(response.location) if response.status_code == 302 else Page(response)


def press_set_up(console: Console) -> Page:
    """2.4: press "Set up" on the Turn on page; return the page it leads to."""
    page = console.open(CHANGE)
    assert page.h1 == "Turn on 2-Step Verification", page.h1
    return followed(console, console.submit(page, "Set up"))


def confirm(console: Console, prompt: Page, **fields: str) -> Page:
    """Answer the prompt; return the page the console shows next (redirects followed)."""
    return followed(console, console.submit(prompt, "Confirm", **fields))


def enabled_with_reauth(console: Console) -> None:
    """2SV on for a fresh account, set up through the prompt; then signed out and in again, so
    this session has no confirmation."""
    console.signed_in_account()
    prompt = press_set_up(console)
    setup = confirm(console, prompt, password=console.password)
    assert setup.h1 == "Turn on 2-Step Verification", setup.h1
    secret = console.shown_key()
    response = console.turn_on(pyotp.TOTP(secret).at(console.now()))
    assert response.status_code == 302, response.status
    console.secret = secret
    console.next_step()
    console.sign_out()
    console.sign_in()
    assert console.enter_code(console.code()).status_code == 302
    console.next_step()


def press_turn_off(console: Console) -> Page:
    """3.3-3.4: "Turn off" on the status page, then on the confirmation page."""
    status = console.open(CHANGE)
    confirm_page = Page(console.submit(status, "Turn off"))
    assert confirm_page.h1 == "Turn off 2-Step Verification", confirm_page.h1
    return followed(console, console.submit(confirm_page, "Turn off"))


def test_set_up_asks_for_the_password_first(console: Console) -> None:
    console.signed_in_account()
    prompt = press_set_up(console)
    assert prompt.h1 == PROMPT
    assert "Password" in prompt.labels
    assert "Or enter a code from the authenticator app:" not in prompt.labels  # 2SV is off
    assert console.row()["pending_secret"] is None  # nothing happened yet

    setup = confirm(console, prompt, password=console.password)

    assert setup.h1 == "Turn on 2-Step Verification"
    assert console.row()["pending_secret"]
    assert "access_confirmed" in console.events()


def test_turn_off_asks_and_accepts_a_current_code(console: Console) -> None:
    enabled_with_reauth(console)
    prompt = press_turn_off(console)
    assert prompt.h1 == PROMPT
    assert {"Password", "Or enter a code from the authenticator app:"} <= prompt.labels.keys()
    assert console.state()["two_step_enabled"] is True

    done = confirm(console, prompt, code=console.code())

    assert done.h1 == "2-Step Verification has been turned off"
    assert console.state()["two_step_enabled"] is False


def test_turn_off_accepts_the_password(console: Console) -> None:
    enabled_with_reauth(console)
    done = confirm(console, press_turn_off(console), password=console.password)
    assert done.h1 == "2-Step Verification has been turned off"


def test_a_wrong_password_changes_nothing_and_counts_as_a_wrong_password(
        console: Console) -> None:
    console.signed_in_account()
    prompt = press_set_up(console)
    before = console.row()

    again = confirm(console, prompt, password="not-the-password")

    assert again.status == 422 and again.h1 == PROMPT
    assert again.alert == WRONG_PASSWORD
    assert console.row() == before
    assert console.events()[-1] == "password_rejected"


def test_wrong_passwords_at_the_prompt_are_throttled(console: Console) -> None:
    console.signed_in_account()
    prompt = press_set_up(console)
    console.advance(1)  # after the sign-in, which ends any earlier run of wrong passwords
    for _ in range(10):
        confirm(console, prompt, password="not-the-password")
    paused = confirm(console, prompt, password=console.password)
    assert paused.status == 429 and "Sign-in is paused" in (paused.alert or "")
    assert console.row()["pending_secret"] is None


def test_a_wrong_code_at_the_prompt_counts_toward_the_lock(console: Console) -> None:
    enabled_with_reauth(console)
    refused = confirm(console, press_turn_off(console), code=console.wrong_code())
    assert refused.status == 422 and refused.h1 == PROMPT
    assert "Attempts left before a 5-minute lock: 4" in (refused.alert or "")
    assert console.state()["failures"] == 1
    assert console.state()["two_step_enabled"] is True


def test_an_empty_answer_says_what_to_enter(console: Console) -> None:
    enabled_with_reauth(console)
    refused = confirm(console, press_turn_off(console))
    assert refused.alert == ("Enter your password, or a code from the authenticator app, to "
                             "confirm it is you.")
    assert console.state()["two_step_enabled"] is True


def test_a_confirmation_lasts_five_minutes_of_the_consoles_clock(console: Console) -> None:
    console.signed_in_account()
    confirm(console, press_set_up(console), password=console.password)
    console.sign_out()  # a new session owes a new confirmation, whatever the clock says
    console.sign_in()
    assert press_set_up(console).h1 == PROMPT
    confirm(console, press_set_up(console), password=console.password)
    console.advance(299)
    fresh = console.submit(console.open(CHANGE), "Set up")
    assert fresh.status_code == 302 and fresh.location == SETUP  # still fresh: no prompt
    console.advance(2)
    assert press_set_up(console).h1 == PROMPT
    token = console.open("/account").csrf_token("Sign out")
    response = console.raw_post(SETUP, ("csrf_token", token))
    assert response.status_code == 302 and response.location.startswith(CONFIRM)


def test_the_confirmation_is_per_session(console: Console) -> None:
    console.signed_in_account()
    other = console.other_browser()
    other.sign_in()
    confirm(console, press_set_up(console), password=console.password)
    assert press_set_up(other).h1 == PROMPT


def test_a_post_straight_to_set_up_is_refused(console: Console) -> None:
    console.signed_in_account()
    token = console.open("/account").csrf_token("Sign out")
    response = console.raw_post(SETUP, ("csrf_token", token))
    assert response.status_code == 302 and response.location == f"{CONFIRM}?next=setup"
    assert console.row()["pending_secret"] is None
    prompt = console.open(response.location)
    assert prompt.h1 == PROMPT
    assert "Nothing has been changed yet." in (prompt.status_message or "")


def test_a_post_straight_to_turn_off_is_refused(console: Console) -> None:
    enabled_with_reauth(console)
    token = console.open(TURN_OFF).csrf_token("Sign out")
    response = console.raw_post(TURN_OFF, ("csrf_token", token))
    assert response.status_code == 302 and response.location == f"{CONFIRM}?next=turn_off"
    assert console.state()["two_step_enabled"] is True
    assert console.open(DISABLED).h1 != "2-Step Verification has been turned off"


def test_the_prompt_refuses_an_unknown_next_step(console: Console) -> None:
    console.signed_in_account()
    assert console.open(f"{CONFIRM}?next=https://evil.example/").status == 400


def test_the_json_api_refuses_changes_without_a_confirmation(console: Console) -> None:
    console.signed_in_account()
    token = console.client.get("/api/session").json["csrf_token"]
    headers = {"X-CSRFToken": token}
    refused = console.client.post("/api/2sv/setup", json={}, headers=headers)
    assert refused.status_code == 403
    assert refused.json["error"]["key"] == "reauth_required"
    assert console.row()["pending_secret"] is None

    wrong = console.client.post("/api/2sv/reauth", headers=headers,
                                json={"next": "setup", "password": "nope", "code": ""})
    assert wrong.status_code == 422 and wrong.json["error"]["message"] == WRONG_PASSWORD
    ok = console.client.post("/api/2sv/reauth", headers=headers,
                             json={"next": "setup", "password": console.password, "code": ""})
    assert ok.status_code == 200 and ok.json["reauth_needed"] is False
    done = console.client.post("/api/2sv/setup", json={}, headers=headers)
    assert done.status_code == 200 and done.json["setup"]["text_key"]


def test_the_api_refuses_turn_off_without_a_confirmation(console: Console) -> None:
    enabled_with_reauth(console)
    token = console.client.get("/api/session").json["csrf_token"]
    refused = console.client.post("/api/2sv/disable", json={}, headers={"X-CSRFToken": token})
    assert refused.status_code == 403 and refused.json["error"]["key"] == "reauth_required"
    assert console.state()["two_step_enabled"] is True


def test_without_reauth_set_up_goes_straight_on(tmp_path: Path, clock: Clock) -> None:
    app = create_app({"DATABASE": str(tmp_path / "plain.sqlite3"), "TEST_API": True,
                      "TESTING": True, "CLOCK": clock, "PASSWORD_HASHING": hashing.FAST})
    console = Console(app, app.test_client())
    console.signed_in_account()
    response = console.submit(console.open(CHANGE), "Set up")
    assert response.status_code == 302 and response.location == SETUP
    assert console.row()["pending_secret"]
