"""Leave the account as it was found: 2-Step Verification off again, and the session ended.

Against the real console the account belongs to someone (often a pool that CI reuses run after
run), and a run that stops between "Turn on" and "Turn off" would leave it with a second factor
only this process ever knew. So after the steps, whatever happened to them:

1. if the run clicked "Turn on" and never saw "turned off", sign in again (password, then a code
   from the secret held in memory), turn 2SV off through the console and sign in once more to
   prove no code is asked; when the article's way there fails (a renamed link), go straight to the
   2SV settings page the run already visited, and go there first when the run itself failed on
   something that never showed on screen (the article's way would most likely wait for it again).
   Each fresh sign-in first signs the session before it out (clearing the cookie jar alone would
   leave that session alive on the server);
2. sign out, even when turning 2SV off failed, then prove that no session cookie this run held
   opens the console any more (a fresh browser context carrying it lands on the sign-in page).

What happened is reported apart from the article's steps (terminal, report, JUnit class
``cleanup``). If cleanup fails, the report names the account and what an administrator must do.
"""

from __future__ import annotations

import contextlib
from dataclasses import asdict, dataclass, field
from typing import Any

from playwright.sync_api import Browser, Cookie, expect

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
Cookies = list[Cookie]  # one session's cookie jar


@dataclass
class Cleanup:
    """What the run did to leave the account as found."""

    account: str
    two_step: str = NOT_NEEDED  # turned off again: done / not needed / failed
    sign_out: str = NOT_PROVEN  # done (proven) / failed / not proven
    actions: list[str] = field(default_factory=list)
    error: str | None = None  # why it failed: turning 2SV off, else signing out
    sign_out_error: str | None = None

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
        signed = {DONE: "signed out (no session of this run works any more)",
                  NOT_PROVEN: "signed out (the session's end not proven: see the actions)",
                  FAILED: f"SIGN-OUT FAILED: {self.sign_out_error}"}[self.sign_out]
        if self.two_step == FAILED:
            return [f"CLEANUP FAILED: account {self.account} may be left with 2-Step Verification "
                    f"ON: {self.error}",
                    f"  then {signed}",
                    "  An administrator must turn 2-Step Verification off for this account "
                    "(Admin Console > Account Setting > Disable 2 Step Verification, or the "
                    "user administration), and sign out its sessions, before it is used again."]
        turned = ("2-Step Verification turned off again; " if self.two_step == DONE else "")
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
    ended: list[Cookies] = []  # the cookies of each session cleanup signed out before its own
    if ctx.notes.get(TURN_ON_CLICKED) and not ctx.notes.get(TURNED_OFF):
        try:
            cleanup.two_step = DONE if _turn_off_again(ctx, cleanup, ended) else NOT_NEEDED
        except Exception as error:  # noqa: BLE001 - reported, with what an administrator must do
            cleanup.two_step = FAILED
            cleanup.error = redact(_first_line(error))
    try:  # even when 2SV could not be turned off: no session of this run stays open
        cleanup.sign_out = _sign_out_proven(ctx, cleanup, ended)
    except Exception as error:  # noqa: BLE001 - a session that survives is reported, not raised
        cleanup.sign_out = FAILED
        cleanup.sign_out_error = redact(_first_line(error))
        cleanup.error = cleanup.error or cleanup.sign_out_error
    return cleanup


def _turn_off_again(ctx: Context, cleanup: Cleanup, ended: list[Cookies]) -> bool:
    """Turn 2SV off if sign-in shows it is on; return whether it had to be turned off."""
    if not _sign_in_fresh(ctx, cleanup, ended):
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
    if _sign_in_fresh(ctx, cleanup, ended):
        raise AssertionError("the console said 2-Step Verification was turned off, but signing in "
                             "still asks for a code")
    cleanup.actions.append("signed in again: no code asked")
    return True


def _sign_in_fresh(ctx: Context, cleanup: Cleanup, ended: list[Cookies]) -> bool:
    """Sign in from a clean cookie jar, the session before signed out first; answer a code
    challenge if one comes. Return whether it came (2SV on)."""
    _end_session(ctx, cleanup, ended)
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


def _end_session(ctx: Context, cleanup: Cleanup, ended: list[Cookies]) -> None:
    """Sign out of the session the page is in, if any, and keep its cookies for the final proof
    that it is over (signing out may fail on a broken screen: the proof still runs)."""
    cookies = ctx.page.context.cookies()
    if not cookies:
        return
    register_secret(*(cookie["value"] for cookie in cookies))  # session ids are secrets too
    ended.append(cookies)
    home = HomePage(ctx.page, ctx.labels)
    if not home.signed_in_header(ctx.account.username).is_visible():
        return  # e.g. the sign-in page or a code challenge: the session's end is proven later
    try:
        home.sign_out(ctx.account.username)
        SignInPage(ctx.page, ctx.labels).expect_loaded()
        cleanup.actions.append("signed out of the session before signing in again")
    except Exception as error:  # noqa: BLE001 - the final proof says whether the session ended
        cleanup.actions.append(f"could not sign out of the session before signing in again "
                               f"({redact(_first_line(error))})")


def _run(ctx: Context, *step_ids: str) -> None:
    for step_id in step_ids:
        step = STEPS_BY_ID[step_id]
        step.show(ctx)
        step.act(ctx)
        step.check(ctx)


def _sign_out_proven(ctx: Context, cleanup: Cleanup, ended: list[Cookies]) -> str:
    """Sign out through the user menu; then a fresh context with the cookies of each session
    this run held must be asked to sign in."""
    context = ctx.page.context
    cookies = context.cookies()
    register_secret(*(cookie["value"] for cookie in cookies))  # session ids are secrets too
    signin, home = SignInPage(ctx.page, ctx.labels), HomePage(ctx.page, ctx.labels)
    header = home.signed_in_header(ctx.account.username)
    if not (signin.password.is_visible() or header.is_visible()):
        # Left elsewhere (another site, a blank page, a screen without the header): the
        # console's home shows whether this browser is still signed in
        ctx.page.goto(ctx.target.base_url)
        with contextlib.suppress(AssertionError):
            expect(signin.password.or_(header).first).to_be_visible()
    if header.is_visible():
        home.sign_out(ctx.account.username)
        signin.expect_loaded()
        cleanup.actions.append("signed out through the user menu")
    else:
        cleanup.actions.append("not signed in on this page")
    browser = context.browser
    sessions = [jar for jar in [*ended, cookies] if jar]
    if browser is None or not sessions:
        cleanup.actions.append("no session cookie to prove over" if browser is not None
                               else "no browser to open a second context in")
        return NOT_PROVEN
    verdicts = [_still_opens(ctx, browser, jar, cleanup) for jar in sessions]
    if any(verdicts):
        which = "the last session" if verdicts[-1] else "a session cleanup signed out of earlier"
        raise AssertionError(f"the session cookie of {which} still opens the console after "
                             "signing out: the server did not end the session")
    if None in verdicts:
        return NOT_PROVEN
    cleanup.actions.append(f"no session cookie this run held opens the console any more "
                           f"({len(sessions)} probed)")
    return DONE


def _still_opens(ctx: Context, browser: Browser, cookies: Cookies,
                 cleanup: Cleanup) -> bool | None:
    """Whether a fresh context carrying ``cookies`` is let into the console (None: it showed
    neither the sign-in form nor a signed-in header, so nothing is proven)."""
    probe = browser.new_context(locale=browser_locale(ctx.labels.lang))  # screens in its words
    try:
        # cookies() gives Cookie dicts; add_cookies wants SetCookieParam, the same keys but one
        probe.add_cookies([{k: v for k, v in c.items() if k != "partitionKey"}  # type: ignore[misc]
                           for c in cookies])
        page = probe.new_page()
        page.goto(ctx.notes.get(ACCOUNT_URL) or ctx.target.base_url)
        try:
            return not SignInPage(page, ctx.labels).asks_to_sign_in(ctx.account.username)
        except AssertionError:
            cleanup.actions.append(f"an old session cookie led to {page.url}, showing neither "
                                   "the sign-in form nor a signed-in header")
            return None
    finally:
        probe.close()


def _first_line(error: BaseException) -> str:
    lines = [line for line in str(error).splitlines() if line.strip()]
    return lines[0] if lines else type(error).__name__
