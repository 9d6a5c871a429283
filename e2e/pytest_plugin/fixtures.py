"""The public fixtures: which console, which browser, a fresh account per test, and the guards.

Without ``--base-url`` each test session (each xdist worker) starts the embedded mock console on
127.0.0.1; with ``--base-url`` the same suite drives that console: a mock with its test API, or a
real console (tests that need the test API then skip, saying why). Registered by ``plugin`` after
pytest-playwright, so the ``browser*``, ``context`` and ``connect_options`` fixtures here are the
ones pytest-playwright's ``page`` is built from.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Playwright

from e2e import cleanup
from e2e.authenticator import Authenticator
from e2e.browser.devices import DESKTOP, UnknownDevice, context_options
from e2e.browser.launch import KEEP_BROWSER_ON_SIGNALS, launch_args
from e2e.browser.remote import (
    BrowserEndpoint,
    RemoteBrowserError,
    connect_browser,
    remote_launch_args,
    server_connect_options,
)
from e2e.browser.session import apply_console_wait, browser_locale
from e2e.labels import Labels, load_labels
from e2e.procedure import TURN_ON_CLICKED, Context
from e2e.target import (
    ACCOUNTS_ENV,
    ALLOW_PLAIN_HTTP_ENV,
    Credentials,
    MockTarget,
    Target,
    TargetError,
    connect,
)

REMOTE_BROWSER = pytest.StashKey["BrowserEndpoint | None"]()
NO_TEST_API = ("needs the mock console's test API (/__test__/: accounts, clock, events, faults); "
               "the console at {url} has none. Run against the embedded mock (no --base-url) or "
               "`python -m mock_console --test-api`.")
RECORDINGS = (("tracing", "off"), ("video", "off"), ("screenshot", "off"))
CLEANUP_NEEDS = ("page", "account", "authenticator")  # function-scoped, of a test that used them


def xdist_share() -> tuple[int, int]:
    """Return (this worker's index, number of workers) under pytest-xdist, else (0, 1)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    count = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    return int(worker.removeprefix("gw") or 0), max(1, count)


def secret_artifacts_refusal(config: pytest.Config) -> str | None:
    """Why pytest-playwright's recordings must not run against the console of ``--base-url``,
    or None.

    Its traces, videos and screenshots cannot be scrubbed; on the mock with its test API
    (throwaway accounts, the embedded one too) they are harmless, anywhere else only with an
    explicit yes. The plugin asks once, before any test runs (``pytest_sessionstart``, on
    xdist's controller), so the refusal is a usage error, not one per worker.
    """
    asked = [f"--{name}={config.getoption(name)}" for name, off in RECORDINGS
             if config.getoption(name, default=off) not in (off, None)]
    base_url = config.getoption("base_url", default=None)
    if not asked or not base_url or config.getoption("artifacts_contain_secrets"):
        return None
    try:
        MockTarget.at(base_url)  # a mock with its test API: throwaway accounts
        return None
    except TargetError:
        pass
    return (f"refusing {' '.join(asked)} against {base_url}: traces, videos and "
            "screenshots of a real console hold the password, the 2SV secret (QR code), the "
            "Recovery Code and session cookies, and cannot be scrubbed. Drop them, or add "
            "--artifacts-contain-secrets and keep test-results/ out of CI artifacts.")


@pytest.fixture(scope="session")
def target(request: pytest.FixtureRequest) -> Iterator[Target]:
    """Start the embedded mock, or reach the console given by --base-url."""
    config = request.config
    if config.getoption("allow_plain_http"):
        os.environ[ALLOW_PLAIN_HTTP_ENV] = "1"
    if config.getoption("accounts"):
        os.environ[ACCOUNTS_ENV] = str(Path(config.getoption("accounts")).resolve())
    with connect(config.getoption("base_url") or None, share=xdist_share()) as console:
        yield console


@pytest.fixture(scope="session")
def base_url(target: Target) -> str:
    """Point pytest-playwright's pages at the console under test (relative page.goto works)."""
    return target.base_url


@pytest.fixture(scope="session")
def labels(pytestconfig: pytest.Config) -> Labels:
    """Load the label catalogue: the file of --labels, else the shipped one of --lang."""
    path = pytestconfig.getoption("labels")
    return load_labels(pytestconfig.getoption("lang"), Path(path) if path else None)


@pytest.fixture
def mock(target: Target) -> MockTarget:
    """Return the console as a mock with a test API, or skip the test saying why."""
    if not isinstance(target, MockTarget):
        pytest.skip(NO_TEST_API.format(url=target.base_url))
    return target


@pytest.fixture
def account(target: Target) -> Credentials:
    """Create a fresh account (2SV off) for this test alone (from the pool on a real console)."""
    return target.new_account()


@pytest.fixture
def authenticator(target: Target) -> Authenticator:
    """Give this test its own virtual authenticator app, reading the console's clock."""
    return Authenticator(target)


@pytest.fixture(scope="session")
def private_mock(target: Target) -> Iterator[MockTarget]:
    """Return a mock console no other test process shares, for tests that switch faults on.

    The embedded mock is already private to this process; a console given by --base-url may be
    shared by several xdist workers, so a private one is started beside it.
    """
    if isinstance(target, MockTarget) and target.started_here:
        yield target
        return
    with MockTarget.start() as mock:
        yield mock


@pytest.fixture
def faults(private_mock: MockTarget) -> Iterator[MockTarget]:
    """Let a test switch faults on in a private mock; every fault is off again afterwards."""
    already_on = set(private_mock.enabled_faults())  # the self-test may have switched some on
    yield private_mock
    switched = set(private_mock.enabled_faults()) - already_on
    if switched:
        private_mock.disable_faults(*switched)


@pytest.fixture(autouse=True)
def _needs_test_api(request: pytest.FixtureRequest) -> None:
    """Skip tests marked ``needs_test_api`` on a console without the test API."""
    if request.node.get_closest_marker("needs_test_api"):
        request.getfixturevalue("mock")


@pytest.fixture(autouse=True)
def _leave_accounts_as_found(request: pytest.FixtureRequest) -> Iterator[None]:
    """After a browser test on a real console, turn 2SV off again if it may be on, and sign out.

    On the mock with its test API every test has a throwaway account: nothing to undo. On a real
    console the pool's accounts are reused run after run, so each is left as found: the accounts
    of the contexts ``advance_to`` built, else the test's ``account`` in its ``page`` (2SV may be
    on once its ``authenticator`` holds a key, whatever clicked "Turn on"). A cleanup that fails
    is reported as this test's error, naming the account and what to do.
    """
    # What cleanup needs is set up first, so it is still there at our teardown
    used = {name: request.getfixturevalue(name) for name in CLEANUP_NEEDS
            if name in request.fixturenames}
    yield
    target: Target = request.getfixturevalue("target")
    if target.has_test_api:
        cleanup.forget_tracked()
        return
    if cleanup.has_tracked():
        done = cleanup.settle_tracked()
    elif "page" in used and "account" in used:
        labels = request.getfixturevalue("labels")  # session-scoped: still there
        done = [cleanup.leave_as_found(_test_context(used, target, labels))]
    else:
        return
    failed = [line for result in done if not result.ok for line in result.lines()]
    assert not failed, "\n".join(failed)


def _test_context(used: dict[str, Any], target: Target, labels: Labels) -> Context:
    """The run context of a test that drove the page objects itself, for its cleanup."""
    authenticator = used.get("authenticator")
    if authenticator is None:
        authenticator = Authenticator(target)
    ctx = Context(page=used["page"], target=target, labels=labels,
                  account=used["account"], authenticator=authenticator)
    if len(authenticator):  # it scanned a key: 2SV may be on, cleanup signs in to see
        ctx.notes[TURN_ON_CLICKED] = True
    return ctx


@pytest.fixture
def context(context: BrowserContext, target: Target) -> BrowserContext:
    """Bound how long a click or an expectation waits: 5 s on the mock, 30 s on a real one."""
    apply_console_wait(context, target)
    return context


@pytest.fixture(scope="session")
def remote_browser(pytestconfig: pytest.Config) -> BrowserEndpoint | None:
    """Return the browser server or DevTools endpoint to use (--browser-ws, --cdp), if any."""
    return pytestconfig.stash.get(REMOTE_BROWSER, None)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any],
                             remote_browser: BrowserEndpoint | None,
                             playwright: Playwright) -> dict[str, Any]:
    """Launch Playwright's Chromium if installed, else the system's, with quiet-network flags.

    For a browser server these are the options it launches with (E2E_REMOTE_LAUNCH_OPTIONS, or
    this machine's), so no Chromium needs to be installed here.
    """
    headless = bool(browser_type_launch_args.get("headless", True))  # --headed: the full one
    mine = ({**KEEP_BROWSER_ON_SIGNALS, **launch_args(headless=headless, playwright=playwright)}
            if remote_browser is None else remote_launch_args(headless=headless))
    mine.setdefault("args", [])
    merged = {**mine, **browser_type_launch_args}
    merged["args"] = [*mine["args"], *browser_type_launch_args.get("args", [])]
    return merged


@pytest.fixture(scope="session")
def connect_options(remote_browser: BrowserEndpoint | None,
                    browser_type_launch_args: dict[str, Any]) -> dict[str, Any] | None:
    """Make pytest-playwright connect to the browser server instead of launching Chromium.

    Its own header spells the launch options the Python way, which the server ignores; ours,
    with the JavaScript names, takes precedence.
    """
    if remote_browser is None or remote_browser.kind != "server":
        return None
    return server_connect_options(remote_browser, browser_type_launch_args)


@pytest.fixture(scope="session")
def browser(launch_browser: Callable[[], Browser], playwright: Playwright,
            remote_browser: BrowserEndpoint | None) -> Iterator[Browser]:
    """Launch Chromium (or connect to a browser server); over CDP, attach to a running one.

    Closing a browser reached over CDP only disconnects: the grid's Chromium lives on.
    """
    if remote_browser is not None and remote_browser.kind == "cdp":
        try:
            browser = connect_browser(playwright, remote_browser)
        except RemoteBrowserError as error:
            pytest.fail(str(error), pytrace=False)
    else:
        browser = launch_browser()
    yield browser
    browser.close()


@pytest.fixture(scope="session")
def browser_context_args(
    pytestconfig: pytest.Config, playwright: Playwright, device: str | None, base_url: str,
    _pw_artifacts_folder: tempfile.TemporaryDirectory[str],
) -> dict[str, Any]:
    """Emulate --device (ours, like "Desktop Dark", or Playwright's, like "iPhone 14") in
    Chromium, the article's desktop otherwise, with the browser locale of --lang."""
    # Replaces pytest-playwright's fixture: its device lookup knows only Playwright's
    # descriptors and passes their default_browser_type, which new_context() refuses.
    try:
        args = context_options(playwright.devices, device or DESKTOP)
    except UnknownDevice as error:
        raise pytest.UsageError(str(error)) from None
    args["locale"] = browser_locale(pytestconfig.getoption("lang"))
    args["base_url"] = base_url
    if pytestconfig.getoption("--video") in ("on", "retain-on-failure"):
        args["record_video_dir"] = _pw_artifacts_folder.name
    return args
