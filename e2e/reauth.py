"""Answer a console's re-authentication prompt wherever it comes up, and report it as a sub-step.

Consoles ask to confirm access (the password, or a current code) before sensitive changes, at
places of their own choosing and for as long as their confirmation lasts: so the harness does not
expect the prompt at a step, it watches for it. A Playwright locator handler fires whenever the
prompt's heading (the catalogue's ``reauth_heading``) is on screen before an action or an
expectation; it answers with the account's password, or with a code from the Authenticator when
only a code is asked, and records a ``SubStep`` on the context. The runner files it under the
step that was running. A refused answer fails that step, saying what the console showed.

A prompt is recognised only when the catalogue has its words: a custom catalogue without the
``reauth_*`` keys turns the watcher off (the run then stops at the prompt, and the diagnosis of
the failure names what the screen shows).
"""

from __future__ import annotations

import time

from playwright.sync_api import Locator

from e2e.pages.reauth import PASSWORD, ReauthPage
from e2e.procedure import Context, SubStep

REAUTH = "reauth"


def watch(ctx: Context) -> None:
    """Answer the prompt on ``ctx.page`` whenever it appears, for ``ctx``'s account (replacing
    any earlier watcher of this page, which may hold another account's password)."""
    prompt = ReauthPage(ctx.page, ctx.labels)
    if not prompt.known:
        return  # a catalogue without the prompt's words: its console never asks
    ctx.page.remove_locator_handler(prompt.prompt_heading)
    ctx.page.add_locator_handler(prompt.prompt_heading, lambda _: answer(ctx))


def stop_watching(ctx: Context) -> None:
    """Leave the prompt to the caller (a test that answers it itself)."""
    ctx.page.remove_locator_handler(ReauthPage(ctx.page, ctx.labels).prompt_heading)


def answer(ctx: Context, _: Locator | None = None) -> SubStep:
    """Answer the prompt on screen now; record and return the sub-step.

    Never raises: Playwright does not hand a handler's exception to the action or expectation
    that triggered it (it would surface at some later, unrelated call). A refused answer is
    recorded as a failed sub-step instead, the prompt stays, the step's own wait runs out, and the
    runner names the sub-step's failure as the step's (``failure_of``)."""
    started = time.perf_counter()
    prompt = ReauthPage(ctx.page, ctx.labels)
    sub = SubStep(kind=REAUTH, text=f'the console asked to "{ctx.labels.reauth_heading}"',
                  url=ctx.page.url)
    ctx.substeps.append(sub)
    try:
        how = prompt.answer(ctx.account.password, ctx.authenticator.code)
        given = "the account's password" if how == PASSWORD else "a code from the app"
        sub.text = (f'the console asked to "{ctx.labels.reauth_heading}" (not in the article): '
                    f"answered with {given}")
        prompt.expect_accepted()
    except Exception as error:  # noqa: BLE001 - recorded; the step fails on it (see above)
        sub.status = "failed"
        sub.error = (f'the console asked to "{ctx.labels.reauth_heading}" and the answer failed: '
                     f"{_first_line(error)}. Check the account's password (E2E_PASSWORD or the "
                     "accounts file) and the prompt's words in the label catalogue (reauth_* "
                     "keys; --labels)")
    finally:
        sub.seconds = time.perf_counter() - started
    return sub


def failure_of(substeps: list[SubStep]) -> str | None:
    """The error of the last failed sub-step among ``substeps`` (why its step failed), or None."""
    failed = [sub for sub in substeps if sub.status == "failed"]
    return failed[-1].error if failed else None


def _first_line(error: BaseException) -> str:
    lines = [line for line in str(error).splitlines() if line.strip()]
    return lines[0] if lines else type(error).__name__
