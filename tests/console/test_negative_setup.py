"""The "Turn on" form (article 2.6) refuses every code but the app's current one.

Each test starts where the article's step 2.5 leaves the user: the QR code is on screen and the
app has scanned it. A refused code leaves 2SV off with the same secret pending; a code outside
the one-step window is a failed attempt; five failed attempts lock code entry for five minutes;
and malformed input (docs/security.md's list of bad inputs) gets a clear message but is not an
attempt at all: nothing changes and nothing is audited. On the mock, the console's own state and
audit events are checked too; the console's clock is moved through its test API, never waited on.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

import pytest
from playwright.sync_api import Dialog, Page, Response, Route, expect
from playwright.sync_api import Error as PlaywrightError

from e2e.authenticator import Authenticator
from e2e.labels import Labels
from e2e.pages import AccountInformationPage, EnabledPage, SetupPage
from e2e.procedure import Context, wrong_code_for
from e2e.runner import advance_to
from e2e.target import Credentials, MockTarget, Target
from tests.support.browser_suite import ConsoleSide

pytestmark = pytest.mark.selftest  # the console regression suite

# What the user must be told, as patterns a real console's wording can also meet.

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
SCRIPT = "<script>alert(1)</script>"
LONG_INPUT_CHARS = 10_000


@pytest.fixture
def scanned(page: Page, console: Target, labels: Labels, account: Credentials) -> Context:
    """The setup page with its QR code, already scanned by the app (article 2.5 done)."""
    return advance_to(page, console, labels, account, through="2.5")


# -- helpers ------------------------------------------------------------------------------------

def turn_on(ctx: Context, code: str) -> Response:
    """Type ``code`` and click "Turn on"; return the console's answer to the form."""
    with ctx.page.expect_response(lambda r: r.request.method == "POST") as posted:
        SetupPage(ctx.page, ctx.labels).turn_on(code)
    return posted.value


def expect_refused(ctx: Context, response: Response, message: re.Pattern[str]) -> str:
    """The console answered without a server error and shows the form again with ``message``."""
    assert response.status < 500, f"the console failed with HTTP {response.status}"
    setup = SetupPage(ctx.page, ctx.labels)
    setup.expect_loaded()
    return setup.expect_alert(message)


def expect_same_secret_pending(ctx: Context) -> None:
    """The page still offers the secret the app scanned: as printed text and in the QR code."""
    scanned_secret = ctx.authenticator.secret()
    setup = SetupPage(ctx.page, ctx.labels)
    assert setup.text_key() == scanned_secret, "the printed key changed after a refused code"
    second_phone = Authenticator(ctx.target)
    assert second_phone.scan(setup.qr_source()).secret == scanned_secret, (
        "the QR code shows a new secret after a refused code: the app the user already set up "
        "would no longer match")


def expect_console_off(mock: MockTarget, username: str) -> dict[str, Any]:
    """On the mock: the console holds 2SV off; return the account's state."""
    state = mock.account_state(username)
    assert state["two_step_enabled"] is False, state
    return state


def code_now(ctx: Context) -> str:
    """The code the app shows now, with most of its 30 s still to run.

    On the mock the clock is put 5 s into a step; a real console is waited on only when the
    current code is about to expire.
    """
    entry = ctx.authenticator.entry()
    if ctx.mock is not None:
        ctx.mock.place_in_step(5)
    elif entry.seconds_left(ctx.target.now()) < 10:
        ctx.target.next_step()
    return entry.code(ctx.target.now())


def code_with_leading_zero(ctx: Context, mock: MockTarget) -> str:
    """Move the console's clock on, a whole step at a time, until the app's code starts with 0."""
    entry = ctx.authenticator.entry()
    mock.place_in_step(5)
    for _ in range(300):  # each step has a 1 in 10 chance; 300 misses would be a broken clock
        code = entry.code(mock.now())
        if code.startswith("0"):
            return code
        mock.advance(entry.period)
    raise AssertionError("no code starting with 0 in 300 time steps")


def code_at_offset(ctx: Context, mock: MockTarget, offset: int) -> str:
    """The app's code for the step ``offset`` steps from the console's, 10 s into a step.

    Steps where that code happens to equal one inside the window (about one in 500,000) are
    skipped, so a refusal can only be about the window.
    """
    entry = ctx.authenticator.entry()
    mock.place_in_step(10)
    for _ in range(10):
        step = entry.step(mock.now())
        code = entry.code_for_step(step + offset)
        inside = {entry.code_for_step(s) for s in range(step - 1, step + 2) if s != step + offset}
        if code not in inside:
            return code
        mock.advance(entry.period)
    raise AssertionError("codes kept colliding with the window's; the TOTP code is broken")


@contextmanager
def form_sends(page: Page, typed: str, sent: str) -> Iterator[list[str]]:
    """Let the form send ``sent`` in the field that holds ``typed``.

    For text a one-line field cannot hold: browsers turn a newline typed or pasted there into a
    space, so the console's handling of a real newline is only reached by rewriting the request
    the browser makes (same session, same CSRF token, same form). Yields the list of bodies
    sent in place of the browser's, to prove the swap happened.
    """
    swapped: list[str] = []

    def swap(route: Route) -> None:
        request = route.request
        body = request.post_data or ""
        if request.method == "POST" and "json" in request.headers.get("content-type", ""):
            # A single-page app posts the form's fields as a JSON object
            fields = json.loads(body or "null")
            if isinstance(fields, dict) and typed in fields.values():
                body = json.dumps({k: sent if v == typed else v for k, v in fields.items()})
                swapped.append(body)
                route.continue_(post_data=body)
                return
        pairs = parse_qsl(body, keep_blank_values=True)
        if request.method == "POST" and any(value == typed for _, value in pairs):
            body = urlencode([(k, sent if v == typed else v) for k, v in pairs])
            swapped.append(body)
            route.continue_(post_data=body)
        else:
            route.fallback()

    page.route("**/*", swap)
    try:
        yield swapped
    finally:
        page.unroute("**/*", swap)


# -- a wrong code --------------------------------------------------------------------------------

@pytest.mark.rule("pending")
def test_wrong_code_is_refused_and_leaves_two_step_off_with_the_same_secret(
    scanned: Context, page: Page, labels: Labels,
    console_side: ConsoleSide,
) -> None:
    # Given the app has scanned the QR code
    events_before = scanned.mock.event_types(scanned.account.username) if scanned.mock else []

    # When a well-formed code that is not the app's is entered
    response = turn_on(scanned, wrong_code_for(scanned))

    # Then it is refused with a clear message, the form is shown again with the same secret
    expect_refused(scanned, response, labels.error("wrong_code"))
    expect_same_secret_pending(scanned)
    # and the console counted a failed attempt but kept 2SV off
    if (mock := console_side("the stored state and audit event after the wrong code")) is not None:
        expect_console_off(mock, scanned.account.username)
        types = mock.event_types(scanned.account.username)
        assert types == [*events_before, "code_rejected"], types
    # and Account Information still says 2SV is off
    account_page = AccountInformationPage(page, labels)
    account_page.open_account_setting()
    account_page.expect_loaded()
    account_page.expect_two_step(on=False)


# -- the one-step window (RFC 6238 §5.2) ---------------------------------------------------------

@pytest.mark.own_console
@pytest.mark.rule("window")
@pytest.mark.needs_test_api
@pytest.mark.parametrize("offset", [-2, +2], ids=["two-steps-ago", "two-steps-ahead"])
def test_code_two_steps_from_the_console_time_is_refused(
    scanned: Context, mock: MockTarget, offset: int
) -> None:
    # Given the console's clock 10 s into a step T
    code = code_at_offset(scanned, mock, offset)

    # When the app's code for T-2 (a minute old) or T+2 (a minute early) is entered
    response = turn_on(scanned, code)

    # Then it is refused as a wrong code: a failed attempt, 2SV still off
    expect_refused(scanned, response, scanned.labels.error("wrong_code"))
    expect_console_off(mock, scanned.account.username)
    assert mock.event_types(scanned.account.username)[-1] == "code_rejected"


@pytest.mark.own_console
@pytest.mark.rule("window")
@pytest.mark.needs_test_api
@pytest.mark.parametrize("offset", [-1, +1], ids=["one-step-ago", "one-step-ahead"])
def test_code_one_step_from_the_console_time_turns_two_step_on(
    scanned: Context, mock: MockTarget, offset: int
) -> None:
    # Given the console's clock 10 s into a step T
    code = code_at_offset(scanned, mock, offset)

    # When the app's code for T-1 (a phone slightly behind) or T+1 (slightly ahead) is entered
    SetupPage(scanned.page, scanned.labels).turn_on(code)

    # Then 2SV is turned on
    EnabledPage(scanned.page, scanned.labels).expect_loaded()
    state = mock.account_state(scanned.account.username)
    assert state["two_step_enabled"] is True, state
    assert "two_step_enabled" in mock.event_types(scanned.account.username)


@pytest.mark.rule("input")
def test_code_with_a_space_in_the_middle_turns_two_step_on(
    scanned: Context, console_side: ConsoleSide
) -> None:
    # Given the app shows its code in two groups, as "081 804"
    code = scanned.authenticator.code()

    # When it is typed as shown
    SetupPage(scanned.page, scanned.labels).turn_on(f"{code[:3]} {code[3:]}")

    # Then 2SV is turned on
    EnabledPage(scanned.page, scanned.labels).expect_loaded()
    if (mock := console_side("the console's stored state after the spaced code")) is not None:
        assert mock.account_state(scanned.account.username)["two_step_enabled"] is True


# -- throttling (NIST SP 800-63B §5.2.2) -----------------------------------------------------------

@pytest.mark.own_console
@pytest.mark.rule("throttling")
@pytest.mark.needs_test_api
def test_five_wrong_codes_lock_code_entry_for_five_minutes(
    scanned: Context, mock: MockTarget
) -> None:
    username = scanned.account.username
    setup = SetupPage(scanned.page, scanned.labels)
    wrong = wrong_code_for(scanned)

    # Given four wrong codes, each refused as wrong but not yet locked
    for _ in range(4):
        expect_refused(scanned, turn_on(scanned, wrong), scanned.labels.error("wrong_code"))
        expect(setup.alert).not_to_contain_text(scanned.labels.error("locked"))
    assert mock.account_state(username)["locked_until"] is None

    # When a fifth wrong code is entered
    response = turn_on(scanned, wrong)

    # Then code entry is locked, and the user is told so
    expect_refused(scanned, response, scanned.labels.error("locked"))
    state = expect_console_off(mock, username)
    assert state["locked_until"] is not None and state["locked_until"] > mock.now(), state
    types = mock.event_types(username)
    assert types.count("code_rejected") == 5 and types[-1] == "locked", types

    # And while locked, even the app's valid code is refused with the lock message
    expect_refused(scanned, turn_on(scanned, scanned.authenticator.code()),
                   scanned.labels.error("locked"))
    expect_console_off(mock, username)
    assert "two_step_enabled" not in mock.event_types(username)

    # And once the five minutes have passed, the app's current code turns 2SV on
    mock.advance(301)
    setup.turn_on(scanned.authenticator.code())
    EnabledPage(scanned.page, scanned.labels).expect_loaded()
    state = mock.account_state(username)
    assert state["two_step_enabled"] is True and state["locked_until"] is None, state


# -- malformed input is refused, and is not an attempt ---------------------------------------------

@dataclass(frozen=True)
class BadInput:
    """A malformed entry, built from the app's current code where it imitates one."""

    build: Callable[[str], str]
    leading_zero: bool = False  # needs a current code that starts with 0 (moves the clock)
    newline: bool = False  # holds a newline, which a one-line field cannot


BAD_INPUTS: list[tuple[str, BadInput]] = [
    ("empty", BadInput(lambda code: "")),
    ("spaces-only", BadInput(lambda code: "      ")),
    ("five-digits-leading-zero-dropped", BadInput(lambda code: code[1:], leading_zero=True)),
    ("seven-digits", BadInput(lambda code: code + code[-1])),
    ("hyphen-inside", BadInput(lambda code: f"{code[:3]}-{code[3:]}")),
    ("tab-inside", BadInput(lambda code: f"{code[:3]}\t{code[3:]}")),
    ("newline-inside", BadInput(lambda code: f"{code[:3]}\n{code[3:]}", newline=True)),
    ("full-width-digits", BadInput(lambda code: code.translate(FULL_WIDTH))),
    ("arabic-indic-digits", BadInput(lambda code: code.translate(ARABIC_INDIC))),
    ("superscript-digits", BadInput(lambda code: code.translate(SUPERSCRIPT))),
    ("plus-sign", BadInput(lambda code: f"+{code}")),
    ("decimal-point", BadInput(lambda code: f"{int(code)}.0")),
    ("exponent", BadInput(lambda code: "1e5")),
    ("letters", BadInput(lambda code: "abcdef")),
    ("sql-injection", BadInput(lambda code: "' OR 1=1--")),
    ("script-tag", BadInput(lambda code: SCRIPT)),
    ("ten-thousand-characters",
     BadInput(lambda code: (code * LONG_INPUT_CHARS)[:LONG_INPUT_CHARS])),
]


@pytest.mark.own_console
@pytest.mark.rule("input")
def test_each_malformed_code_gets_a_clear_message_and_changes_nothing(
    scanned: Context, page: Page, console_side: ConsoleSide
) -> None:
    # Given the setup page, and each bad input of docs/security.md in turn (one account for
    # all: malformed input changes nothing, so each entry starts from the same state)
    setup_url, problems = page.url, []
    console_side("the stored state and audit trail after each bad input, and a code starting "
                 "with 0 (needs the clock moved)")
    for name, bad in BAD_INPUTS:
        if bad.leading_zero and scanned.mock is None:
            continue  # needs the console's clock moved to a code starting with 0: mock only
        page.goto(setup_url)
        try:
            check_malformed_code(scanned, page, bad)
        except AssertionError as error:
            problems.append(f"{name}: {str(error).splitlines()[0]}")
        except PlaywrightError as error:  # the setup page is gone: the input changed something
            problems.append(f"{name}: {str(error).splitlines()[0]} (page now {page.url})")
            break
    # Then every one was refused clearly, changing nothing
    assert not problems, "malformed codes not handled as they must be:\n" + "\n".join(problems)


def check_malformed_code(scanned: Context, page: Page, bad: BadInput) -> None:
    """Enter one malformed code; it must be refused with a clear message, changing nothing."""
    # Given the app's current code, from which the malformed entry is made
    mock, username = scanned.mock, scanned.account.username
    if bad.leading_zero:
        assert mock is not None, "a code starting with 0 needs the mock's clock moved"
        code = code_with_leading_zero(scanned, mock)
    else:
        code = code_now(scanned)
    entry = bad.build(code)
    events_before = mock.events(username) if mock else []
    dialogs: list[str] = []

    def record_dialog(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", record_dialog)
    try:
        enter_and_expect_nothing_changed(scanned, page, bad, entry, events_before, dialogs)
    finally:
        page.remove_listener("dialog", record_dialog)


def enter_and_expect_nothing_changed(scanned: Context, page: Page, bad: BadInput, entry: str,
                                     events_before: list[dict[str, Any]],
                                     dialogs: list[str]) -> None:
    """Send one malformed entry; check the refusal and that nothing changed."""
    mock, username = scanned.mock, scanned.account.username

    # When it is entered in the code field and "Turn on" clicked
    if bad.newline:
        with form_sends(page, typed="newline-goes-here", sent=entry) as swapped:
            response = turn_on(scanned, "newline-goes-here")
        assert len(swapped) == 1 and ("%0A" in swapped[0] or "\\n" in swapped[0]), swapped
    else:
        response = turn_on(scanned, entry)

    # Then the form is shown again with a message saying what a code looks like (never a 500)
    expect_refused(scanned, response, scanned.labels.error("six_digits"))
    # and nothing ran in the page: no dialog, no script made of the input
    expect(page.locator("script", has_text="alert(1)")).to_have_count(0)
    assert dialogs == [], f"the input ran as script: dialogs {dialogs}"
    # and the same secret is still pending
    assert SetupPage(page, scanned.labels).text_key() == scanned.authenticator.secret()
    # and on the console nothing changed: 2SV off, not locked, no failed attempt, no event
    if mock is not None:
        state = expect_console_off(mock, username)
        assert state["locked_until"] is None, state
        assert mock.events(username) == events_before, "malformed input was audited as an attempt"


@pytest.mark.rule("input")
@pytest.mark.needs_test_api
def test_malformed_input_does_not_count_towards_the_lock(
    scanned: Context, mock: MockTarget
) -> None:
    # Given four wrong codes: one more failed attempt would lock code entry
    wrong = wrong_code_for(scanned)
    for _ in range(4):
        expect_refused(scanned, turn_on(scanned, wrong), scanned.labels.error("wrong_code"))

    # When malformed entries are sent, more than enough to lock if they counted
    for entry in ("", "12345", "abcdef", "1e5", "1234567"):
        expect_refused(scanned, turn_on(scanned, entry), scanned.labels.error("six_digits"))

    # Then code entry is not locked: the app's code still turns 2SV on
    assert mock.account_state(scanned.account.username)["locked_until"] is None
    SetupPage(scanned.page, scanned.labels).turn_on(scanned.authenticator.code())
    EnabledPage(scanned.page, scanned.labels).expect_loaded()
    assert "locked" not in mock.event_types(scanned.account.username)
