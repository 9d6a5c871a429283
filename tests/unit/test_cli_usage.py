"""Usage and setup errors exit 2 with a message that says what to do, before anything starts."""

from __future__ import annotations

import pytest

from e2e.cli import EXIT_SETUP, main


@pytest.mark.parametrize(("args", "says"), [
    (["run", "--lang", "xx"], "no label catalogue"),
    (["run", "--device", "Nokia 3310"], "unknown device"),
    (["run", "--base-url", "http://127.0.0.1:9"], "no console answers"),
    (["run", "--base-url", "ftp://console.example"], "must start with http"),
])
def test_setup_errors_exit_2_with_advice(args: list[str], says: str,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    assert main(args) == EXIT_SETUP
    assert says in capsys.readouterr().err


def test_unknown_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["bogus"])
    assert exit_info.value.code == EXIT_SETUP
    assert "invalid choice" in capsys.readouterr().err
