"""Browsers on other machines: a Playwright browser server, or a bare Chromium's DevTools endpoint.

One machine runs a few Chromiums; a grid runs many. The harness can therefore drive a browser it
did not start, chosen by an option or an environment variable (the option wins):

- ``--browser-ws ws://HOST:PORT/`` or ``E2E_BROWSER_WS``: a Playwright browser server
  (``python -m playwright run-server --unsafe``). The server launches a fresh Chromium for each
  client, with the launch options the client sends in the ``x-playwright-launch-options`` header:
  by default this machine's (Debian's Chromium path, the quiet-network flags), or the JSON object
  in ``E2E_REMOTE_LAUNCH_OPTIONS`` when the server's machine differs. ``--unsafe`` is what lets a
  client choose the executable and the flags; without it the server ignores them and looks for
  its own Playwright Chromium. The remote browser reaches this machine's localhost through the
  connection, so the embedded mock needs no other network.
- ``--cdp URL`` or ``E2E_CDP_URL``: a running Chromium's DevTools endpoint
  (``ws://HOST:PORT/devtools/browser/ID``, or ``http://HOST:PORT`` for its ``/json/version``), as
  browser grids expose it. Closing the harness's browser only disconnects; the grid's Chromium
  lives on.

Every failure to reach or use an endpoint is a ``RemoteBrowserError`` whose message names the
endpoint and how to start one: the CLI turns it into exit code 2, pytest into a usage error.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

from playwright.sync_api import Browser, Playwright
from playwright.sync_api import Error as PlaywrightError

from e2e.browser.launch import BrowserSetupError, chromium_args, launch_args
from e2e.errors import HarnessError

BROWSER_WS_ENV = "E2E_BROWSER_WS"
CDP_URL_ENV = "E2E_CDP_URL"
LAUNCH_OPTIONS_ENV = "E2E_REMOTE_LAUNCH_OPTIONS"
LAUNCH_OPTIONS_HEADER = "x-playwright-launch-options"
CONNECT_TIMEOUT_MS = 30_000  # a grid may queue a client while its browsers are busy
EXPOSE_NETWORK = "<loopback>"  # the client's loopback, as the remote browser sees it
PROBE_TIMEOUT_SECONDS = 5.0  # a TCP connect; a host that drops packets fails here, not in 30 s
SERVER_HINT = ("Start one on the browser machine with `python -m playwright run-server --host "
               "0.0.0.0 --port 3000 --unsafe` (same Playwright version as here, {version}).")
CDP_HINT = ("Start Chromium there with `chromium --headless --remote-debugging-port=9222 "
            "--remote-debugging-address=0.0.0.0 --user-data-dir=DIR` and pass the "
            "ws://.../devtools/browser/... URL it prints (or http://HOST:9222).")

Kind = Literal["server", "cdp"]


class RemoteBrowserError(HarnessError, RuntimeError):
    """A remote browser was asked for but cannot be used; the message says what to do."""


@dataclass(frozen=True)
class BrowserEndpoint:
    """Where the browser lives: a Playwright browser server or a Chromium DevTools endpoint."""

    kind: Kind
    url: str

    def describe(self) -> str:
        """Name the endpoint in a few words, for messages and reports."""
        what = "Playwright browser server" if self.kind == "server" else "Chromium DevTools"
        return f"{what} at {self.url}"


def add_browser_options(parser: argparse.ArgumentParser) -> None:
    """Add ``--browser-ws`` and ``--cdp`` to a CLI command that opens a browser."""
    parser.add_argument("--browser-ws", default=None, metavar="URL",
                        help=f"use the Playwright browser server at URL (ws://HOST:PORT/) instead "
                             f"of launching Chromium here (default: ${BROWSER_WS_ENV})")
    parser.add_argument("--cdp", default=None, metavar="URL",
                        help=f"drive the running Chromium whose DevTools endpoint is URL "
                             f"(ws://HOST:PORT/devtools/browser/ID or http://HOST:PORT) "
                             f"(default: ${CDP_URL_ENV})")


def choose_endpoint(browser_ws: str | None = None, cdp_url: str | None = None,
                    environ: Mapping[str, str] | None = None) -> BrowserEndpoint | None:
    """Pick the remote browser from the options, else the environment; None means "launch here".

    An option overrides both variables, so ``--cdp`` works in a shell that exports
    ``E2E_BROWSER_WS``; naming both kinds at the same level is a mistake, reported as such.
    """
    env = os.environ if environ is None else environ
    if browser_ws and cdp_url:
        raise RemoteBrowserError("--browser-ws and --cdp both name a browser: pass one of them")
    if not (browser_ws or cdp_url):
        browser_ws, cdp_url = env.get(BROWSER_WS_ENV) or None, env.get(CDP_URL_ENV) or None
        if browser_ws and cdp_url:
            raise RemoteBrowserError(f"{BROWSER_WS_ENV} and {CDP_URL_ENV} are both set: "
                                     "unset one of them")
    if browser_ws:
        return BrowserEndpoint("server", _checked_url(browser_ws, ("ws", "wss"), "--browser-ws"))
    if cdp_url:
        return BrowserEndpoint("cdp", _checked_url(cdp_url, ("ws", "wss", "http", "https"),
                                                   "--cdp"))
    return None


def _checked_url(url: str, schemes: tuple[str, ...], option: str) -> str:
    """Refuse a URL Playwright would reject with a less helpful message."""
    parts = urlsplit(url.strip())
    if parts.scheme not in schemes or not parts.hostname:
        wanted = " or ".join(f"{scheme}://" for scheme in schemes)
        raise RemoteBrowserError(f"{option} must be a URL starting with {wanted}, got {url!r}")
    try:
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError:
        raise RemoteBrowserError(f"{option} has an invalid port: {url!r}") from None
    return url.strip()


def probe(endpoint: BrowserEndpoint, timeout: float = PROBE_TIMEOUT_SECONDS) -> None:
    """Check that something accepts TCP connections at the endpoint, within ``timeout``.

    Playwright would report the same as a WebSocket error after its own timeout; a plain connect
    fails in milliseconds on loopback and says which host and port did not answer.
    """
    parts = urlsplit(endpoint.url)
    default_port = 443 if parts.scheme in ("wss", "https") else 80
    host, port = parts.hostname or "", parts.port or default_port
    try:
        with socket.create_connection((host, port), timeout=timeout):
            pass
    except OSError as error:
        reason = error.strerror or str(error) or type(error).__name__
        raise RemoteBrowserError(f"nothing answers at {endpoint.describe()} ({host}:{port}: "
                                 f"{reason}). {_hint(endpoint)}") from None


def remote_launch_args(environ: Mapping[str, str] | None = None, headless: bool = True
                       ) -> dict[str, Any]:
    """Return the launch options a browser server should use (Python or JavaScript names).

    ``E2E_REMOTE_LAUNCH_OPTIONS`` (a JSON object) replaces them all, for a server machine set up
    differently from this one; otherwise this machine's choice is sent, which is right when the
    grid runs the same image. Without a local Chromium only the flags are sent, so the server
    uses its own Playwright Chromium.
    """
    env = os.environ if environ is None else environ
    raw = env.get(LAUNCH_OPTIONS_ENV)
    if raw:
        try:
            options = json.loads(raw)
        except ValueError as error:
            raise RemoteBrowserError(f"{LAUNCH_OPTIONS_ENV} is not JSON: {error}") from None
        if not isinstance(options, dict):
            raise RemoteBrowserError(f"{LAUNCH_OPTIONS_ENV} must be a JSON object of launch "
                                     'options, e.g. {"executablePath": "/usr/bin/chromium"}')
        return options
    try:
        return launch_args(headless=headless)
    except BrowserSetupError:
        return {"args": chromium_args()}


def launch_options_header(options: Mapping[str, Any]) -> dict[str, str]:
    """Encode launch options as the browser server reads them: JSON with JavaScript names.

    The server ignores Python names such as ``executable_path`` silently, then fails to find
    its own browser; so every key is turned into camelCase (camelCase keys stay as they are).
    """
    camel = {re.sub(r"_([a-z])", lambda m: m.group(1).upper(), key): value
             for key, value in options.items()}
    return {LAUNCH_OPTIONS_HEADER: json.dumps(camel)}


def server_connect_options(endpoint: BrowserEndpoint, launch: Mapping[str, Any]
                           ) -> dict[str, Any]:
    """Return ``BrowserType.connect`` keyword arguments for a browser server.

    ``expose_network`` routes the remote browser's requests for localhost back through this
    connection, so a browser on another machine reaches the embedded mock, which listens on
    this machine's 127.0.0.1 (and whose test API answers loopback clients only).
    """
    return {"endpoint": endpoint.url, "timeout": CONNECT_TIMEOUT_MS,
            "headers": launch_options_header(launch), "expose_network": EXPOSE_NETWORK}


def connect_browser(playwright: Playwright, endpoint: BrowserEndpoint, *, headless: bool = True,
                    launch: Mapping[str, Any] | None = None) -> Browser:
    """Connect to the remote browser; a failure becomes a ``RemoteBrowserError`` with a hint."""
    probe(endpoint)
    options: dict[str, Any] = {}
    try:
        if endpoint.kind == "cdp":
            return playwright.chromium.connect_over_cdp(endpoint.url, timeout=CONNECT_TIMEOUT_MS)
        options = {"headless": headless, **(launch or remote_launch_args(headless=headless))}
        return playwright.chromium.connect(**server_connect_options(endpoint, options))
    except PlaywrightError as error:
        sent = options if endpoint.kind == "server" else {}
        raise RemoteBrowserError(explain(endpoint, error.message, sent)) from None


def explain(endpoint: BrowserEndpoint, message: str, sent: Mapping[str, Any] | None = None
            ) -> str:
    """Turn Playwright's connect error into one line that says what to change."""
    first = next((line.strip() for line in message.splitlines() if line.strip()), message)
    first = re.sub(r"^BrowserType\.connect(_over_cdp)?: ", "", first)
    text = f"cannot use the {endpoint.describe()}: {first}"
    missing = re.search(r"Executable doesn't exist at (\S+)", message)
    asked = (sent or {}).get("executablePath") or (sent or {}).get("executable_path")
    if missing and asked and missing.group(1) != asked:
        # A server without --unsafe drops executablePath and args, then looks for its own.
        return (f"{text}. The server ignored the executablePath sent ({asked}): restart it with "
                "`--unsafe` so it accepts the client's executable and flags.")
    if missing or "Failed to launch" in message:
        return (f"{text}. The server could not start that browser: set {LAUNCH_OPTIONS_ENV} to "
                'the server machine\'s options, e.g. {"executablePath": "/usr/bin/chromium"}.')
    return f"{text}. {_hint(endpoint)}"


def _hint(endpoint: BrowserEndpoint) -> str:
    if endpoint.kind == "cdp":
        return CDP_HINT
    from importlib.metadata import version

    return SERVER_HINT.format(version=version("playwright"))
