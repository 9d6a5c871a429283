"""A tiny JSON-over-HTTP client for the mock's test API and a console's ``Date`` header.

Standard library only, so the harness's runtime needs no HTTP package beyond Playwright.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from email.utils import parsedate_to_datetime
from typing import Any

from e2e.errors import HarnessError

TIMEOUT_SECONDS = 15


class HttpError(HarnessError, RuntimeError):
    """An HTTP call failed; the message names the URL, the status and the server's reason."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


def request_json(method: str, url: str, body: dict[str, Any] | None = None) -> Any:
    """Send ``body`` as JSON and return the decoded JSON answer."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT_SECONDS) as response:
            return json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        reason = _error_text(error)
        raise HttpError(f"{method} {url} answered {error.code}: {reason}", error.code) from None
    except (urllib.error.URLError, OSError) as error:
        cause = error.reason if isinstance(error, urllib.error.URLError) else error
        raise HttpError(f"{method} {url} failed: {cause}. Is the console running?") from None


def _error_text(error: urllib.error.HTTPError) -> str:
    raw = error.read()[:500]
    try:
        return str(json.loads(raw).get("error", raw.decode(errors="replace")))
    except (ValueError, AttributeError):
        return raw.decode(errors="replace").strip() or error.reason


def server_date(url: str) -> float:
    """Return the epoch time in the ``Date`` header of a GET to ``url`` (1 s resolution)."""
    req = urllib.request.Request(url, method="GET")
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT_SECONDS) as response:
            header = response.headers.get("Date")
    except urllib.error.HTTPError as error:
        header = error.headers.get("Date")
    except (urllib.error.URLError, OSError) as error:
        raise HttpError(f"GET {url} failed: {getattr(error, 'reason', error)}") from None
    if not header:
        raise HttpError(f"GET {url} sent no Date header, so the console's time is unknown")
    return parsedate_to_datetime(header).timestamp()
