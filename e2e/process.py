"""Servers the harness, its tests and benchmarks start: wait for the ready line, keep the rest.

A server says where it listens; we read its output until that line, with a deadline, and never
wait a fixed time. A thread keeps reading afterwards, so a chatty server never blocks on a full
pipe, and everything it printed stays available (a browser server's clients, a console's errors).
"""

from __future__ import annotations

import contextlib
import queue
import re
import signal
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path

from e2e.errors import HarnessError

READY_SECONDS = 60.0  # a loaded CI machine can take a while to start Python, Node or Chromium


class ProcessStartError(HarnessError, RuntimeError):
    """A server ended, or stayed silent, before printing its ready line."""


@dataclass
class Listener:
    """A process started here that listens on loopback, and everything it printed."""

    process: subprocess.Popen[str]
    url: str = ""
    lines: list[str] = field(default_factory=list)
    reader: threading.Thread | None = None

    def output(self) -> str:
        """Return everything the process printed so far."""
        return "".join(self.lines)

    def stop(self) -> None:
        """Stop it politely, then firmly (see ``stop_process``), and finish reading its output."""
        stop_process(self.process, close=False)
        if self.reader is not None:
            self.reader.join(timeout=10)  # it ends at the end of the output
        if self.process.stdout is not None:
            self.process.stdout.close()


def start_listener(command: list[str], ready: re.Pattern[str], *,
                   env: dict[str, str] | None = None, timeout: float = READY_SECONDS,
                   what: str | None = None) -> Listener:
    """Start ``command`` and return once it prints a line matching ``ready`` (group 1: its URL).

    Raises ProcessStartError, with the process's last output, when it exits or stays silent.
    """
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, bufsize=1, env=env)
    listener = Listener(process)
    found: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            listener.lines.append(line)
            if (match := ready.search(line)) is not None:
                found.put(match.group(1))
        found.put(None)

    listener.reader = threading.Thread(target=pump, name=f"output of {command[0]}", daemon=True)
    listener.reader.start()
    try:
        url = found.get(timeout=timeout)
    except queue.Empty:
        url = None
    if url is None:
        listener.stop()
        raise ProcessStartError(
            f"{what or command[0]} did not say where it listens within {timeout:g} s; "
            f"command: {' '.join(command)}\nits last output:\n{listener.output()[-3000:]}")
    listener.url = url
    return listener


def stop_process(process: subprocess.Popen[str], close: bool = True) -> None:
    """Stop a process: SIGINT, then SIGTERM, then SIGKILL, a few seconds apart at most.

    SIGINT first: a Playwright browser server exits at once on it, closing its browsers (on
    SIGTERM it lingers). A process that inherited SIGINT ignored, as the children of a job run in
    the background by a script or a CI runner do, gets SIGTERM straight away where the system
    says so (Linux), instead of waiting out the polite signal it will never act on.
    """
    for stop in (signal.SIGINT, signal.SIGTERM, signal.SIGKILL):
        if process.poll() is not None:
            break
        if stop != signal.SIGKILL and ignores_signal(process.pid, stop):
            continue
        process.send_signal(stop)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=5)
    if close and process.stdout is not None:
        process.stdout.close()


def ignores_signal(pid: int, signum: int) -> bool:
    """Whether process ``pid`` ignores ``signum``, as far as the system tells (``/proc`` on
    Linux; ``False`` where it does not, so the signal is sent and waited on as before)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="ascii", errors="replace")
    except OSError:
        return False
    for line in status.splitlines():
        if line.startswith("SigIgn:"):
            return bool(int(line.split()[1], 16) >> (signum - 1) & 1)
    return False
