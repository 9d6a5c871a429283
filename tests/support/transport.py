"""How a driver reaches the mock console: in process (Flask's test client) or over HTTP.

Why: the unit tests drive the Flask app in process, the load test and the throughput bench a
served mock on loopback (``requests``); with both behind one small interface the console's
forms and test API are written once (``tests.support.console_http``). A reply exposes only what
a driver reads; ``raw`` keeps the client's own response for tests that read more.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, TypeVar

import requests
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

TIMEOUT = 60  # seconds per request over HTTP

Body = Mapping[str, str] | bytes | None


class Reply(Protocol):
    """What a driver reads of a response, whichever client got it."""

    @property
    def status(self) -> int: ...

    @property
    def text(self) -> str: ...

    @property
    def location(self) -> str | None:
        """The Location header, as the console sent it."""

    @property
    def path(self) -> str:
        """Where the request ended (after any redirects followed): path and query."""

    @property
    def redirects(self) -> list[int]:
        """The statuses of the redirects followed to get here, in order."""

    def json(self) -> Any: ...


ReplyT = TypeVar("ReplyT", bound=Reply)
ReplyT_co = TypeVar("ReplyT_co", bound=Reply, covariant=True)


class Transport(Protocol[ReplyT_co]):
    """One browser: sends requests (keeping cookies) and wraps what comes back."""

    def request(self, method: str, path: str, *, data: Body = None, json: Any = None,
                follow: bool = False) -> ReplyT_co: ...

    def clear_cookies(self) -> None: ...


class FlaskReply:
    """A Flask test client's response, read as a Reply."""

    __slots__ = ("raw",)

    def __init__(self, raw: TestResponse) -> None:
        self.raw = raw

    @property
    def status(self) -> int:
        return self.raw.status_code

    @property
    def text(self) -> str:
        return self.raw.get_data(as_text=True)

    @property
    def location(self) -> str | None:
        return self.raw.headers.get("Location")

    @property
    def path(self) -> str:
        request = self.raw.request
        query = request.query_string.decode("latin-1")
        return f"{request.path}?{query}" if query else request.path

    @property
    def redirects(self) -> list[int]:
        return [r.status_code for r in self.raw.history]

    def json(self) -> Any:
        return self.raw.get_json()


class FlaskTransport:
    """The app in process: no server, no sockets, the client's cookie jar as the browser's."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def request(self, method: str, path: str, *, data: Body = None, json: Any = None,
                follow: bool = False) -> FlaskReply:
        return FlaskReply(self.client.open(path, method=method, data=data, json=json,
                                           follow_redirects=follow))

    def clear_cookies(self) -> None:
        for domain, cookie_path, key in list(self.client._cookies or {}):
            self.client.delete_cookie(key, domain=domain, path=cookie_path)


class HttpReply:
    """A ``requests`` response from a served console, read as a Reply."""

    __slots__ = ("base_url", "raw")

    def __init__(self, raw: requests.Response, base_url: str) -> None:
        self.raw, self.base_url = raw, base_url

    @property
    def status(self) -> int:
        return self.raw.status_code

    @property
    def text(self) -> str:
        return self.raw.text

    @property
    def location(self) -> str | None:
        return self.raw.headers.get("Location")

    @property
    def path(self) -> str:
        return self.raw.url.removeprefix(self.base_url)

    @property
    def redirects(self) -> list[int]:
        return [r.status_code for r in self.raw.history]

    def json(self) -> Any:
        return self.raw.json()


class HttpTransport:
    """A served console at ``base_url``: one keep-alive ``requests.Session`` per browser."""

    def __init__(self, base_url: str, session: requests.Session | None = None,
                 timeout: float = TIMEOUT) -> None:
        self.base_url = base_url.rstrip("/")
        self.session = session or requests.Session()
        self.timeout = timeout

    def request(self, method: str, path: str, *, data: Body = None, json: Any = None,
                follow: bool = False) -> HttpReply:
        response = self.session.request(method, self.base_url + path, data=data, json=json,
                                        allow_redirects=follow, timeout=self.timeout)
        return HttpReply(response, self.base_url)

    def clear_cookies(self) -> None:
        self.session.cookies.clear()

    def close(self) -> None:
        """Close the session's connections."""
        self.session.close()
