"""Options and hooks of the pytest plugin; the fixtures live in ``fixtures``.

Loaded through the ``pytest11`` entry point, so ``pip install hennge-2sv-e2e`` is all a QA team's
suite needs. pytest-playwright and pytest-base-url define fixtures of the same names
(``browser``, ``browser_type_launch_args``, ``browser_context_args``, ``context``,
``connect_options``, ``base_url``); among plugins the one registered last wins, and entry points
load in no set order, so the fixtures are registered in ``pytest_configure``, after every entry
point. A suite's own conftest.py still overrides them, as conftests override plugins.
"""

from __future__ import annotations

import re
from collections.abc import Generator

import pytest

from e2e.browser.remote import (
    BROWSER_WS_ENV,
    CDP_URL_ENV,
    RemoteBrowserError,
    choose_endpoint,
    probe,
)
from e2e.checks.rules import rule
from e2e.pytest_plugin import diagnosis, fixtures
from e2e.pytest_plugin.scrub import scrub_report
from e2e.target import ACCOUNTS_ENV

FIXTURES_PLUGIN = "hennge_2sv.fixtures"
DIAGNOSIS_PLUGIN = "hennge_2sv.diagnosis"  # a failure's missing words
STEP_NAMED = re.compile(r"\bstep \d+\.\d+\b")
MARKERS = (
    "rule(id): the security rule (e2e.checks.rules.RULES) a test proves; "
    "its failure names the rule",
    "needs_test_api: needs the mock console's /__test__/ API (skipped against a real console)",
)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("2sv", "2-Step Verification harness")
    group.addoption("--lang", default="en",
                    help="language of the shipped label catalogue the page objects read "
                         "(default en)")
    group.addoption("--labels", default=None, metavar="FILE",
                    help="a label catalogue file to read instead of the shipped one (a copy of "
                         "e2e/data/labels/en.json, edited for a console whose words differ)")
    group.addoption("--accounts", default=None, metavar="FILE",
                    help=f"a real console's pool of accounts with 2SV off, a JSON list of "
                         f"{{username, password}}; -n N workers each take every N-th "
                         f"(default ${ACCOUNTS_ENV}, else E2E_USERNAME and E2E_PASSWORD)")
    group.addoption("--allow-plain-http", action="store_true",
                    help="accept an http:// --base-url that is not on this machine")
    group.addoption("--artifacts-contain-secrets", action="store_true",
                    help="allow --tracing/--video/--screenshot against a real console: they then "
                         "hold the password, the 2SV secret and session cookies")
    group.addoption("--browser-ws", default=None, metavar="URL",
                    help=f"run the browser tests in the Playwright browser server at URL "
                         f"(default ${BROWSER_WS_ENV})")
    group.addoption("--cdp", default=None, metavar="URL",
                    help=f"run the browser tests in the Chromium whose DevTools endpoint is URL "
                         f"(default ${CDP_URL_ENV})")


def pytest_configure(config: pytest.Config) -> None:
    """Register the markers, refuse browsers the harness does not drive, add the fixtures and
    the missing-words hint of a failure."""
    for marker in MARKERS:
        config.addinivalue_line("markers", marker)
    others = sorted({name for name in config.getoption("browser", None) or []
                     if name != "chromium"})
    if others:
        raise pytest.UsageError(
            f"--browser {' '.join(others)}: this harness drives Chromium only (its QR capture, "
            "device emulation and launch options are Chromium's); drop --browser, or pass "
            "--browser chromium")
    if not config.pluginmanager.has_plugin(FIXTURES_PLUGIN):
        config.pluginmanager.register(fixtures, FIXTURES_PLUGIN)
    if not config.pluginmanager.has_plugin(DIAGNOSIS_PLUGIN):
        config.pluginmanager.register(diagnosis, DIAGNOSIS_PLUGIN)


def pytest_sessionstart(session: pytest.Session) -> None:
    """Stop at once, with what to do, when the remote browser asked for cannot be reached, or
    when recordings that would hold a real console's secrets were asked for."""
    config = session.config
    try:
        endpoint = choose_endpoint(config.getoption("browser_ws"), config.getoption("cdp"))
        if endpoint is not None:
            probe(endpoint)
    except RemoteBrowserError as error:
        raise pytest.UsageError(str(error)) from None
    config.stash[fixtures.REMOTE_BROWSER] = endpoint
    if not hasattr(config, "workerinput"):  # once, on xdist's controller (or the only process)
        refusal = fixtures.secret_artifacts_refusal(config)
        if refusal is not None:
            raise pytest.UsageError(refusal)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]
                              ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Prefix a rule-marked test's failure with the security rule it proves; scrub secrets
    from every report (``scrub``)."""
    report: pytest.TestReport = yield
    name_the_rule(item, call, report)
    scrub_report(report)
    return report


def name_the_rule(item: pytest.Item, call: pytest.CallInfo[None],
                  report: pytest.TestReport) -> None:
    """Prefix a rule-marked test's failure with the security rule it proves."""
    marker = item.get_closest_marker("rule")
    if marker is None or not report.failed or call.when != "call":
        return
    crash = getattr(report.longrepr, "reprcrash", None)
    if crash is not None and STEP_NAMED.search(crash.message):
        return  # it failed on the way, at an article step it already names
    statement = f"security rule broken: {rule(marker.args[0])}"
    item.user_properties.append(("rule", marker.args[0]))
    report.user_properties.append(("rule", marker.args[0]))
    if crash is not None and "security rule broken" not in crash.message:
        crash.message = f"{statement}: {crash.message}"
    report.sections.append(("security rule", statement))
