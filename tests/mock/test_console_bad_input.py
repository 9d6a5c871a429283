"""Every bad input of docs/security.md's list, at the "Turn on" form and the sign-in code form.

The console accepts exactly six ASCII digits once ASCII spaces are removed. Anything else gets a
4xx with a clear message and changes nothing: not the 2SV state, not the pending secret, not the
failure counter (a malformed input is not an attempt), not the audit trail; and never a 500.
Each input goes in three ways: typed into the field the page labels, as a hand-made
urlencoded body, and as multipart/form-data.
"""

from __future__ import annotations

from collections.abc import Callable

import pyotp
import pytest

CODE_LABEL = "Enter the code that the app generates:"
EMPTY = "Enter the 6-digit code shown in the app."
TOO_LONG = "That is too long for a code. Enter the 6-digit code shown in the app."
NOT_SIX = ("The code must be exactly 6 digits (0-9); spaces are allowed. "
           "Enter the code shown in the app.")
TWICE = "The form sent more than one code. Reload the page and enter the code once."
WRONG = ("That code is not correct. Check that the app shows this account and enter its "
         "current code. Attempts left before a 5-minute lock: 4.")
REPLAYED = ("This code has already been used. Wait for the app to show a new code, "
            "then enter it.")
TOO_LARGE = "The form sent too much data, so nothing was changed. Go back and try again."
RECOVERY_EMPTY = "Enter your Recovery Code."
RECOVERY_TOO_LONG = "That is too long for a Recovery Code. Check it and try again."
RECOVERY_MALFORMED = ("A Recovery Code has 16 letters and digits (A-Z, 2-7), like "
                      "ABCD-EFGH-IJKL-MNOP. Check it and try again.")


def _digits(code: str, zero: int) -> str:
    return "".join(chr(zero + int(d)) for d in code)


SUPERSCRIPT = "⁰¹²³⁴⁵⁶⁷⁸⁹"


def bad_codes(valid: str) -> list[tuple[str, str, str]]:
    """Return (name, input, expected message) for each malformed code, built around the code
    that is valid right now, so that only the malformation can be the reason for refusal."""
    a, b = valid[:3], valid[3:]
    return [
        ("empty", "", EMPTY),
        ("spaces only", "      ", EMPTY),
        ("5 digits", valid[1:], NOT_SIX),
        ("7 digits", valid + "7", NOT_SIX),
        ("7 digits, extra in front", "7" + valid, NOT_SIX),
        ("hyphen inside", f"{a}-{b}", NOT_SIX),
        ("081-804", "081-804", NOT_SIX),
        ("tab inside", f"{a}\t{b}", NOT_SIX),
        ("newline inside", f"{a}\n{b}", NOT_SIX),
        ("CRLF inside", f"{a}\r\n{b}", NOT_SIX),
        ("tab before", f"\t{valid}", NOT_SIX),
        ("newline after", f"{valid}\n", NOT_SIX),
        ("no-break space inside", f"{a}\u00a0{b}", NOT_SIX),
        ("ideographic space inside", f"{a}\u3000{b}", NOT_SIX),
        ("full-width digits", _digits(valid, 0xFF10), NOT_SIX),
        ("０８１８０４", "０８１８０４", NOT_SIX),
        ("Arabic-Indic digits", _digits(valid, 0x0660), NOT_SIX),
        ("٠٨١٨٠٤", "٠٨١٨٠٤", NOT_SIX),
        ("superscript digits", "".join(SUPERSCRIPT[int(d)] for d in valid), NOT_SIX),
        ("Devanagari digits", _digits(valid, 0x0966), NOT_SIX),
        ("half ASCII, half full-width", a + _digits(b, 0xFF10), NOT_SIX),
        ("plus sign", f"+{valid}", NOT_SIX),
        ("+081804", "+081804", NOT_SIX),
        ("as a decimal", f"{int(valid)}.0", NOT_SIX),
        ("81804.0", "81804.0", NOT_SIX),
        ("1e5", "1e5", NOT_SIX),
        ("negative", f"-{valid[1:]}", NOT_SIX),
        ("letters", "abcdef", NOT_SIX),
        ("letter O for zero", "O" + valid[1:], NOT_SIX),
        ("SQL", "' OR 1=1--", NOT_SIX),
        ("HTML", "<script>alert(1)</script>", NOT_SIX),
        ("NUL inside", f"{a}\x00{b}", NOT_SIX),
        ("65 characters", "1" * 65, TOO_LONG),
        ("10,000 characters", "7" * 10_000, TOO_LONG),
        ("10,000 spaces around the code", " " * 5_000 + valid + " " * 5_000, TOO_LONG),
    ]


# -- how the input travels ----------------------------------------------------------------------

FORMS = {  # the form, the page that holds it, its button
    "turn on": ("ENABLE", "SETUP", "Turn on"),
    "sign-in code": ("SIGNIN_CODE", "SIGNIN_CODE", "Verify"),
}


def _send(console, form: str, transport: str, value: str):  # noqa: ANN001, ANN202
    path, page_path, button = (getattr(console, name) if name.isupper() else name
                               for name in FORMS[form])
    page = console.open(page_path)
    assert page.status == 200, page.status
    if transport == "typed into the labelled field":
        field = page.labels[CODE_LABEL].attrs["name"]
        return console.submit(page, button, **{field: value})
    token = page.csrf_token(button)
    if transport == "urlencoded body":
        return console.raw_post(path, ("csrf_token", token), ("code", value))
    return console.client.post(path, data={"csrf_token": token, "code": value},
                                content_type="multipart/form-data")


def _prepare(console, form: str) -> str:  # noqa: ANN001
    """Bring an account to the form; return the code that is valid there right now."""
    if form == "turn on":
        console.signed_in_account()
        console.secret = console.start_setup()
    else:
        console.enabled_account()
        console.to_code_page()
    return console.code()


def _assert_refused(console, response, message: str, form: str, before: dict) -> None:  # noqa: ANN001
    page = console.read(response)
    assert page.status == (413 if message == TOO_LARGE else 422), page.status
    assert page.alert == message
    if message != TOO_LARGE:
        assert page.h1 == ("Turn on 2-Step Verification" if form == "turn on"
                           else "2-Step Verification")
        assert page.labels[CODE_LABEL].attrs.get("value") is None  # input not echoed back
    assert "<script>alert(1)</script>" not in page.html
    assert console.snapshot() == before  # the pending secret included
    if form != "turn on":
        assert console.client.get(console.ACCOUNT).status_code == 302  # still not signed in
        assert console.open(console.SIGNIN_CODE).status == 200  # the sign-in is still pending


TRANSPORTS = ["typed into the labelled field", "urlencoded body", "multipart form"]


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("form", list(FORMS))
def test_each_malformed_code_is_refused_and_changes_nothing(
    console, subtests, form: str, transport: str
) -> None:
    valid = _prepare(console, form)
    before = console.snapshot()
    for name, value, message in bad_codes(valid):
        with subtests.test(name):
            response = _send(console, form, transport, value)
            _assert_refused(console, response, message, form, before)
    if form == "turn on":
        assert console.shown_key() == console.secret
    # the account was ready all along: the valid code is accepted after all of that
    response = _send(console, form, transport, valid)
    assert response.status_code == 302, response.status_code
    assert console.row()["failures"] == 0


@pytest.mark.parametrize("form", list(FORMS))
def test_malformed_raw_posts_are_refused_and_change_nothing(console, subtests, form: str) -> None:
    valid = _prepare(console, form)
    path = getattr(console, FORMS[form][0])
    token = console.token(getattr(console, FORMS[form][1]), FORMS[form][2])
    before = console.snapshot()
    raw: list[tuple[str, Callable[[], object], str]] = [
        ("code field missing", lambda: console.raw_post(path, ("csrf_token", token)), EMPTY),
        ("code field empty, no value", lambda: console.raw_post(
            path, body=f"csrf_token={token}&code".encode()), EMPTY),
        ("code in the query string, not the body", lambda: console.client.post(
            path, query_string={"code": valid}, data={"csrf_token": token}), EMPTY),
        ("duplicate code fields, both valid", lambda: console.raw_post(
            path, ("csrf_token", token), ("code", valid), ("code", valid)), TWICE),
        ("duplicate code fields, wrong then valid", lambda: console.raw_post(
            path, ("csrf_token", token), ("code", "000000"), ("code", valid)), TWICE),
        ("duplicate code fields, empty then valid", lambda: console.raw_post(
            path, ("csrf_token", token), ("code", ""), ("code", valid)), TWICE),
        ("full-width digits as raw UTF-8 bytes", lambda: console.raw_post(
            path, body=f"csrf_token={token}&code=".encode() + _digits(valid, 0xFF10).encode()),
         NOT_SIX),
        ("bytes that are not UTF-8", lambda: console.raw_post(
            path, body=f"csrf_token={token}&code=".encode() + b"%FF%FE%FD081"), NOT_SIX),
        ("10,000 characters", lambda: console.raw_post(
            path, ("csrf_token", token), ("code", "9" * 10_000)), TOO_LONG),
        ("a body over 64 KB", lambda: console.raw_post(
            path, ("csrf_token", token), ("code", "1" * 70_000)), TOO_LARGE),
        ("over 64 KB of multipart", lambda: console.client.post(
            path, data={"csrf_token": token, "code": "1" * 70_000},
            content_type="multipart/form-data"), TOO_LARGE),
        ("multipart with more than 1,000 parts", lambda: console.client.post(
            path, data={"csrf_token": token, "code": valid,
                        **{f"x{i}": "1" for i in range(1_200)}},
            content_type="multipart/form-data"), TOO_LARGE),
    ]
    for name, send, message in raw:
        with subtests.test(name):
            _assert_refused(console, send(), message, form, before)
    assert console.raw_post(path, ("csrf_token", token), ("code", valid)).status_code == 302


def test_form_body_over_64_kb_gets_a_clear_413_page(console) -> None:
    console.signed_in_account()
    token = console.token(console.CHANGE, "Set up")
    page = console.read(console.raw_post(console.SETUP, ("csrf_token", token),
                                         ("pad", "x" * 65 * 1024)))
    assert page.status == 413
    assert page.h1 == "Something went wrong"
    assert page.alert == TOO_LARGE
    assert console.row()["pending_secret"] is None


# -- codes that are well-formed but not acceptable ----------------------------------------------


def _advance_to_code_starting_with_zero(console, secret: str) -> str:  # noqa: ANN001
    """Move the console's clock to the next step whose code starts with 0; return that code."""
    now, totp = console.now(), pyotp.TOTP(secret)
    steps = next(k for k in range(1, 2_000) if totp.at(now + 30 * k).startswith("0"))
    console.next_step(steps)
    return console.code(secret=secret)


@pytest.mark.parametrize("form", list(FORMS))
def test_valid_code_with_its_leading_zero_dropped_is_refused(console, form: str) -> None:
    _prepare(console, form)
    valid = _advance_to_code_starting_with_zero(console, console.secret)
    if form == "sign-in code":
        console.to_code_page()  # the password step is fresh again after moving the clock
    before = console.snapshot()
    response = _send(console, form, "typed into the labelled field", valid[1:])
    _assert_refused(console, response, NOT_SIX, form, before)
    assert int(valid[1:]) == int(valid)  # the same number: only the string differs
    assert _send(console, form, "typed into the labelled field", valid).status_code == 302


@pytest.mark.parametrize("form", list(FORMS))
@pytest.mark.parametrize(
    "spelling", ["{a} {b}", " {a}{b} ", "{a}  {b}", "{a[0]} {a[1]} {a[2]} {b}"])
def test_valid_code_with_ascii_spaces_is_accepted(console, form: str, spelling: str) -> None:
    valid = _prepare(console, form)
    typed = spelling.format(a=valid[:3], b=valid[3:])
    response = _send(console, form, "typed into the labelled field", typed)
    assert response.status_code == 302
    if form == "turn on":
        assert console.state()["two_step_enabled"] is True
    else:
        assert console.events()[-1] == "signed_in"


def test_replayed_code_at_sign_in_is_refused_and_counted(console) -> None:
    console.enabled_account()
    console.to_code_page()
    code = console.code()
    assert console.enter_code(code).status_code == 302
    console.to_code_page()
    page = console.read(console.enter_code(code))
    assert page.status == 422 and page.alert == REPLAYED
    assert console.client.get(console.ACCOUNT).status_code == 302
    assert console.state()["two_step_enabled"] is True
    assert console.row()["failures"] == 1  # well-formed: a real attempt, so it counts
    assert console.events()[-2:] == ["code_replayed", "code_rejected"]


def _turn_on_off_on_again(console) -> tuple[str, str]:  # noqa: ANN001
    """Turn 2SV on, off, and press Set up again; return the old and the new secret."""
    console.enabled_account()
    old = console.secret
    assert console.turn_off().status_code == 302
    new = console.start_setup()
    assert new != old
    return old, new


def test_code_from_the_previous_secret_is_refused_at_turn_on(console) -> None:
    old, new = _turn_on_off_on_again(console)
    console.secret = new
    before = console.row()
    page = console.read(console.turn_on(console.code(secret=old)))
    assert page.status == 422 and page.alert == WRONG
    assert console.state()["two_step_enabled"] is False
    assert console.row()["pending_secret"] == before["pending_secret"] == new
    assert console.shown_key() == new
    assert console.events()[-1] == "code_rejected"


def test_code_from_the_previous_secret_is_refused_at_sign_in(console) -> None:
    old, new = _turn_on_off_on_again(console)
    assert console.turn_on(console.code(secret=new)).status_code == 302
    console.secret = new
    console.next_step()
    console.to_code_page()
    page = console.read(console.enter_code(console.code(secret=old)))
    assert page.status == 422 and page.alert == WRONG
    assert console.client.get(console.ACCOUNT).status_code == 302
    assert console.enter_code(console.code(secret=new)).status_code == 302


# -- the Recovery Code field ---------------------------------------------------------------------


def bad_recovery_codes(valid: str) -> list[tuple[str, str, str]]:
    """Return (name, input, expected message) for each malformed Recovery Code."""
    compact = valid.replace("-", "")
    return [
        ("empty", "", RECOVERY_EMPTY),
        ("spaces and hyphens only", " - - ", RECOVERY_EMPTY),
        ("15 characters", compact[:-1], RECOVERY_MALFORMED),
        ("17 characters", compact + "A", RECOVERY_MALFORMED),
        ("digits outside Base32", "0189" + compact[4:], RECOVERY_MALFORMED),
        ("underscores", "_".join(valid.split("-")), RECOVERY_MALFORMED),
        ("full-width letters", "".join(chr(ord(c) + 0xFEE0) for c in compact),
         RECOVERY_MALFORMED),
        ("a letter that upper-cases to two", "ß" + compact[2:], RECOVERY_MALFORMED),
        ("tab inside", valid[:4] + "\t" + valid[4:], RECOVERY_MALFORMED),
        ("SQL", "' OR 1=1--", RECOVERY_MALFORMED),
        ("HTML", "<script>alert(1)</script>", RECOVERY_MALFORMED),
        ("a 6-digit code", "081804", RECOVERY_MALFORMED),
        ("65 characters", "A" * 65, RECOVERY_TOO_LONG),
        ("10,000 characters", "A" * 10_000, RECOVERY_TOO_LONG),
    ]


@pytest.mark.parametrize("transport", ["typed into the labelled field", "urlencoded body"])
def test_each_malformed_recovery_code_is_refused_and_changes_nothing(
    console, subtests, transport: str
) -> None:
    console.enabled_account()
    console.to_code_page()
    before = console.snapshot()

    def send(value: str):  # noqa: ANN202
        page = console.open(console.SIGNIN_RECOVERY)
        if transport == "urlencoded body":
            return console.raw_post(console.SIGNIN_RECOVERY,
                                    ("csrf_token", page.csrf_token("Verify")),
                                    ("recovery_code", value))
        field = page.labels["Recovery Code"].attrs["name"]
        return console.submit(page, "Verify", **{field: value})

    for name, value, message in bad_recovery_codes(console.recovery_code):
        with subtests.test(name):
            page = console.read(send(value))
            assert page.status == 422 and page.alert == message
            assert "<script>alert(1)</script>" not in page.html
            assert console.snapshot() == before
            assert console.client.get(console.ACCOUNT).status_code == 302
    if transport == "urlencoded body":
        token = console.open(console.SIGNIN_RECOVERY).csrf_token("Verify")
        page = console.read(console.raw_post(
            console.SIGNIN_RECOVERY, ("csrf_token", token),
            ("recovery_code", console.recovery_code), ("recovery_code", console.recovery_code)))
        assert page.status == 422 and page.alert == TWICE
        assert console.snapshot() == before
    # the Recovery Code typed the way people type it still works (lower case, no hyphens)
    typed = console.recovery_code.lower().replace("-", " ")
    response = send(typed)
    assert response.status_code == 302
    assert console.events()[-2:] == ["recovery_code_used", "signed_in"]


# -- the sign-in form ----------------------------------------------------------------------------


def test_sign_in_form_refuses_bad_input_clearly_and_escapes_what_it_echoes(
    console, subtests
) -> None:
    console.new_account()
    token = console.token(console.SIGNIN)
    cases = [
        ("both empty", [("username", ""), ("password", "")], 422,
         "Enter your username and password."),
        ("fields missing", [], 422, "Enter your username and password."),
        ("password missing", [("username", console.username)], 422,
         "Enter your username and password."),
        ("HTML as username", [("username", "<script>alert(1)</script>"), ("password", "x")],
         422, "The username or password is incorrect. Check them and try again."),
        ("10,000-character username", [("username", "u" * 10_000), ("password", "x")], 422,
         "The username or password is incorrect. Check them and try again."),
        ("10,000-character password", [("username", console.username), ("password", "p" * 10_000)],
         422, "The username or password is incorrect. Check them and try again."),
        ("SQL as username", [("username", "' OR 1=1--"), ("password", "' OR 1=1--")], 422,
         "The username or password is incorrect. Check them and try again."),
        ("over 64 KB", [("username", console.username), ("password", "p" * 70_000)], 413,
         TOO_LARGE),
    ]
    for name, pairs, status, message in cases:
        with subtests.test(name):
            page = console.read(console.raw_post(console.SIGNIN, ("csrf_token", token), *pairs))
            assert page.status == status
            assert page.alert == message
            assert "<script>alert(1)</script>" not in page.html
            assert set(console.events()) <= {"password_rejected"}  # audited, nothing else
            assert console.client.get(console.ACCOUNT).status_code == 302
    page = console.read(console.raw_post(console.SIGNIN, ("csrf_token", token),
                                         ("username", "<script>alert(1)</script>"),
                                         ("password", "x")))
    assert page.root.find("input", id="username").attrs["value"] == "<script>alert(1)</script>"
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.html
