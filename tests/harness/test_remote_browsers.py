"""The harness drives browsers it did not start: a Playwright browser server, a DevTools endpoint.

Each remote browser is started on loopback by a fixture, which waits for the line saying where it
listens (never a fixed sleep). Each test then checks that the work really happened in that
browser: the server logs the client it launched a browser for, the DevTools Chromium's own
user agent shows in the page, and the CLI runs with ``CHROMIUM_PATH`` pointing nowhere, so it
could not have launched a Chromium of its own.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Playwright

from e2e.browser.devices import DESKTOP, context_options
from e2e.browser.launch import (
    BrowserSetupError,
    chromium_args,
    chromium_executable,
    playwright_chromium_path,
)
from e2e.browser.remote import (
    BROWSER_WS_ENV,
    CDP_URL_ENV,
    LAUNCH_OPTIONS_ENV,
    BrowserEndpoint,
    connect_browser,
)
from e2e.browser.session import browser_locale
from e2e.cli.main import EXIT_PASSED, EXIT_SETUP
from e2e.labels import Labels
from e2e.procedure import PROCEDURE
from e2e.runner import RunResult, run_procedure
from e2e.target import ACCOUNTS_ENV, PASSWORD_ENV, USERNAME_ENV, Credentials, Target
from tests.support.cli import run_e2e
from tests.support.listening import Listener, start_listener

SERVER_READY = re.compile(r"^Listening on (ws://\S+)")
DEVTOOLS_READY = re.compile(r"^DevTools listening on (ws://\S+)")
SERVER_LAUNCHED = re.compile(r'engaged launch mode for "chromium"')
MARKER = "E2E-remote-browser-marker"  # in the user agent of the DevTools Chromium
NOWHERE = "/nonexistent/chromium"  # CHROMIUM_PATH for a CLI that must not launch its own
FIRST_STEP = PROCEDURE[:1]  # signing in: enough to prove a page of that browser drives the console


def local_chromium() -> str:
    """The Chromium binary the harness would launch here (Playwright's own, or the system's).

    A suite whose browsers all live on a grid may have none here: these tests then skip.
    """
    try:
        path = chromium_executable() or playwright_chromium_path()
    except BrowserSetupError:
        path = None
    if path is None:
        pytest.skip("no Chromium on this machine to serve as the remote browser")
    return str(path)


def clean_env(account: Credentials | None = None, **extra: str) -> dict[str, str]:
    """This process's environment without remote-browser choices, plus ``extra``.

    A child process signs in as ``account``, this test's own: against a real console it would
    otherwise read the ``E2E_ACCOUNTS`` pool from its start and reuse another test's account.
    """
    dropped = (BROWSER_WS_ENV, CDP_URL_ENV, ACCOUNTS_ENV, USERNAME_ENV, PASSWORD_ENV)
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    if account is not None:
        env.update({USERNAME_ENV: account.username, PASSWORD_ENV: account.password})
    return {**env, **extra}


@pytest.fixture(scope="module")
def browser_server() -> Iterator[Listener]:
    """``playwright run-server --unsafe`` on 127.0.0.1, logging its clients (DEBUG=pw:server)."""
    from playwright._impl._driver import compute_driver_executable, get_driver_env

    # The driver's node directly (what `python -m playwright run-server` runs), so stopping the
    # process stops the server itself rather than a wrapper.
    node, cli = compute_driver_executable()
    env = {**get_driver_env(), "DEBUG": "pw:server"}
    server = start_listener([node, cli, "run-server", "--host", "127.0.0.1", "--port", "0",
                             "--unsafe"], SERVER_READY, env)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def devtools_chromium(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Listener]:
    """A bare headless Chromium with a DevTools port on 127.0.0.1, as a browser grid runs it."""
    profile = tmp_path_factory.mktemp("devtools-profile")
    user_agent = (f"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
                  f"Chrome/120.0.0.0 Safari/537.36 {MARKER}")
    chromium = start_listener(
        [local_chromium(), "--headless", "--remote-debugging-port=0",
         "--remote-debugging-address=127.0.0.1", f"--user-data-dir={profile}",
         f"--user-agent={user_agent}", *chromium_args()], DEVTOOLS_READY)
    yield chromium
    chromium.stop()


def server_launch_options(*extra_args: str) -> dict[str, object]:
    """What the browser server should launch: this machine's Chromium, as JSON would say it."""
    return {"executablePath": local_chromium(), "args": [*chromium_args(), *extra_args]}


def run_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return run_e2e("run", *args, env=env)


def first_step_in(browser: Browser, playwright: Playwright, target: Target, labels: Labels
                  ) -> tuple[RunResult, str]:
    """Run the article's first step in a desktop page of ``browser``, then close the browser
    (a remote one is only disconnected); return the result and the page's user agent."""
    try:
        context = browser.new_context(**context_options(playwright.devices, DESKTOP),
                                      locale=browser_locale(labels.lang))
        page = context.new_page()
        result = run_procedure(page, target, labels, steps=FIRST_STEP)
        return result, str(page.evaluate("navigator.userAgent"))
    finally:
        browser.close()


def closed_port() -> int:
    """A loopback port nothing listens on (the kernel just handed it out and it was closed)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# -- a Playwright browser server ------------------------------------------------------------------

def test_cli_runs_the_procedure_through_a_browser_server(
    browser_server: Listener, target: Target, account: Credentials,
    tmp_path: Path,
) -> None:
    # Given a browser server, and a CLI that could not launch a Chromium of its own
    launches_before = len(SERVER_LAUNCHED.findall(browser_server.output()))
    env = clean_env(account, CHROMIUM_PATH=NOWHERE,
                    **{LAUNCH_OPTIONS_ENV: json.dumps(server_launch_options())})

    # When the procedure runs with --browser-ws
    done = run_cli("--base-url", target.base_url, "--browser-ws", browser_server.url,
                   "--report", str(tmp_path), "--no-evidence", env=env)

    # Then every step passed, in a browser the server launched for this client
    assert done.returncode == EXIT_PASSED, done.stdout + done.stderr
    assert "all steps passed" in done.stdout
    assert len(SERVER_LAUNCHED.findall(browser_server.output())) == launches_before + 1, \
        browser_server.output()[-2000:]


def test_a_page_of_the_browser_server_drives_the_console(
    browser_server: Listener, playwright: Playwright, target: Target, labels: Labels
) -> None:
    # Given a browser from the server, launched with flags sent in the launch-options header
    endpoint = BrowserEndpoint("server", browser_server.url)
    browser = connect_browser(playwright, endpoint,
                              launch=server_launch_options(f"--user-agent={MARKER}"))
    # When the article's first step runs in a page of it (the CLI test above runs every step)
    result, user_agent = first_step_in(browser, playwright, target, labels)

    # Then it passed, in a Chromium started with our flags (the header was understood)
    assert result.passed, result.failure
    assert user_agent == MARKER
    assert SERVER_LAUNCHED.search(browser_server.output())


def test_pytest_runs_browser_tests_through_a_browser_server(
    browser_server: Listener, target: Target, account: Credentials,
    tmp_path: Path,
) -> None:
    # Given a pytest that could not launch a Chromium of its own
    launches_before = len(SERVER_LAUNCHED.findall(browser_server.output()))
    env = clean_env(account, CHROMIUM_PATH=NOWHERE, **{BROWSER_WS_ENV: browser_server.url,
                                              LAUNCH_OPTIONS_ENV: json.dumps(
                                                  server_launch_options())})

    # When a browser test runs with E2E_BROWSER_WS (pytest-playwright's connect_options)
    done = run_pytest(target, tmp_path, env=env)

    # Then it passed in a browser the server launched
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "1 passed" in done.stdout
    assert len(SERVER_LAUNCHED.findall(browser_server.output())) == launches_before + 1


# -- a bare Chromium's DevTools endpoint ----------------------------------------------------------

def test_cli_runs_the_procedure_over_cdp(
    devtools_chromium: Listener, target: Target, account: Credentials,
    tmp_path: Path,
) -> None:
    # Given a CLI that could not launch a Chromium of its own
    env = clean_env(account, CHROMIUM_PATH=NOWHERE)

    # When the procedure runs with --cdp
    done = run_cli("--base-url", target.base_url, "--cdp", devtools_chromium.url,
                   "--report", str(tmp_path), "--no-evidence", env=env)

    # Then every step passed, and the grid's Chromium is still running (only disconnected)
    assert done.returncode == EXIT_PASSED, done.stdout + done.stderr
    assert "all steps passed" in done.stdout
    assert devtools_chromium.process.poll() is None


def test_a_page_over_cdp_drives_the_console(
    devtools_chromium: Listener, playwright: Playwright, target: Target, labels: Labels
) -> None:
    # Given the running Chromium reached through its DevTools endpoint
    browser = connect_browser(playwright, BrowserEndpoint("cdp", devtools_chromium.url))
    # When the article's first step runs in a page of it (the CLI test above runs every step)
    result, user_agent = first_step_in(browser, playwright, target, labels)

    # Then it passed in that Chromium: the page shows the user agent it was started with
    assert result.passed, result.failure
    assert MARKER in user_agent


def test_pytest_runs_browser_tests_over_cdp(
    devtools_chromium: Listener, target: Target, account: Credentials,
    tmp_path: Path,
) -> None:
    # When a browser test runs with --cdp, in a pytest that could not launch its own Chromium
    done = run_pytest(target, tmp_path, "--cdp", devtools_chromium.url,
                      env=clean_env(account, CHROMIUM_PATH=NOWHERE))

    # Then it passed, and the grid's Chromium is still running
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "1 passed" in done.stdout
    assert devtools_chromium.process.poll() is None


def run_pytest(target: Target, tmp_path: Path, *args: str, env: dict[str, str]
               ) -> subprocess.CompletedProcess[str]:
    """Run one browser test of the suite in its own pytest, against this test's console: the
    article's first step alone (the CLI tests above run every step in the remote browser)."""
    test = ("tests/console/test_procedure.py::test_each_step_alone_from_its_precondition"
            f"[chromium-{FIRST_STEP[0].id}]")
    return subprocess.run(
        [sys.executable, "-m", "pytest", test, "-p", "no:cacheprovider", "-p", "no:xdist", "-q",
         "--base-url", target.base_url, "--output", str(tmp_path / "artifacts"), *args],
        capture_output=True, text=True, timeout=300, check=False, env=env,
        cwd=Path(__file__).resolve().parents[2])


# -- endpoints that do not answer -----------------------------------------------------------------

@pytest.mark.parametrize(("option", "url", "says"), [
    ("--browser-ws", "ws://127.0.0.1:{port}/", "nothing answers at Playwright browser server"),
    ("--cdp", "http://127.0.0.1:{port}", "nothing answers at Chromium DevTools"),
    ("--browser-ws", "http://127.0.0.1:{port}/", "--browser-ws must be a URL starting with ws://"),
])
def test_cli_exits_2_when_the_remote_browser_cannot_be_used(
    option: str, url: str, says: str, tmp_path: Path
) -> None:
    started = time.monotonic()
    done = run_cli(option, url.format(port=closed_port()), "--report", str(tmp_path),
                   env=clean_env())
    assert done.returncode == EXIT_SETUP, done.stdout + done.stderr
    assert says in done.stderr and "Traceback" not in done.stderr
    assert time.monotonic() - started < 60  # no connect timeout waited out on loopback


def test_pytest_stops_with_a_usage_error_when_the_browser_server_is_unreachable(
    target: Target, account: Credentials, tmp_path: Path
) -> None:
    url = f"ws://127.0.0.1:{closed_port()}/"
    done = run_pytest(target, tmp_path, env=clean_env(account, **{BROWSER_WS_ENV: url}))
    assert done.returncode == pytest.ExitCode.USAGE_ERROR, done.stdout + done.stderr
    assert f"nothing answers at Playwright browser server at {url}" in done.stderr
    assert "run-server" in done.stderr
