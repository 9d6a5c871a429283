"""A browser session against a target, as the CLI commands use it.

Every problem that stops a run before its first step (no Chromium, no zbar, a console that does
not answer, missing credentials, an unknown device or language) becomes a ``SetupError`` whose
message says what to do: the CLI exits with 2 on it, never with a traceback.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    Playwright,
    expect,
    sync_playwright,
)
from playwright.sync_api import Error as PlaywrightError

from e2e.browser.devices import UnknownDevice, context_options
from e2e.browser.launch import KEEP_BROWSER_ON_SIGNALS, BrowserSetupError, launch_args
from e2e.browser.remote import (
    BrowserEndpoint,
    RemoteBrowserError,
    choose_endpoint,
    connect_browser,
    probe,
)
from e2e.errors import HarnessError
from e2e.http import HttpError
from e2e.labels import Labels, LabelsError, load_labels
from e2e.target import Credentials, Target, TargetError, connect

# The browser's locale per label language: Chromium sends it as Accept-Language, and a console
# that picks its language from that header (as the mock does) then shows the labels' language.
BROWSER_LOCALES = {"en": "en-US", "ja": "ja-JP"}


def browser_locale(lang: str) -> str:
    """Return the browser locale for the label language ``lang`` ("ja" -> "ja-JP").

    A language without an entry is passed as it is: "de" or "pt-BR" are locales Chromium knows.
    """
    return BROWSER_LOCALES.get(lang.lower(), lang)


class SetupError(HarnessError, RuntimeError):
    """The run could not start; the message says why and what to do."""


@dataclass
class Session:
    """An open browser page pointed at a console."""

    target: Target
    labels: Labels
    context: BrowserContext
    page: Page
    device: str


@dataclass
class Console:
    """A console reached (or started) and a Chromium launched to test it, for one or more
    devices."""

    target: Target
    labels: Labels
    browser: Browser
    devices: dict[str, dict[str, Any]]  # device name -> context options, checked up front


# How long a click or an expectation may wait, keyed by ``target.moves_clock``: a local mock
# answers in milliseconds, so 5 s is ample even on a loaded CI runner and a missing element
# fails fast; a real console over the internet, behind single sign-on, can take longer.
ACTION_TIMEOUT_MS = {True: 5_000, False: 30_000}


def apply_console_wait(context: BrowserContext, target: Target) -> None:
    """Make every click and every web-first assertion wait as long as ``target`` needs.

    Actions take the context's default timeout; ``expect`` takes Playwright's process-wide
    default (one console per run or test session), so the page objects need no timeouts of
    their own and a real console is waited on as long everywhere.
    """
    wait_ms = ACTION_TIMEOUT_MS[target.moves_clock]
    context.set_default_timeout(wait_ms)
    expect.set_options(timeout=wait_ms)


def check_qr_decoder() -> None:
    """Fail early, with the install command, when zbar cannot be loaded."""
    from e2e.qr import QRDecodeError, require_zbar

    try:
        require_zbar()
    except QRDecodeError as error:
        raise SetupError(str(error)) from None


@contextmanager
def open_console(*, base_url: str | None, lang: str = "en", labels_file: Path | None = None,
                 devices: Sequence[str] = ("Desktop",), headed: bool = False,
                 browser_ws: str | None = None, cdp_url: str | None = None) -> Iterator[Console]:
    """Check everything a run needs, start (or reach) the target and launch Chromium.

    ``browser_ws`` / ``cdp_url`` (else ``E2E_BROWSER_WS`` / ``E2E_CDP_URL``) name a browser on
    another machine to drive instead of launching one here (see ``e2e.browser.remote``).
    """
    try:
        labels = load_labels(lang, labels_file)
        endpoint = choose_endpoint(browser_ws, cdp_url)
        if endpoint is not None:
            probe(endpoint)  # before starting a console: an unreachable grid fails at once
    except (LabelsError, RemoteBrowserError) as error:
        raise SetupError(str(error)) from None
    check_qr_decoder()
    with ExitStack() as stack:
        playwright = stack.enter_context(sync_playwright())
        try:
            options = {name: context_options(playwright.devices, name) for name in devices}
        except UnknownDevice as error:
            raise SetupError(str(error)) from None
        try:
            target = stack.enter_context(connect(base_url))
        except (TargetError, HttpError) as error:
            raise SetupError(f"cannot use the console: {error}") from None
        browser = start_browser(playwright, endpoint, headed=headed)
        stack.callback(browser.close)
        yield Console(target=target, labels=labels, browser=browser, devices=options)


def start_browser(playwright: Playwright, endpoint: BrowserEndpoint | None, *,
                  headed: bool = False) -> Browser:
    """Launch Chromium here, or connect to the remote one; a failure is a ``SetupError``."""
    try:
        if endpoint is not None:
            return connect_browser(playwright, endpoint, headless=not headed)
        return playwright.chromium.launch(headless=not headed, **KEEP_BROWSER_ON_SIGNALS,
                                          **launch_args(headless=not headed, playwright=playwright))
    except (BrowserSetupError, RemoteBrowserError) as error:
        raise SetupError(str(error)) from None
    except PlaywrightError as error:
        raise SetupError(f"Chromium did not start: {error.message.splitlines()[0]}. "
                         "Install it with `make test` (Debian: apt-get install chromium) "
                         "or `playwright install chromium`.") from None


SENSITIVE_SUFFIX = ".SENSITIVE"


def trace_path(target: Target, trace_to: Path, contains_secrets_ok: bool) -> Path:
    """Where a trace may be written for ``target``, or a ``SetupError`` saying why not.

    A Playwright trace holds DOM snapshots, network bodies and screencast frames: the password,
    the QR code and its secret, the Recovery Code and every session cookie. It cannot be scrubbed
    reliably, so only a mock with its test API (throwaway accounts) gets one freely; against
    anything else the user must accept that it holds secrets, the file says so in its name, and
    it goes to a private temporary folder, never into the report folder a CI job uploads.
    """
    if target.has_test_api:
        return trace_to
    if not contains_secrets_ok:
        raise SetupError(
            "refusing to record a Playwright trace of a real console: it would hold the password, "
            "the 2SV secret (QR code), the Recovery Code and session cookies, readable by anyone "
            "who opens it. Run without --trace, or add --trace-contains-secrets and keep the file "
            "out of CI artifacts.")
    # Never inside the report folder, which CI uploads: a folder of its own that only this user
    # can open, outside any tree a CI recipe publishes
    private = Path(tempfile.mkdtemp(prefix="e2e-2sv-trace-"))  # mode 0700
    sensitive = private / (trace_to.stem + SENSITIVE_SUFFIX + trace_to.suffix)
    print(f"warning: the trace {sensitive} holds secrets (password, 2SV secret, Recovery Code, "
          "session cookies): it is kept out of the report folder; do not upload or share it; "
          "delete it when done.", file=sys.stderr)
    return sensitive


@contextmanager
def device_page(console: Console, device: str, trace_to: Path | None = None,
                trace_contains_secrets: bool = False) -> Iterator[Session]:
    """Open a fresh browser context emulating ``device`` and yield its page."""
    if trace_to is not None:
        trace_to = trace_path(console.target, trace_to, trace_contains_secrets)
    options = {**console.devices[device], "locale": browser_locale(console.labels.lang)}
    context = console.browser.new_context(**options)
    apply_console_wait(context, console.target)
    if trace_to is not None:
        context.tracing.start(screenshots=True, snapshots=True, sources=False)
    try:
        yield Session(target=console.target, labels=console.labels, context=context,
                      page=context.new_page(), device=device)
    finally:
        if trace_to is not None:
            context.tracing.stop(path=str(trace_to))
        context.close()


@contextmanager
def open_session(*, base_url: str | None, lang: str = "en", labels_file: Path | None = None,
                 device: str = "Desktop", headed: bool = False,
                 trace_to: Path | None = None, browser_ws: str | None = None,
                 cdp_url: str | None = None, trace_contains_secrets: bool = False
                 ) -> Iterator[Session]:
    """Start (or reach) the target, launch Chromium as ``device``, and yield a page."""
    with open_console(base_url=base_url, lang=lang, labels_file=labels_file, devices=(device,),
                      headed=headed, browser_ws=browser_ws, cdp_url=cdp_url
                      ) as console, device_page(console, device, trace_to,
                                                trace_contains_secrets) as session:
        yield session


def new_account(target: Target) -> Credentials:
    """Get the account to run with, turning "cannot" into a setup error."""
    try:
        return target.new_account()
    except (TargetError, HttpError) as error:
        raise SetupError(str(error)) from None
