"""A browser test that fails because a locator found nothing says which catalogue words it
looked for and what the screen shows instead, as a run of the article does.

Playwright's "element(s) not found" leaves a QA engineer facing a console that words things
differently to guess what to change; this adds ``e2e.diagnosis``'s hint to the failed test's
report, as a section of its own ("missing words"), scrubbed like the rest of the report (this
hook wraps the one that scrubs, so it scrubs its own section).
"""

from __future__ import annotations

from collections.abc import Generator
from pathlib import Path

import pytest
from playwright.sync_api import Page

from e2e.diagnosis import found_nothing, missing_words
from e2e.labels import Labels, load_labels
from e2e.pytest_plugin.scrub import scrub

SECTION = "missing words"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]
                              ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Append the missing-words hint to a failed browser test's report."""
    report: pytest.TestReport = yield
    if call.when != "call" or not report.failed or call.excinfo is None:
        return report
    page = getattr(item, "funcargs", {}).get("page")
    missing = found_nothing(call.excinfo.value)
    if not isinstance(page, Page) or missing is None:
        return report
    hint = _hint(item, page, missing)
    if hint and hint not in str(call.excinfo.value):  # advance_to's failure already says it
        report.sections.append((SECTION, scrub(hint)))
    return report


def _hint(item: pytest.Item, page: Page, missing: BaseException) -> str:
    """The hint for what a locator found nothing for on ``page`` ("" when the screen cannot
    tell)."""
    if page.is_closed():
        return ""
    try:
        return missing_words(page, _labels(item), str(missing))
    except Exception:  # noqa: BLE001 - a hint never hides the failure it would explain
        return ""


def _labels(item: pytest.Item) -> Labels:
    """The test's catalogue: its ``labels`` fixture, else the one --labels / --lang name."""
    labels = getattr(item, "funcargs", {}).get("labels")
    if isinstance(labels, Labels):
        return labels
    path = item.config.getoption("labels", None)
    return load_labels(item.config.getoption("lang", "en"), Path(path) if path else None)
