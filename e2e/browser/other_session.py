"""Does a session opened before 2-Step Verification was turned on survive it? (ASVS 5 §7.4.3)

A browser signed in before the second factor was added, perhaps someone else's, must sign in
again once it is: the posture check ``other_sessions``. The probe signs the account in once more,
in a second browser context of the same browser, just before "Turn on" (when step 2.6's screen
is observed) and, once 2SV is on (step 2.7's screen), opens the console there. A trustworthy
console shows that browser the sign-in page. Whatever happens, the second session is signed out
and its context closed (``close``), so the run leaves no session of its own behind.

This is the one place the posture report acts instead of only listening: one extra sign-in.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from playwright.sync_api import BrowserContext
from playwright.sync_api import Error as PlaywrightError

from e2e.browser.session import apply_console_wait, browser_locale
from e2e.checks.posture import Observations
from e2e.pages import HomePage, SignInPage
from e2e.procedure import expect_home, sign_in

if TYPE_CHECKING:
    from e2e.procedure import Context, Step

OPEN_AT = "2.6"  # observed before "Turn on" is clicked: 2SV is still off, a password signs in
CHECK_AT = "2.7"  # observed once 2SV is on, before the run signs out


class OtherSessionProbe:
    """An inspector (``run_procedure(inspect=...)``) that fills ``other_session_survived``."""

    def __init__(self, observations: Observations) -> None:
        self.observations = observations
        self._context: BrowserContext | None = None
        self._other: Context | None = None

    def __call__(self, ctx: Context, step: Step) -> None:
        if step.id == OPEN_AT and self._context is None:
            self._open(ctx)
        elif step.id == CHECK_AT and self._other is not None \
                and self.observations.other_session_survived is None:
            self._check(self._other)

    def _open(self, ctx: Context) -> None:
        """Sign the account in, in a second context, while 2SV is still off."""
        browser = ctx.page.context.browser
        if browser is None:  # a persistent context has no browser to open another in
            return
        self._context = browser.new_context(locale=browser_locale(ctx.labels.lang),
                                            viewport=ctx.page.viewport_size)
        apply_console_wait(self._context, ctx.target)
        other = dataclasses.replace(ctx, page=self._context.new_page(), notes={})
        try:
            sign_in(other)
            expect_home(other)
        except (AssertionError, PlaywrightError):
            return  # not observed: the check stays unknown; close() still tidies up
        self._other = other

    def _check(self, other: Context) -> None:
        """Open the console in the second browser: signed out (good) or still in (bad)?"""
        try:
            other.page.goto(other.target.base_url)
            if SignInPage(other.page, other.labels).asks_to_sign_in(other.account.username):
                self.observations.other_session_survived = False
            else:
                expect_home(other)
                self.observations.other_session_survived = True
        except (AssertionError, PlaywrightError):
            pass  # neither screen: not observed

    def close(self) -> None:
        """Sign the second session out if it is still in, and close its context."""
        if self._context is None:
            return
        try:
            if self._other is not None and self.observations.other_session_survived is not False:
                page, labels = self._other.page, self._other.labels
                signin = SignInPage(page, labels)
                page.goto(self._other.target.base_url)
                if not signin.asks_to_sign_in(self._other.account.username):
                    HomePage(page, labels).sign_out(self._other.account.username)
                    signin.expect_loaded()
        except (AssertionError, PlaywrightError):
            pass  # already signed out (the console ended it) or the console is gone
        finally:
            self._context.close()
            self._context = self._other = None
