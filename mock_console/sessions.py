"""Server-side sessions in SQLite, so a session id can be rotated at sign-in and revoked.

Flask's default session is a signed cookie: it has no id to rotate (ASVS 5 §7.2.4) and survives
sign-out in any copy of the cookie. Here a signed-in session's cookie carries only a random id.

A visitor who is not signed in gets no row at all: the little an anonymous page needs (the
sign-in form's CSRF token, the language, a one-line notice) travels in a signed cookie instead,
so a crawler opening the sign-in page a million times adds nothing to the database. A row is
written only once the session names someone (a password accepted), and rows past their expiry
are purged, at most once a minute of the console's clock, by whichever request comes next.
"""

from __future__ import annotations

import json
import secrets
import threading
from typing import Any

from flask import Flask, Request, Response, session
from flask.sessions import SessionInterface, SessionMixin
from itsdangerous import BadSignature, TimestampSigner, URLSafeTimedSerializer
from werkzeug.datastructures import CallbackDict

from mock_console.clock import Clock
from mock_console.store import Store

SESSION_LIFETIME = 8 * 3600
PURGE_EVERY_SECONDS = 60
ANONYMOUS_KEYS = frozenset({"csrf_token", "lang", "notice"})
"""What a session may hold and still need no row: nothing that names or vouches for anyone."""
MAX_COOKIE_CHARS = 1024


def _new_id() -> str:
    return secrets.token_urlsafe(32)  # URL-safe Base64: never a ".", unlike a signed cookie


class _ConsoleTimeSigner(TimestampSigner):
    """Date visitor cookies by the console's clock, which every other expiry reads too."""

    def __init__(self, *args: Any, clock: Clock, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clock = clock

    def get_timestamp(self) -> int:
        return int(self._clock.now())


class ServerSession(CallbackDict, SessionMixin):
    """Session data kept on the server once it names someone; the cookie then holds ``sid``."""

    def __init__(self, data: dict[str, Any] | None = None, sid: str | None = None,
                 stored: bool = False, cookie: str | None = None) -> None:
        def on_update(_: CallbackDict) -> None:
            self.modified = True

        super().__init__(data or {}, on_update)
        self.sid = sid  # None until the session first needs an id
        self.stored = stored  # a row of the sessions table holds it
        self.new = not stored
        self.cookie = cookie  # the cookie the browser sent, when it named this session
        self.visitor_sid = sid if cookie and "." in cookie else None  # a visitor cookie's id
        self.modified = False
        self.retired_sid: str | None = None

    @property
    def anonymous(self) -> bool:
        """Whether the session holds nothing that needs a row (see ANONYMOUS_KEYS)."""
        return self.keys() <= ANONYMOUS_KEYS

    def rotate(self) -> None:
        """Give the session a new id (sign-in), retiring the old one so it cannot be reused."""
        if self.stored and self.retired_sid is None:
            self.retired_sid = self.sid
        self.sid = _new_id()
        self.modified = True


class SQLiteSessionInterface(SessionInterface):
    """Load and save ServerSession objects: in the ``sessions`` table once they name someone,
    in a signed cookie before that."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self.store = store
        self.clock = clock
        self._purged_at: float | None = None
        self._purge_lock = threading.Lock()

    def _visitor_cookies(self, app: Flask) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(app.secret_key or "", salt="console-visitor-session",
                                      signer=_ConsoleTimeSigner,
                                      signer_kwargs={"clock": self.clock})

    def open_session(self, app: Flask, request: Request) -> ServerSession:
        self.purge_expired()
        cookie = request.cookies.get(self.get_cookie_name(app))
        if not cookie or len(cookie) > MAX_COOKIE_CHARS:
            return ServerSession()
        sid, data = cookie, None
        if "." in cookie:  # a visitor's signed cookie: its id, and what it holds
            try:
                payload = self._visitor_cookies(app).loads(cookie, max_age=SESSION_LIFETIME)
                sid, data = str(payload["sid"]), dict(payload["data"])
            except (BadSignature, KeyError, TypeError, ValueError):
                return ServerSession()
        row = self.store.read().execute(
            "SELECT data FROM sessions WHERE id = ? AND expires_at > ?", (sid, self.clock.now()),
        ).fetchone()
        if row is not None:  # (a visitor's id has a row only if sign-in kept it: no rotation)
            return ServerSession(json.loads(row["data"]), sid, stored=True, cookie=cookie)
        if data is not None:
            return ServerSession(data, sid, cookie=cookie)
        return ServerSession()  # an unknown or expired id is never adopted

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        assert isinstance(session, ServerSession)
        name = self.get_cookie_name(app)
        domain, path = self.get_cookie_domain(app), self.get_cookie_path(app)
        if not session:
            self._delete(session.retired_sid, session.sid if session.stored else None)
            if session.cookie is not None:
                response.delete_cookie(name, domain=domain, path=path, httponly=True,
                                       samesite="Lax", secure=self.get_cookie_secure(app))
            return
        if session.anonymous:
            self._delete(session.retired_sid, session.sid if session.stored else None)
            if not (session.modified or session.stored or session.cookie is None):
                return  # the browser's cookie already says it all
            session.sid = session.sid or _new_id()
            value = self._visitor_cookies(app).dumps({"sid": session.sid, "data": dict(session)})
        else:
            if not (session.modified or not session.stored or session.retired_sid):
                return
            session.sid = session.sid or _new_id()
            with self.store.transaction() as db:
                if session.retired_sid:
                    db.execute("DELETE FROM sessions WHERE id = ?", (session.retired_sid,))
                db.execute(
                    "INSERT INTO sessions (id, data, expires_at) VALUES (?, ?, ?) "
                    "ON CONFLICT(id) DO UPDATE SET data = excluded.data, "
                    "expires_at = excluded.expires_at",
                    (session.sid, json.dumps(dict(session)),
                     self.clock.now() + SESSION_LIFETIME),
                )
            if session.sid == session.visitor_sid:
                return  # sign-in kept the visitor's id (no rotation): the cookie names it still
            value = session.sid
        response.set_cookie(
            name, value, httponly=True, samesite="Lax", path=path, domain=domain,
            secure=self.get_cookie_secure(app), max_age=SESSION_LIFETIME,
        )

    def purge_expired(self) -> int:
        """Delete the rows past their expiry, unless that was done less than a minute ago (of
        the console's clock); return how many went."""
        now = self.clock.now()
        with self._purge_lock:
            last = self._purged_at
            if last is not None and 0 <= now - last < PURGE_EVERY_SECONDS:
                return 0
            self._purged_at = now
        with self.store.transaction() as db:
            return db.execute("DELETE FROM sessions WHERE expires_at <= ?", (now,)).rowcount

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
    keep = (session.sid if isinstance(session, ServerSession) else None) or ""
    with store.transaction() as db:
        ended = db.execute("DELETE FROM sessions WHERE json_extract(data, '$.user') = ? "
                           "AND id != ?", (username, keep))
    return ended.rowcount
