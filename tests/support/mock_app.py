"""The mock console as a Flask app for tests: an app on a throwaway database and a fixed clock.

The tests drive the console the way a person does (open a page, read its labels, fill in the
form next to a label, press the button with a given text) through Flask's test client, and read
what the console holds through its test API and, where the API does not say, its SQLite file.
The conftest files of ``tests/mock`` and ``tests/harness`` import these fixtures by name.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from mock_console import create_app, hashing
from mock_console.clock import Clock
from tests.support.console_driver import T0, Console

# --------------------------------------------------------------------------------------------
# Fixtures.
# --------------------------------------------------------------------------------------------


@pytest.fixture
def clock() -> Clock:
    """The console's clock, stopped mid-step at T0; moved only through the test API."""
    return Clock(source=lambda: T0)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """Where the console keeps its SQLite database for this test."""
    return tmp_path / "console.sqlite3"


@pytest.fixture
def production_hashing() -> None:
    """Ask for werkzeug's full-cost scrypt in this test (see ``password_hashing``)."""


@pytest.fixture
def password_hashing(request: pytest.FixtureRequest) -> str:
    """The console's cheap hashing setting, unless the test asks for ``production_hashing``."""
    return hashing.SCRYPT if "production_hashing" in request.fixturenames else hashing.FAST


@pytest.fixture
def app(db_path: Path, clock: Clock, password_hashing: str) -> Flask:
    """A console with its test API on, a fresh database and the fixed clock."""
    return create_app({"DATABASE": str(db_path), "TEST_API": True, "TESTING": True,
                       "CLOCK": clock, "PASSWORD_HASHING": password_hashing})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A browser on the console (cookies kept between requests)."""
    return app.test_client()


@pytest.fixture
def console(app: Flask, client: FlaskClient) -> Console:
    """A person at the console, with the tester's test API at hand."""
    return Console(app, client)
