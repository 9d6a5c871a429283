"""What the harness knows of a console: its URL, its time, and how to get an account.

``MockTarget`` drives the mock console through its test API (accounts, clock, events, faults),
starting one on 127.0.0.1 when asked. ``LiveTarget`` is a real console: credentials come from the
environment, the time is estimated from HTTP ``Date`` headers, and waiting for the next TOTP step
is the one place the harness ever waits.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self
from urllib.parse import quote, urlsplit

from e2e.errors import HarnessError
from e2e.evidence.redaction import register_secret
from e2e.http import HttpError, request_json, server_date
from e2e.otpauth import OtpAuthError, parse_otpauth
from e2e.process import ProcessStartError, start_listener, stop_process

READY_PREFIX = "mock console serving on "  # what `python -m mock_console` prints when listening
READY_LINE = re.compile(rf"^{READY_PREFIX}(\S+)")
START_TIMEOUT_SECONDS = 30
STEP_SAFETY_SECONDS = 0.5  # land this far inside the next step, past any Date-header rounding
USERNAME_ENV, PASSWORD_ENV = "E2E_USERNAME", "E2E_PASSWORD"
FAULTS_ENV = "E2E_MOCK_FAULTS"
UI_ENV = "E2E_MOCK_UI"  # html (default) or spa: which front-end every embedded mock serves
REAUTH_ENV = "E2E_MOCK_REAUTH"  # 1: every embedded mock asks to confirm access (--reauth)
ACCOUNTS_ENV = "E2E_ACCOUNTS"
ALLOW_PLAIN_HTTP_ENV = "E2E_ALLOW_PLAIN_HTTP"
# Set by the self-test (e2e.cli.selftest) for the suites it runs, read by their conftests:
# the security rules (or "procedure") whose tests a --quick run keeps ...
ONLY_RULES_ENV = "E2E_ONLY_RULES"
# ... and the folder it writes their JUnit files into while they run (the suites' guard against
# tests writing into the checkout must not blame a test for those files).
REPORT_ENV = "E2E_SELFTEST_REPORT"
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


class TargetError(HarnessError, RuntimeError):
    """The console cannot be reached or used as asked; the message says what to do."""


@dataclass(frozen=True)
class Credentials:
    """An administrator account to sign in with. The password never shows in a repr, and is
    registered for redaction as soon as the credentials exist."""

    username: str
    password: str = field(repr=False)

    def __post_init__(self) -> None:
        register_secret(self.password)


@dataclass(frozen=True)
class TwoStepTurnedOn:
    """What a user keeps from turning 2SV on: the QR code's Key URI, the Recovery Code (None
    when the console shows none) and the time step of the code that turned it on (now used).
    Secrets never show in a repr, and are registered for redaction as soon as this exists."""

    otpauth_uri: str = field(repr=False)
    recovery_code: str | None = field(repr=False)
    step: int

    def __post_init__(self) -> None:
        register_secret(self.otpauth_uri, self.recovery_code)
        with contextlib.suppress(OtpAuthError):  # the key inside the URI, in every spelling
            register_secret(parse_otpauth(self.otpauth_uri).secret)


class Target:
    """A console under test. Subclasses say what they can do through the capability flags."""

    base_url: str
    has_test_api: bool = False  # accounts, state, events and faults through /__test__/
    moves_clock: bool = False  # next_step() is instant (the console's clock moves)

    def now(self) -> float:
        """Return the console's time in epoch seconds."""
        raise NotImplementedError

    def next_step(self, period: int = 30) -> None:
        """Bring the console's time to the start of the next TOTP step."""
        raise NotImplementedError

    def new_account(self) -> Credentials:
        """Return an account with 2-Step Verification off."""
        raise NotImplementedError

    def url(self, path: str = "/") -> str:
        """Return an absolute URL on this console."""
        return self.base_url.rstrip("/") + "/" + path.lstrip("/")

    def close(self) -> None:
        """Release what the target started (nothing by default)."""

    def describe(self) -> str:
        """Say in a few words what this target is, for reports."""
        return f"{type(self).__name__} at {self.base_url}"

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


class MockTarget(Target):
    """The mock console, driven through its test API."""

    has_test_api = True
    moves_clock = True

    def __init__(self, base_url: str, process: subprocess.Popen[str] | None = None,
                 workdir: tempfile.TemporaryDirectory[str] | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self._process = process
        self._workdir = workdir

    # -- connecting ---------------------------------------------------------------------------

    @classmethod
    def start(cls, db: Path | None = None, extra_args: list[str] | None = None,
              reauth: bool | None = None) -> MockTarget:
        """Start ``python -m mock_console --test-api`` on 127.0.0.1 and a free port.

        Faults named in ``E2E_MOCK_FAULTS`` (``name`` or ``name=JSON``, separated by ``;``) are
        switched on from the start: that is how the self-test breaks every embedded mock. Its
        accounts are throwaway ones it makes up, so it hashes passwords with the cheap setting.
        ``E2E_MOCK_UI=spa`` serves the single-page app instead of the server-rendered pages, so
        the whole suite and the self-test can run on either front-end (``extra_args`` win).
        ``reauth`` (default: ``E2E_MOCK_REAUTH=1``) makes it ask to confirm access before Set up
        and Turn off (``--reauth``).
        """
        faults = [f"--fault={spec.strip()}"
                  for spec in os.environ.get(FAULTS_ENV, "").split(";") if spec.strip()]
        ui = os.environ.get(UI_ENV, "").strip()
        if reauth is None:
            reauth = os.environ.get(REAUTH_ENV, "").strip() == "1"
        process, base_url, workdir = start_mock_console(
            ["--test-api", "--password-hashing", "fast", *faults,
             *(["--ui", ui] if ui else []), *(["--reauth"] if reauth else []),
             *(extra_args or [])], db)
        return cls(base_url, process, workdir)

    @classmethod
    def at(cls, base_url: str) -> MockTarget:
        """Use a mock that is already running at ``base_url`` with its test API on."""
        target = cls(base_url)
        try:
            target.now()
        except HttpError as error:
            raise TargetError(
                f"{base_url} has no usable test API ({error}). Start the mock with "
                "`python -m mock_console --test-api`, or test it as a real console (LiveTarget)."
            ) from None
        return target

    @property
    def started_here(self) -> bool:
        """Whether this process started the mock (and nobody else uses it)."""
        return self._process is not None

    def close(self) -> None:
        if self._process is not None:
            stop_process(self._process)
        self._process = None
        if self._workdir is not None:
            self._workdir.cleanup()
            self._workdir = None

    def describe(self) -> str:
        started = " (embedded, started by the harness)" if self._process else ""
        return f"mock console at {self.base_url}{started}"

    # -- time -------------------------------------------------------------------------------

    def now(self) -> float:
        return float(self._api("GET", "clock")["now"])

    def advance(self, seconds: float) -> float:
        """Move the console's clock forward and return its new time."""
        return float(self._api("POST", "clock", {"advance": seconds})["now"])

    def set_offset(self, seconds: float) -> float:
        """Place the console's clock ``seconds`` away from real time and return its time."""
        return float(self._api("POST", "clock", {"offset": seconds})["now"])

    def place_in_step(self, seconds_into_step: float, period: int = 30) -> float:
        """Move the clock forward to ``seconds_into_step`` of the next step at or after now."""
        now = self.now()
        start = math.floor(now / period) * period
        wanted = start + seconds_into_step
        if wanted < now:
            wanted += period
        return self.advance(wanted - now)

    def next_step(self, period: int = 30) -> None:
        now = self.now()
        boundary = (math.floor(now / period) + 1) * period
        self.advance(boundary - now + STEP_SAFETY_SECONDS)

    # -- accounts, events, faults ---------------------------------------------------------------

    def new_account(self) -> Credentials:
        created = self._api("POST", "accounts", {})
        return Credentials(created["username"], created["password"])

    def turn_on_two_step(self, username: str) -> TwoStepTurnedOn:
        """Turn 2SV on for ``username`` without a browser, as scanning the QR code and typing
        the current code would: for tests whose subject comes after article step 2.7."""
        done = self._api("POST", f"accounts/{quote(username, safe='@')}/two-step")
        return TwoStepTurnedOn(done["otpauth_uri"], done["recovery_code"], int(done["step"]))

    def account_state(self, username: str) -> dict[str, Any]:
        """Return what the console holds for an account (2SV on, lock, Recovery Codes left)."""
        return self._api("GET", f"accounts/{quote(username, safe='@')}")

    def events(self, username: str) -> list[dict[str, Any]]:
        """Return the account's audit events, oldest first."""
        return self._api("GET", f"accounts/{quote(username, safe='@')}/events")

    def event_types(self, username: str) -> list[str]:
        """Return just the types of the account's audit events, oldest first."""
        return [event["type"] for event in self.events(username)]

    def faults(self) -> dict[str, Any]:
        """Return the fault catalogue and the faults that are on."""
        return self._api("GET", "faults")

    def unlock(self, username: str) -> None:
        """Lift a lock of the account, as an administrator does (a hard lock needs it)."""
        self._api("POST", f"accounts/{quote(username)}/unlock")

    def enable_fault(self, name: str, **params: Any) -> None:
        """Switch a fault of the console on (see ``faults()`` for the catalogue)."""
        body: dict[str, Any] = {"enable": [name]}
        if params:
            body[name] = params
        self._api("POST", "faults", body)

    def disable_faults(self, *names: str) -> None:
        """Switch faults off (all that are on when no names are given)."""
        off = list(names) or self.faults()["enabled"]
        self._api("POST", "faults", {"disable": off})

    def enabled_faults(self) -> list[str]:
        """Return the names of the faults that are on."""
        return list(self.faults()["enabled"])

    def _api(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        return request_json(method, f"{self.base_url}/__test__/{path}", body)


class LiveTarget(Target):
    """A real console: configured credentials, time from ``Date`` headers, real waits.

    Accounts come from ``E2E_ACCOUNTS`` (a JSON file of ``{"username", "password"}`` objects,
    the format ``python -m mock_console --seed`` reads) or ``E2E_USERNAME``/``E2E_PASSWORD``.
    A pool hands each test its own account, so tests that leave 2SV on never disturb another; a
    single account is handed out again and again (enough for ``python -m e2e run``).
    """

    def __init__(self, base_url: str,
                 credentials: Credentials | Sequence[Credentials] | None = None,
                 time_probe_path: str = "/") -> None:
        self.base_url = base_url.rstrip("/")
        if isinstance(credentials, Credentials):
            credentials = [credentials]
        self._pool = list(credentials or [])
        self._handed = 0
        self._probe_url = self.url(time_probe_path)
        self._offset: float | None = None

    @classmethod
    def from_environment(cls, base_url: str, share: tuple[int, int] = (0, 1)) -> LiveTarget:
        """Read the accounts from E2E_ACCOUNTS, or E2E_USERNAME and E2E_PASSWORD.

        ``share`` = (index, count) takes every count-th account of the pool from index on, so
        parallel test processes never sign in with the same account.
        """
        pool_file = os.environ.get(ACCOUNTS_ENV)
        if pool_file:
            index, count = share
            return cls(base_url, read_accounts(Path(pool_file))[index::count])
        username, password = os.environ.get(USERNAME_ENV), os.environ.get(PASSWORD_ENV)
        return cls(base_url, Credentials(username, password) if username and password else None)

    def new_account(self) -> Credentials:
        if not self._pool:
            raise TargetError(
                f"{self.base_url} is a real console (no test API), so the harness cannot create "
                f"accounts there. Set {USERNAME_ENV} and {PASSWORD_ENV} to an administrator "
                f"account whose 2-Step Verification is off, or {ACCOUNTS_ENV} to a JSON file of "
                'such accounts ([{"username": ..., "password": ...}, ...]), one per test.'
            )
        if len(self._pool) == 1:
            return self._pool[0]
        if self._handed >= len(self._pool):
            raise TargetError(
                f"all {len(self._pool)} accounts of {ACCOUNTS_ENV} given to this process are "
                "used: add more (one per test that signs in), or run fewer tests."
            )
        self._handed += 1
        return self._pool[self._handed - 1]

    def now(self) -> float:
        if self._offset is None:
            self._offset = self._measure_offset()
        return time.time() + self._offset

    def next_step(self, period: int = 30) -> None:
        self._offset = self._measure_offset()
        now = self.now()
        boundary = (math.floor(now / period) + 1) * period
        wait_for_console_time(self, boundary + STEP_SAFETY_SECONDS)

    def _measure_offset(self) -> float:
        """Estimate console time minus local time from one ``Date`` header (±0.5 s)."""
        before = time.time()
        date = server_date(self._probe_url)
        after = time.time()
        # The header truncates to whole seconds: the mean error is removed by adding 0.5 s.
        return date + 0.5 - (before + after) / 2

    def describe(self) -> str:
        return f"real console at {self.base_url}"


def wait_for_console_time(target: Target, console_time: float) -> None:
    """Block until the console's clock reads ``console_time``: the harness's only wait.

    Only a real console is waited on; the mock's clock is moved through its test API instead.
    """
    if target.moves_clock:
        raise TargetError("the mock's clock is moved (next_step), never waited for")
    remaining = console_time - target.now()
    if remaining > 0:
        time.sleep(remaining)


def read_accounts(path: Path) -> list[Credentials]:
    """Read a JSON list of ``{"username", "password"}`` objects."""
    try:
        entries = json.loads(path.read_text("utf-8"))
        accounts = [Credentials(str(e["username"]), str(e["password"])) for e in entries]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise TargetError(f"cannot read accounts from {path} ({ACCOUNTS_ENV}): {error}. Expected "
                          'a JSON list of {"username": ..., "password": ...} objects.') from None
    if not accounts:
        raise TargetError(f"{path} ({ACCOUNTS_ENV}) lists no accounts")
    return accounts


def refuse_plain_http(base_url: str) -> None:
    """Refuse plain http:// to a console that is not on this machine, unless allowed.

    Over plain http the password, the QR code's secret and the session cookie cross the network
    readable by anyone on the path. Loopback (a local mock, an SSH tunnel) is fine.
    """
    parts = urlsplit(base_url)
    if parts.scheme != "http" or (parts.hostname or "") in LOOPBACK_HOSTS:
        return
    if os.environ.get(ALLOW_PLAIN_HTTP_ENV) == "1":
        return
    raise TargetError(
        f"refusing plain http:// to {parts.hostname}: the password, the 2SV secret and the "
        "session cookie would cross the network unencrypted. Use https://, tunnel the console "
        "to 127.0.0.1, or pass --allow-plain-http (pytest: --allow-plain-http; environment: "
        f"{ALLOW_PLAIN_HTTP_ENV}=1) for a test console on a network you trust.")


def connect(base_url: str | None, share: tuple[int, int] = (0, 1)) -> Target:
    """Return the target for ``base_url``: the embedded mock when None, else mock or live.

    ``share`` splits a real console's account pool between parallel processes (index, count).
    """
    if base_url is None:
        return MockTarget.start()
    if not base_url.startswith(("http://", "https://")):
        raise TargetError(f"--base-url must start with http:// or https://, got {base_url!r}")
    refuse_plain_http(base_url)
    try:
        server_date(base_url)
    except HttpError as error:
        if error.status is None:  # nothing answered at all
            raise TargetError(f"no console answers at {base_url}: {error}") from None
    try:
        return MockTarget.at(base_url)
    except TargetError:
        return LiveTarget.from_environment(base_url, share)


def start_mock_console(
    args: list[str], db: Path | None = None
) -> tuple[subprocess.Popen[str], str, tempfile.TemporaryDirectory[str] | None]:
    """Run ``python -m mock_console`` on 127.0.0.1, a free port; return it and its URL.

    Without ``db`` the console gets a fresh database in a temporary folder (also returned, so
    the caller can remove it).
    """
    workdir = None
    if db is None:
        workdir = tempfile.TemporaryDirectory(prefix="mock-console-")
        db = Path(workdir.name) / "console.sqlite3"
    command = [sys.executable, "-m", "mock_console", "--host", "127.0.0.1", "--port", "0",
               "--db", str(db), *args]
    try:
        server = start_listener(command, READY_LINE, timeout=START_TIMEOUT_SECONDS,
                                what="the mock console")
    except ProcessStartError as error:
        raise TargetError(f"{error}\nCheck that the project is installed (`make test` "
                          "bootstraps it) and try again.") from None
    return server.process, server.url.rstrip("/"), workdir
