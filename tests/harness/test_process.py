"""Stopping a server the harness started: politely, but never waiting on a signal it ignores.

A job that a script or a CI runner starts in the background inherits SIGINT ignored; every mock
and browser server it starts does too. Sending SIGINT and waiting for it to act cost 5 s per
server stopped, for nothing.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from e2e.process import ignores_signal, stop_process

LINUX_PROC = Path("/proc/self/status").exists()
# A child that says it is ready, then waits on its stdin (which stays open) until a signal ends it
CHILD = ("import signal, sys\n"
         "signal.signal(signal.SIGINT, signal.SIG_IGN if sys.argv[1] == 'ignore'\n"
         "              else signal.default_int_handler)\n"
         "print('ready', flush=True)\n"
         "sys.stdin.read()\n")


Started = Callable[[str], tuple[subprocess.Popen[str], list[int]]]


@pytest.fixture
def started() -> Iterator[Started]:
    """Start a ready child (``sigint`` "ignore" or "default"); get it and the signals sent to it.
    Its stdin is closed (and it is stopped, if a test did not) afterwards."""
    children: list[subprocess.Popen[str]] = []
    yield lambda sigint: _start(sigint, children)
    for process in children:
        stop_process(process)
        assert process.stdin is not None
        process.stdin.close()


def _start(sigint: str, children: list[subprocess.Popen[str]]
           ) -> tuple[subprocess.Popen[str], list[int]]:
    process = subprocess.Popen([sys.executable, "-c", CHILD, sigint], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    children.append(process)
    assert process.stdout is not None and process.stdout.readline().strip() == "ready"
    sent: list[int] = []
    send = process.send_signal

    def recording(signum: int) -> None:
        sent.append(signum)
        send(signum)

    process.send_signal = recording  # type: ignore[method-assign]
    return process, sent


@pytest.mark.skipif(not LINUX_PROC, reason="only Linux says which signals a process ignores")
def test_a_server_that_ignores_sigint_gets_sigterm_at_once(started: Started) -> None:
    process, sent = started("ignore")
    assert ignores_signal(process.pid, signal.SIGINT)
    assert not ignores_signal(process.pid, signal.SIGTERM)

    stop_process(process)

    assert sent == [signal.SIGTERM]
    assert process.returncode == -signal.SIGTERM


def test_a_server_that_heeds_sigint_is_stopped_with_it(started: Started) -> None:
    process, sent = started("default")
    assert not ignores_signal(process.pid, signal.SIGINT)

    stop_process(process)

    assert sent == [signal.SIGINT]
    assert process.returncode != 0


def test_a_process_that_is_gone_ignores_nothing(started: Started) -> None:
    process, _ = started("default")
    stop_process(process)
    assert not ignores_signal(process.pid, signal.SIGINT)
