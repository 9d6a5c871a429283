"""Which console a browser test drives when several workers share one (``--base-url``)."""

from __future__ import annotations

import pytest

from e2e.target import MockTarget, Target


def shared(target: Target) -> bool:
    """Whether other test processes may drive this console too (a mock given by --base-url)."""
    return isinstance(target, MockTarget) and not target.started_here


@pytest.mark.own_console
def test_a_test_that_needs_the_clock_to_itself_gets_a_console_no_one_else_drives(
    console: Target, target: Target
) -> None:
    if shared(target):
        assert isinstance(console, MockTarget) and console.started_here
        assert console.base_url != target.base_url
    else:  # the embedded mock is this worker's alone; a real console is the only one there is
        assert console is target


def test_other_tests_share_the_console(console: Target, target: Target) -> None:
    assert console is target
