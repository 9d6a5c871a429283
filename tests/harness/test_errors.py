"""Every error the harness raises on purpose shares one base class: one ``except`` catches all."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

import e2e
from e2e.errors import HarnessError


def harness_exception_classes() -> list[type[BaseException]]:
    """Each exception class defined (not imported) in a module of the e2e package."""
    found = []
    for info in pkgutil.walk_packages(e2e.__path__, "e2e."):
        if info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, BaseException) and cls.__module__ == module.__name__:
                found.append(cls)
    return found


def test_the_harness_defines_its_errors() -> None:
    # Given the harness's modules, Then they define the errors the README documents
    names = {cls.__name__ for cls in harness_exception_classes()}
    assert {"QRDecodeError", "OtpAuthError", "StepFailed", "TargetError"} <= names


@pytest.mark.parametrize("cls", harness_exception_classes(), ids=lambda cls: cls.__qualname__)
def test_every_harness_error_is_a_harness_error(cls: type[BaseException]) -> None:
    # Given an exception class of the harness, Then one `except HarnessError` catches it
    where = f"{cls.__module__}.{cls.__qualname__}"
    assert issubclass(cls, HarnessError), f"{where} must derive from HarnessError"


def test_the_cli_turns_a_harness_error_into_a_message_and_exit_2(capsys, monkeypatch) -> None:
    # Given a command that meets an explained setup problem
    from e2e.cli import main as cli

    def broken(_args) -> int:
        raise HarnessError("the console did not answer; start it or fix --base-url")

    monkeypatch.setitem(cli.COMMANDS, "run", broken)
    # When the CLI runs it, Then it prints the message without a traceback and exits 2
    assert cli.main(["run"]) == cli.EXIT_SETUP
    err = capsys.readouterr().err
    assert "did not answer" in err and "Traceback" not in err
