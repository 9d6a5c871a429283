"""The self-test's judgement: a fault is caught only by a failure that names a step or a rule."""

from __future__ import annotations

from pathlib import Path

from e2e.selftest import CaseOutcome, SuiteRun, format_table, read_junit, verdict

JUNIT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest" tests="4">
<testcase classname="tests.e2e.test_procedure" name="test_whole[chromium]" time="5"/>
<testcase classname="tests.e2e.test_negative_setup" name="test_window[chromium]" time="2">
  <failure message="security rule broken: a code is accepted once (RFC 6238): assert">trace
  </failure></testcase>
<testcase classname="tests.e2e.test_recovery_code" name="test_used[chromium]" time="3">
  <error message="StepFailed: step 2.7 (Confirm ...) failed: no code asked">trace</error>
</testcase>
<testcase classname="tests.e2e.test_x" name="test_skipped" time="0">
  <skipped message="needs the test API"/></testcase>
</testsuite></testsuites>
"""


def test_junit_outcomes_and_named_failures(tmp_path: Path) -> None:
    path = tmp_path / "fault.xml"
    path.write_text(JUNIT)
    outcomes = {o.test: o for o in read_junit(path)}
    assert outcomes["test_procedure::test_whole[chromium]"].status == "passed"
    assert outcomes["test_negative_setup::test_window[chromium]"].named
    assert outcomes["test_recovery_code::test_used[chromium]"].named  # an error counts too
    assert outcomes["test_x::test_skipped"].status == "skipped"


def test_a_failure_that_names_nothing_does_not_count_as_caught() -> None:
    run = SuiteRun("no_lockout", 1.0, 1, [CaseOutcome("t", "failed", "TimeoutError: 10000ms")])
    assert run.failures and not run.caught


def test_verdict_needs_a_green_clean_run_and_every_fault_caught() -> None:
    clean = SuiteRun(None, 1.0, 0, [CaseOutcome("t", "passed")])
    caught = SuiteRun("allow_replay", 1.0, 1, [CaseOutcome("t", "failed", "step 2.7 failed")])
    missed = SuiteRun("no_lockout", 1.0, 0, [CaseOutcome("t", "passed")])
    assert verdict(clean, [caught])
    assert not verdict(clean, [caught, missed])
    red_clean = SuiteRun(None, 1.0, 1, [CaseOutcome("t", "failed", "step 1.1 failed")])
    assert not verdict(red_clean, [caught])
    table = format_table(clean, [caught, missed], {"no_lockout": "never throttled"})
    assert "allow_replay" in table and "NO" in table
