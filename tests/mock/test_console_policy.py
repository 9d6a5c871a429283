"""The console's rules live in one policy; each fault switch is one declared change to it."""

from __future__ import annotations

import ast
import re
from dataclasses import fields
from pathlib import Path

import pytest

import mock_console
from mock_console import store
from mock_console.__main__ import main as console_main
from mock_console.faults import BY_NAME, FAULTS, Faults, UnknownFault, parse_fault_spec
from mock_console.policy import STRICT, Policy

PACKAGE = Path(mock_console.__file__).parent
PARAMS = {"rename_label": {"from": "Change", "to": "Edit"}}


def test_strict_policy_keeps_the_security_rules() -> None:
    # Given the policy a console starts with, Then it is the one docs/security.md asks for
    assert Policy() == STRICT
    assert (STRICT.steps_behind, STRICT.steps_ahead) == (1, 1)
    assert STRICT.replay_protection and STRICT.verify_codes and STRICT.require_code_to_enable
    assert (STRICT.max_failures, STRICT.lock_seconds) == (5, 300)
    assert STRICT.recovery_single_use and STRICT.issue_recovery_code
    assert STRICT.csrf_check and STRICT.confirm_turn_off and STRICT.disable_clears_secret
    assert STRICT.verification_skew_seconds == 0 and STRICT.label_renames == ()


@pytest.mark.parametrize("name", sorted(BY_NAME))
def test_each_fault_changes_the_policy_while_on_and_only_then(name: str) -> None:
    # Given a console's switchboard
    switches = Faults()
    # When the fault is switched on, Then the policy in force is laxer than the strict one
    switches.enable(name, PARAMS.get(name))
    assert switches.policy != STRICT
    assert switches.is_on(name) and switches.enabled() == [name]
    # When it is switched off again, Then the strict policy is back
    switches.disable(name)
    assert switches.policy == STRICT and not switches.is_on(name)


def test_faults_are_declared_once_with_distinct_names_and_descriptions() -> None:
    names = [fault.name for fault in FAULTS]
    assert len(names) == len(set(names)) == len(BY_NAME)
    assert all(fault.description.strip() for fault in FAULTS)


def test_two_faults_on_at_once_both_apply() -> None:
    switches = Faults()
    switches.enable("no_lockout")
    switches.enable("allow_replay")
    assert switches.policy.max_failures is None and not switches.policy.replay_protection
    switches.clear()
    assert switches.policy == STRICT and switches.enabled() == []


@pytest.mark.parametrize("use", ["is_on", "params", "enable", "disable"])
def test_an_unknown_fault_name_is_an_error_never_silently_off(use: str) -> None:
    # Given a typo in a fault's name, When any part of the switchboard is asked about it
    # Then it refuses, naming the known faults, instead of answering "off"
    expected = "unknown fault 'no_lockuot'; known faults: .*no_lockout"
    with pytest.raises(UnknownFault, match=expected):
        getattr(Faults(), use)("no_lockuot")


def test_a_fault_spec_with_an_unknown_name_is_refused() -> None:
    with pytest.raises(UnknownFault):
        parse_fault_spec("accept_any_cod")


def test_rename_label_renames_only_the_label_it_names() -> None:
    switches = Faults()
    switches.enable("rename_label", {"from": "Change", "to": "Edit"})
    assert switches.policy.label("Change") == "Edit"
    assert switches.policy.label("Turn off") == "Turn off"


def _string_literals(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    return {node.value for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)}


@pytest.mark.parametrize("module", sorted(p.name for p in PACKAGE.glob("*.py")
                                          if p.name not in ("faults.py", "__main__.py")))
def test_product_modules_hold_no_fault_names(module: str) -> None:
    # The product reads only the policy: a fault's name in its code would be a second place
    # where the fault is declared (and a typo there would silently do nothing)
    words = {word for text in _string_literals(PACKAGE / module)
             for word in re.findall(r"\w+", text)}  # docstrings too: no "under <fault>" there
    named = words & set(BY_NAME)
    assert not named, f"{module} tests faults by name: {sorted(named)}; read the policy instead"


def test_every_policy_field_is_read_by_the_product() -> None:
    # A field nothing reads would be a rule the console only pretends to keep
    product = "".join(p.read_text("utf-8") for p in PACKAGE.glob("*.py")
                      if p.name not in ("policy.py", "faults.py"))
    unread = [f.name for f in fields(Policy) if f".{f.name}" not in product
              and f.name != "label_renames"]
    assert not unread, f"policy fields no product module reads: {unread}"


@pytest.mark.parametrize("spec", ["typo", 'rename_label={"from": "Change"', "rename_label"])
def test_a_bad_fault_on_the_command_line_is_refused_before_any_database_is_made(
        spec: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    # Given a console whose database, were one opened, would be recorded
    opened: list[object] = []
    monkeypatch.setattr(store.Store, "__init__", lambda self, *a, **k: opened.append(a))

    # When it is started with an unknown fault or a fault's bad parameters
    with pytest.raises(SystemExit) as stopped:
        console_main(["--port", "0", "--fault", spec])

    # Then it stops with a usage error saying what is wrong, before any database is opened
    assert stopped.value.code == 2
    assert not opened
    err = capsys.readouterr().err
    assert "error:" in err and ("known faults:" in err if spec == "typo" else "rename_label" in err)
