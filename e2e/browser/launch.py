"""Which Chromium to launch, and with which flags.

Playwright's own Chromium is used when it is installed (``playwright install chromium``);
otherwise the system's. A headless run prefers the system's headless shell (Debian's
``chromium-headless-shell`` package, the build Playwright itself runs headless): it renders the
same pages with a third less CPU than the full browser in headless mode. A headed run needs the
full browser (``chromium``). Both the CLI and pytest use this module so a run and a test always
drive the same browser.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from e2e.errors import HarnessError

if TYPE_CHECKING:
    from playwright.sync_api import Playwright

SYSTEM_CHROMIUM_CANDIDATES = (
    "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome",
)
# The binary itself first: Debian's /usr/bin wrapper does not exec it, so stopping the wrapper
# would leave the browser running (Playwright kills the whole group; a plain Popen does not).
SYSTEM_HEADLESS_SHELL_CANDIDATES = (
    "/usr/lib/chromium/chromium-headless-shell", "/usr/bin/chromium-headless-shell",
)

# Without these Chromium keeps opening connections to Google's services, which a closed
# network (CI runners, this project's sandbox) refuses many times a second.
QUIET_NETWORK_ARGS = (
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
)


class BrowserSetupError(HarnessError, RuntimeError):
    """No usable Chromium was found; the message says how to install one."""


def playwright_chromium_path(playwright: Playwright | None = None) -> Path | None:
    """Return the path of Playwright's bundled Chromium if it has been downloaded.

    Pass the ``playwright`` already running: without it, a Playwright driver is started only
    to ask (a Node.js process: 0.4 s of CPU that every run and test session would pay again).
    """
    try:
        if playwright is not None:
            path = Path(playwright.chromium.executable_path)
        else:
            from playwright.sync_api import sync_playwright

            with sync_playwright() as p:
                path = Path(p.chromium.executable_path)
    except Exception:  # noqa: BLE001 - any failure means "not available"
        return None
    return path if path.exists() else None


def system_chromium_path(headless: bool = False) -> Path | None:
    """Return the first system Chromium found, honouring ``CHROMIUM_PATH``; with ``headless``
    the headless shell first, when it is installed."""
    override = os.environ.get("CHROMIUM_PATH")
    if override:
        return Path(override)
    candidates = (*SYSTEM_HEADLESS_SHELL_CANDIDATES, *SYSTEM_CHROMIUM_CANDIDATES) if headless \
        else SYSTEM_CHROMIUM_CANDIDATES
    for candidate in candidates:
        if Path(candidate).exists():
            return Path(candidate)
    found = shutil.which("chromium")
    return Path(found) if found else None


def chromium_executable(headless: bool = True,
                        playwright: Playwright | None = None) -> Path | None:
    """Pick the Chromium to launch: ``None`` means Playwright's own (which picks its headless
    shell by itself)."""
    if os.environ.get("CHROMIUM_PATH"):
        return Path(os.environ["CHROMIUM_PATH"])
    if playwright_chromium_path(playwright) is not None:
        return None
    system = system_chromium_path(headless)
    if system is None:
        raise BrowserSetupError(
            "No Chromium found. Install one of: Playwright's own "
            "(`.venv/bin/playwright install chromium`), or the system package "
            "(`sudo apt-get install chromium` on Debian/Ubuntu), or set CHROMIUM_PATH "
            "to a Chromium or Chrome binary."
        )
    return system


def chromium_args(extra: list[str] | None = None) -> list[str]:
    """Return the command-line flags every Chromium of the harness gets on this machine.

    Kept apart from the executable so a browser started elsewhere (a browser server, a Chromium
    with a DevTools port) gets the same flags even when no Chromium is installed here.
    """
    args = list(QUIET_NETWORK_ARGS)
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--no-sandbox")  # Chromium refuses to start its sandbox as root.
    args.extend(extra or [])
    return args


# Playwright closes the browser it launched on SIGINT, SIGTERM and SIGHUP by default. The harness
# catches them itself (Ctrl-C, or SIGTERM as the CLI turns it) to leave the account as found,
# which needs the browser still running: it closes it when it is done.
KEEP_BROWSER_ON_SIGNALS: dict[str, Any] = {"handle_sigint": False, "handle_sigterm": False,
                                           "handle_sighup": False}


def launch_args(extra: list[str] | None = None, headless: bool = True,
                playwright: Playwright | None = None) -> dict[str, Any]:
    """Build keyword arguments for ``BrowserType.launch`` for this machine (a headed browser
    needs the full Chromium, not the headless shell); pass the ``playwright`` that will launch
    it, if one is running."""
    options: dict[str, Any] = {"args": chromium_args(extra)}
    executable = chromium_executable(headless, playwright)
    if executable is not None:
        options["executable_path"] = str(executable)
    return options
