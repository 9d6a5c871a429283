"""Answer a console's re-authentication prompt wherever it comes up, and report it as a sub-step.

Consoles ask to confirm access (the password, or a current code) before sensitive changes, at
places of their own choosing and for as long as their confirmation lasts: so the harness does not
expect the prompt at a step, it watches for it. A Playwright locator handler fires whenever the
prompt's heading (the catalogue's ``reauth_heading``) is on screen before an action or an
expectation; it answers with the account's password, or with a code from the Authenticator when
only a code is asked, and records a ``SubStep`` on the context. The runner files it under the
step that was running. A refused answer fails that step, saying what the console showed.
"""

from __future__ import annotations

import time

from playwright.sync_api import Locator

from e2e.pages.reauth import ReauthPage
from e2e.procedure import Context, StepFailed, SubStep

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
    """Answer the prompt on screen now; record and return the sub-step (raise StepFailed when
    the console refuses the answer)."""
    started = time.perf_counter()
    prompt = ReauthPage(ctx.page, ctx.labels)
    sub = SubStep(kind=REAUTH, text=ctx.labels.reauth_heading, url=ctx.page.url)
    ctx.substeps.append(sub)
    try:
        how = prompt.answer(ctx.account.password, ctx.authenticator.code)
        sub.text = (f'the console asked to "{ctx.labels.reauth_heading}" (not in the article): '
                    f"answered with the account's {how}")
        prompt.expect_accepted()
    except Exception as error:  # noqa: BLE001 - reported as the sub-step's, then the step's
        sub.status = "failed"
        sub.error = _first_line(error)
        raise StepFailed(f'the console asked to "{ctx.labels.reauth_heading}" and the answer '
                         f"failed: {sub.error}. Check the account's password (E2E_PASSWORD or "
                         "the accounts file) and the prompt's words in the label catalogue "
                         "(reauth_* keys; --labels)") from error
    finally:
        sub.seconds = time.perf_counter() - started
    return sub


def _first_line(error: BaseException) -> str:
    lines = [line for line in str(error).splitlines() if line.strip()]
    return lines[0] if lines else type(error).__name__
