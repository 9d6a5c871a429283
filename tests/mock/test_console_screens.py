"""Every screen of the article shows the labels the article names, in the state it names them.

The strings are the article's own, its "2-Step" / "2 Step" inconsistency included: a screen
that drifts from them breaks the documentation, so these tests compare exact text.
"""

from __future__ import annotations

from email.utils import parsedate_to_datetime
from urllib.parse import quote

import pytest

from mock_console import CONTENT_SECURITY_POLICY

ISSUER = "HENNGE Cloud Protection"
CODE_LABEL = "Enter the code that the app generates:"


def row_with_header(page, header: str):  # noqa: ANN001, ANN201 - Page and Element from conftest
    """Return the table row whose row header reads ``header``."""
    rows = [tr for tr in page.root.find_all("tr")
            if any(th.text == header for th in tr.find_all("th"))]
    assert len(rows) == 1, f"expected one row headed {header!r}, found {len(rows)}"
    return rows[0]


def assert_accessible(page) -> None:  # noqa: ANN001 - Page from conftest
    """One <h1>; every label tied to a control; every visible control labelled; real buttons."""
    assert len(page.root.find_all("h1")) == 1, "a page has exactly one <h1>"
    labelled = {el.attrs.get("id") for el in page.labels.values()}
    for control in page.root.find_all("input") + page.root.find_all("select"):
        if control.attrs.get("type") == "hidden":
            continue
        assert control.attrs.get("id") in labelled, f"unlabelled control {control.attrs}"
    assert not [i for i in page.root.find_all("input")
                if i.attrs.get("type") in {"submit", "button", "image"}], "use <button>"
    for button in page.root.find_all("button"):
        assert button.text, "every button has a visible name"
    for link in page.root.find_all("a"):
        assert link.attrs.get("href"), f"link {link.text!r} goes nowhere"


# -- 1.1 sign-in ---------------------------------------------------------------------------------


def test_sign_in_page_has_username_password_and_sign_in_button(console) -> None:
    # given a visitor who is not signed in / when they open the console's URL
    response = console.client.get("/")
    # then they are sent to the sign-in page
    assert response.status_code == 302 and response.location == console.SIGNIN
    page = console.open(console.SIGNIN)
    assert page.status == 200
    assert page.h1 == "Sign in"
    labels = page.labels
    assert labels["Username"].attrs["name"] == "username"
    assert labels["Password"].attrs["name"] == "password"
    assert labels["Password"].attrs["type"] == "password"
    assert page.button("Sign in").attrs.get("type") == "submit"
    assert page.form_of("Sign in").attrs["method"] == "post"
    assert_accessible(page)


def test_sign_in_with_2sv_off_goes_straight_to_the_console(console) -> None:
    # given an account with 2SV off
    console.new_account()
    # when the user signs in with the password
    response = console.sign_in()
    # then no code is asked: the dashboard opens with the user menu
    assert response.status_code == 302 and response.location == console.HOME
    home = console.open(console.HOME)
    assert home.status == 200 and home.h1 == "Dashboard"
    assert console.events() == ["signed_in"]


def test_wrong_password_is_refused_with_one_message_for_either_field(console) -> None:
    console.new_account()
    page = console.read(console.sign_in(password="not-the-password"))
    assert page.status == 422
    assert page.alert == "The username or password is incorrect. Check them and try again."
    unknown = console.read(console.sign_in(username="nobody@example.com"))
    assert unknown.alert == page.alert
    assert page.root.find("input", id="username").attrs["value"] == console.username
    assert console.events() == ["password_rejected"]  # audited (NIST SP 800-63B §5.2.2)


def test_sign_in_with_2sv_on_asks_for_the_code_with_the_article_label(console) -> None:
    # given an account with 2SV on, signed out
    console.enabled_account()
    # when the user signs in with the password
    page = console.to_code_page()
    # then the code page asks for the app's code and offers the Recovery Code instead
    assert page.status == 200
    assert page.labels[CODE_LABEL].attrs["name"] == "code"
    assert page.labels[CODE_LABEL].attrs["autocomplete"] == "one-time-code"
    assert page.links["Use your Recovery Code instead"] == console.SIGNIN_RECOVERY
    assert "Verify" in page.buttons
    assert_accessible(page)
    recovery = console.open(console.SIGNIN_RECOVERY)
    assert recovery.status == 200
    assert recovery.labels["Recovery Code"].attrs["name"] == "recovery_code"
    assert_accessible(recovery)
    # and nobody is signed in until the code is given
    assert console.client.get(console.ACCOUNT).status_code == 302


# -- 2.1 / 3.1 the user menu and Account Information ------------------------------------------


def test_user_menu_has_account_setting_opening_account_information(console) -> None:
    console.signed_in_account()
    home = console.open(console.HOME)
    menu = home.root.find(id="user-menu")
    assert [a.text for a in menu.find_all("a")] == ["Account Setting"]
    assert "Sign out" in [b.text for b in menu.find_all("button")]
    toggles = home.root.find_all("button", aria_controls="user-menu")
    assert toggles and all(t.attrs["aria-expanded"] == "false" for t in toggles)
    assert_accessible(home)
    page = console.open(home.links["Account Setting"])
    assert page.status == 200 and page.h1 == "Account Information"


def test_account_information_offers_set_up_while_2sv_is_off(console) -> None:
    console.signed_in_account()
    page = console.open(console.ACCOUNT)
    assert page.h1 == "Account Information"
    assert console.username in page.text
    assert row_with_header(page, "2-Step Verification").find("td").text == "Off"
    assert page.links["Set up 2-Step Verification"] == console.SECURITY
    assert "Disable 2 Step Verification" not in page.links
    assert_accessible(page)


def test_account_information_offers_disable_while_2sv_is_on(console) -> None:
    console.enabled_account()
    page = console.open(console.ACCOUNT)
    assert row_with_header(page, "2-Step Verification").find("td").text == "On"
    assert page.links["Disable 2 Step Verification"] == console.SECURITY
    assert "Set up 2-Step Verification" not in page.links


# -- 2.3 / 3.2 Security settings -----------------------------------------------------------------


@pytest.mark.parametrize("two_step", ["off", "on"])
def test_security_page_has_a_change_button_right_of_the_2sv_row(console, two_step: str) -> None:
    if two_step == "on":
        console.enabled_account()
    else:
        console.signed_in_account()
    page = console.open(console.ACCOUNT)
    link = "Disable 2 Step Verification" if two_step == "on" else "Set up 2-Step Verification"
    security = console.open(page.links[link])
    assert security.status == 200
    row = row_with_header(security, "2-Step Verification")
    cells = [el for el in row.children if not isinstance(el, str)]
    assert cells[0].text == "2-Step Verification"
    assert cells[1].text == ("On" if two_step == "on" else "Off")
    assert [b.text for b in cells[-1].find_all("button")] == ["Change"]
    assert_accessible(security)


# -- 2.4 - 2.7 turning on ------------------------------------------------------------------------


def test_change_while_off_opens_turn_on_page_with_set_up_button(console) -> None:
    console.signed_in_account()
    security = console.open(console.SECURITY)
    page = console.read(console.submit(security, "Change"))
    assert page.status == 200
    assert page.h1 == "Turn on 2-Step Verification"
    assert page.form_of("Set up").attrs["method"] == "post"
    assert page.links["Cancel"] == console.SECURITY
    assert_accessible(page)


def test_setup_page_shows_qr_of_the_key_uri_and_the_same_key_as_text(console) -> None:
    # given a signed-in account with 2SV off / when the user presses "Set up"
    console.signed_in_account()
    turn_on = console.open(console.CHANGE)
    response = console.submit(turn_on, "Set up")
    assert response.status_code == 302
    page = console.open(response.location)
    # then the page shows a PNG QR code of the Key URI
    assert page.status == 200
    assert page.h1 == "Turn on 2-Step Verification"
    img = page.root.find("img")
    assert img.attrs["src"].startswith("data:image/png;base64,")
    assert img.attrs["alt"]
    uri = console.qr_text(page)
    text_key = page.root.find(class_="manual-key").find("code").text.replace(" ", "")
    account = quote(console.username, safe="")
    issuer = quote(ISSUER, safe="")
    assert uri == f"otpauth://totp/{issuer}:{account}?secret={text_key}&issuer={issuer}"
    # and the code field and "Turn on" button of step 2.6
    assert page.labels[CODE_LABEL].attrs["name"] == "code"
    assert page.form_of("Turn on").attrs["action"] == console.ENABLE
    assert page.alert is None
    assert_accessible(page)
    # and 2SV is not on yet
    assert console.state()["two_step_enabled"] is False


def test_text_key_is_grouped_in_fours_for_typing(console) -> None:
    console.signed_in_account()
    console.start_setup()
    shown = console.open(console.SETUP).root.find(class_="manual-key").find("code").text
    groups = shown.split(" ")
    assert all(len(g) == 4 for g in groups[:-1]) and 1 <= len(groups[-1]) <= 4


def test_turn_on_confirmation_shows_recovery_code_and_keep_it_safe(console) -> None:
    # given the setup page / when the app's code is entered and "Turn on" pressed
    console.signed_in_account()
    secret = console.start_setup()
    response = console.turn_on(console.code(secret=secret))
    assert response.status_code == 302 and response.location == console.ENABLED
    page = console.open(console.ENABLED)
    # then the confirmation of step 2.7
    assert page.status == 200
    assert page.h1 == "2-Step Verification has been turned on"
    assert "2 Step Verification has been enabled successfully." in page.status_message
    recovery = page.root.find(class_="recovery")
    assert recovery.find("h2").text == "Recovery Code"
    assert recovery.find("code").text
    assert "Please keep your Recovery Code safe." in page.text
    assert page.links["Back to Account Information"] == console.ACCOUNT
    assert_accessible(page)
    # and the Recovery Code is shown this once
    again = console.client.get(console.ENABLED)
    assert again.status_code == 302 and again.location == console.ACCOUNT


# -- 3.3 - 3.5 turning off -----------------------------------------------------------------------


def test_change_while_on_shows_status_row_with_turn_off_button(console) -> None:
    console.enabled_account()
    page = console.read(console.submit(console.open(console.SECURITY), "Change"))
    assert page.status == 200
    row = row_with_header(page, "2 Step Verification Status")
    assert "On" in [td.text for td in row.find_all("td")]
    assert [b.text for b in row.find_all("button")] == ["Turn off"]
    assert_accessible(page)


def test_turn_off_page_has_turn_off_and_cancel(console) -> None:
    console.enabled_account()
    status = console.open(console.CHANGE)
    page = console.read(console.submit(status, "Turn off"))
    assert page.status == 200
    assert page.h1 == "Turn off 2-Step Verification"
    assert page.form_of("Turn off").attrs["method"] == "post"
    assert page.links["Cancel"] == console.CHANGE
    assert_accessible(page)
    # and opening it changed nothing
    assert console.state()["two_step_enabled"] is True


def test_turn_off_confirmation_says_2sv_is_off(console) -> None:
    console.enabled_account()
    response = console.turn_off()
    assert response.status_code == 302 and response.location == console.DISABLED
    page = console.open(console.DISABLED)
    assert page.h1 == "2-Step Verification has been turned off"
    assert "2 Step Verification has been turned off successfully." in page.status_message
    assert_accessible(page)
    account = console.open(console.ACCOUNT)
    assert "Set up 2-Step Verification" in account.links
    assert console.state()["two_step_enabled"] is False


def test_sign_out_returns_to_sign_in_with_a_notice(console) -> None:
    console.signed_in_account()
    response = console.sign_out()
    assert response.status_code == 302 and response.location == console.SIGNIN
    page = console.open(console.SIGNIN)
    assert page.status_message == "You have signed out."
    assert console.client.get(console.ACCOUNT).status_code == 302


# -- everywhere ----------------------------------------------------------------------------------


PROTECTED = ["/account", "/account/security", "/account/security/2sv",
             "/account/security/2sv/setup", "/account/security/2sv/enabled",
             "/account/security/2sv/turn-off", "/account/security/2sv/disabled"]


@pytest.mark.parametrize("path", PROTECTED)
def test_unauthenticated_access_redirects_to_sign_in(console, path: str) -> None:
    response = console.client.get(path)
    assert response.status_code == 302 and response.location == console.SIGNIN
    page = console.open(console.SIGNIN)
    assert page.status_message == "Sign in to continue."


@pytest.mark.parametrize("path", ["/signin/code", "/signin/recovery"])
def test_code_pages_without_a_password_first_redirect_to_sign_in(console, path: str) -> None:
    response = console.client.get(path)
    assert response.status_code == 302 and response.location == console.SIGNIN
    page = console.open(console.SIGNIN)
    assert page.status_message and "took too long" in page.status_message


def test_date_header_follows_the_console_clock(console, clock) -> None:
    first = parsedate_to_datetime(console.client.get(console.SIGNIN).headers["Date"])
    assert first.timestamp() == int(clock.now())
    console.advance(3600 * 24 * 3)
    later = parsedate_to_datetime(console.client.get(console.SIGNIN).headers["Date"])
    assert later.timestamp() == int(clock.now()) == int(first.timestamp()) + 3600 * 24 * 3
    missing = console.client.get("/no-such-page")
    assert parsedate_to_datetime(missing.headers["Date"]).timestamp() == int(clock.now())


def test_unknown_page_is_a_clear_404(console) -> None:
    page = console.open("/no-such-page")
    assert page.status == 404
    assert page.alert == ("There is no page at this address. Check the address, "
                          "or go to the Dashboard.")
    assert_accessible(page)


def test_every_screen_of_the_procedure_has_one_h1_and_labelled_controls(console) -> None:
    """Walk the whole article once and check the structure of each screen on the way."""
    console.new_account()
    seen = [console.open(console.SIGNIN)]
    console.sign_in()
    for path in (console.HOME, console.ACCOUNT, console.SECURITY, console.CHANGE):
        seen.append(console.open(path))
    console.start_setup()
    seen.append(console.open(console.SETUP))
    console.secret = console.shown_key()
    console.turn_on(console.code())
    seen.append(console.open(console.ENABLED))
    console.next_step()
    for path in (console.ACCOUNT, console.SECURITY, console.CHANGE, console.TURN_OFF):
        seen.append(console.open(path))
    console.to_code_page()
    seen += [console.open(console.SIGNIN_CODE), console.open(console.SIGNIN_RECOVERY)]
    console.enter_code(console.code())
    console.turn_off()
    seen.append(console.open(console.DISABLED))
    for page in seen:
        assert page.status == 200, page.response.request.path
        assert_accessible(page)
        assert page.root.find("html").attrs["lang"] == "en"
        assert page.response.headers["Cache-Control"] == "no-store"
        assert page.response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
        assert page.response.headers["X-Frame-Options"] == "DENY"


def test_unusual_account_names_are_escaped_on_screen_and_encoded_in_the_key_uri(console) -> None:
    name = "<b>Ops</b> Team:ü+1@example.com"
    response = console.client.post("/__test__/accounts",
                                   json={"username": name, "password": "pw-2sv-test"})
    assert response.status_code == 201
    console.username, console.password = name, "pw-2sv-test"
    assert console.sign_in().location == console.HOME
    page = console.open(console.ACCOUNT)
    assert name in page.text and "<b>Ops</b>" not in page.html
    console.start_setup()
    uri = console.qr_text(console.open(console.SETUP))
    account = quote(name, safe="")
    assert uri.startswith(f"otpauth://totp/{quote(ISSUER, safe='')}:{account}?secret=")
    assert ":" not in account and "+" not in account
