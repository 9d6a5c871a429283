"""Escalating lockout for codes (NIST SP 800-63B §5.2.2): wrong codes in a row count across lock
periods, each further lock lasts twice as long, and 20 in a row lock the account until an
administrator unlocks it (through the test API or ``mock-console --unlock``).

The console's clock moves through the test API; nothing here waits.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mock_console.__main__ import main

EN = json.loads((Path(__file__).parents[2] / "mock_console/messages/en.json").read_text("utf-8"))
JA = json.loads((Path(__file__).parents[2] / "mock_console/messages/ja.json").read_text("utf-8"))


def wrong_codes(console, count: int):  # noqa: ANN001, ANN201 - the last page read
    """Enter ``count`` wrong codes on the sign-in code page; return the last refusal."""
    page = None
    for _ in range(count):
        page = console.read(console.enter_code(console.wrong_code()))
    return page


def lock_details(console) -> list[str]:  # noqa: ANN001
    """Return the details of the account's lock events, oldest first."""
    events = console.client.get(f"/__test__/accounts/{console.username}/events").json
    return [e["detail"] for e in events if e["type"] in ("locked", "account_hard_locked")]


def hard_locked_account(console) -> None:  # noqa: ANN001
    """Make an account with 2SV on and lock it for good: 20 wrong codes in a row."""
    console.enabled_account()
    for pause in (0, 301, 601, 1201):  # wait out each timed lock (the password step too)
        console.advance(pause)
        console.to_code_page()
        wrong_codes(console, 5)
    assert console.state()["hard_locked"] is True


def test_each_further_lock_lasts_twice_as_long_then_only_an_administrator_unlocks(
    console, clock
) -> None:
    # Given an account with 2SV on, at the code step of sign-in
    console.enabled_account()
    console.to_code_page()
    # When five wrong codes are entered, Then code entry locks for 5 minutes, as it always did
    page = wrong_codes(console, 5)
    assert page.status == 429 and page.alert == EN["locked_now"].format(minutes=5)
    assert console.state()["locked_until"] == clock.now() + 300
    # When the lock has passed, the run of wrong codes goes on: the next lock is announced as 10
    console.advance(301)
    console.to_code_page()
    page = wrong_codes(console, 1)
    assert page.status == 422 and page.alert == EN["code_wrong"].format(left=4, minutes=10)
    assert console.state()["failures"] == 6
    page = wrong_codes(console, 4)
    assert page.status == 429 and page.alert == EN["locked_now"].format(minutes=10)
    assert console.state()["locked_until"] == clock.now() + 600
    # and the third lock lasts 20 minutes; a valid code is refused while it lasts
    console.advance(601)
    console.to_code_page()
    page = wrong_codes(console, 5)
    assert page.alert == EN["locked_now"].format(minutes=20)
    refused = console.read(console.enter_code(console.code()))
    assert refused.status == 429 and refused.response.headers["Retry-After"] == "1200"
    # When it has passed, the user is told that the next five decide the account
    console.advance(1201)
    console.to_code_page()
    page = wrong_codes(console, 1)
    assert page.alert == EN["code_wrong_last"].format(left=4)
    page = wrong_codes(console, 4)
    # Then the twentieth wrong code in a row locks the account until an administrator acts
    assert page.status == 403 and page.alert == EN["account_locked_now"]
    assert "Retry-After" not in page.response.headers
    state = console.state()
    assert state["hard_locked"] is True and state["locked_until"] is None
    assert state["failures"] == 20
    assert lock_details(console) == [
        "5 wrong codes in a row; locked for 300 s", "10 wrong codes in a row; locked for 600 s",
        "15 wrong codes in a row; locked for 1200 s", "20 wrong codes in a row"]
    assert console.events()[-2:] == ["code_rejected", "account_hard_locked"]


def test_hard_lock_outlasts_any_wait_and_refuses_codes_and_recovery_codes(console) -> None:
    # Given an account locked for good
    hard_locked_account(console)
    events_before = console.events()
    # When a day has passed and the user signs in with the password and the app's valid code
    console.advance(86400)
    console.to_code_page()
    page = console.read(console.enter_code(console.code()))
    # Then the code is refused, saying to contact an administrator, and no one is signed in
    assert page.status == 403 and page.alert == EN["account_locked"]
    assert "administrator" in page.alert
    assert console.client.get(console.ACCOUNT).status_code == 302
    # and the Recovery Code is refused too, and is not used up
    page = console.read(console.enter_recovery_code(console.recovery_code))
    assert page.status == 403 and page.alert == EN["account_locked"]
    assert console.state()["recovery_codes_left"] == 1
    # and refusals under the lock neither count nor add events
    assert console.events() == events_before and console.state()["failures"] == 20


def test_the_hard_lock_message_is_in_japanese_too(console) -> None:
    hard_locked_account(console)
    console.advance(86400)
    console.to_code_page()
    form = console.open("/signin/code?lang=ja")
    page = console.read(console.submit(form, JA["verify_button"], code=console.code()))
    assert page.status == 403 and page.alert == JA["account_locked"]
    assert "管理者" in page.alert


def test_a_success_ends_the_run_so_the_next_lock_is_five_minutes_again(console, clock) -> None:
    # Given one lock served and three more wrong codes
    console.enabled_account()
    console.to_code_page()
    wrong_codes(console, 5)
    console.advance(301)
    console.to_code_page()
    assert wrong_codes(console, 3).alert == EN["code_wrong"].format(left=2, minutes=10)
    # When the right code is entered, Then the run ends
    assert console.enter_code(console.code()).location == console.HOME
    assert console.state()["failures"] == 0
    # and the next five wrong codes lock for 5 minutes, not 10
    console.next_step()
    console.to_code_page()
    assert wrong_codes(console, 1).alert == EN["code_wrong"].format(left=4, minutes=5)
    assert wrong_codes(console, 4).alert == EN["locked_now"].format(minutes=5)
    assert console.state()["locked_until"] == clock.now() + 300


def test_a_replayed_code_that_locks_says_the_account_is_locked(console) -> None:
    # Given 19 wrong codes in a row after 2SV was turned on
    console.enabled_account()
    turned_on_at = console.client.get("/__test__/clock").json["offset"]
    for pause in (0, 301, 601, 1201):
        console.advance(pause)
        console.to_code_page()
        wrong_codes(console, 4 if pause == 1201 else 5)
    # When the console's clock is back at the step after turning on, and the code that turned
    # 2SV on (a replay) is entered as the twentieth
    console.client.post("/__test__/clock", json={"offset": turned_on_at})
    page = console.read(console.enter_code(console.code(-1)))
    # Then the user is told the account is now locked, not merely that the code was used
    assert page.status == 403 and page.alert == EN["account_locked_now"]
    assert console.events()[-3:] == ["code_replayed", "code_rejected", "account_hard_locked"]


def test_turn_on_is_locked_for_good_after_twenty_wrong_codes_too(console) -> None:
    # Given an account setting 2SV up (signed in; its session outlives every lock below)
    console.signed_in_account()
    secret = console.start_setup()
    for pause in (0, 301, 601, 1201):
        console.advance(pause)
        for _ in range(5):
            page = console.read(console.turn_on(console.wrong_code(secret)))
    assert page.status == 403 and page.alert == EN["account_locked_now"]
    # When the app's valid code is entered hours later (the session still open), Then 2SV stays off
    console.advance(4 * 3600)
    page = console.read(console.turn_on(console.code(secret=secret)))
    assert page.status == 403 and page.alert == EN["account_locked"]
    assert console.state()["two_step_enabled"] is False


def test_the_test_api_unlocks_an_account_and_the_run_starts_again(console) -> None:
    # Given an account locked for good
    hard_locked_account(console)
    # When the test API unlocks it, as an administrator would
    response = console.client.post(f"/__test__/accounts/{console.username}/unlock")
    # Then it says what it cleared, the account is open, and the unlock is audited
    assert response.status_code == 200
    assert response.json == {"username": console.username, "failures_cleared": 20}
    state = console.state()
    assert not state["hard_locked"] and state["failures"] == 0 and state["locked_until"] is None
    assert console.events()[-1] == "account_unlocked"
    # and the next wrong code starts a fresh run (5-minute lock), and the right code signs in
    console.to_code_page()
    assert wrong_codes(console, 1).alert == EN["code_wrong"].format(left=4, minutes=5)
    assert console.enter_code(console.code()).location == console.HOME


def test_unlock_lifts_a_timed_lock_too(console) -> None:
    console.enabled_account()
    console.to_code_page()
    wrong_codes(console, 5)
    assert console.client.post(f"/__test__/accounts/{console.username}/unlock").json == {
        "username": console.username, "failures_cleared": 5}
    assert console.enter_code(console.code()).location == console.HOME


def test_unlock_refuses_an_unknown_account_and_a_client_not_on_loopback(console) -> None:
    missing = console.client.post("/__test__/accounts/nobody@example.com/unlock")
    assert missing.status_code == 404 and "no account named" in missing.json["error"]
    hard_locked_account(console)
    remote = console.client.post(f"/__test__/accounts/{console.username}/unlock",
                                 environ_base={"REMOTE_ADDR": "198.51.100.7"})
    assert remote.status_code == 403 and "loopback" in remote.json["error"]
    assert console.state()["hard_locked"] is True
    # and a GET unlocks nothing
    assert console.client.get(f"/__test__/accounts/{console.username}/unlock").status_code in (
        404, 405)
    assert console.state()["hard_locked"] is True


def test_mock_console_unlock_lifts_the_hard_lock_in_the_database(
    console, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given an account locked for good in a console's database
    hard_locked_account(console)
    # When the administrator runs mock-console --unlock on that database
    code = main(["--db", str(db_path), "--unlock", console.username])
    # Then it says what it did, and the running console sees the account open at once
    out = capsys.readouterr().out
    assert code == 0 and out.startswith(f"unlocked {console.username}: ")
    assert "20 wrong codes in a row cleared" in out
    assert console.state()["hard_locked"] is False
    last = console.client.get(f"/__test__/accounts/{console.username}/events").json[-1]
    assert (last["type"], last["detail"]) == (  # at the administrator's (wall-clock) time
        "account_unlocked", "by mock-console --unlock; 20 wrong codes in a row cleared")
    console.to_code_page()
    assert console.enter_code(console.code()).location == console.HOME


def test_mock_console_unlock_names_what_is_missing(
    console, db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    console.new_account()
    assert main(["--db", str(db_path), "--unlock", "nobody@example.com"]) == 2
    assert "no account named 'nobody@example.com'" in capsys.readouterr().err
    typo = tmp_path / "typo.sqlite3"
    assert main(["--db", str(typo), "--unlock", console.username]) == 2
    assert "no database at" in capsys.readouterr().err
    assert not typo.exists()


def test_an_old_database_gains_the_hard_lock_column(tmp_path: Path) -> None:
    # Given a database made before the hard lock existed
    import sqlite3

    from mock_console.store import Store

    path = tmp_path / "old.sqlite3"
    old = sqlite3.connect(path)
    old.execute("CREATE TABLE accounts (username TEXT PRIMARY KEY, password_hash TEXT NOT NULL, "
                "two_step_enabled INTEGER NOT NULL DEFAULT 0, totp_secret TEXT, "
                "pending_secret TEXT, last_step INTEGER, failures INTEGER NOT NULL DEFAULT 0, "
                "locked_until REAL, created_at REAL NOT NULL)")
    old.commit()
    old.close()
    # When a console opens it, Then the column is there
    store = Store(path)
    columns = {row["name"] for row in store.read().execute("PRAGMA table_info(accounts)")}
    assert "hard_locked_at" in columns


def test_unlock_also_ends_the_pause_of_password_guessing(console) -> None:
    # Given an account whose sign-in is paused after ten wrong passwords
    console.new_account()
    for _ in range(10):
        console.sign_in(password="wrong-guess")
    assert console.sign_in().status_code == 429
    # When an administrator unlocks it, Then the right password signs in at once
    assert console.client.post(f"/__test__/accounts/{console.username}/unlock").status_code == 200
    assert console.sign_in().location == console.HOME


def test_turning_2sv_off_ends_the_run_but_not_the_hard_lock(console) -> None:
    # Given a browser signed in with 2SV on, and another one locking the account for good
    console.enabled_account()
    thief = console.other_browser()
    for pause in (0, 301, 601, 1201):
        console.advance(pause)
        thief.to_code_page()
        wrong_codes(thief, 5)
    assert console.state()["hard_locked"] is True
    # When the signed-in browser turns 2SV off
    assert console.client.get(console.ACCOUNT).status_code == 200
    console.turn_off()
    # Then the run of wrong codes is over, but the hard lock stays until an administrator acts
    state = console.state()
    assert state["two_step_enabled"] is False and state["failures"] == 0
    assert state["hard_locked"] is True
    console.start_setup()
    page = console.read(console.turn_on(console.code(secret=console.shown_key())))
    assert page.status == 403 and page.alert == EN["account_locked"]
