"""Leave the account as it was found: 2-Step Verification off again, and the session ended.

Against the real console the account belongs to someone (often a pool that CI reuses run after
run), and a run that stops between "Turn on" and "Turn off" would leave it with a second factor
only this process ever knew. So after the steps, whatever happened to them:

1. if the run clicked "Turn on" and never saw "turned off", sign in again (password, then a code
   from the secret held in memory), turn 2SV off through the console and sign in once more to
   prove no code is asked; when the article's way there fails (a renamed link), go straight to the
   2SV settings page the run already visited, and go there first when the run itself failed on
   something that never showed on screen (the article's way would most likely wait for it again);
2. sign out, then prove the old session cookie no longer opens the console (a fresh browser
   context carrying it lands on the sign-in page).

What happened is reported apart from the article's steps (terminal, report, JUnit class
``cleanup``). If cleanup fails, the report names the account and what an administrator must do.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from playwright.sync_api import expect

from e2e.browser.session import browser_locale
from e2e.evidence.redaction import redact, register_secret
from e2e.pages import CodeChallengePage, HomePage, SignInPage
from e2e.procedure import (
    ACCOUNT_URL,
    FOUND_NOTHING,
    SECURITY_URL,
    STEPS_BY_ID,
    TURN_ON_CLICKED,
    TURNED_OFF,
    Context,
    expect_home,
    sign_in,
)

DONE, NOT_NEEDED, FAILED, NOT_PROVEN = "done", "not needed", "failed", "not proven"


@dataclass
class Cleanup:
    """What the run did to leave the account as found."""

    account: str
    two_step: str = NOT_NEEDED  # turned off again: done / not needed / failed
    sign_out: str = NOT_PROVEN  # done (proven) / failed / not proven
    actions: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.two_step != FAILED and self.sign_out != FAILED

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["ok"] = self.ok
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Cleanup:
        return cls(**{k: v for k, v in data.items() if k != "ok"})

    def lines(self) -> list[str]:
        """What the terminal says: one line when all is well, the way out when not."""
        if self.two_step == FAILED:
            return [f"CLEANUP FAILED: account {self.account} may be left with 2-Step Verification "
                    f"ON: {self.error}",
                    "  An administrator must turn 2-Step Verification off for this account "
                    "(Admin Console > Account Setting > Disable 2 Step Verification, or the "
                    "user administration), and sign out its sessions, before it is used again."]
        turned = ("2-Step Verification turned off again; " if self.two_step == DONE else "")
        signed = {DONE: "signed out (the old session no longer works)",
                  NOT_PROVEN: "signed out (not proven: no second browser context)",
                  FAILED: f"SIGN-OUT FAILED: {self.error}"}[self.sign_out]
        return [f"cleanup: {turned}{signed} (account {self.account})"]


_tracked: list[Context] = []


def track(ctx: Context) -> None:
    """Remember a context a test drives outside ``run_procedure`` (e.g. ``advance_to``), so a
    finalizer can leave its account as found (``settle_tracked``)."""
    _tracked.append(ctx)


def settle_tracked() -> list[Cleanup]:
    """Leave the account of every tracked context as found; forget them; return what was done."""
    done = [leave_as_found(ctx) for ctx in _tracked if ctx.notes.get(TURN_ON_CLICKED)]
    _tracked.clear()
    return done


def has_tracked() -> bool:
    """Whether a context is waiting for ``settle_tracked``."""
    return bool(_tracked)


def forget_tracked() -> None:
    """Forget the tracked contexts without touching their accounts (throwaway mock accounts)."""
    _tracked.clear()


def leave_as_found(ctx: Context) -> Cleanup:
    """Turn 2SV off if this run may have left it on, then sign out and prove the session ended."""
    cleanup = Cleanup(ctx.account.username)
    if ctx.notes.get(TURN_ON_CLICKED) and not ctx.notes.get(TURNED_OFF):
        try:
            cleanup.two_step = DONE if _turn_off_again(ctx, cleanup) else NOT_NEEDED
        except Exception as error:  # noqa: BLE001 - reported, with what an administrator must do
            cleanup.two_step = FAILED
            cleanup.error = redact(_first_line(error))
            return cleanup
    try:
        cleanup.sign_out = _sign_out_proven(ctx, cleanup)
    except Exception as error:  # noqa: BLE001 - a session that survives is reported, not raised
        cleanup.sign_out = FAILED
        cleanup.error = redact(_first_line(error))
    return cleanup


def _turn_off_again(ctx: Context, cleanup: Cleanup) -> bool:
    """Turn 2SV off if sign-in shows it is on; return whether it had to be turned off."""
    if not _sign_in_fresh(ctx, cleanup):
        cleanup.actions.append("sign-in asked for no code: 2-Step Verification is already off")
        return False
    met_before = len(ctx.substeps)  # a re-authentication prompt, answered on the way
    url: str = ctx.notes.get(SECURITY_URL) or ""

    def by_the_article() -> str:
        _run(ctx, "3.1", "3.2", "3.3", "3.4")
        return "turned 2-Step Verification off by the article's steps 3.1-3.4"

    def from_the_settings_page() -> str:
        ctx.page.goto(url)
        _run(ctx, "3.2", "3.3", "3.4")
        return "turned 2-Step Verification off from the 2-Step Verification settings page " \
               "this run had visited (steps 3.2-3.4)"

    ways = [by_the_article] + ([from_the_settings_page] if url else [])
    if len(ways) == 2 and ctx.notes.get(FOUND_NOTHING):
        # The run already waited out the console's whole wait for something that never showed
        # (a renamed label): the article's way there would most likely meet it again, at the
        # cost of another wait (30 s on a real console), so the page it visited comes first.
        ways.reverse()
        cleanup.actions.append(f"step {ctx.notes[FOUND_NOTHING]} found something missing on "
                               "screen: the settings page this run had visited first")
    for index, way in enumerate(ways):
        try:
            cleanup.actions.append(way())
            break
        except Exception as error:  # noqa: BLE001 - one way failed: take the other, if any
            if index == len(ways) - 1:
                raise
            cleanup.actions.append(f"that way failed ({_first_line(error)}); trying the other")
    cleanup.actions += [f"{sub.text} ({sub.status})" for sub in ctx.substeps[met_before:]]
    if _sign_in_fresh(ctx, cleanup):
        raise AssertionError("the console said 2-Step Verification was turned off, but signing in "
                             "still asks for a code")
    cleanup.actions.append("signed in again: no code asked")
    return True


def _sign_in_fresh(ctx: Context, cleanup: Cleanup) -> bool:
    """Sign in from a clean cookie jar; answer a code challenge if one comes. Return whether it
    came (2SV on)."""
    ctx.page.context.clear_cookies()
    sign_in(ctx)
    challenge = CodeChallengePage(ctx.page, ctx.labels)
    # The dashboard by its own heading: any heading would match the sign-in page still shown
    # while a single-page app waits for the answer
    home = ctx.page.get_by_role("heading", name=ctx.labels.home_heading, exact=True)
    expect(challenge.code.or_(home).first).to_be_visible()
    if not challenge.code.is_visible():
        expect_home(ctx)
        return False
    challenge.enter_code(ctx.authenticator.code())
    expect_home(ctx)
    cleanup.actions.append("signed in with the password and a code from the secret in memory")
    return True


def _run(ctx: Context, *step_ids: str) -> None:
    for step_id in step_ids:
        step = STEPS_BY_ID[step_id]
        step.show(ctx)
        step.act(ctx)
        step.check(ctx)


def _sign_out_proven(ctx: Context, cleanup: Cleanup) -> str:
    """Sign out through the user menu; then a fresh context with the old cookies must be asked
    to sign in."""
    context = ctx.page.context
    cookies = context.cookies()
    register_secret(*(cookie["value"] for cookie in cookies))  # session ids are secrets too
    signin = SignInPage(ctx.page, ctx.labels)
    if signin.password.is_visible():
        cleanup.actions.append("already on the sign-in page")
    else:
        HomePage(ctx.page, ctx.labels).sign_out(ctx.account.username)
        signin.expect_loaded()
        cleanup.actions.append("signed out through the user menu")
    browser = context.browser
    if browser is None or not cookies:
        return NOT_PROVEN
    probe = browser.new_context(locale=browser_locale(ctx.labels.lang))  # screens in its words
    try:
        # cookies() gives Cookie dicts; add_cookies wants SetCookieParam, the same keys but one
        probe.add_cookies([{k: v for k, v in c.items() if k != "partitionKey"}  # type: ignore[misc]
                           for c in cookies])
        page = probe.new_page()
        page.goto(ctx.notes.get(ACCOUNT_URL) or ctx.target.base_url)
        try:
            asked_to_sign_in = SignInPage(page, ctx.labels).asks_to_sign_in(ctx.account.username)
        except AssertionError:
            cleanup.actions.append(f"the old session cookie led to {page.url}, showing neither "
                                   "the sign-in form nor a signed-in header")
            return NOT_PROVEN
        if not asked_to_sign_in:
            raise AssertionError("the session cookie from before signing out still opens the "
                                 "console: the server did not end the session")
    finally:
        probe.close()
    cleanup.actions.append("the old session cookie no longer opens the console")
    return DONE


def _first_line(error: BaseException) -> str:
    lines = [line for line in str(error).splitlines() if line.strip()]
    return lines[0] if lines else type(error).__name__
