"""Child processes the harness starts (a mock console, a browser server): ready lines, stopping.

A server says when it listens; we wait for that line, never for a fixed time. Its further
output keeps being drained in the background, so it can never block on a full pipe.
"""

from __future__ import annotations

import queue
import subprocess
import threading
import time


class ProcessStartError(RuntimeError):
    """A child process ended or stayed silent before printing its ready line."""


def await_line(process: subprocess.Popen[str], prefix: str, timeout: float,
               what: str = "the child process") -> str:
    """Read ``process``'s output until a line starts with ``prefix``; return the rest of it.

    Kills the process and raises ProcessStartError, with its last output, on a timeout or exit.
    """
    lines: queue.Queue[str | None] = queue.Queue()
    seen: list[str] = []

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=pump, name=f"output of {what}", daemon=True).start()
    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        try:
            line = lines.get(timeout=left)
        except queue.Empty:
            break
        if line is None:
            break
        seen.append(line.rstrip())
        if line.startswith(prefix):
            return line[len(prefix):].strip()
    process.kill()
    output = "\n".join(seen[-20:]) or "(no output)"
    raise ProcessStartError(f"{what} did not print {prefix.strip()!r} within {timeout:g} s; "
                            f"its last output:\n{output}")


def stop_process(process: subprocess.Popen[str]) -> None:
    """Stop a child process politely, then firmly, and close its output pipe."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    if process.stdout is not None:
        process.stdout.close()
