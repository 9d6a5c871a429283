"""Servers the tests start on loopback: wait for the line saying where they listen, keep the rest.

A test never sleeps waiting for a server: it reads the server's output until the ready line, with
a deadline. A thread keeps reading afterwards, so a chatty server never blocks on a full pipe and
the test can look at everything it printed (a browser server's clients, a console's errors).
"""

from __future__ import annotations

import contextlib
import queue
import re
import signal
import subprocess
import threading
from dataclasses import dataclass, field

import pytest

READY_SECONDS = 60  # a loaded CI machine can take a while to start Node, Chromium or Python


@dataclass
class Listener:
    """A process started here that listens on loopback, and everything it printed."""

    process: subprocess.Popen[str]
    url: str
    lines: list[str] = field(default_factory=list)
    reader: threading.Thread | None = None

    def output(self) -> str:
        return "".join(self.lines)

    def stop(self) -> None:
        """Stop it politely, then firmly.

        SIGINT first: a Playwright browser server exits at once on it, closing its browsers (on
        SIGTERM it lingered). A process that inherited SIGINT ignored, as a background job's
        children do, gets SIGTERM next.
        """
        for stop in (signal.SIGINT, signal.SIGTERM, signal.SIGKILL):
            if self.process.poll() is not None:
                break
            self.process.send_signal(stop)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=5)
        if self.reader is not None:
            self.reader.join(timeout=10)  # it ends at the end of the output
        if self.process.stdout is not None:
            self.process.stdout.close()


def start_listener(command: list[str], ready: re.Pattern[str], env: dict[str, str] | None = None
                   ) -> Listener:
    """Start ``command`` and return once it prints the ``ready`` line (group 1: its URL).

    A thread keeps reading the output afterwards, so a chatty process never blocks on a full pipe
    and the test can read what it logged.
    """
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, bufsize=1, env=env)
    listener = Listener(process, url="")
    found: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            listener.lines.append(line)
            if (match := ready.search(line)) is not None:
                found.put(match.group(1))
        found.put(None)

    listener.reader = threading.Thread(target=pump, name="listener-output", daemon=True)
    listener.reader.start()
    try:
        url = found.get(timeout=READY_SECONDS)
    except queue.Empty:
        url = None
    if url is None:
        listener.stop()
        pytest.fail(f"{command[0]} did not say where it listens within {READY_SECONDS} s:\n"
                    f"{listener.output()[-3000:]}", pytrace=False)
    listener.url = url
    return listener


