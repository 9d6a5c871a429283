"""The browser tests' own fixtures and hooks: the console each test drives, the states it
starts from, what it could not check, and the shared read-only runs.

Several xdist workers may share one mock (``--base-url``), and so its one clock. Most tests only
move it forward to the next 30 s step, which the one-step window absorbs. A few cannot share it:
they place the clock to the second and enter the code for the step next to it (the window's
edges, replay order), so another worker's step forward turns "one step ago" into "two steps ago";
or they jump it by minutes (lockout expiry, hunting for a code that starts with 0), which expires
other workers' pending sign-ins and lockouts. Those are marked ``own_console`` and run on
``private_mock``: the embedded mock is already private to its worker, so nothing changes without
``--base-url``; on a real console the marker changes nothing either.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest
from playwright.sync_api import Page

from e2e.authenticator import Authenticator
from e2e.labels import Labels
from e2e.pages import CodeChallengePage
from e2e.procedure import Context, sign_in, sign_out
from e2e.target import ONLY_RULES_ENV, Credentials, MockTarget, Target
from tests.support.preconditions import reach

PROCEDURE_MARKER = "procedure"  # the article's whole procedure; catches any step's regression
NOT_CHECKED = "not_checked"  # the JUnit property naming what a test could not check here


@pytest.fixture
def console(request: pytest.FixtureRequest, target: Target) -> Target:
    """The console this test drives: ``target``, or a private mock for ``own_console`` tests."""
    if request.node.get_closest_marker("own_console") and isinstance(target, MockTarget):
        private: MockTarget = request.getfixturevalue("private_mock")
        return private
    return target


@pytest.fixture
def mock(mock: MockTarget, console: Target) -> MockTarget:
    """The console as a mock (the root fixture skips the test on a real one), maybe private."""
    return console if isinstance(console, MockTarget) else mock


@pytest.fixture
def account(console: Target) -> Credentials:
    """A fresh account (2SV off) for this test alone, on the console it drives."""
    return console.new_account()


@pytest.fixture
def challenged(page: Page, console: Target, labels: Labels, account: Credentials) -> Context:
    """2SV is on (article 2.7); the user signed out, then in with the password: a code is asked
    (the Recovery Code kept in ``notes["recovery_code"]``)."""
    ctx = reach(page, console, labels, account, through="2.7")
    sign_out(ctx)
    sign_in(ctx)
    CodeChallengePage(page, labels).expect_loaded()
    return ctx


@pytest.fixture
def authenticator(console: Target) -> Authenticator:
    """This test's own virtual authenticator app, reading the clock of the console it drives."""
    return Authenticator(console)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Keep only the tests of the rules named in ``E2E_ONLY_RULES`` when it is set.

    ``selftest --quick`` sets it to the rules a fault is declared to break (``procedure`` for
    the article's whole procedure), so the test that should catch the fault runs first instead
    of after the whole suite; the self-test falls back to every test when these miss it.
    """
    wanted = {name for name in os.environ.get(ONLY_RULES_ENV, "").split(",") if name}
    if not wanted:
        return
    kept, dropped = [], []
    for item in items:
        rules = {str(marker.args[0]) for marker in item.iter_markers("rule")}
        if item.get_closest_marker(PROCEDURE_MARKER):
            rules.add(PROCEDURE_MARKER)
        (kept if rules & wanted else dropped).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.fixture
def console_side(request: pytest.FixtureRequest, console: Target
                 ) -> Callable[[str], MockTarget | None]:
    """Return ``check(what)``: the mock whose state and audit trail prove ``what``, or None.

    A real console shows a browser neither its stored state nor its audit trail, so a test
    checks less there; ``check`` then records what went unchecked (a JUnit property, and a line
    in the terminal summary) instead of letting the assertions vanish silently.
    """
    mock = console if isinstance(console, MockTarget) and console.has_test_api else None

    def check(what: str) -> MockTarget | None:
        if mock is None:
            request.node.user_properties.append((NOT_CHECKED, what))
        return mock

    return check


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """List what the browser tests could not check on this console (no test API)."""
    lines = sorted({f"{report.nodeid}: {value}"
                    for reports in terminalreporter.stats.values() for report in reports
                    if isinstance(report, pytest.TestReport) and report.when == "call"
                    for name, value in report.user_properties if name == NOT_CHECKED})
    if lines:
        terminalreporter.section("checked only in the browser (this console has no test API)")
        for line in lines:
            terminalreporter.write_line(line)
