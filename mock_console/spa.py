"""The single-page app (``--ui spa``): one HTML shell for every screen's address.

The shell holds no data: static/spa.js asks /api/ for everything and routes with
history.pushState, so a deep link or a reload at any of these paths gets the same shell.
"""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

bp = Blueprint("spa", __name__)

ROUTES = (
    "/", "/signin", "/signin/code", "/signin/recovery", "/signin/new-recovery-code", "/account",
    "/account/security", "/account/security/2sv", "/account/security/2sv/setup",
    "/account/security/2sv/enabled", "/account/security/2sv/turn-off",
    "/account/security/2sv/disabled", "/account/security/2sv/confirm",
)


def shell(error: str = "", status: int = 200) -> tuple[str, int]:
    """The shell page; ``error`` is a message the app shows as its error screen."""
    return render_template("spa.html", error=error,
                           latency_ms=current_app.config.get("LATENCY_MS", 0)), status


for _path in ROUTES:
    bp.add_url_rule(_path, f"shell{_path.replace('/', '_')}", lambda: shell())

