"""The help article's whole procedure, and each of its steps alone from its precondition."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page

from e2e.labels import Labels
from e2e.procedure import PROCEDURE, step_ids
from e2e.runner import PASSED, run_procedure
from e2e.target import Credentials, MockTarget, Target
from tests.support.preconditions import TURNED_ON, quick_setup, reach


@pytest.mark.selftest
@pytest.mark.procedure
def test_whole_procedure_turns_two_step_verification_on_and_off(
    page: Page, target: Target, labels: Labels, account: Credentials, tmp_path: Path
) -> None:
    # Given a fresh account with 2SV off
    # When the harness follows every numbered step of the article
    result = run_procedure(page, target, labels, account=account, evidence_dir=tmp_path)

    # Then every step passed, in the article's order, each with its screenshot
    assert [s.id for s in result.steps] == step_ids()
    failures = [s.error for s in result.steps if s.status != PASSED]
    assert not failures, failures
    for step in result.steps:
        assert step.screenshot and (tmp_path / step.screenshot).stat().st_size > 0
        assert all(step.labels.values()), f"step {step.id}: labels not seen: {step.labels}"


@pytest.mark.parametrize("step_id", step_ids())
def test_each_step_alone_from_its_precondition(
    page: Page, target: Target, labels: Labels, account: Credentials, step_id: str
) -> None:
    # Given the account brought to the step's precondition by the steps before it (after 2.7,
    # on a console with a test API, 2SV is turned on through it: tests/support/preconditions)
    index = step_ids().index(step_id)
    steps = PROCEDURE[: index + 1]
    if quick_setup(target) and index > step_ids().index(TURNED_ON):
        reach(page, target, labels, account, through=step_ids()[index - 1])
        steps = PROCEDURE[index: index + 1]
    # When only this step is recorded
    # (a throwaway account on the mock needs no cleanup; a real console's account gets it)
    result = run_procedure(page, target, labels, account=account, record_from=step_id,
                           steps=steps, leave_as_found=not target.has_test_api)

    # Then it is the only recorded step, and it passed
    assert [s.id for s in result.steps] == [step_id]
    assert result.steps[0].status == PASSED, result.steps[0].error


@pytest.mark.selftest
@pytest.mark.rule("audit")
@pytest.mark.needs_test_api
def test_procedure_leaves_the_audit_trail_the_article_implies(
    page: Page, mock: MockTarget, labels: Labels, account: Credentials
) -> None:
    # Given a fresh account, When the whole procedure runs
    result = run_procedure(page, mock, labels, account=account)
    assert result.passed, result.failure

    # Then the console recorded, in order: sign-in, enable, a refused wrong code at the
    # sign-in challenge, the sign-in with a code, disable, and the sign-in without a code
    types = mock.event_types(account.username)
    # (a console started with --reauth also records each confirmation of access, one per
    # re-authentication sub-step of the run)
    confirmations = types.count("access_confirmed")
    assert confirmations == sum(len(step.substeps) for step in result.steps)
    types = [kind for kind in types if kind != "access_confirmed"]
    assert types == ["signed_in", "two_step_enabled", "code_rejected", "signed_in",
                     "two_step_disabled", "signed_in"]
    details = [e["detail"] for e in mock.events(account.username) if e["type"] == "signed_in"]
    assert details == ["password", "code", "password"]
    assert mock.account_state(account.username)["two_step_enabled"] is False
