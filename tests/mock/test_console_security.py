"""Every row of docs/security.md's table, proved on the console through its screens.

Each test says what the user sees (status, the message in role="alert") and what the console
holds afterwards (the test API's state, the audit events, and where needed the SQLite file).
"""

from __future__ import annotations

import base64
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pyotp
import pytest

WRONG = ("That code is not correct. Check that the app shows this account and enter its "
         "current code. Attempts left before a 5-minute lock: {left}.")
REPLAYED = ("This code has already been used. Wait for the app to show a new code, "
            "then enter it.")
LOCKED_NOW = ("Too many incorrect codes. Code entry is locked for 5 minutes; "
              "try again after that.")
LOCKED = "Too many incorrect codes. Code entry is locked; try again in about 5 minutes."
RECOVERY_WRONG = "That Recovery Code is not correct or has already been used."
CSRF = ("This form has expired or did not come from this page, so nothing was changed. "
        "Go back, reload the page and try again.")


# -- 30 s step, accept T-1..T+1 only (RFC 6238 §5.2) ---------------------------------------------


@pytest.mark.parametrize("steps", [-1, 0, 1])
def test_turn_on_accepts_codes_from_one_step_either_side(console, steps: int) -> None:
    console.signed_in_account()
    secret = console.start_setup()
    response = console.turn_on(console.code(steps, secret))
    assert response.status_code == 302 and response.location == console.ENABLED
    assert console.state()["two_step_enabled"] is True
    assert console.events() == ["signed_in", "two_step_enabled"]


@pytest.mark.parametrize("steps", [-2, 2])
def test_turn_on_refuses_codes_two_steps_away(console, steps: int) -> None:
    console.signed_in_account()
    secret = console.start_setup()
    page = console.read(console.turn_on(console.code(steps, secret)))
    assert page.status == 422
    assert page.alert == WRONG.format(left=4)
    assert console.state()["two_step_enabled"] is False
    assert console.events() == ["signed_in", "code_rejected"]


@pytest.mark.parametrize("steps", [-1, 0, 1])
def test_sign_in_accepts_codes_from_one_step_either_side(console, steps: int) -> None:
    console.enabled_account()
    console.next_step(2)  # the step used to turn on is now T-3: every T-2..T+2 is unused
    console.to_code_page()
    response = console.enter_code(console.code(steps))
    assert response.status_code == 302 and response.location == console.HOME
    assert console.open(console.ACCOUNT).h1 == "Account Information"
    assert console.events()[-1] == "signed_in"


@pytest.mark.parametrize("steps", [-2, 2])
def test_sign_in_refuses_codes_two_steps_away(console, steps: int) -> None:
    console.enabled_account()
    console.next_step(2)
    console.to_code_page()
    page = console.read(console.enter_code(console.code(steps)))
    assert page.status == 422
    assert page.alert == WRONG.format(left=4)
    assert console.client.get(console.ACCOUNT).status_code == 302  # not signed in
    assert console.events()[-1] == "code_rejected"


def test_window_is_measured_at_the_console_clock_not_the_runner_clock(console, clock) -> None:
    console.enabled_account()
    console.advance(86400 * 365)  # the console is a year ahead of when the test began
    console.to_code_page()
    stale = pyotp.TOTP(console.secret).at(clock.now() - 86400 * 365)
    assert console.enter_code(stale).status_code == 422
    assert console.enter_code(console.code()).status_code == 302


# -- a code is accepted once (RFC 6238 §5.2; NIST 63B; ASVS 2.8.4) -------------------------------


def test_code_used_to_turn_on_is_refused_at_the_next_sign_in(console) -> None:
    console.signed_in_account()
    secret = console.start_setup()
    code = console.code(secret=secret)
    assert console.turn_on(code).status_code == 302
    console.secret = secret
    console.to_code_page()
    page = console.read(console.enter_code(code))
    assert page.status == 422
    assert page.alert == REPLAYED
    assert console.events()[-2:] == ["code_replayed", "code_rejected"]


def test_same_code_twice_at_sign_in_is_refused_the_second_time(console) -> None:
    console.enabled_account()
    console.to_code_page()
    code = console.code()
    assert console.enter_code(code).status_code == 302
    console.to_code_page()
    page = console.read(console.enter_code(code))
    assert page.status == 422
    assert page.alert == REPLAYED
    assert console.client.get(console.ACCOUNT).status_code == 302
    assert console.events()[-3:] == ["signed_in", "code_replayed", "code_rejected"]


def test_older_code_after_a_newer_one_is_refused(console) -> None:
    console.enabled_account()
    console.next_step()
    console.to_code_page()
    assert console.enter_code(console.code(+1)).status_code == 302  # T+1 used
    console.to_code_page()
    page = console.read(console.enter_code(console.code(0)))  # T: older than T+1
    assert page.status == 422 and page.alert == REPLAYED
    page = console.read(console.enter_code(console.code(-1)))
    assert page.status == 422 and page.alert == REPLAYED
    # and a fresh step is accepted again once the clock moves past the one used
    console.next_step(2)
    assert console.enter_code(console.code()).status_code == 302


# -- not on until a code verifies (the article, 2.6) ---------------------------------------------


def test_wrong_code_at_turn_on_leaves_2sv_off_and_the_same_secret(console) -> None:
    # given the setup page with its QR code
    console.signed_in_account()
    secret = console.start_setup()
    qr_before = console.qr_text(console.open(console.SETUP))
    # when a wrong code is entered
    page = console.read(console.turn_on(console.wrong_code(secret)))
    # then a clear refusal, on the same setup page
    assert page.status == 422
    assert page.alert == WRONG.format(left=4)
    assert page.h1 == "Turn on 2-Step Verification"
    assert console.qr_text(page) == qr_before
    # and 2SV is off, with the same pending secret in the QR code, the text key and the store
    assert console.state()["two_step_enabled"] is False
    assert console.shown_key() == secret
    assert console.qr_text(console.open(console.SETUP)) == qr_before
    assert console.row()["pending_secret"] == secret
    assert console.row()["totp_secret"] is None
    # and sign-in asks no code
    console.sign_out()
    assert console.sign_in().location == console.HOME
    # and pressing "Set up" again keeps the same secret; its code still turns 2SV on
    assert console.start_setup() == secret
    assert console.turn_on(console.code(secret=secret)).status_code == 302
    assert console.state()["two_step_enabled"] is True


def test_setup_page_without_set_up_first_shows_the_turn_on_page(console) -> None:
    console.signed_in_account()
    response = console.client.get(console.SETUP)
    assert response.status_code == 302 and response.location == console.CHANGE
    assert console.row()["pending_secret"] is None


# -- throttling (NIST 63B §5.2.2; RFC 4226 §7.3) -------------------------------------------------


def test_five_wrong_codes_lock_sign_in_and_a_valid_code_is_then_refused(console, clock) -> None:
    console.enabled_account()
    console.to_code_page()
    for left in (4, 3, 2, 1):
        page = console.read(console.enter_code(console.wrong_code()))
        assert page.status == 422 and page.alert == WRONG.format(left=left)
    # the fifth wrong code locks
    page = console.read(console.enter_code(console.wrong_code()))
    assert page.status == 429
    assert page.alert == LOCKED_NOW
    state = console.state()
    assert state["locked_until"] == clock.now() + 300
    assert console.events()[-6:] == ["code_rejected"] * 5 + ["locked"]
    # a valid code is refused while locked, with a clear message, and not counted
    page = console.read(console.enter_code(console.code()))
    assert page.status == 429
    assert page.alert == LOCKED
    assert page.response.headers["Retry-After"] == "300"
    assert console.client.get(console.ACCOUNT).status_code == 302
    assert console.events()[-1] == "locked"
    assert console.row()["failures"] == 5


def test_lock_expires_after_300_seconds_and_success_resets_the_counter(console) -> None:
    console.enabled_account()
    console.to_code_page()
    for _ in range(5):
        console.enter_code(console.wrong_code())
    console.advance(299)
    assert console.read(console.enter_code(console.code())).status == 429
    console.advance(2)  # 301 s after locking
    console.to_code_page()  # the password step has gone stale too: sign in again
    assert console.enter_code(console.code()).status_code == 302
    row = console.row()
    assert row["failures"] == 0 and row["locked_until"] is None
    assert console.state()["locked_until"] is None
    # the counter starts again from zero: four wrong codes do not lock
    console.next_step()
    console.to_code_page()
    for left in (4, 3, 2, 1):
        assert console.read(console.enter_code(console.wrong_code())).alert == \
            WRONG.format(left=left)
    assert console.state()["locked_until"] is None


def test_success_before_the_fifth_failure_resets_the_counter(console) -> None:
    console.enabled_account()
    console.to_code_page()
    for _ in range(4):
        console.enter_code(console.wrong_code())
    assert console.enter_code(console.code()).status_code == 302
    assert console.row()["failures"] == 0
    console.next_step()
    console.to_code_page()
    page = console.read(console.enter_code(console.wrong_code()))
    assert page.alert == WRONG.format(left=4)


def test_failure_counter_is_per_account_across_sessions(console) -> None:
    # given one account signing in from two browsers
    console.enabled_account()
    other = console.other_browser()
    console.to_code_page()
    other.to_code_page()
    # when three wrong codes come from one and two from the other
    for _ in range(3):
        console.enter_code(console.wrong_code())
    assert console.read(other.enter_code(console.wrong_code())).alert == WRONG.format(left=1)
    page = console.read(other.enter_code(console.wrong_code()))
    # then the account is locked, for both browsers
    assert page.status == 429 and page.alert == LOCKED_NOW
    assert console.read(console.enter_code(console.code())).status == 429
    assert console.state()["locked_until"] is not None


def test_failure_counter_is_per_account_not_shared_between_accounts(console) -> None:
    console.enabled_account()
    other = console.other_browser()
    other.enabled_account()  # a second account
    console.to_code_page()
    for _ in range(5):
        console.enter_code(console.wrong_code())
    assert console.state()["locked_until"] is not None
    other.to_code_page()
    assert other.enter_code(other.code()).status_code == 302
    assert other.state()["locked_until"] is None


def test_five_wrong_codes_at_turn_on_lock_and_a_valid_code_is_refused(console) -> None:
    console.signed_in_account()
    secret = console.start_setup()
    for _ in range(4):
        console.turn_on(console.wrong_code(secret))
    page = console.read(console.turn_on(console.wrong_code(secret)))
    assert page.status == 429 and page.alert == LOCKED_NOW
    page = console.read(console.turn_on(console.code(secret=secret)))
    assert page.status == 429 and page.alert == LOCKED
    assert console.state()["two_step_enabled"] is False
    assert console.row()["pending_secret"] == secret
    console.advance(301)
    assert console.turn_on(console.code(secret=secret)).status_code == 302
    assert console.state()["two_step_enabled"] is True


# -- secret strength (RFC 4226 R6) and the Key URI -----------------------------------------------


def test_secret_is_160_bits_of_base32_without_padding(console) -> None:
    console.signed_in_account()
    console.start_setup()
    uri = console.qr_text(console.open(console.SETUP))
    parts = urlsplit(uri)
    assert parts.scheme == "otpauth" and parts.netloc == "totp"
    query = parse_qs(parts.query, strict_parsing=True)
    (secret,) = query["secret"]
    assert re.fullmatch(r"[A-Z2-7]+", secret), "upper-case Base32, no padding"
    assert len(base64.b32decode(secret + "=" * (-len(secret) % 8))) == 20
    assert query["issuer"] == ["HENNGE Cloud Protection"]
    assert set(query) == {"secret", "issuer"}  # SHA1/6/30 are the defaults, left implicit
    # and each setup draws a new secret
    other = console.other_browser()
    other.signed_in_account()
    assert other.start_setup() != secret


def test_key_uri_parses_and_lints_clean_with_the_harness_parser(console) -> None:
    otpauth = pytest.importorskip("e2e.otpauth")
    console.signed_in_account()
    secret = console.start_setup()
    uri = console.qr_text(console.open(console.SETUP))
    parsed = otpauth.parse_otpauth(uri)
    assert (parsed.secret, parsed.issuer, parsed.account) == (
        secret, "HENNGE Cloud Protection", console.username)
    assert (parsed.algorithm, parsed.digits, parsed.period) == ("SHA1", 6, 30)
    assert otpauth.lint_otpauth(uri) == []
    assert parsed.code(console.now()) == console.code(secret=secret)


# -- outcome after enabling / disabling ----------------------------------------------------------


def test_after_turning_on_sign_in_asks_the_code_refuses_wrong_accepts_right(console) -> None:
    console.enabled_account()
    response = console.sign_out()
    assert response.location == console.SIGNIN
    assert console.sign_in().location == console.SIGNIN_CODE
    assert console.client.get(console.ACCOUNT).status_code == 302
    page = console.read(console.enter_code(console.wrong_code()))
    assert page.status == 422 and page.alert == WRONG.format(left=4)
    response = console.enter_code(console.code())
    assert response.status_code == 302 and response.location == console.HOME
    assert console.open(console.ACCOUNT).status == 200
    assert console.events()[-2:] == ["code_rejected", "signed_in"]


def test_after_turning_off_sign_in_asks_no_code(console) -> None:
    console.enabled_account()
    console.turn_off()
    console.sign_out()
    response = console.sign_in()
    assert response.status_code == 302 and response.location == console.HOME
    assert console.open(console.ACCOUNT).status == 200
    assert console.row()["totp_secret"] is None  # nothing left to ask a code for
    assert console.events()[-2:] == ["two_step_disabled", "signed_in"]


def test_pressing_turn_off_twice_turns_off_once(console) -> None:
    console.enabled_account()
    form = console.open(console.TURN_OFF)
    assert console.submit(form, "Turn off").status_code == 302
    again = console.submit(form, "Turn off")  # the same form, sent again
    assert again.status_code == 302 and again.location == console.CHANGE
    assert console.events().count("two_step_disabled") == 1


# -- recovery code (NIST 63B-4 §4.2.1; ASVS 5 §6.5.2) --------------------------------------------


def test_recovery_code_has_at_least_64_random_bits(console) -> None:
    console.enabled_account()
    assert re.fullmatch(r"[A-Z2-7]{4}(-[A-Z2-7]{4}){3}", console.recovery_code)
    bits = len(console.recovery_code.replace("-", "")) * 5
    assert bits >= 64
    assert console.state()["recovery_codes_left"] == 1


def test_recovery_code_is_stored_hashed_never_in_plaintext(console, db_path: Path) -> None:
    console.enabled_account()
    shown = [console.recovery_code]
    # a sign-in with it shows a new one, which must not be stored in plaintext either
    console.to_code_page()
    response = console.enter_recovery_code(console.recovery_code)
    new_page = console.open(response.location)
    shown.append(new_page.root.find(class_="recovery").find("code").text)
    console.sign_out()
    # every file of the database: main file, write-ahead log, shared memory
    files = sorted(db_path.parent.glob(db_path.name + "*"))
    assert db_path in files
    blob = b"".join(f.read_bytes() for f in files)
    for code in shown:
        for form in (code, code.replace("-", ""), code.lower()):
            assert form.encode() not in blob, f"Recovery Code {form} found in plaintext"
    conn = console.db()
    try:
        hashes = [r[0] for r in conn.execute("SELECT code_hash FROM recovery_codes")]
    finally:
        conn.close()
    assert hashes and all(h.startswith(("scrypt:", "pbkdf2:")) for h in hashes)


def test_passwords_and_recovery_codes_are_hashed_with_full_cost_scrypt(
    production_hashing: None, console
) -> None:
    console.enabled_account()
    conn = console.db()
    try:
        (password_hash,) = conn.execute("SELECT password_hash FROM accounts").fetchone()
        (code_hash,) = conn.execute("SELECT code_hash FROM recovery_codes").fetchone()
    finally:
        conn.close()
    assert password_hash.startswith("scrypt:32768:8:1$")
    assert code_hash.startswith("scrypt:32768:8:1$")


def test_recovery_code_signs_in_once_and_a_new_one_is_issued(console) -> None:
    console.enabled_account()
    first = console.recovery_code
    # when the user signs in with the Recovery Code
    code_page = console.to_code_page()
    recovery = console.open(code_page.links["Use your Recovery Code instead"])
    response = console.submit(recovery, "Verify", recovery_code=first)
    # then they are in, and shown a new Recovery Code
    assert response.status_code == 302
    page = console.open(response.location)
    assert page.h1 == "Your new Recovery Code"
    second = page.root.find(class_="recovery").find("code").text
    assert second != first
    assert "Please keep your Recovery Code safe." in page.text
    assert console.open(console.ACCOUNT).status == 200
    assert console.events()[-2:] == ["recovery_code_used", "signed_in"]
    assert console.state()["recovery_codes_left"] == 1
    # when the same Recovery Code is used again, it is refused
    console.to_code_page()
    page = console.read(console.enter_recovery_code(first))
    assert page.status == 422 and page.alert == RECOVERY_WRONG
    assert console.client.get(console.ACCOUNT).status_code == 302
    assert console.events()[-1] == "code_rejected"
    # and the new one works, once
    assert console.enter_recovery_code(second).status_code == 302
    console.to_code_page()
    assert console.read(console.enter_recovery_code(second)).status == 422


def test_recovery_code_sign_in_is_locked_out_like_codes(console) -> None:
    console.enabled_account()
    console.to_code_page()
    wrong = "AAAA-BBBB-CCCC-DDDD"
    for _ in range(4):
        assert console.enter_recovery_code(wrong).status_code == 422
    page = console.read(console.enter_recovery_code(wrong))
    assert page.status == 429 and page.alert == LOCKED_NOW
    page = console.read(console.enter_recovery_code(console.recovery_code))
    assert page.status == 429 and page.alert == LOCKED
    assert console.state()["recovery_codes_left"] == 1  # the right code was not used up


def test_turning_off_voids_the_secret_and_the_recovery_code(console) -> None:
    console.enabled_account()
    old_secret, old_recovery = console.secret, console.recovery_code
    console.turn_off()
    # the console holds no secret and no Recovery Code
    assert console.state()["recovery_codes_left"] == 0
    row = console.row()
    assert row["totp_secret"] is None and row["pending_secret"] is None
    assert row["last_step"] is None
    conn = console.db()
    try:
        left = conn.execute("SELECT COUNT(*) FROM recovery_codes WHERE username = ?",
                            (console.username,)).fetchone()[0]
    finally:
        conn.close()
    assert left == 0
    # sign-in asks no code; the code and Recovery Code pages are not reachable
    console.sign_out()
    assert console.sign_in().location == console.HOME
    console.sign_out()
    assert console.client.get(console.SIGNIN_RECOVERY).location == console.SIGNIN
    # after turning on again, the old secret's codes and the old Recovery Code are refused
    console.sign_in()
    new_secret = console.start_setup()
    assert new_secret != old_secret
    assert console.turn_on(console.code(secret=old_secret)).status_code == 422
    assert console.turn_on(console.code(secret=new_secret)).status_code == 302
    console.secret = new_secret
    console.next_step()
    console.to_code_page()
    assert console.enter_code(console.code(secret=old_secret)).status_code == 422
    assert console.read(console.enter_recovery_code(old_recovery)).alert == RECOVERY_WRONG


# -- CSRF (ASVS 4 §4.2.2) ------------------------------------------------------------------------


def _ready(console, route: str) -> tuple[str, dict[str, str], str]:
    """Put the account where a POST to ``route`` would change something; return the path, the
    fields a valid submission sends (token aside), and the page that carries its form."""
    if route == "signin":
        console.new_account()
        return console.SIGNIN, {"username": console.username, "password": console.password}, \
            console.SIGNIN
    if route == "signout":
        console.signed_in_account()
        return console.SIGNOUT, {}, console.HOME
    if route == "setup":
        console.signed_in_account()
        return console.SETUP, {}, console.CHANGE
    if route == "enable":
        console.signed_in_account()
        console.secret = console.start_setup()
        return console.ENABLE, {"code": console.code()}, console.SETUP
    if route == "turn-off":
        console.enabled_account()
        return console.TURN_OFF, {}, console.TURN_OFF
    console.enabled_account()
    console.to_code_page()
    if route == "code":
        return console.SIGNIN_CODE, {"code": console.code()}, console.SIGNIN_CODE
    return console.SIGNIN_RECOVERY, {"recovery_code": console.recovery_code}, \
        console.SIGNIN_RECOVERY


@pytest.mark.parametrize(
    "route", ["signin", "signout", "setup", "enable", "turn-off", "code", "recovery"])
def test_post_without_a_valid_csrf_token_is_refused_and_changes_nothing(
    console, route: str
) -> None:
    path, fields, form_page = _ready(console, route)
    stranger = console.other_browser()
    foreign_token = stranger.token(console.SIGNIN)  # valid, but for another browser
    real_token = console.token(form_page)
    before = console.snapshot()
    signed_in = console.client.get(console.ACCOUNT).status_code == 200
    cookie = console.cookie()
    attempts = {
        "no token": fields,
        "empty token": {**fields, "csrf_token": ""},
        "wrong token": {**fields, "csrf_token": real_token[:-4] + "AAAA"},
        "another browser's token": {**fields, "csrf_token": foreign_token},
        "token twice, one wrong": None,
    }
    for name, data in attempts.items():
        if data is None:
            response = console.raw_post(path, *fields.items(), ("csrf_token", "forged"),
                                        ("csrf_token", real_token))
        else:
            response = console.client.post(path, data=data)
        page = console.read(response)
        assert page.status == 400, name
        assert page.alert == CSRF, name
        assert console.snapshot() == before, name
        assert console.cookie() == cookie, name
        assert (console.client.get(console.ACCOUNT).status_code == 200) == signed_in, name
        cookie = console.cookie()  # a visitor's signed cookie now carries that GET's notice
    # and the same form with its own token is accepted (the setup above was a real action)
    response = console.client.post(path, data={**fields, "csrf_token": real_token})
    assert response.status_code == 302, route
    assert console.snapshot() != before or route == "signout"


def test_get_never_changes_state(console) -> None:
    """Open every page, and GET every form's address, in each state: nothing changes."""
    paths = [console.HOME, console.ACCOUNT, console.SECURITY, console.CHANGE, console.SETUP,
             console.ENABLE, console.ENABLED, console.TURN_OFF, console.DISABLED, console.SIGNOUT,
             console.SIGNIN, console.SIGNIN_CODE, console.SIGNIN_RECOVERY,
             "/signin/new-recovery-code"]

    def visit_all() -> None:
        before = console.snapshot()
        for path in paths:
            status = console.client.get(path, query_string={"code": console.code() if
                                                            console.secret else "123456"})
            assert status.status_code in {200, 302, 405}, (path, status.status_code)
            assert console.snapshot() == before, path

    console.signed_in_account()
    visit_all()  # 2SV off, no pending secret
    console.secret = console.start_setup()
    visit_all()  # a pending secret
    assert console.turn_on(console.code()).status_code == 302
    console.next_step()
    visit_all()  # 2SV on, signed in (the confirmation page is consumed, nothing else)
    assert console.client.get(console.ACCOUNT).status_code == 200
    console.to_code_page()
    visit_all()  # between password and code


def test_get_to_post_only_routes_is_a_clear_405(console) -> None:
    console.signed_in_account()
    for path in (console.SIGNOUT, console.ENABLE):
        page = console.open(path)
        assert page.status == 405
        assert page.alert == ("This page cannot be used that way. "
                              "Go back and use the buttons on the page.")
    assert console.client.get(console.ACCOUNT).status_code == 200


# -- sessions (ASVS 5 §7.2.4) --------------------------------------------------------------------


def _set_cookie_header(response) -> str:  # noqa: ANN001
    (header,) = [h for h in response.headers.getlist("Set-Cookie")
                 if h.startswith("console_session=")]
    return header


def _session_ids(console) -> set[str]:  # noqa: ANN001
    conn = console.db()
    try:
        return {r[0] for r in conn.execute("SELECT id FROM sessions")}
    finally:
        conn.close()


def test_session_cookie_rotates_at_sign_in_and_is_httponly_samesite_lax(console) -> None:
    console.new_account()
    page = console.open(console.SIGNIN)
    before = console.cookie()
    assert before
    header = _set_cookie_header(page.response)
    assert "HttpOnly" in header and "SameSite=Lax" in header and "Path=/" in header
    response = console.submit(page, "Sign in", username=console.username,
                              password=console.password)
    after = console.cookie()
    assert response.status_code == 302 and after and after != before
    header = _set_cookie_header(response)
    assert "HttpOnly" in header and "SameSite=Lax" in header
    # the old id is gone from the store and grants nothing
    assert before not in _session_ids(console) and after in _session_ids(console)
    thief = console.other_browser()
    thief.client.set_cookie("console_session", before)
    assert thief.client.get(console.ACCOUNT).status_code == 302


def test_session_id_rotates_at_each_step_of_a_2sv_sign_in(console) -> None:
    console.enabled_account()
    console.sign_out()
    page = console.open(console.SIGNIN)
    anonymous = console.cookie()
    console.submit(page, "Sign in", username=console.username, password=console.password)
    password_only = console.cookie()
    console.enter_code(console.code())
    signed_in = console.cookie()
    assert len({anonymous, password_only, signed_in}) == 3
    assert _session_ids(console) & {anonymous, password_only} == set()
    thief = console.other_browser()
    thief.client.set_cookie("console_session", password_only)
    assert thief.client.get(console.ACCOUNT).status_code == 302
    assert thief.client.get(console.SIGNIN_CODE).location == console.SIGNIN


def test_session_id_chosen_by_the_client_is_never_adopted(console) -> None:
    console.new_account()
    planted = "attacker-chosen-session-id"
    console.client.set_cookie("console_session", planted)
    page = console.open(console.SIGNIN)
    assert console.cookie() != planted
    console.submit(page, "Sign in", username=console.username, password=console.password)
    assert console.cookie() != planted
    assert planted not in _session_ids(console)


def test_old_session_id_is_invalid_after_sign_out(console) -> None:
    console.signed_in_account()
    signed_in = console.cookie()
    thief = console.other_browser()
    thief.client.set_cookie("console_session", signed_in)
    assert thief.client.get(console.ACCOUNT).status_code == 200  # a copy works while valid
    console.sign_out()
    assert console.cookie() != signed_in
    assert signed_in not in _session_ids(console)
    assert thief.client.get(console.ACCOUNT).status_code == 302
    assert console.client.get(console.ACCOUNT).status_code == 302


def test_sign_in_code_step_expires_after_five_minutes(console) -> None:
    console.enabled_account()
    page = console.to_code_page()
    console.advance(301)
    response = console.submit(page, "Verify", code=console.code())
    assert response.status_code == 302 and response.location == console.SIGNIN
    assert console.open(console.SIGNIN).status_message == (
        "Your sign-in took too long. Enter your username and password again.")
    assert console.client.get(console.ACCOUNT).status_code == 302
    assert console.events() == ["signed_in", "two_step_enabled"]


# -- audit (ASVS 4 §2.5.5) -----------------------------------------------------------------------


def test_audit_events_for_each_security_action(console, clock) -> None:
    console.enabled_account()  # signed_in, two_step_enabled
    console.to_code_page()
    console.enter_code(console.code(-1))  # the step used to turn on: a replay
    console.enter_code(console.wrong_code())
    assert console.enter_code(console.code()).status_code == 302
    console.to_code_page()
    assert console.enter_recovery_code(console.recovery_code).status_code == 302
    console.next_step()
    console.to_code_page()
    for _ in range(5):
        console.enter_code(console.wrong_code())
    console.advance(301)
    console.to_code_page()
    console.enter_code(console.code())
    console.turn_off()
    response = console.client.get(f"/__test__/accounts/{console.username}/events")
    events = response.json
    assert [e["type"] for e in events] == [
        "signed_in", "two_step_enabled",
        "code_replayed", "code_rejected", "code_rejected", "signed_in",
        "recovery_code_used", "signed_in",
        *["code_rejected"] * 5, "locked",
        "signed_in", "two_step_disabled",
    ]
    assert events[0]["at"] == events[1]["at"] == clock.now() - 2 * 30 - 301
    assert events[-1]["at"] == clock.now()
    assert all(set(e) >= {"type", "at"} for e in events)


def test_the_fast_hashing_setting_is_cheap_scrypt_and_both_kinds_verify(console) -> None:
    # Given the unit tests' console, which uses the 'fast' setting of throwaway mocks
    console.enabled_account()
    conn = console.db()
    try:
        (password_hash,) = conn.execute("SELECT password_hash FROM accounts").fetchone()
    finally:
        conn.close()
    # Then its hashes are scrypt with n=256, and a full-cost hash still verifies under it
    assert password_hash.startswith("scrypt:256:8:1$")
    from mock_console import hashing

    assert hashing.matches(hashing.hash_secret("pw", hashing.SCRYPT), "pw")
    assert not hashing.matches(hashing.hash_secret("pw", hashing.FAST), "other")


@pytest.mark.parametrize("path", ["/%5Cevil.example/x", "//evil.example/x", "/%2F%2Fevil.example",
                                  "/\\\\evil.example/x", "/%09/evil.example"])
def test_no_page_links_or_posts_off_the_console_from_a_hostile_path(console, path: str) -> None:
    # Given a visitor sent to a path built to leave the console (ASVS 5 §5.1.5: open redirect)
    page = console.open(path)
    assert page.status == 404
    # Then every form and link on the error page stays on the console, as a same-origin path
    targets = [form.attrs.get("action", "") for form in page.root.find_all("form")]
    targets += [a.attrs.get("href", "") for a in page.root.find_all("a")]
    for target in (t for t in targets if not t.startswith("#")):  # in-page anchors stay put
        assert target.startswith("/") and not target.startswith(("//", "/\\")), target
        assert "evil" not in target, target


@pytest.mark.parametrize(("headers", "says"), [
    ({"Host": "rebound.evil.example"}, "loopback Host"),
    ({"Origin": "https://evil.example"}, "another origin"),
    ({"Sec-Fetch-Site": "cross-site"}, "cross-site"),
])
def test_the_test_api_refuses_a_foreign_host_and_cross_site_requests(
    console, headers: dict[str, str], says: str
) -> None:
    # Given a loopback browser that another site drives (DNS rebinding, a cross-site form post)
    before = console.client.get("/__test__/clock").json["now"]
    response = console.client.post("/__test__/clock", json={"advance": 600}, headers=headers)
    # Then the test API refuses, saying why, and nothing changed
    assert response.status_code == 403 and says in response.json["error"]
    assert console.client.get("/__test__/clock").json["now"] == before


def test_the_test_api_answers_its_own_loopback_origin(console) -> None:
    response = console.client.get("/__test__/clock", headers={"Origin": "http://localhost",
                                                               "Sec-Fetch-Site": "same-origin"})
    assert response.status_code == 200


def test_turning_2sv_on_or_off_signs_out_the_accounts_other_browsers(console) -> None:
    # Given an account signed in in two browsers
    console.signed_in_account()
    other = console.other_browser()
    assert other.sign_in().location == console.HOME
    # When one of them turns 2SV on, Then the other must sign in again; this one stays in
    console.secret = console.start_setup()
    assert console.turn_on(console.code()).location == console.ENABLED
    assert other.client.get(console.HOME).status_code == 302
    assert console.client.get(console.HOME).status_code == 200
    # and likewise when it turns 2SV off (the other browser signed in again, with a code)
    console.next_step()
    other.secret = console.secret
    other.to_code_page()
    assert other.enter_code(other.code()).location == console.HOME
    console.next_step()
    console.turn_off()
    assert other.client.get(console.HOME).status_code == 302
    assert console.client.get(console.HOME).status_code == 200


def test_password_guessing_is_paused_per_account_and_audited(console) -> None:
    # Given an account, When ten wrong passwords are tried
    console.new_account()
    for _ in range(10):
        response = console.sign_in(password="wrong-guess")
        assert response.status_code == 422
    # Then even the right password is refused for a while, saying so, with Retry-After
    paused = console.sign_in()
    assert paused.status_code == 429 and int(paused.headers["Retry-After"]) > 0
    assert "Sign-in is paused" in console.read(paused).alert
    events = console.events()
    assert events.count("password_rejected") == 10 and "password_throttled" in events
    # and after the pause the right password works again, and a success resets the count
    console.advance(301)
    assert console.sign_in().location == console.HOME


def test_password_guessing_from_one_client_across_accounts_is_paused(console) -> None:
    # Given fifty wrong passwords from one client on the network, over many (unknown) accounts
    console.client.environ_base["REMOTE_ADDR"] = "198.51.100.7"
    for n in range(50):
        assert console.sign_in(f"nobody-{n}@example.com", "guess").status_code == 422
    # Then that client is paused, even for a real account with its right password
    console.client.environ_base["REMOTE_ADDR"] = "127.0.0.1"
    console.new_account()  # (the test API answers loopback only)
    console.client.environ_base["REMOTE_ADDR"] = "198.51.100.7"
    assert console.sign_in().status_code == 429
    # while loopback, which every local browser shares, is paused per account only
    console.client.environ_base["REMOTE_ADDR"] = "127.0.0.1"
    assert console.sign_in().location == console.HOME
