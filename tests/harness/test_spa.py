"""The same harness, unchanged, on the mock served as a single-page app (``--ui spa``).

A private mock runs the SPA with a little API latency, so every screen renders after a fetch
behind a spinner; the article's procedure must pass in English and Japanese with the page
objects the server-rendered pages use, and the SPA must behave like one (deep links, the back
button, a modal confirmation, the QR code on a canvas named by the catalogue).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, Route, expect

from e2e.labels import load_labels
from e2e.pages import ConsolePage, SecuritySettingsPage, SignInPage, TurnOnPage
from e2e.procedure import step_ids
from e2e.runner import PASSED, advance_to, run_procedure
from e2e.target import MockTarget

LATENCY_MS = "150"


@pytest.fixture(scope="module")
def spa() -> Iterator[MockTarget]:
    """A mock of our own serving the single-page app, each API answer held back a little."""
    with MockTarget.start(extra_args=["--ui", "spa", "--latency-ms", LATENCY_MS]) as mock:
        yield mock


@pytest.mark.parametrize("lang", [
    pytest.param("en", marks=pytest.mark.browser_context_args(locale="en-US")),
    pytest.param("ja", marks=pytest.mark.browser_context_args(locale="ja-JP")),
])
def test_whole_procedure_passes_on_the_spa(
    page: Page, spa: MockTarget, lang: str, tmp_path: Path
) -> None:
    # Given a browser that prefers the language, and a fresh account on the SPA
    labels = load_labels(lang)

    # When the harness follows every step with that language's labels
    result = run_procedure(page, spa, labels, account=spa.new_account(), evidence_dir=tmp_path)

    # Then every step passed, every label the step names seen on its screen
    assert [s.id for s in result.steps] == step_ids()
    failures = [s.error for s in result.steps if s.status != PASSED]
    assert not failures, failures
    for step in result.steps:
        assert all(step.labels.values()), f"step {step.id}: labels not seen: {step.labels}"
    assert result.lang == lang
    assert spa.account_state(result.account)["two_step_enabled"] is False


def test_deep_links_the_back_button_and_the_spinner(page: Page, spa: MockTarget) -> None:
    labels = load_labels("en")
    account = spa.new_account()
    # Given a signed-in user on the SPA
    signin = SignInPage(page, labels)
    signin.open(spa.base_url)
    signin.expect_loaded()
    signin.sign_in(account.username, account.password)
    signin.expect_signed_in_as(account.username)

    # When a deep link is opened while the API's answers are held back
    held: list[Route] = []
    page.route("**/api/**", lambda route: held.append(route))
    page.goto(spa.url("/account/security"))
    # Then the spinner shows while the answer is on its way, and goes once the screen is there
    spinner = page.get_by_role("progressbar")
    expect(spinner).to_be_visible()
    page.unroute("**/api/**")
    for route in held:
        route.continue_()
    security = SecuritySettingsPage(page, labels)
    security.expect_loaded()
    expect(spinner).to_be_hidden()

    # When "Change" is clicked and then the back button, Then each screen comes back
    security.change_two_step()
    TurnOnPage(page, labels).expect_loaded()
    assert page.url == spa.url("/account/security/2sv")
    page.go_back()
    security.expect_loaded()
    page.go_forward()
    TurnOnPage(page, labels).expect_loaded()


def test_the_qr_code_is_a_canvas_named_by_the_catalogue(page: Page, spa: MockTarget) -> None:
    labels = load_labels("en")
    account = spa.new_account()
    signin = SignInPage(page, labels)
    signin.open(spa.base_url)
    signin.sign_in(account.username, account.password)
    signin.expect_signed_in_as(account.username)
    page.goto(spa.url("/account/security/2sv"))
    TurnOnPage(page, labels).set_up()
    qr = page.get_by_role("img", name=labels.qr_image, exact=True)
    expect(qr).to_be_visible()
    assert qr.evaluate("el => el.tagName") == "CANVAS"


def test_turning_off_is_confirmed_in_a_modal_dialog(page: Page, spa: MockTarget) -> None:
    labels = load_labels("en")
    # Given 2SV on, and "Turn off" clicked on the status screen (article 3.3)
    advance_to(page, spa, labels, spa.new_account(), through="3.3")

    # Then the confirmation is a modal dialog named by its title, the screen behind it inert
    dialog = page.get_by_role("dialog", name=labels.turn_off_page, exact=True)
    expect(dialog).to_be_visible()
    expect(dialog).to_have_attribute("aria-modal", "true")
    expect(page.get_by_role("banner")).to_have_count(0)  # hidden from assistive technology
    expect(dialog.get_by_role("button", name=labels.turn_off_confirm_button)).to_be_focused()


def test_a_message_is_a_toast_that_goes_away(page: Page, spa: MockTarget) -> None:
    labels = load_labels("en")
    account = spa.new_account()
    page.clock.install()  # the page's own timers, moved on below instead of waited for
    # Given a wrong password at sign-in
    signin = SignInPage(page, labels)
    signin.open(spa.base_url)
    signin.sign_in(account.username, "not-the-password")

    # Then the error shows as a toast (an alert, as the catalogue says errors are shown)
    toast = ConsolePage(page, labels).alert
    expect(toast).to_be_visible()
    # and once its time is up (8 s of the page's clock), it is gone
    page.clock.run_for(8_000)
    expect(toast).to_be_hidden()
