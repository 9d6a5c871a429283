"""The page objects find things by role and the catalogue's words, not by the mock's markup: a
console that titles screens with h2, has a menu toggle without aria-expanded, names its QR image
at more length, or shows the key in a fieldset's kbd is driven the same way; a QR code with no
name at all is read from the screen's pixels."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import segno
from playwright.sync_api import Page, expect

from e2e.authenticator import Authenticator
from e2e.labels import Labels
from e2e.pages import EnabledPage, HomePage, NewRecoveryCodePage, ReauthPage, SetupPage
from e2e.pages.setup import KeyNotShown
from e2e.procedure import QR_NAMED
from e2e.runner import run_procedure
from e2e.target import MockTarget
from tests.support.leaks import find_leaks
from tests.support.qr_pages import LABEL as QR_LABEL
from tests.support.qr_pages import canvas_markup

USER = "admin@example.com"
MENU = ("<ul id='menu' hidden><li><a href='#'>{account_setting}</a></li></ul>")
TOGGLE = "onclick=\"document.getElementById('menu').hidden = false\""


def test_a_screen_titled_by_a_heading_of_another_level_is_recognised(
    page: Page, labels: Labels
) -> None:
    page.set_content(f"<header><span>Console</span></header><main><h2>{labels.home_heading}</h2>"
                     "</main>")
    HomePage(page, labels).expect_heading(labels.home_heading)


@pytest.mark.parametrize("toggle", [USER, "Menu"], ids=["user's name", "phone's Menu"])
def test_a_menu_toggle_without_aria_expanded_is_found_by_its_words(
    page: Page, labels: Labels, toggle: str
) -> None:
    # Given a header whose menu toggle says nothing of being collapsed
    assert labels.menu_button == "Menu"
    page.set_content(f"<header><button {TOGGLE}>{toggle}</button>"
                     f"{MENU.format(account_setting=labels.account_setting)}</header>")

    # When the user menu is opened for the signed-in user, Then "Account Setting" shows
    HomePage(page, labels).open_user_menu(USER)
    expect(page.get_by_role("link", name=labels.account_setting)).to_be_visible()


def test_a_qr_image_named_at_more_length_and_a_key_in_a_fieldset_are_found(
    page: Page, labels: Labels
) -> None:
    # Given a setup screen whose QR canvas says more than the catalogue, and whose key is a
    # fieldset's kbd, not a group's code
    page.set_content(f"<main><h1>{labels.turn_on_page}</h1>"
                     f"<canvas role='img' width='60' height='60' aria-label='Scan this "
                     f"{labels.qr_image.lower()} with your app'></canvas>"
                     f"<fieldset><legend>{labels.manual_key}</legend>"
                     "<p>Type it in:</p><kbd>TOLE RANT KEY2 3456</kbd></fieldset>"
                     f"<label>{labels.code_label}<input></label>"
                     f"<button>{labels.turn_on_button}</button></main>")

    setup = SetupPage(page, labels)
    setup.expect_loaded()
    assert setup.text_key() == "TOLERANTKEY23456"


def test_a_recovery_code_in_a_section_headed_by_its_name_is_read(
    page: Page, labels: Labels
) -> None:
    # Given confirmations that show the Recovery Code as a section's samp, named by its heading
    section = (f"<section aria-labelledby='r'><h2 id='r'>{labels.recovery_code}</h2>"
               f"<p>{labels.keep_safe}</p><samp>TOLE-RANT-CODE-2345</samp></section>")
    page.set_content(f"<main><h1>{labels.enabled_heading}</h1><p role='status'>"
                     f"{labels.enabled_message}</p>{section}</main>")
    enabled = EnabledPage(page, labels)
    enabled.expect_loaded()
    assert enabled.recovery_code() == "TOLE-RANT-CODE-2345"

    page.set_content(f"<main><h1>{labels.new_recovery_heading}</h1>{section}</main>")
    assert NewRecoveryCodePage(page, labels).recovery_code() == "TOLE-RANT-CODE-2345"


def test_a_prompt_titled_by_an_h2_is_answered_and_left(page: Page, labels: Labels) -> None:
    # Given a re-authentication prompt whose title is an h2, leading to a screen titled by one
    page.set_content(f"<h2>{labels.reauth_heading}</h2><label for='p'>"
                     f"{labels.reauth_password_label}</label><input id='p'>"
                     "<button type='button' onclick=\"document.body.innerHTML = "
                     f"'<h2>Next</h2>'\">{labels.reauth_button}</button>")
    prompt = ReauthPage(page, labels)
    assert prompt.answer("the-password", lambda: "123456") == "password"
    prompt.expect_accepted()
    expect(page.get_by_role("heading", name="Next")).to_be_visible()


def test_a_qr_code_drawn_on_a_canvas_with_no_name_is_read_from_the_screen(
    page: Page, labels: Labels
) -> None:
    # Given a setup screen whose QR code is a bare canvas (no role, no name: as some QR
    # libraries draw it), beside a logo that is no QR code
    uri = "otpauth://totp/HENNGE:admin%40example.com?secret=JBSWY3DPEHPK3PXPJBSWY3DP&issuer=HENNGE"
    canvas = canvas_markup(segno.make(uri, error="m"), 4).replace(
        f'role="img" aria-label="{QR_LABEL}" ', "")
    page.set_content(f"<main><h1>{labels.turn_on_page}</h1><img alt='' width=20 height=20 "
                     f"src='data:,'>{canvas}<label>{labels.code_label}<input></label>"
                     f"<button>{labels.turn_on_button}</button></main>")

    # When the screen is loaded and the authenticator is pointed at it
    setup = SetupPage(page, labels)
    setup.expect_loaded()
    entry = Authenticator(time_source=time.time).scan(setup.qr_source())

    # Then the code is read from the main content's pixels, and the screen is known unnamed
    assert not setup.qr_named()
    assert entry.uri == uri


@pytest.mark.needs_test_api
def test_the_procedure_passes_when_the_qr_code_is_named_otherwise_and_still_masks_it(
    page: Page, faults: MockTarget, labels: Labels, tmp_path: Path
) -> None:
    # Given a console whose QR image is named "Scan me", not with the catalogue's words
    faults.enable_fault("rename_label", **{"from": labels.qr_image, "to": "Scan me"})

    # When the whole procedure runs, with evidence
    result = run_procedure(page, faults, labels, evidence_dir=tmp_path)

    # Then it passes, reading the code from the screen's pixels, says the QR had no such name,
    # and the screenshots of 2.5 and 2.6 have it painted out where zbar found it
    assert result.passed, result.failure
    assert result.notes[QR_NAMED] is False
    for step in (s for s in result.steps if s.id in ("2.5", "2.6")):
        assert "QR code (found by zbar)" in [m["what"] for m in step.masked], step.masked
    assert find_leaks(tmp_path, []) == []  # no picture holds a readable QR code


def test_a_key_printed_in_no_named_group_is_the_one_base32_value_on_screen(
    page: Page, labels: Labels
) -> None:
    # Given a setup screen that prints the key under a sentence of its own, in no group
    screen = (f"<main><h1>{labels.turn_on_page}</h1><p>Can't scan? Type "
              "<code>jbsw y3dp ehpk 3pxp</code> into your app.</p>{more}</main>")
    page.set_content(screen.format(more="<p>Version <code>4.2.1</code></p>"))

    # Then the key is that value, spaces removed (the version number is no key)
    assert SetupPage(page, labels).text_key() == "JBSWY3DPEHPK3PXP"

    # And with two such values on screen, the step fails saying so, quoting neither
    page.set_content(screen.format(more="<p>Old: <kbd>MFRG GZDF MZTW Q2LK</kbd></p>"))
    with pytest.raises(KeyNotShown) as failed:
        SetupPage(page, labels).text_key()
    assert f'no group named "{labels.manual_key}"' in str(failed.value)
    assert "2 Base32 values" in str(failed.value) and "--labels FILE" in str(failed.value)
    assert "JBSW" not in str(failed.value) and "MFRG" not in str(failed.value)
