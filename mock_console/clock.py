"""The console's one clock.

Every TOTP check, lockout, session expiry and the HTTP ``Date`` header read this clock, so a test
can move the console's time through the test API instead of waiting for it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class Clock:
    """Wall-clock time plus an adjustable offset (seconds), safe to share between threads."""

    def __init__(self, source: Callable[[], float] = time.time, offset: float = 0.0) -> None:
        self._source = source
        self._offset = offset
        self._lock = threading.Lock()

    def now(self) -> float:
        """Return the console's time as epoch seconds."""
        with self._lock:
            return self._source() + self._offset

    @property
    def offset(self) -> float:
        """Seconds the console's time runs ahead of the source (negative: behind)."""
        with self._lock:
            return self._offset

    def advance(self, seconds: float) -> float:
        """Move the console's time forward (never backward) and return the new time."""
        if seconds < 0:
            raise ValueError("the clock only moves forward: use set_offset to go back")
        with self._lock:
            self._offset += seconds
            return self._source() + self._offset

    def set_offset(self, seconds: float) -> float:
        """Place the console's time ``seconds`` away from the source and return the new time."""
        with self._lock:
            self._offset = seconds
            return self._source() + self._offset
