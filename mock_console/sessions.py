"""Server-side sessions in SQLite, so a session id can be rotated at sign-in and revoked.

Flask's default session is a signed cookie: it has no id to rotate (ASVS 5 §7.2.4) and survives
sign-out in any copy of the cookie. Here the cookie carries only a random id.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

from flask import Flask, Request, Response, session
from flask.sessions import SessionInterface, SessionMixin
from werkzeug.datastructures import CallbackDict

from mock_console.clock import Clock
from mock_console.store import Store

SESSION_LIFETIME = 8 * 3600


def _new_id() -> str:
    return secrets.token_urlsafe(32)


class ServerSession(CallbackDict, SessionMixin):
    """Session data kept on the server; the cookie holds ``sid`` only."""

    def __init__(self, data: dict[str, Any] | None = None, sid: str | None = None) -> None:
        def on_update(_: CallbackDict) -> None:
            self.modified = True

        super().__init__(data or {}, on_update)
        self.sid = sid or _new_id()
        self.new = sid is None
        self.modified = False
        self.retired_sid: str | None = None

    def rotate(self) -> None:
        """Give the session a new id (sign-in), retiring the old one so it cannot be reused."""
        if not self.new and self.retired_sid is None:
            self.retired_sid = self.sid
        self.sid = _new_id()
        self.modified = True


class SQLiteSessionInterface(SessionInterface):
    """Load and save ServerSession objects in the ``sessions`` table."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    def open_session(self, app: Flask, request: Request) -> ServerSession:
        sid = request.cookies.get(self.get_cookie_name(app))
        if sid and len(sid) < 100:
            row = self.store.read().execute(
                "SELECT data FROM sessions WHERE id = ? AND expires_at > ?",
                (sid, self.clock.now()),
            ).fetchone()
            if row is not None:
                return ServerSession(json.loads(row["data"]), sid)
        return ServerSession()

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        assert isinstance(session, ServerSession)
        name = self.get_cookie_name(app)
        domain, path = self.get_cookie_domain(app), self.get_cookie_path(app)
        if not session:
            self._delete(session.retired_sid, None if session.new else session.sid)
            if not session.new:
                response.delete_cookie(name, domain=domain, path=path)
            return
        if not (session.modified or session.new or session.retired_sid):
            return
        with self.store.transaction() as db:
            if session.retired_sid:
                db.execute("DELETE FROM sessions WHERE id = ?", (session.retired_sid,))
            db.execute(
                "INSERT INTO sessions (id, data, expires_at) VALUES (?, ?, ?) "
                "ON CONFLICT(id) DO UPDATE SET data = excluded.data, "
                "expires_at = excluded.expires_at",
                (session.sid, json.dumps(dict(session)), self.clock.now() + SESSION_LIFETIME),
            )
        response.set_cookie(
            name, session.sid, httponly=True, samesite="Lax", path=path, domain=domain,
            secure=self.get_cookie_secure(app), max_age=SESSION_LIFETIME,
        )

    def _delete(self, *sids: str | None) -> None:
        ids = [sid for sid in sids if sid]
        if ids:
            with self.store.transaction() as db:
                db.executemany("DELETE FROM sessions WHERE id = ?", [(i,) for i in ids])


def rotate_session() -> None:
    """Give the request's session a new id (at sign-in); the id used before stops working."""
    if not isinstance(session, ServerSession):  # Flask's proxy answers for the session behind it
        raise RuntimeError("the console's SQLite session interface is not installed on this app")
    session.rotate()


def end_other_sessions(store: Store, username: str) -> int:
    """End every session of ``username`` but this request's (ASVS 5 §7.4.3: a factor changed, so
    a browser signed in before the change, perhaps someone else's, must sign in again)."""
    keep = session.sid if isinstance(session, ServerSession) else ""
    with store.transaction() as db:
        ended = db.execute("DELETE FROM sessions WHERE json_extract(data, '$.user') = ? "
                           "AND id != ?", (username, keep))
    return ended.rowcount
