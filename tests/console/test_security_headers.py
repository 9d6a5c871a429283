"""The headers and cookie flags a browser can see on the 2SV pages (docs/security.md, headers).

Read from the responses the browser receives while it follows the article, the way the posture
report reads them; here a failing check fails the test, naming the rule.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from e2e.checks.posture import FAIL, UNKNOWN, PostureObserver, assess
from e2e.checks.rules import broken
from e2e.labels import Labels
from e2e.runner import run_procedure
from e2e.target import Credentials, Target

HEADER_CHECKS = ("https", "hsts", "frame", "no_store", "csp", "nosniff", "referrer", "cookies",
                 "rotation")


@pytest.mark.selftest
@pytest.mark.rule("headers")
def test_the_2sv_pages_are_not_cached_framed_or_sniffed_and_cookies_keep_their_flags(
    page: Page, target: Target, labels: Labels, account: Credentials,
    record_property: pytest.RecordProperty,
) -> None:
    # Given the browser listening to the console's responses
    observer = PostureObserver(page, target.base_url)

    # When it follows the whole article
    result = run_procedure(page, target, labels, account=account, inspect=observer)
    assert result.passed, result.failure

    # Then no header check fails
    checks = [c for c in assess(observer.observations) if c.id in HEADER_CHECKS]
    failed = [f"{c.title}: {c.evidence}" for c in checks if c.status == FAIL]
    assert not failed, broken("headers", "; ".join(failed))
    # and each was observed: on the mock always; on a real console a check the browser could
    # not observe (e.g. cookies set on another origin) is recorded as a note, never dropped
    unknown = [f"{c.id}: {c.evidence}" for c in checks if c.status == UNKNOWN]
    if target.has_test_api:
        assert not unknown, unknown
    elif unknown:
        record_property("not_observed", "; ".join(unknown))
