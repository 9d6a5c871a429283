"""The secret a console issues: at least 128 random bits, a new one at each enrolment, never one
for two accounts (docs/security.md, secret strength). Judged from the QR code, as an app sees it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from e2e.authenticator import Authenticator
from e2e.labels import Labels
from e2e.runner import advance_to, run_procedure
from e2e.target import Credentials, Target


@pytest.mark.selftest
@pytest.mark.rule("secret")
def test_setting_up_again_issues_a_fresh_strong_secret(
    page: Page, target: Target, labels: Labels, account: Credentials
) -> None:
    # Given an account that turned 2SV on and off once (its first secret checked at step 2.5)
    first = run_procedure(page, target, labels, account=account)
    assert first.passed, first.failure

    # When it sets 2SV up again and scans the new QR code, Then step 2.5 finds a new secret:
    # its check fails naming the rule if the console issued a short, patterned, repeated or
    # shared one
    ctx = advance_to(page, target, labels, account, through="2.5",
                     authenticator=Authenticator(target))
    assert ctx.authenticator.entry().secret_bits >= 128
