"""The self-test's judgement: a fault is caught only by a failure that names a step or a rule."""

from __future__ import annotations

import argparse
import re
import threading
from pathlib import Path

import pytest

from e2e.browser.session import SetupError
from e2e.checks.rules import RULES
from e2e.cli import selftest
from e2e.cli.selftest import CaseOutcome, SuiteRun, format_table, read_junit, verdict
from mock_console.faults import FAULTS, PROCEDURE
from tests.support.checkout import file_stamps

ROOT = Path(__file__).resolve().parents[2]

JUNIT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest" tests="4">
<testcase classname="tests.console.test_procedure" name="test_whole[chromium]" time="5"/>
<testcase classname="tests.console.test_negative_setup" name="test_window[chromium]" time="2">
  <failure message="security rule broken: a code is accepted once (RFC 6238): assert">trace
  </failure></testcase>
<testcase classname="tests.console.test_recovery_code" name="test_used[chromium]" time="3">
  <error message="StepFailed: step 2.7 (Confirm ...) failed: no code asked">trace</error>
</testcase>
<testcase classname="tests.console.test_x" name="test_skipped" time="0">
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


# -- --quick tries the tests of the rules a fault is declared to break first ---------------------

CAUGHT = CaseOutcome("t", "failed", "security rule broken: a code is accepted once")
MISSED = CaseOutcome("t", "passed")


def fake_suite(monkeypatch: pytest.MonkeyPatch, narrowed: list[CaseOutcome],
               whole: list[CaseOutcome]) -> list[tuple[tuple[str, ...], list[str]]]:
    """Replace the pytest subprocess: narrowed runs answer ``narrowed``, whole runs ``whole``."""
    calls: list[tuple[tuple[str, ...], list[str]]] = []

    def run(fault: str | None, report: Path, workers: int, extra: list[str],
            only: tuple[str, ...] = (), paths: tuple[str, ...] = ()) -> SuiteRun:
        calls.append((only, extra))
        return SuiteRun(fault, 1.0, 1, list(narrowed if only else whole), only)

    monkeypatch.setattr(selftest, "run_suite", run)
    return calls


def test_quick_stops_at_the_declared_rules_tests_when_they_catch_the_fault(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    calls = fake_suite(monkeypatch, narrowed=[CAUGHT], whole=[CAUGHT])
    run = selftest.run_fault("allow_replay", tmp_path, 2, True, ("replay",))
    assert run.caught and run.only == ("replay",)
    assert calls == [(("replay",), ["--maxfail=1"])]  # the whole suite never ran


def test_quick_falls_back_to_the_whole_suite_when_the_declared_tests_miss(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    calls = fake_suite(monkeypatch, narrowed=[MISSED], whole=[CAUGHT])
    run = selftest.run_fault("allow_replay", tmp_path, 2, True, ("window",))
    assert run.caught and run.only == ()  # caught, by a test outside the hint
    assert [only for only, _ in calls] == [("window",), ()]
    assert run.seconds == 2.0  # both runs are counted


def test_without_quick_every_test_runs_whatever_the_hint(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    calls = fake_suite(monkeypatch, narrowed=[CAUGHT], whole=[CAUGHT, MISSED])
    selftest.run_fault("allow_replay", tmp_path, 2, False, ("replay",))
    assert calls == [((), [])]


def test_jobs_judge_faults_side_by_side_and_keep_the_catalogue_order(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given four faults whose runs each wait until a second one is running beside them
    both_running = threading.Barrier(2, timeout=10)

    def run(fault: str, report: Path, workers: int, quick: bool, hint: tuple[str, ...],
            paths: tuple[str, ...] = ()) -> SuiteRun:
        both_running.wait()  # two jobs: never broken; one job would time out here
        return SuiteRun(fault, 1.0, 1, [CAUGHT if fault != "d" else MISSED])

    monkeypatch.setattr(selftest, "run_fault", run)
    args = argparse.Namespace(report=tmp_path, workers=1, quick=True, jobs=2)

    # When they are judged two at a time
    runs = selftest.run_faults(["a", "b", "c", "d"], args, {}, ())

    # Then each verdict is printed, and the runs come back in the order asked
    assert [r.fault for r in runs] == ["a", "b", "c", "d"]
    assert [r.caught for r in runs] == [True, True, True, False]
    printed = capsys.readouterr().out
    assert "  d: NOT CAUGHT by 0 tests" in printed and printed.count(": caught by 1 test") == 3


def test_zero_jobs_is_refused_before_anything_runs(tmp_path: Path) -> None:
    args = argparse.Namespace(jobs=0, report=tmp_path)
    with pytest.raises(SetupError, match="--jobs must be at least 1"):
        selftest.selftest_command(args)
    assert not list(tmp_path.iterdir())


def test_every_fault_declares_rules_that_exist_and_have_a_selftest_test() -> None:
    # The hint names rules of e2e.checks.rules (or the whole procedure), each with a browser test
    # that carries its marker, so a --quick run narrowed to them has something to run.
    marked = set()
    for path in (ROOT / "tests" / "console").glob("test_*.py"):
        text = path.read_text("utf-8")
        marked |= set(re.findall(r'@pytest\.mark\.rule\("(\w+)"\)', text))
        if "@pytest.mark.procedure" in text:
            marked.add(PROCEDURE)
    for fault in FAULTS:
        assert fault.caught_by, f"{fault.name} declares no rule its tests catch"
        for rule_id in fault.caught_by:
            assert rule_id in RULES or rule_id == PROCEDURE, (fault.name, rule_id)
            assert rule_id in marked, f"{fault.name}: no browser test marked rule({rule_id!r})"


# -- the clean run, read from the whole suite's JUnit ---------------------------------------------

SUITE_JUNIT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest" tests="3">
<testcase classname="tests.console.test_procedure" name="test_whole[chromium]" time="5"/>
<testcase classname="tests.console.test_negative_setup" name="test_window[chromium]" time="2"/>
<testcase classname="tests.harness.test_qr" name="test_decodes" time="0"/>
</testsuite></testsuites>
"""
SELFTEST_IDS = {"test_procedure::test_whole[chromium]",
                "test_negative_setup::test_window[chromium]"}


def test_the_clean_run_is_the_selftest_tests_of_a_green_suite_run(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    junit = tmp_path / "junit.xml"
    junit.write_text(SUITE_JUNIT)
    monkeypatch.setattr(selftest, "selftest_ids", lambda paths: SELFTEST_IDS)
    clean = selftest.clean_run_from(junit, ())
    assert {o.test for o in clean.outcomes} == SELFTEST_IDS  # the unit test is not part of it
    assert clean.exit_code == 0 and not clean.failures


def test_a_suite_run_missing_a_selftest_test_is_no_clean_run(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    junit = tmp_path / "junit.xml"
    junit.write_text(SUITE_JUNIT)
    monkeypatch.setattr(selftest, "selftest_ids",
                        lambda paths: {*SELFTEST_IDS, "test_recovery_code::test_used[chromium]"})
    with pytest.raises(RuntimeError, match="lacks 1 selftest tests"):
        selftest.clean_run_from(junit, ())
    with pytest.raises(RuntimeError, match="no JUnit file"):
        selftest.clean_run_from(tmp_path / "none.xml", ())


def test_the_selftest_tests_are_listed_as_junit_names_them() -> None:
    ids = selftest.selftest_ids(("tests/console",))
    assert "test_procedure::test_whole_procedure_turns_two_step_verification_on_and_off[chromium]" \
        in ids
    assert all("/" not in i.split("::")[0] for i in ids)


# -- the fault runs write JUnit into the report folder while other suites run -------------------

def test_each_suite_run_is_told_where_the_selftest_writes(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Given the pytest subprocess is replaced by one that keeps the environment it was given
    seen: list[dict[str, str]] = []

    def fake_run(command: list[str], env: dict[str, str], **_: object) -> object:
        seen.append(env)
        return argparse.Namespace(returncode=5, stdout="", stderr="")

    monkeypatch.setattr(selftest.subprocess, "run", fake_run)

    # When one fault's narrowed run starts
    selftest.run_suite("allow_replay", tmp_path, 1, [], only=("replay",))

    # Then it names the report folder, so its checkout guard leaves the JUnit files alone
    assert seen[0][selftest.REPORT_ENV] == str(tmp_path.resolve())


def test_the_checkout_guard_skips_only_the_folder_another_writer_owns(tmp_path: Path) -> None:
    # Given a checkout with a last report, a self-test's folder and a fixture
    for name in ("reports/latest/index.html", "reports/selftest/clean.xml", "fixtures/a.json"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")

    # When it is listed with and without the self-test's folder left out
    everything = file_stamps(tmp_path, ("reports", "fixtures"))
    guarded = file_stamps(tmp_path, ("reports", "fixtures"), skip=tmp_path / "reports/selftest")

    # Then only the self-test's files are left out
    assert sorted(everything) == ["fixtures/a.json", "reports/latest/index.html",
                                  "reports/selftest/clean.xml"]
    assert sorted(guarded) == ["fixtures/a.json", "reports/latest/index.html"]
