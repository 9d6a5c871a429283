"""``SignInPage.asks_to_sign_in``: which of the two screens a session can lead to is shown, decided
as soon as one appears, so ending a session that is already over costs no timeout (a run's
cleanup and its second-session probe used to wait 5 s on the mock, 30 s on a real console)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from e2e.labels import Labels
from e2e.pages import SignInPage

USER = "admin-0123456789@example.com"
QUICK_MS = 300  # these pages are static: what is not there now never comes


def sign_in_form(labels: Labels) -> str:
    return (f"<main><h1>{labels.signin_heading}</h1><form>"
            f"<label>{labels.username}<input name=u></label>"
            f"<label>{labels.password}<input name=p type=password></label></form></main>")


def signed_in(button: str) -> str:
    return (f"<header><nav><button aria-expanded=false>{button}</button></nav></header>"
            "<main>x</main>")


def test_the_sign_in_form_means_the_console_asks_to_sign_in(page: Page, labels: Labels) -> None:
    page.set_content(sign_in_form(labels))
    assert SignInPage(page, labels).asks_to_sign_in(USER, timeout=QUICK_MS) is True


@pytest.mark.parametrize("button", [USER, "Menu"], ids=["desktop", "phone"])
def test_a_signed_in_header_means_the_session_is_still_open(
    page: Page, labels: Labels, button: str
) -> None:
    page.set_content(signed_in(labels.menu_button if button == "Menu" else button))
    assert SignInPage(page, labels).asks_to_sign_in(USER, timeout=QUICK_MS) is False


def test_a_screen_that_comes_late_is_waited_for(page: Page, labels: Labels) -> None:
    # Given a page that shows the sign-in form only after a fetch (a single-page app)
    page.set_content("<main id=app>Loading…</main><script>setTimeout(() => "
                     f"document.body.innerHTML = {sign_in_form(labels)!r}, 200)</script>")
    # Then the answer waits for it instead of judging the spinner
    assert SignInPage(page, labels).asks_to_sign_in(USER, timeout=5_000) is True


def test_neither_screen_is_an_assertion_error(page: Page, labels: Labels) -> None:
    page.set_content("<main><h1>Something went wrong</h1></main>")
    with pytest.raises(AssertionError):
        SignInPage(page, labels).asks_to_sign_in(USER, timeout=QUICK_MS)
