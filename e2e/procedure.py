"""The help article's numbered steps as data: what each says, names, does, and proves.

Each step has three parts run in order: ``show`` brings up the screen the article's sentence is
about (the labels it quotes must be visible there; evidence is taken there), ``act`` does what the
sentence says, and ``check`` proves the outcome, beyond messages where it can (sign out and in,
the console's state and audit events on the mock). The CLI, the tests and the doc check all run
this one table, so they can never disagree.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from playwright.sync_api import Page

from e2e.authenticator import Authenticator
from e2e.checks.rules import broken
from e2e.checks.secret_lint import secret_problems
from e2e.errors import HarnessError
from e2e.labels import Labels
from e2e.otpauth import OtpAuthError, lint_otpauth, parse_otpauth
from e2e.pages import (
    AccountInformationPage,
    CodeChallengePage,
    DisabledPage,
    EnabledPage,
    HomePage,
    SecuritySettingsPage,
    SetupPage,
    SignInPage,
    TurnOffPage,
    TurnOnPage,
    TwoStepStatusPage,
)
from e2e.target import Credentials, MockTarget, Target

RECOVERY_CODE_MIN_CHARS = 13  # 64 bits of Base32 need 13 characters


# ctx.notes keys the steps set for e2e.cleanup: whether "Turn on" was clicked and "turned off"
# confirmed, and the pages to come back to.
TURN_ON_CLICKED, TURNED_OFF = "turn_on_clicked", "turned_off"
QR_NAMED = "qr_named"  # ctx.notes key: whether the QR code had a name a screen reader reads
NOT_CHECKED = "not_checked"  # ctx.notes key: what this console gave no way to check
TURN_OFF_STEPS = ("3.3", "3.4")  # the clicks on "Turn off": where a console may ask to re-auth
SECURITY_URL, ACCOUNT_URL = "security_url", "account_url"
# Set by the runner: the step at which something expected never showed on screen (a renamed
# label, a missing control), after the console's whole wait.
FOUND_NOTHING = "found_nothing"


class StepFailed(HarnessError, AssertionError):
    """A step's outcome was not what the article promises; the message says what was seen."""


@dataclass
class SubStep:
    """A screen the console put in the middle of a step that the article never mentions (a
    re-authentication prompt), as the harness met and answered it; reported under its step."""

    kind: str  # what it was: "reauth"
    text: str  # what the harness did, in a short sentence (never the answer itself)
    status: str = "passed"
    seconds: float = 0.0
    url: str = ""
    error: str | None = None
    id: str = ""  # the step's id and a letter ("2.4a"), given by the runner


@dataclass
class Context:
    """Everything the steps share while one account goes through the article."""

    page: Page
    target: Target
    labels: Labels
    account: Credentials
    authenticator: Authenticator
    seen: dict[str, bool] = field(default_factory=dict)
    notes: dict[str, Any] = field(default_factory=dict)
    observe: Callable[[], None] = lambda: None  # set by the runner: record visible labels now
    substeps: list[SubStep] = field(default_factory=list)  # met so far, in order (e2e.reauth)

    @property
    def mock(self) -> MockTarget | None:
        """The target as a mock with a test API, or None on a real console."""
        return self.target if isinstance(self.target, MockTarget) else None


Action = Callable[[Context], None]


@dataclass(frozen=True)
class Step:
    """One numbered step of the article."""

    id: str
    section: str
    text: str
    labels: tuple[str, ...]
    show: Action
    act: Action
    check: Action
    focus: Callable[[Context], Any] | None = None  # the element the step acts on, for evidence


# -- helpers the steps share -------------------------------------------------------------------

def known_secrets(ctx: Context) -> list[str]:
    """What this run learnt that must never be published: the key, the secret, the Recovery Code."""
    found = [ctx.notes.get("text_key"), ctx.notes.get("recovery_code")]
    if ctx.notes.get("otpauth_uri"):
        with contextlib.suppress(OtpAuthError):
            found.append(parse_otpauth(ctx.notes["otpauth_uri"]).secret)
    return [value for value in found if value]


def sign_in(ctx: Context) -> None:
    """Open the console's URL and sign in with the account's password."""
    signin = SignInPage(ctx.page, ctx.labels)
    signin.open(ctx.target.base_url)
    signin.expect_loaded()
    signin.sign_in(ctx.account.username, ctx.account.password)


def expect_home(ctx: Context) -> None:
    HomePage(ctx.page, ctx.labels).expect_loaded(ctx.account.username)


def sign_out(ctx: Context) -> None:
    """Sign out through the user menu and land on the sign-in page."""
    HomePage(ctx.page, ctx.labels).sign_out(ctx.account.username)
    SignInPage(ctx.page, ctx.labels).expect_loaded()


def wrong_code_for(ctx: Context) -> str:
    """Return a well-formed code that is not valid anywhere near the console's time."""
    entry = ctx.authenticator.entry()
    far = entry.step(ctx.target.now()) + 1000
    valid = {entry.code_for_step(s) for s in range(far - 1002, far - 997)}
    candidate = entry.code_for_step(far)
    return candidate if candidate not in valid else f"{(int(candidate) + 1) % 10**6:06d}"


def expect_account_status(ctx: Context, *, on: bool) -> None:
    """Account Information shows the new status at once, before signing in again."""
    HomePage(ctx.page, ctx.labels).open_account_setting(ctx.account.username)
    account = AccountInformationPage(ctx.page, ctx.labels)
    account.expect_loaded()
    try:
        account.expect_two_step(on=on)
    except AssertionError as error:
        raise StepFailed(f"Account Information does not show 2-Step Verification as "
                         f"{'on' if on else 'off'} right after the change") from error


def require(condition: bool, message: str) -> None:
    """Fail the step with ``message`` unless ``condition`` holds."""
    if not condition:
        raise StepFailed(message)


def not_checked(ctx: Context, what: str) -> None:
    """Say that ``what`` could not be checked on this console (no test API), rather than let
    the check vanish: the run's report and terminal list it (``notes["not_checked"]``)."""
    missed: list[str] = ctx.notes.setdefault(NOT_CHECKED, [])
    if what not in missed:
        missed.append(what)


def expect_console_state(ctx: Context, *, on: bool, recovery_left: int, event: str) -> None:
    """On the mock, the account's stored state and audit trail agree with the screens."""
    if ctx.mock is None:
        not_checked(ctx, "the console's stored state (2SV on or off, Recovery Codes left) and its "
                         "audit events agree with the screens: no test API on this console")
        return
    state = ctx.mock.account_state(ctx.account.username)
    require(state["two_step_enabled"] is on,
            f"the console's stored state says 2SV is {'on' if state['two_step_enabled'] else 'off'}"
            f", but the screens said it is {'on' if on else 'off'}")
    require(state["recovery_codes_left"] == recovery_left,
            f"the console holds {state['recovery_codes_left']} unused Recovery Codes, "
            f"expected {recovery_left}")
    types = ctx.mock.event_types(ctx.account.username)
    require(event in types, f"no '{event}' audit event was recorded (events: {types})")


# -- 1. Accessing the Admin Console --------------------------------------------------------------

def show_1_1(ctx: Context) -> None:
    signin = SignInPage(ctx.page, ctx.labels)
    signin.open(ctx.target.base_url)
    signin.expect_loaded()


def act_1_1(ctx: Context) -> None:
    SignInPage(ctx.page, ctx.labels).sign_in(ctx.account.username, ctx.account.password)


# -- 2. Enabling 2 Step Verification -------------------------------------------------------------

def show_2_1(ctx: Context) -> None:
    home = HomePage(ctx.page, ctx.labels)
    home.expect_loaded(ctx.account.username)
    home.open_user_menu(ctx.account.username)


def act_2_1(ctx: Context) -> None:
    ctx.page.get_by_role("link", name=ctx.labels.account_setting, exact=True).click()


def check_2_1(ctx: Context) -> None:
    account = AccountInformationPage(ctx.page, ctx.labels)
    account.expect_loaded()
    ctx.notes.setdefault(ACCOUNT_URL, ctx.page.url)
    account.expect_two_step(on=False)


def show_2_2(ctx: Context) -> None:
    AccountInformationPage(ctx.page, ctx.labels).expect_two_step(on=False)


def act_2_2(ctx: Context) -> None:
    AccountInformationPage(ctx.page, ctx.labels).set_up_two_step()


def show_security(ctx: Context) -> None:
    SecuritySettingsPage(ctx.page, ctx.labels).expect_loaded()
    ctx.notes.setdefault(SECURITY_URL, ctx.page.url)


def act_change(ctx: Context) -> None:
    SecuritySettingsPage(ctx.page, ctx.labels).change_two_step()


def check_2_3(ctx: Context) -> None:
    TurnOnPage(ctx.page, ctx.labels).expect_loaded()


def act_2_4(ctx: Context) -> None:
    TurnOnPage(ctx.page, ctx.labels).set_up()


def show_setup(ctx: Context) -> None:
    SetupPage(ctx.page, ctx.labels).expect_loaded()


def act_2_5(ctx: Context) -> None:
    setup = SetupPage(ctx.page, ctx.labels)
    ctx.notes[QR_NAMED] = setup.qr_named()
    entry = ctx.authenticator.scan(setup.qr_source(), evidence_dir=ctx.notes.get("evidence_dir"))
    ctx.notes["otpauth_uri"] = entry.uri
    ctx.notes["text_key"] = setup.text_key()


def check_2_5(ctx: Context) -> None:
    """The QR code is a sound Key URI for this account, and the printed key is the same secret."""
    entry = parse_otpauth(ctx.notes["otpauth_uri"])
    warnings = lint_otpauth(ctx.notes["otpauth_uri"])
    ctx.notes["otpauth_warnings"] = warnings
    require(entry.account == ctx.account.username,
            f"the QR code is for account {entry.account!r}, not the signed-in "
            f"{ctx.account.username!r}")
    problems = secret_problems(entry.secret_bytes, entry.account)
    require(not problems, broken("secret", "; ".join(problems)))
    require(ctx.notes["text_key"] == entry.secret,
            "the key printed for apps that cannot scan differs from the secret in the QR code: "
            "users who type it get codes the console refuses")


def act_2_6(ctx: Context) -> None:
    code = ctx.authenticator.code()
    ctx.notes[TURN_ON_CLICKED] = True  # from here on, 2SV may be on: cleanup must look
    SetupPage(ctx.page, ctx.labels).turn_on(code)


def check_2_6(ctx: Context) -> None:
    EnabledPage(ctx.page, ctx.labels).expect_loaded()


def act_2_7(ctx: Context) -> None:
    """Keep the Recovery Code, then sign out and in again: a code must now be asked for."""
    recovery_code = EnabledPage(ctx.page, ctx.labels).recovery_code()
    ctx.notes["recovery_code"] = recovery_code
    compact = re.sub(r"[\s-]", "", recovery_code)
    require(len(compact) >= RECOVERY_CODE_MIN_CHARS,
            f"the Recovery Code {recovery_code!r} is too short to hold 64 random bits")
    expect_account_status(ctx, on=True)
    sign_out(ctx)
    sign_in(ctx)
    challenge = CodeChallengePage(ctx.page, ctx.labels)
    try:
        challenge.expect_loaded()
    except AssertionError as error:
        raise StepFailed("after turning 2SV on, signing in did not ask for a code "
                         f"(the page shows {challenge.heading.all_inner_texts()})") from error
    challenge.enter_code(wrong_code_for(ctx))
    challenge.expect_alert()
    challenge.expect_loaded()
    challenge.enter_code(ctx.authenticator.code())


def check_2_7(ctx: Context) -> None:
    expect_home(ctx)
    expect_console_state(ctx, on=True, recovery_left=1, event="two_step_enabled")
    if ctx.mock is None:
        not_checked(ctx, "the wrong code at sign-in (2.7) left an audit event: no test API on "
                         "this console")
        return
    types = ctx.mock.event_types(ctx.account.username)
    require("code_rejected" in types, "the wrong code at sign-in left no audit event")


# -- 3. Disable the 2 Step Verification ---------------------------------------------------------

def show_3_1(ctx: Context) -> None:
    home = HomePage(ctx.page, ctx.labels)
    home.open_user_menu(ctx.account.username)
    ctx.observe()  # "Account Setting" is the user menu's item
    ctx.page.get_by_role("link", name=ctx.labels.account_setting, exact=True).click()
    account = AccountInformationPage(ctx.page, ctx.labels)
    account.expect_loaded()
    account.expect_two_step(on=True)


def act_3_1(ctx: Context) -> None:
    AccountInformationPage(ctx.page, ctx.labels).disable_two_step()


def check_3_2(ctx: Context) -> None:
    TwoStepStatusPage(ctx.page, ctx.labels).expect_loaded()


def show_3_3(ctx: Context) -> None:
    TwoStepStatusPage(ctx.page, ctx.labels).expect_loaded()


def act_3_3(ctx: Context) -> None:
    TwoStepStatusPage(ctx.page, ctx.labels).turn_off()


def check_3_3(ctx: Context) -> None:
    TurnOffPage(ctx.page, ctx.labels).expect_loaded()


def act_3_4(ctx: Context) -> None:
    TurnOffPage(ctx.page, ctx.labels).turn_off()


def check_3_4(ctx: Context) -> None:
    DisabledPage(ctx.page, ctx.labels).expect_loaded()
    ctx.notes[TURNED_OFF] = True


def act_3_5(ctx: Context) -> None:
    """Sign out and in again: no code may be asked for any more."""
    expect_account_status(ctx, on=False)
    sign_out(ctx)
    sign_in(ctx)


def check_3_5(ctx: Context) -> None:
    try:
        expect_home(ctx)
    except AssertionError as error:
        raise StepFailed("after turning 2SV off, signing in did not go straight to the console "
                         f"(the page shows {ctx.page.get_by_role('heading').all_inner_texts()})"
                         ) from error
    home = HomePage(ctx.page, ctx.labels)
    home.open_account_setting(ctx.account.username)
    account = AccountInformationPage(ctx.page, ctx.labels)
    account.expect_loaded()
    account.expect_two_step(on=False)
    expect_console_state(ctx, on=False, recovery_left=0, event="two_step_disabled")


def _nothing(_: Context) -> None:
    """This part of the step has nothing to do."""


def _focus(role: str, key: str) -> Callable[[Context], Any]:
    """Point the evidence at the element named by the label ``key``."""
    # The role is data (the step table's); Playwright's type is the Literal of ARIA roles.
    return lambda ctx: ctx.page.get_by_role(role, name=ctx.labels[key], exact=True)  # type: ignore[arg-type]


ACCESS, ENABLE, DISABLE = ("Accessing the Admin Console", "Enabling 2 Step Verification",
                           "Disable the 2 Step Verification")

PROCEDURE: tuple[Step, ...] = (
    Step("1.1", ACCESS, "Open the HENNGE Cloud Protection Admin Console at its URL.",
         (), show_1_1, act_1_1, expect_home),
    Step("2.1", ENABLE, "Open the Account Information page (user menu, Account Setting).",
         ("account_setting",), show_2_1, act_2_1, check_2_1, _focus("link", "account_setting")),
    Step("2.2", ENABLE, "Click on [Set up 2-Step Verification].",
         ("set_up_link",), show_2_2, act_2_2, show_security, _focus("link", "set_up_link")),
    Step("2.3", ENABLE, "Click on [Change] to the right side of [2-Step Verification].",
         ("change_button", "two_step_row"), show_security, act_change, check_2_3,
         lambda ctx: SecuritySettingsPage(ctx.page, ctx.labels).two_step_row),
    Step("2.4", ENABLE, "Click on [Set up] on the [Turn on 2-Step Verification] page.",
         ("set_up_button", "turn_on_page"), check_2_3, act_2_4, show_setup,
         _focus("button", "set_up_button")),
    Step("2.5", ENABLE, "Scan the QR code with the authenticator app (HENNGE Lock: Add New OTP).",
         (), show_setup, act_2_5, check_2_5,
         lambda ctx: SetupPage(ctx.page, ctx.labels).qr_source()),
    Step("2.6", ENABLE, "Enter the app's 6-digit code in [Enter the code that the app generates:]"
         " and click on [Turn on].",
         ("code_label", "turn_on_button"), show_setup, act_2_6, check_2_6,
         lambda ctx: SetupPage(ctx.page, ctx.labels).code),
    Step("2.7", ENABLE, "Confirm that 2 Step Verification has been enabled; keep the Recovery "
         "Code safe.",
         ("keep_safe",), check_2_6, act_2_7, check_2_7,
         lambda ctx: EnabledPage(ctx.page, ctx.labels).recovery_group),
    Step("3.1", DISABLE, "In the [Account Setting] page, click on [Disable 2 Step Verification].",
         ("account_setting", "disable_link"), show_3_1, act_3_1, show_security,
         _focus("link", "disable_link")),
    Step("3.2", DISABLE, "Click on [Change] to the right of [2-Step Verification].",
         ("change_button", "two_step_row"), show_security, act_change, check_3_2,
         lambda ctx: SecuritySettingsPage(ctx.page, ctx.labels).two_step_row),
    Step("3.3", DISABLE, "Click on [Turn off] to the right of [2 Step Verification Status].",
         ("turn_off_button", "status_row"), show_3_3, act_3_3, check_3_3,
         lambda ctx: TwoStepStatusPage(ctx.page, ctx.labels).status_row),
    Step("3.4", DISABLE, "Click on [Turn off] in the [Turn off 2-Step Verification] page.",
         ("turn_off_confirm_button", "turn_off_page"), check_3_3, act_3_4, check_3_4,
         _focus("button", "turn_off_confirm_button")),
    Step("3.5", DISABLE, "Confirm that 2 Step Verification has been turned off.",
         (), check_3_4, act_3_5, check_3_5,
         lambda ctx: DisabledPage(ctx.page, ctx.labels).status_message),
)

STEPS_BY_ID: dict[str, Step] = {step.id: step for step in PROCEDURE}


def step_ids() -> list[str]:
    """Return the article's step ids in order."""
    return [step.id for step in PROCEDURE]


__all__ = ["PROCEDURE", "STEPS_BY_ID", "Context", "Step", "StepFailed", "SubStep", "step_ids"]
