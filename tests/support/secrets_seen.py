"""Run the harness's CLI in this process while recording every secret it learns.

``python -m tests.support.secrets_seen SECRETS.json run --report DIR ...`` runs
``e2e.cli.main.main`` with the places where the harness learns a secret wrapped (the otpauth URI
and secret when it scans the QR code, the Recovery Code when it reads it, the password of the
account it gets, the session cookies before it signs out), and writes them to SECRETS.json. A
leak test then scans the run's report for them: recorded independently of the harness's own
redaction registry, a secret the harness forgot to register still counts. The secrets file
belongs in the test's tmp folder, beside (never inside) the report folder under scan.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from e2e import cleanup
from e2e.authenticator import Authenticator
from e2e.cli.main import main
from e2e.pages import EnabledPage
from e2e.target import MockTarget

SEEN: list[str] = []


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
    original = cleanup.leave_as_found

    def leave_as_found(ctx: Any) -> Any:
        SEEN.extend(c["value"] for c in ctx.page.context.cookies())  # the session ids
        return original(ctx)

    cleanup.leave_as_found = leave_as_found  # a spy with the same call, where the runner looks


if __name__ == "__main__":
    out = Path(sys.argv[1])
    record()
    try:
        code = main(sys.argv[2:])
    finally:
        out.write_text(json.dumps(SEEN), "utf-8")
    sys.exit(code)
