"""Servers the tests start on loopback: ``e2e.process`` does the work; a failure fails the test."""

from __future__ import annotations

import re

import pytest

from e2e.process import Listener, ProcessStartError
from e2e.process import start_listener as _start_listener

__all__ = ["Listener", "start_listener"]


def start_listener(command: list[str], ready: re.Pattern[str], env: dict[str, str] | None = None
                   ) -> Listener:
    """Start a server and return once it says where it listens, or fail the test saying why."""
    try:
        return _start_listener(command, ready, env=env)
    except ProcessStartError as error:
        pytest.fail(str(error), pytrace=False)
