"""Each fault switch breaks the console exactly as its catalogue line says, and only while on.

Every test shows the correct behaviour with the switch off and the broken one with it on, on
the same account where the flow allows, so a test never passes because of the setup alone.
Tests are named ``test_<fault>_...``; the last test checks the catalogue has no untested switch.
"""

from __future__ import annotations

from email.utils import parsedate_to_datetime

from mock_console import create_app, hashing
from mock_console.faults import CATALOGUE
from tests.support.console_driver import Console

CODE_LABEL = "Enter the code that the app generates:"


def recovery_shown(page) -> bool:  # noqa: ANN001 - Page from conftest
    """Tell whether a confirmation page shows a Recovery Code and the advice to keep it."""
    return bool(page.root.find_all(class_="recovery")) and \
        "Please keep your Recovery Code safe." in page.text


def test_accept_any_code_turns_on_and_signs_in_with_a_wrong_code(console) -> None:
    console.signed_in_account()
    console.secret = console.start_setup()
    wrong = console.wrong_code()
    assert console.turn_on(wrong).status_code == 422  # off: refused
    console.faults(enable=["accept_any_code"])
    assert console.turn_on(console.wrong_code()).status_code == 302
    assert console.state()["two_step_enabled"] is True
    console.next_step()
    console.to_code_page()
    assert console.enter_code(console.wrong_code()).status_code == 302
    # a malformed code is still not a code
    console.to_code_page()
    assert console.enter_code("12 34").status_code == 422
    console.faults(disable=["accept_any_code"])
    assert console.enter_code(console.wrong_code()).status_code == 422


def test_allow_replay_accepts_a_used_code_again(console) -> None:
    console.enabled_account()
    console.to_code_page()
    code = console.code()
    assert console.enter_code(code).status_code == 302
    console.to_code_page()
    assert console.enter_code(code).status_code == 422  # off: a replay
    console.faults(enable=["allow_replay"])
    assert console.enter_code(code).status_code == 302
    assert "code_replayed" in console.events()  # only from the attempt with the switch off
    assert console.events()[-1] == "signed_in"


def test_allow_code_from_two_steps_ago_widens_the_window_backwards(console) -> None:
    console.enabled_account()
    console.next_step(2)  # the step used to turn on is now T-3: T-2 is an unused step
    console.to_code_page()
    assert console.enter_code(console.code(-2)).status_code == 422  # off
    console.faults(enable=["allow_code_from_two_steps_ago"])
    assert console.enter_code(console.code(+2)).status_code == 422  # still not ahead
    assert console.enter_code(console.code(-2)).status_code == 302


def test_forget_enable_says_on_but_stays_off(console) -> None:
    console.signed_in_account()
    secret = console.start_setup()
    console.faults(enable=["forget_enable"])
    response = console.turn_on(console.code(secret=secret))
    assert response.status_code == 302
    page = console.open(response.location)
    assert "2 Step Verification has been enabled successfully." in page.status_message
    assert recovery_shown(page)
    # but the console holds nothing of it
    assert console.state() == {"username": console.username, "two_step_enabled": False,
                               "locked_until": None, "recovery_codes_left": 0,
                               "failures": 0, "hard_locked": False}
    assert "two_step_enabled" not in console.events()
    assert "Set up 2-Step Verification" in console.open(console.ACCOUNT).links
    # off: the same secret, at the next step, really turns 2SV on
    console.faults(disable=["forget_enable"])
    console.next_step()
    assert console.turn_on(console.code(secret=secret)).status_code == 302
    assert console.state()["two_step_enabled"] is True


def test_qr_secret_mismatch_shows_a_text_key_other_than_the_qr_secret(console) -> None:
    console.signed_in_account()
    secret = console.start_setup()
    page = console.open(console.SETUP)
    assert f"secret={console.shown_key()}&" in console.qr_text(page)  # off: the same key
    console.faults(enable=["qr_secret_mismatch"])
    page = console.open(console.SETUP)
    uri = console.qr_text(page)
    text_key = page.root.find(class_="manual-key").find("code").text.replace(" ", "")
    assert f"secret={secret}&" in uri  # the QR code still holds the real secret
    assert text_key != secret and f"secret={text_key}&" not in uri
    # a person who typed the text key gets codes the console refuses
    assert console.turn_on(console.code(secret=text_key)).status_code == 422
    assert console.turn_on(console.code(secret=secret)).status_code == 302


def test_no_recovery_code_turns_on_without_a_recovery_code(console) -> None:
    console.signed_in_account()
    secret = console.start_setup()
    console.faults(enable=["no_recovery_code"])
    response = console.turn_on(console.code(secret=secret))
    page = console.open(response.location)
    assert "2 Step Verification has been enabled successfully." in page.status_message
    assert not recovery_shown(page)
    assert console.state()["recovery_codes_left"] == 0
    # off: turning on again shows one
    console.faults(disable=["no_recovery_code"])
    console.turn_off()
    secret = console.start_setup()
    page = console.open(console.turn_on(console.code(secret=secret)).location)
    assert recovery_shown(page)
    assert console.state()["recovery_codes_left"] == 1


def test_lockout_never_escalates_keeps_every_lock_at_five_minutes_and_never_locks_for_good(
    console
) -> None:
    console.enabled_account()
    console.faults(enable=["lockout_never_escalates"])
    for lock in range(5):  # 25 wrong codes in a row: a strict console locks for good at 20
        console.to_code_page()
        statuses = [console.enter_code(console.wrong_code()).status_code for _ in range(5)]
        assert statuses == [422] * 4 + [429], (lock, statuses)
        assert console.state()["locked_until"] - console.now() <= 300
        console.advance(301)
    assert "account_hard_locked" not in console.events()
    console.to_code_page()
    assert console.enter_code(console.code()).status_code == 302


def test_no_lockout_never_locks(console) -> None:
    console.enabled_account()
    console.faults(enable=["no_lockout"])
    console.to_code_page()
    for _ in range(8):
        assert console.enter_code(console.wrong_code()).status_code == 422
    assert console.state()["locked_until"] is None
    assert "locked" not in console.events()
    assert console.enter_code(console.code()).status_code == 302
    # off: the fifth wrong code locks
    console.faults(disable=["no_lockout"])
    console.next_step()
    console.to_code_page()
    statuses = [console.enter_code(console.wrong_code()).status_code for _ in range(5)]
    assert statuses == [422] * 4 + [429]
    assert console.events()[-1] == "locked"


def test_recovery_code_reusable_lets_a_recovery_code_sign_in_twice(console) -> None:
    console.enabled_account()
    first = console.recovery_code
    console.to_code_page()
    response = console.enter_recovery_code(first)
    second = console.open(response.location).root.find(class_="recovery").find("code").text
    console.to_code_page()
    assert console.enter_recovery_code(first).status_code == 422  # off: used up
    console.faults(enable=["recovery_code_reusable"])
    assert console.enter_recovery_code(second).status_code == 302
    console.to_code_page()
    assert console.enter_recovery_code(second).status_code == 302
    assert console.events().count("recovery_code_used") == 3


def test_disable_keeps_challenge_says_off_but_sign_in_still_asks_a_code(console) -> None:
    console.enabled_account()
    console.faults(enable=["disable_keeps_challenge"])
    page = console.open(console.turn_off().location)
    assert "2 Step Verification has been turned off successfully." in page.status_message
    assert console.state()["two_step_enabled"] is False
    console.sign_out()
    assert console.sign_in().location == console.SIGNIN_CODE
    # off: turning on and off again really turns sign-in back to password only
    console.faults(disable=["disable_keeps_challenge"])
    assert console.enter_code(console.code()).status_code == 302
    secret = console.start_setup()
    console.next_step()
    assert console.turn_on(console.code(secret=secret)).status_code == 302
    console.turn_off()
    console.sign_out()
    assert console.sign_in().location == console.HOME


def test_skip_turn_off_confirmation_turns_off_from_the_status_page(console) -> None:
    console.enabled_account()
    response = console.submit(console.open(console.CHANGE), "Turn off")
    assert console.read(response).h1 == "Turn off 2-Step Verification"  # off: asks first
    assert console.state()["two_step_enabled"] is True
    console.faults(enable=["skip_turn_off_confirmation"])
    response = console.submit(console.open(console.CHANGE), "Turn off")
    assert response.status_code == 302 and response.location == console.DISABLED
    assert console.state()["two_step_enabled"] is False


def test_skip_reauth_check_lets_a_post_straight_to_set_up_through(tmp_path, clock) -> None:
    app = create_app({"DATABASE": str(tmp_path / "reauth.sqlite3"), "TEST_API": True,
                      "TESTING": True, "CLOCK": clock, "PASSWORD_HASHING": hashing.FAST,
                      "REAUTH": True})  # python -m mock_console --reauth
    console = Console(app, app.test_client())
    console.signed_in_account()
    token = console.open(console.ACCOUNT).csrf_token("Sign out")
    refused = console.raw_post(console.SETUP, ("csrf_token", token))
    assert refused.location.startswith("/account/security/2sv/confirm")  # off: confirm first
    assert console.row()["pending_secret"] is None
    console.faults(enable=["skip_reauth_check"])
    response = console.raw_post(console.SETUP, ("csrf_token", token))
    assert response.status_code == 302 and response.location == console.SETUP  # no prompt
    assert console.row()["pending_secret"]


def test_no_csrf_check_accepts_a_form_without_its_token(console) -> None:
    console.enabled_account()
    assert console.client.post(console.TURN_OFF).status_code == 400  # off: refused
    assert console.state()["two_step_enabled"] is True
    console.faults(enable=["no_csrf_check"])
    response = console.client.post(console.TURN_OFF, data={"csrf_token": "forged"})
    assert response.status_code == 302
    assert console.state()["two_step_enabled"] is False


def test_wrong_confirmation_message_shows_the_wrong_messages(console) -> None:
    console.signed_in_account()
    console.faults(enable=["wrong_confirmation_message"])
    secret = console.start_setup()
    page = console.open(console.turn_on(console.code(secret=secret)).location)
    assert page.status_message == "Your settings could not be saved."
    assert "enabled successfully" not in page.text
    assert console.state()["two_step_enabled"] is True  # it did turn on
    page = console.open(console.turn_off().location)
    assert page.status_message == "2 Step Verification has been enabled successfully."
    assert console.state()["two_step_enabled"] is False
    # off: the right messages
    console.faults(disable=["wrong_confirmation_message"])
    secret = console.start_setup()
    console.next_step()
    page = console.open(console.turn_on(console.code(secret=secret)).location)
    assert "2 Step Verification has been enabled successfully." in page.status_message
    console.next_step()
    page = console.open(console.turn_off().location)
    assert "2 Step Verification has been turned off successfully." in page.status_message


def test_enable_without_code_turns_on_with_nothing_typed(console) -> None:
    console.signed_in_account()
    console.start_setup()
    page = console.read(console.turn_on(""))
    assert page.status == 422  # off: a code is needed
    assert console.state()["two_step_enabled"] is False
    console.faults(enable=["enable_without_code"])
    assert console.turn_on("").status_code == 302
    assert console.state()["two_step_enabled"] is True


def test_status_not_updated_keeps_showing_the_status_from_sign_in(console) -> None:
    console.signed_in_account()
    console.faults(enable=["status_not_updated"])
    secret = console.start_setup()
    assert console.turn_on(console.code(secret=secret)).status_code == 302
    account = console.open(console.ACCOUNT)
    assert "Set up 2-Step Verification" in account.links  # stale: 2SV is on
    assert "Off" in console.open(console.SECURITY).text
    assert console.state()["two_step_enabled"] is True
    console.faults(disable=["status_not_updated"])
    account = console.open(console.ACCOUNT)
    assert "Disable 2 Step Verification" in account.links


def test_clock_skew_checks_codes_two_steps_ahead_of_the_date_header(console, clock) -> None:
    console.enabled_account()
    console.to_code_page()
    console.faults(enable=["clock_skew"])
    response = console.enter_code(console.code())
    assert response.status_code == 422
    assert parsedate_to_datetime(response.headers["Date"]).timestamp() == int(clock.now())
    assert console.enter_code(console.code(+2)).status_code == 302
    # off: the code at the Date header's time is the one that works
    console.faults(disable=["clock_skew"])
    console.next_step(5)
    console.to_code_page()
    assert console.enter_code(console.code(+3)).status_code == 422
    assert console.enter_code(console.code()).status_code == 302


def test_rename_label_renames_one_label_of_the_article(console) -> None:
    console.signed_in_account()
    console.start_setup()
    page = console.open(console.SETUP)
    assert "Turn on" in page.buttons and CODE_LABEL in page.labels  # off
    console.faults(enable=["rename_label"], rename_label={"from": "Turn on", "to": "Activate"})
    page = console.open(console.SETUP)
    assert "Activate" in page.buttons and "Turn on" not in page.buttons
    assert page.h1 == "Turn on 2-Step Verification"  # only the exact label changes
    console.faults(enable=["rename_label"],
                   rename_label={"from": CODE_LABEL, "to": "One-time code:"})
    page = console.open(console.SETUP)
    assert "One-time code:" in page.labels and CODE_LABEL not in page.labels
    assert "Turn on" in page.buttons
    console.faults(disable=["rename_label"])
    page = console.open(console.SETUP)
    assert "Turn on" in page.buttons and CODE_LABEL in page.labels


def test_weak_security_headers_drops_no_store_framing_nosniff_and_csp(console) -> None:
    console.sign_in()
    strict = console.open(console.ACCOUNT).response.headers
    assert strict["Cache-Control"] == "no-store" and "Content-Security-Policy" in strict
    console.faults(enable=["weak_security_headers"])
    weak = console.open(console.ACCOUNT).response.headers
    assert weak["Cache-Control"] == "private, no-cache"
    assert not {"X-Frame-Options", "X-Content-Type-Options", "Content-Security-Policy"} & set(weak)


def test_short_secret_issues_80_bits(console) -> None:
    console.faults(enable=["short_secret"])
    console.signed_in_account()
    assert len(console.start_setup()) == 16  # 10 bytes in Base32, no padding


def test_repeated_secret_gives_an_account_the_same_secret_at_every_enrolment(console) -> None:
    console.faults(enable=["repeated_secret"])
    console.signed_in_account()
    first = console.start_setup()
    console.secret = first
    response = console.turn_on(console.code())
    assert response.status_code == 302, response.status
    console.next_step()
    console.turn_off()
    assert console.start_setup() == first
    other = console.other_browser()
    other.signed_in_account()
    assert other.start_setup() != first  # still one per account


def test_keep_other_sessions_leaves_a_second_browser_signed_in(console) -> None:
    console.faults(enable=["keep_other_sessions"])
    console.signed_in_account()
    other = console.other_browser()
    other.sign_in()
    console.secret = console.start_setup()
    console.turn_on(console.code())
    assert other.client.get(console.HOME).status_code == 200  # still signed in


def test_no_password_throttling_lets_guessing_go_on_unaudited(console) -> None:
    console.faults(enable=["no_password_throttling"])
    console.new_account()
    for _ in range(15):
        assert console.sign_in(password="wrong-guess").status_code == 422
    assert console.sign_in().location == console.HOME
    assert "password_rejected" not in console.events()


def enable_with_code_kept(console) -> str:  # noqa: ANN001 - Console from conftest
    """Turn 2SV on at 1 s into a step; return the code used (still inside the window)."""
    console.signed_in_account()
    secret = console.start_setup()
    console.advance(30 - console.now() % 30 + 1)
    code = console.code(secret=secret)
    assert console.turn_on(code).status_code == 302
    console.secret = secret
    return code


def test_enable_code_reusable_lets_the_turn_on_code_sign_in(console) -> None:
    code = enable_with_code_kept(console)
    console.to_code_page()
    assert console.enter_code(code).status_code == 422  # off: its step is used
    assert "code_replayed" in console.events()[-2:]
    console.new_account()  # a fresh account: the switch acts when 2SV is turned on
    console.faults(enable=["enable_code_reusable"])
    code = enable_with_code_kept(console)
    console.to_code_page()
    assert console.enter_code(code).status_code == 302
    assert console.events()[-1] == "signed_in"


def lock_code_entry(console) -> None:  # noqa: ANN001 - Console from conftest
    """Five wrong codes at sign-in: code entry is locked."""
    console.to_code_page()
    statuses = [console.enter_code(console.wrong_code()).status_code for _ in range(5)]
    assert statuses == [422] * 4 + [429], statuses


def test_recovery_ignores_lockout_signs_in_with_a_recovery_code_while_locked(console) -> None:
    console.enabled_account()
    lock_code_entry(console)
    assert console.enter_recovery_code(console.recovery_code).status_code == 429  # off
    assert "recovery_code_used" not in console.events()
    console.faults(enable=["recovery_ignores_lockout"])
    assert console.enter_recovery_code(console.recovery_code).status_code == 302
    assert console.events()[-2:] == ["recovery_code_used", "signed_in"]


def test_pending_sign_in_never_expires_accepts_a_code_long_after_the_password(console) -> None:
    console.enabled_account()
    form = console.to_code_page()
    console.advance(301)
    response = console.submit(form, "Verify", code=console.code())
    assert response.status_code == 302 and response.location == "/signin", response.location
    console.faults(enable=["pending_sign_in_never_expires"])
    form = console.to_code_page()
    console.advance(3600)
    response = console.submit(form, "Verify", code=console.code())
    assert response.status_code == 302 and response.location == "/", response.location
    assert console.events()[-1] == "signed_in"


def test_no_session_rotation_keeps_the_visitor_session_id_at_sign_in(console) -> None:
    console.new_account()
    console.open("/signin")
    before = console.cookie()
    console.sign_in()
    assert before and console.cookie() != before  # off: a new id
    console.sign_out()
    console.faults(enable=["no_session_rotation"])
    console.open("/signin")
    before = console.cookie()
    assert console.sign_in().status_code == 302
    assert console.cookie() == before


def test_lenient_code_input_reads_full_width_digits_as_a_code(console) -> None:
    console.signed_in_account()
    secret = console.start_setup()
    full_width = console.code(secret=secret).translate(str.maketrans("0123456789",
                                                                      "０１２３４５６７８９"))
    assert console.turn_on(full_width).status_code == 422  # off: malformed
    assert console.state()["two_step_enabled"] is False
    console.faults(enable=["lenient_code_input"])
    code = console.code(secret=secret)
    assert console.turn_on(f"{code[:3]}-{code[3:]}".translate(
        str.maketrans("0123456789", "０１２３４５６７８９"))).status_code == 302
    assert console.state()["two_step_enabled"] is True


def test_every_fault_switch_is_off_on_a_new_console(console) -> None:
    assert console.client.get("/__test__/faults").json["enabled"] == []


def test_every_fault_in_the_catalogue_has_a_test() -> None:
    tests = [name for name in globals() if name.startswith("test_")]
    untested = [f for f in CATALOGUE if not any(t.startswith(f"test_{f}_") for t in tests)]
    assert untested == []
