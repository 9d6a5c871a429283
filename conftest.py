"""pytest wiring shared by every test: which browser, which console, a fresh account per test."""

from __future__ import annotations

from typing import Any

import pytest

from e2e.browser import launch_args


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Launch Playwright's Chromium if installed, else the system's, with quiet-network flags."""
    mine = launch_args()
    merged = {**mine, **browser_type_launch_args}
    merged["args"] = [*mine["args"], *browser_type_launch_args.get("args", [])]
    return merged
