"""SQLite state: accounts, Recovery Codes, audit events and server-side sessions.

WAL lets readers run beside the writer; every read-modify-write runs in ``BEGIN IMMEDIATE`` so
two threads never both read, then both write, and a busy timeout turns contention into a short
queue instead of "database is locked".
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS accounts (
    username       TEXT PRIMARY KEY,
    password_hash  TEXT NOT NULL,
    two_step_enabled INTEGER NOT NULL DEFAULT 0,
    totp_secret    TEXT,
    pending_secret TEXT,
    last_step      INTEGER,
    failures       INTEGER NOT NULL DEFAULT 0,
    locked_until   REAL,
    created_at     REAL NOT NULL,
    hard_locked_at REAL
);
CREATE TABLE IF NOT EXISTS recovery_codes (
    id        INTEGER PRIMARY KEY,
    username  TEXT NOT NULL REFERENCES accounts(username),
    code_hash TEXT NOT NULL,
    used_at   REAL
);
CREATE INDEX IF NOT EXISTS recovery_by_user ON recovery_codes(username);
CREATE TABLE IF NOT EXISTS events (
    id       INTEGER PRIMARY KEY,
    username TEXT NOT NULL,
    type     TEXT NOT NULL,
    at       REAL NOT NULL,
    detail   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS events_by_user ON events(username, id);
CREATE TABLE IF NOT EXISTS sessions (
    id         TEXT PRIMARY KEY,
    data       TEXT NOT NULL,
    expires_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_by_expiry ON sessions(expires_at);
"""

# Columns added since a database was first made: (table, column, type). CREATE TABLE IF NOT
# EXISTS leaves an older table as it was, so a console started on an old file adds them.
ADDED_COLUMNS = (("accounts", "hard_locked_at", "REAL"),)

BUSY_TIMEOUT_MS = 30_000


class Store:
    """One SQLite database, one connection per thread."""

    def __init__(self, path: Path | str) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._write_lock = threading.Lock()
        with self._write_lock:
            # executescript commits on its own, so it runs outside transaction().
            conn = self._connection()
            conn.executescript(SCHEMA)
            for table, column, kind in ADDED_COLUMNS:
                present = {row["name"] for row in conn.execute(f"PRAGMA table_info({table})")}
                if column not in present:
                    conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")

    def _connection(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(
                self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                check_same_thread=False,
            )
            conn.row_factory = sqlite3.Row
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
            self._local.conn = conn
        return conn

    @contextmanager
    def transaction(
        self, keep: tuple[type[BaseException], ...] = ()
    ) -> Iterator[sqlite3.Connection]:
        """Run a read-modify-write block atomically (``BEGIN IMMEDIATE``).

        It commits when the block ends normally or raises one of ``keep`` (a refusal that must
        still leave its audit trail), and rolls back on any other exception.
        """
        conn = self._connection()
        # One writer at a time inside this process; other processes wait on busy_timeout.
        with self._write_lock:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except keep:
                conn.execute("COMMIT")
                raise
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def read(self) -> sqlite3.Connection:
        """Return this thread's connection for a plain read (autocommit, a consistent snapshot)."""
        return self._connection()
