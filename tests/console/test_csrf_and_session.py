"""CSRF tokens and sessions (rotation, sign-out, the half-finished sign-in's lifetime), tested
from the browser as an attacker's page would try.

The harness knows no URL of the console: it clicks the button and holds back the request the
page sends (a form post, or a single-page app's JSON call with the token in a header), then
replays it without its token (or with a forged one) on the user's session.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qsl

import pytest
from playwright.sync_api import APIResponse, BrowserContext, Locator, Page, Route, expect

from e2e.authenticator import Authenticator
from e2e.checks.rules import broken
from e2e.labels import Labels
from e2e.pages import AccountInformationPage, CodeChallengePage, HomePage, SignInPage
from e2e.pages.turn_off import TurnOffPage
from e2e.procedure import Context, sign_in
from e2e.target import Credentials, MockTarget, Target
from tests.support.browser_suite import ConsoleSide
from tests.support.preconditions import reach

pytestmark = pytest.mark.selftest  # the console regression suite


@dataclass(frozen=True)
class Submission:
    """What a click sent: its URL, body and content type, and where its CSRF token travelled."""

    url: str
    body: str
    content_type: str
    token_headers: dict[str, str]
    token_fields: dict[str, str]


def is_token(name: str) -> bool:
    """Whether a field or header name is a CSRF token's."""
    return "csrf" in name.lower() or "token" in name.lower()


def held_submission(page: Page, button: Locator) -> Submission:
    """Click ``button`` and hold back the request it sends (answered 204: nothing happens)."""
    def hold(route: Route) -> None:
        if route.request.method == "GET":
            route.fallback()
        else:
            route.fulfill(status=204)

    page.route("**/*", hold)
    try:
        # wait for the held answer, not the request: unrouting earlier would let it through
        with page.expect_response(lambda r: r.request.method != "GET") as answered:
            button.click()
    finally:
        page.unroute("**/*", hold)
    request = answered.value.request
    content_type = request.headers.get("content-type", "")
    body = request.post_data or ""
    fields = dict(parse_qsl(body, keep_blank_values=True)) if "urlencoded" in content_type else {}
    return Submission(request.url, body, content_type,
                      {k: v for k, v in request.headers.items() if is_token(k)},
                      {k: v for k, v in fields.items() if is_token(k)})


def replay_without_token(page: Page, sent: Submission, forged: bool) -> APIResponse:
    """Send ``sent`` again on the user's session, its token left out or forged."""
    def forge(value: str) -> str:
        return "forged-" + value[::-1]

    headers = {"Content-Type": sent.content_type}
    if forged:
        headers.update({k: forge(v) for k, v in sent.token_headers.items()})
    if sent.token_fields or not sent.token_headers:
        fields = dict(parse_qsl(sent.body, keep_blank_values=True))
        for name, value in sent.token_fields.items():
            del fields[name]
            if forged:
                fields[name] = forge(value)
        return page.request.post(sent.url, form=fields, max_redirects=0)
    return page.request.post(sent.url, data=sent.body, headers=headers, max_redirects=0)


@pytest.mark.rule("csrf")
@pytest.mark.parametrize("token", ["missing", "forged"])
def test_turn_off_without_a_valid_csrf_token_is_refused_and_changes_nothing(
    page: Page, target: Target, labels: Labels, account: Credentials, token: str,
    console_side: ConsoleSide,
) -> None:
    # Given 2SV is on and the 'Turn off 2-Step Verification' page is open (article 3.3 done)
    reach(page, target, labels, account, through="3.3")
    turn_off = TurnOffPage(page, labels)
    opened_at = page.url
    sent = held_submission(page, turn_off.turn_off_button)
    assert sent.token_fields or sent.token_headers, (
        f"Turn off sends no CSRF token (a form field or a header): {sent.content_type} to "
        f"{sent.url}")

    # When the request is replayed on the user's session without its token, or with a forged one
    response = replay_without_token(page, sent, forged=token == "forged")
    action = sent.url

    # Then the console refuses it (4xx) and 2SV is still on
    assert 400 <= response.status < 500, f"POST {action} answered {response.status}"
    page.goto(opened_at)
    TurnOffPage(page, labels).expect_loaded()
    TurnOffPage(page, labels).cancel()  # (on a modal confirmation, the menu is behind it)
    HomePage(page, labels).open_account_setting()
    AccountInformationPage(page, labels).expect_two_step(on=True)
    if (mock := console_side("the stored state and audit trail after the refusal")) is not None:
        assert mock.account_state(account.username)["two_step_enabled"] is True
        assert "two_step_disabled" not in mock.event_types(account.username)


@pytest.mark.rule("session")
def test_session_cookie_is_replaced_at_sign_in_and_is_httponly_and_lax(
    page: Page, target: Target, labels: Labels, account: Credentials
) -> None:
    # Given the sign-in page, with whatever session cookie the console set for a visitor
    page.goto(target.base_url)
    expect(page.get_by_label(labels.username, exact=True)).to_be_visible()
    before = {(c["name"], c["value"]) for c in page.context.cookies()}

    # When the user signs in
    page.get_by_label(labels.username, exact=True).fill(account.username)
    page.get_by_label(labels.password, exact=True).fill(account.password)
    page.get_by_role("button", name=labels.signin_button, exact=True).click()
    HomePage(page, labels).expect_loaded(account.username)

    # Then no cookie value from before sign-in survives, and session cookies are HttpOnly, Lax
    after = page.context.cookies()
    assert after, "the console set no cookie at sign-in"
    assert not before & {(c["name"], c["value"]) for c in after}, "a pre-sign-in cookie survived"
    for cookie in after:
        assert cookie["httpOnly"], f"cookie {cookie['name']} is readable by scripts"
        assert cookie["sameSite"] in ("Lax", "Strict"), f"cookie {cookie['name']}: {cookie}"


@pytest.mark.rule("session")
def test_signing_out_ends_the_session_for_every_copy_of_its_cookie(
    page: Page, target: Target, labels: Labels, account: Credentials,
    new_context: Callable[..., BrowserContext],
) -> None:
    # Given a signed-in session whose cookies someone copied
    sign_in(Context(page=page, target=target, labels=labels, account=account,
                    authenticator=Authenticator(target)))
    HomePage(page, labels).expect_loaded(account.username)
    copied = page.context.cookies()

    # When the user signs out, and the copied cookies are replayed in another browser
    HomePage(page, labels).sign_out()
    other = new_context()
    other.add_cookies(copied)
    thief = other.new_page()
    thief.goto(target.base_url)

    # Then the copy is signed out too: the console shows its sign-in form
    expect(thief.get_by_label(labels.password, exact=True)).to_be_visible()
    banner = thief.get_by_role("banner")
    expect(banner.get_by_role("button", name=account.username)).to_have_count(0)


PENDING_SIGN_IN_SECONDS = 300  # docs/security.md: a half-finished sign-in lasts 5 minutes


@pytest.mark.own_console
@pytest.mark.rule("session")
@pytest.mark.needs_test_api
def test_a_half_finished_sign_in_expires_and_asks_for_the_password_again(
    challenged: Context, page: Page, mock: MockTarget, labels: Labels, account: Credentials
) -> None:
    # Given 2SV is on, and the user signed in again with the password: a code is asked
    ctx, challenge = challenged, CodeChallengePage(page, labels)
    signed_in_before = mock.event_types(account.username).count("signed_in")

    # When the app's valid code is entered only after the half-finished sign-in's lifetime
    mock.advance(PENDING_SIGN_IN_SECONDS + 1)
    challenge.enter_code(ctx.authenticator.code())

    # Then the console does not sign in on a password typed that long ago: it asks for it again
    signin = SignInPage(page, labels)
    try:
        signin.expect_loaded()
    except AssertionError:
        raise AssertionError(broken(
            "session", f"a code entered {PENDING_SIGN_IN_SECONDS + 1} s after the password "
            "finished the sign-in: the half-finished sign-in never expired")) from None
    assert mock.event_types(account.username).count("signed_in") == signed_in_before
