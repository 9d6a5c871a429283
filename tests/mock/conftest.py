"""Fixtures of the mock console's unit tests (an app on a throwaway database, a fixed clock, a
person at the console): defined in ``tests.support.mock_app``, shared with the harness's tests."""

from __future__ import annotations

from tests.support.mock_app import (  # noqa: F401 - fixtures, found by name
    app,
    client,
    clock,
    console,
    db_path,
    password_hashing,
    production_hashing,
)
