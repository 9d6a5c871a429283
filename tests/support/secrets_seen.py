"""Run the harness's CLI in this process while recording every secret it learns.

``python -m tests.support.secrets_seen SECRETS.json run --report DIR ...`` runs
``e2e.cli.main.main`` with the places where the harness learns a secret wrapped (the otpauth URI
and secret when it scans the QR code, the Recovery Code when it reads it, the password of the
account it gets, the session cookies of every session: before cleanup, before each time cookies
are cleared, before the final sign-out), and writes them to SECRETS.json. A leak test then scans
the run's report for them: recorded independently of the harness's own redaction registry, a
secret the harness forgot to register still counts. The secrets file belongs in the test's tmp
folder, beside (never inside) the report folder under scan.

With ``E2E_TEST_TERMINATE_AT=STEP`` the process sends itself SIGTERM when that step starts its
check (after its action), as a CI job cancelled mid-run would.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import BrowserContext

from e2e import cleanup
from e2e.authenticator import Authenticator
from e2e.cli.main import main
from e2e.pages import EnabledPage
from e2e.procedure import STEPS_BY_ID
from e2e.target import LiveTarget, MockTarget

SEEN: list[str] = []
TERMINATE_AT_ENV = "E2E_TEST_TERMINATE_AT"


def _wrap(owner: type, name: str, secrets: Callable[..., list[str]]) -> None:
    original = getattr(owner, name)

    def wrapped(this: Any, *args: Any) -> Any:
        value = original(this, *args)
        SEEN.extend(secrets(*args, value))
        return value

    setattr(owner, name, wrapped)


def record() -> None:
    """Wrap the places where the harness learns a secret."""
    _wrap(Authenticator, "add_uri", lambda uri, entry: [uri, entry.secret])
    _wrap(EnabledPage, "recovery_code", lambda code: [code])
    _wrap(MockTarget, "new_account", lambda account: [account.password])
    _wrap(LiveTarget, "new_account", lambda account: [account.password])
    original = cleanup.leave_as_found

    def leave_as_found(ctx: Any) -> Any:
        SEEN.extend(c["value"] for c in ctx.page.context.cookies())  # the session ids
        return original(ctx)

    cleanup.leave_as_found = leave_as_found  # a spy with the same call, where the runner looks
    clear_cookies = BrowserContext.clear_cookies

    def clear_and_record(context: BrowserContext, *args: Any, **kwargs: Any) -> None:
        SEEN.extend(c["value"] for c in context.cookies())  # a session cleanup leaves behind
        clear_cookies(context, *args, **kwargs)

    BrowserContext.clear_cookies = clear_and_record  # type: ignore[method-assign]
    sign_out_proven = cleanup._sign_out_proven

    def record_then_sign_out(ctx: Any, *args: Any) -> Any:
        SEEN.extend(c["value"] for c in ctx.page.context.cookies())  # cleanup's own session
        return sign_out_proven(ctx, *args)

    cleanup._sign_out_proven = record_then_sign_out


def terminate_at(step_id: str) -> None:
    """Send this process SIGTERM as ``step_id`` starts its check."""
    step = STEPS_BY_ID[step_id]
    check = step.check

    def terminated(ctx: Any) -> None:
        os.kill(os.getpid(), signal.SIGTERM)  # the CLI's handler raises KeyboardInterrupt here
        check(ctx)

    object.__setattr__(step, "check", terminated)  # Step is frozen; this process only


if __name__ == "__main__":
    out = Path(sys.argv[1])
    record()
    if os.environ.get(TERMINATE_AT_ENV):
        terminate_at(os.environ[TERMINATE_AT_ENV])
    try:
        code = main(sys.argv[2:])
    finally:
        out.write_text(json.dumps(SEEN), "utf-8")
    sys.exit(code)
