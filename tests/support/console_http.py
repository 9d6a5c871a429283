"""The mock console's forms and test API, over any transport (in process or served).

Why: the unit tests, the load test and the throughput bench all sign in with a form and its CSRF
token, enter a code, turn 2SV on and off, and read or move the console through its test API;
this is the one place that knows those requests. It reads pages with regular expressions, which
is fast enough for the bench's hot loop; ``tests.support.console_driver`` adds a person's view
(labels and buttons) for the unit tests.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Sequence
from typing import Any, Generic

from tests.support.transport import Body, ReplyT, Transport

SIGNIN = "/signin"
SIGNIN_CODE = "/signin/code"
SIGNIN_RECOVERY = "/signin/recovery"
SIGNOUT = "/signout"
HOME = "/"
ACCOUNT = "/account"
SECURITY = "/account/security"
CHANGE = "/account/security/2sv"
SETUP = "/account/security/2sv/setup"
ENABLE = "/account/security/2sv/enable"
ENABLED = "/account/security/2sv/enabled"
TURN_OFF = "/account/security/2sv/turn-off"
DISABLED = "/account/security/2sv/disabled"

ACCOUNTS_API = "/__test__/accounts"
CLOCK_API = "/__test__/clock"
FAULTS_API = "/__test__/faults"

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
TEXT_KEY = re.compile(r'<p class="secret"><span[^>]*>[^<]*</span><code>([A-Z2-7 ]+)</code>')
QR_IMAGE = re.compile(r'<img src="data:image/png;base64,([^"]+)"')

Observer = Callable[[str, str, ReplyT], None]


class ConsoleError(AssertionError):
    """The console answered something a driver cannot go on from (a test fails with it)."""


def csrf_token(page: str) -> str:
    """Return the CSRF token of the page's own form: the last one (the user menu's sign-out
    form comes first)."""
    tokens = CSRF.findall(page)
    if not tokens:
        raise ConsoleError(f"no CSRF token on the page: {page[:300]}")
    return str(tokens[-1])


def shown_key(setup_page: str) -> str:
    """Return the key the setup page prints under the QR code, spaces removed."""
    found = TEXT_KEY.search(setup_page)
    if found is None:
        raise ConsoleError(f"no key shown on the setup page: {setup_page[:300]}")
    return found.group(1).replace(" ", "")


def qr_png(setup_page: str) -> bytes:
    """Return the PNG bytes of the setup page's QR code image."""
    found = QR_IMAGE.search(setup_page)
    if found is None:
        raise ConsoleError(f"no QR code on the setup page: {setup_page[:300]}")
    return base64.b64decode(found.group(1))


class ConsoleHttp(Generic[ReplyT]):
    """One browser at the console plus the tester's test API, over ``transport``.

    The form methods fetch the form's CSRF token when not given one (one GET, counted like any
    request); ``observe`` sees every reply, to record or refuse it.
    """

    def __init__(self, transport: Transport[ReplyT],
                 observe: Observer[ReplyT] | None = None) -> None:
        self.transport = transport
        self.observe = observe

    # -- requests ------------------------------------------------------------------------------

    def request(self, method: str, path: str, *, data: Body = None, json: Any = None,
                follow: bool = False) -> ReplyT:
        """Send one request; let the observer see the reply."""
        reply = self.transport.request(method, path, data=data, json=json, follow=follow)
        if self.observe is not None:
            self.observe(method, path, reply)
        return reply

    def get(self, path: str, *, follow: bool = False) -> ReplyT:
        return self.request("GET", path, follow=follow)

    def post(self, path: str, data: Body = None, *, json: Any = None,
             follow: bool = False) -> ReplyT:
        return self.request("POST", path, data=data, json=json, follow=follow)

    def token(self, path: str) -> str:
        """Open the page at ``path`` and return its form's CSRF token."""
        page = self.get(path)
        if page.status != 200:
            raise ConsoleError(f"GET {path} answered {page.status}, not the form")
        return csrf_token(page.text)

    def send_form(self, path: str, form_at: str, token: str | None, follow: bool,
                  **fields: str) -> ReplyT:
        """POST a form to ``path`` with the CSRF token (of the page ``form_at`` unless given)."""
        csrf = self.token(form_at) if token is None else token
        return self.post(path, {"csrf_token": csrf, **fields}, follow=follow)

    # -- the article's flows -------------------------------------------------------------------

    def sign_in(self, username: str, password: str, *, token: str | None = None,
                follow: bool = False) -> ReplyT:
        """1.1: send the username and password from the sign-in form."""
        return self.send_form(SIGNIN, SIGNIN, token, follow, username=username,
                              password=password)

    def enter_code(self, code: str, *, token: str | None = None, follow: bool = False
                   ) -> ReplyT:
        """Send a code from the sign-in code page."""
        return self.send_form(SIGNIN_CODE, SIGNIN_CODE, token, follow, code=code)

    def start_setup(self, *, token: str | None = None, follow: bool = False) -> ReplyT:
        """2.4: press "Set up" on the 2SV page."""
        return self.send_form(SETUP, CHANGE, token, follow)

    def turn_on(self, code: str, *, token: str | None = None, follow: bool = False) -> ReplyT:
        """2.6: send a code from the setup page."""
        return self.send_form(ENABLE, SETUP, token, follow, code=code)

    def turn_off(self, *, token: str | None = None, follow: bool = False) -> ReplyT:
        """3.4: confirm "Turn off" on the turn-off page."""
        return self.send_form(TURN_OFF, TURN_OFF, token, follow)

    def sign_out(self, *, token: str | None = None, follow: bool = False) -> ReplyT:
        """Press "Sign out" in the user menu (its token is on every signed-in page)."""
        return self.send_form(SIGNOUT, HOME, token, follow)

    # -- the test API --------------------------------------------------------------------------

    def _api(self, method: str, path: str, expect: int, json: Any = None) -> Any:
        reply = self.request(method, path, json=json)
        if reply.status != expect:
            raise ConsoleError(f"{method} {path} answered {reply.status}: {reply.text[:300]}")
        return reply.json()

    def create_account(self, **fields: str) -> dict[str, str]:
        """Create an account (2SV off); return its username and password."""
        created: dict[str, str] = self._api("POST", ACCOUNTS_API, 201, json=fields)
        return created

    def account(self, username: str) -> dict[str, Any]:
        """Return the test API's view of an account."""
        state: dict[str, Any] = self._api("GET", f"{ACCOUNTS_API}/{username}", 200)
        return state

    def events(self, username: str) -> list[dict[str, Any]]:
        """Return an account's audit events, oldest first."""
        events: list[dict[str, Any]] = self._api("GET", f"{ACCOUNTS_API}/{username}/events", 200)
        return events

    def now(self) -> float:
        """Return the console's time."""
        return float(self._api("GET", CLOCK_API, 200)["now"])

    def advance(self, seconds: float) -> float:
        """Move the console's clock forward; return its new time."""
        return float(self._api("POST", CLOCK_API, 200, json={"advance": seconds})["now"])

    def faults(self, enable: Sequence[str] = (), disable: Sequence[str] = (),
               **params: Any) -> Any:
        """Switch fault injections on or off; return what the console says is on."""
        body = {"enable": list(enable), "disable": list(disable), **params}
        return self._api("POST", FAULTS_API, 200, json=body)
