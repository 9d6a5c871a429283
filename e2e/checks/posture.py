"""The security posture of the console under test, read from what the browser saw anyway.

Read-only: nothing here sends a request of its own (the ``other_sessions`` observation comes
from ``e2e.browser.other_session``, the one probe that signs in a second time). ``PostureObserver``
listens to the responses the browser receives during the procedure (headers and cookie *flags*
only: no body, no cookie value is ever kept) and files them under the screen they produced;
``assess`` turns those observations into checks, each with an id, a title, ``pass`` / ``fail``
/ ``unknown``, the evidence and the reference it comes from. The checks never change a step's
verdict; the CLI's ``--fail-on-posture`` makes a failing check fail the run.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from e2e.procedure import QR_NAMED, TURN_OFF_STEPS
from e2e.reauth import REAUTH

if TYPE_CHECKING:
    from playwright.sync_api import Page, Response

    from e2e.runner import StepResult

PASS, FAIL, UNKNOWN = "pass", "fail", "unknown"
SIGN_IN_SCREEN = "1.1"  # the screen before signing in; the next one is after it
SECRET_SCREENS = frozenset({"2.5", "2.6", "2.7"})  # they show the QR, the key, the Recovery Code
ONE_YEAR = 31_536_000
MAX_CLOCK_SKEW_SECONDS = 30  # one TOTP step: beyond it, codes from a correct app start failing
MIN_SECRET_BITS = 128  # NIST SP 800-63B §5.1.4.1 / §5.1.5.1 (shared secret of at least 112 bits)
SAFE_REFERRER_POLICIES = frozenset({"no-referrer", "same-origin", "strict-origin",
                                    "strict-origin-when-cross-origin"})
SESSION_NAME = re.compile(r"sess|sid|auth|token|login", re.IGNORECASE)
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
OBSERVED_TYPES = frozenset({"document", "fetch", "xhr"})


@dataclass(frozen=True)
class CookieFlags:
    """A cookie's name and attributes as the console set them; never its value."""

    name: str
    http_only: bool
    secure: bool
    same_site: str  # "Lax", "Strict", "None", or "" when the console sent none


@dataclass(frozen=True)
class Observed:
    """One response from the console, filed under the screen (step id) it produced."""

    url: str
    status: int
    resource_type: str
    headers: dict[str, str]  # lower-case names; Set-Cookie removed (its values are secrets)
    cookies: tuple[CookieFlags, ...]
    screen: str


@dataclass
class Observations:
    """Everything the posture is judged on; built by ``PostureObserver`` or by a test."""

    base_url: str
    responses: list[Observed] = field(default_factory=list)
    session_fingerprints: dict[str, str] = field(default_factory=dict)  # screen -> salted hash
    clock_skew_seconds: float | None = None  # console time minus the runner's time
    clock_moved_by_harness: bool = False  # a mock whose clock the harness moves: not comparable
    secret_bits: int | None = None
    otpauth_warnings: list[str] | None = None
    other_session_survived: bool | None = None  # a session opened before turning 2SV on
    reauth_before_turn_off: bool | None = None
    qr_named: bool | None = None  # the QR code was an image the catalogue's words name


@dataclass(frozen=True)
class PostureCheck:
    """One line of the posture report."""

    id: str
    title: str
    status: str
    evidence: str
    reference: str

    def to_dict(self) -> dict[str, str]:
        return asdict(self)


def parse_set_cookie(header: str) -> list[CookieFlags]:
    """Read the flags of each cookie in a (newline-joined) Set-Cookie header; drop the values."""
    found = []
    for line in header.splitlines():
        name, _, rest = line.partition("=")
        if not name.strip() or not rest:
            continue
        attributes = [part.strip() for part in rest.split(";")[1:]]
        lowered = [a.lower() for a in attributes]
        same_site = next((a.split("=", 1)[1].strip().capitalize() for a in attributes
                          if a.lower().startswith("samesite=")), "")
        found.append(CookieFlags(name.strip(), "httponly" in lowered, "secure" in lowered,
                                 same_site))
    return found


def is_session_cookie(cookie: CookieFlags) -> bool:
    """Guess whether a cookie carries a session: its name says so, or scripts may not read it."""
    return bool(SESSION_NAME.search(cookie.name)) or cookie.http_only


class PostureObserver:
    """Files the console's responses under the screen they produced, as the procedure runs.

    Use it as (part of) the runner's ``inspect`` hook: at each observation of a step's screen,
    the responses received since the previous observation are filed under that step.
    """

    def __init__(self, page: Page, base_url: str) -> None:
        self.page = page
        self.observations = Observations(base_url=base_url)
        self._origin = _origin(base_url)
        self._pending: list[tuple[str, int, str, dict[str, str], tuple[CookieFlags, ...]]] = []
        self._salt = secrets.token_bytes(16)  # fingerprints compare within this run only
        page.on("response", self._on_response)

    def _on_response(self, response: Response) -> None:
        if _origin(response.url) != self._origin:
            return
        if response.request.resource_type not in OBSERVED_TYPES:
            return
        try:
            headers = response.all_headers()
        except Exception:  # noqa: BLE001 - a response whose page is gone has nothing to judge
            return
        cookies = tuple(parse_set_cookie(headers.get("set-cookie", "")))
        kept = {k: v for k, v in headers.items() if k != "set-cookie"}
        self._pending.append((_without_query(response.url), response.status,
                              response.request.resource_type, kept, cookies))

    def __call__(self, ctx: Any, step: Any) -> None:
        """File what arrived since the last observation under ``step``'s screen."""
        screen = step.id
        for url, status, kind, headers, cookies in self._pending:
            self.observations.responses.append(
                Observed(url, status, kind, headers, cookies, screen))
        self._pending.clear()
        self.observations.session_fingerprints.setdefault(screen, self._fingerprint())
        if ctx.target.moves_clock:
            self.observations.clock_moved_by_harness = True
        elif self.observations.clock_skew_seconds is None:
            self.observations.clock_skew_seconds = ctx.target.now() - time.time()
        self._note_secret(ctx)

    def _fingerprint(self) -> str:
        """A salted hash of the console's session-like cookie values: comparable, not reversible."""
        values = sorted(f"{c['name']}={c['value']}" for c in self.page.context.cookies(
            self.observations.base_url) if SESSION_NAME.search(c["name"]) or c["httpOnly"])
        return hashlib.sha256(self._salt + "\n".join(values).encode()).hexdigest()[:16]

    def _note_secret(self, ctx: Any) -> None:
        uri = ctx.notes.get("otpauth_uri")
        if uri and self.observations.secret_bits is None:
            from e2e.otpauth import OtpAuthError, parse_otpauth

            try:
                self.observations.secret_bits = len(parse_otpauth(uri).secret_bytes) * 8
            except OtpAuthError:
                self.observations.secret_bits = 0
            self.observations.otpauth_warnings = list(ctx.notes.get("otpauth_warnings") or [])
        if self.observations.qr_named is None and QR_NAMED in ctx.notes:
            self.observations.qr_named = bool(ctx.notes[QR_NAMED])


def assess(obs: Observations) -> list[PostureCheck]:
    """Judge the observations; every check is present, ``unknown`` when nothing showed it."""
    https = urlsplit(obs.base_url).scheme == "https"
    loopback = (urlsplit(obs.base_url).hostname or "") in LOOPBACK_HOSTS
    pages = [r for r in obs.responses if r.resource_type == "document" and r.status < 400]
    secret_responses = [r for r in obs.responses if r.screen in SECRET_SCREENS and r.status < 400]
    return [
        _transport(https, loopback, obs.base_url),
        _hsts(pages, https, loopback),
        _every(pages, "frame", "The 2SV pages cannot be framed (clickjacking)",
               _frame_protected, "ASVS 5 §3.4.6",
               "X-Frame-Options DENY/SAMEORIGIN or CSP frame-ancestors"),
        _every(secret_responses, "no_store",
               "Pages and data showing the QR code, the key or the Recovery Code are not cached",
               lambda r: "no-store" in r.headers.get("cache-control", "").lower(),
               "ASVS 5 §14.3.2", "Cache-Control: no-store"),
        _every(pages, "csp", "A Content-Security-Policy without inline script",
               _csp_ok, "ASVS 5 §3.4.3", "a CSP whose script-src has no 'unsafe-inline'"),
        _every(pages, "nosniff", "X-Content-Type-Options: nosniff",
               lambda r: r.headers.get("x-content-type-options", "").lower() == "nosniff",
               "ASVS 5 §3.4.4", "nosniff"),
        _every(pages, "referrer", "A Referrer-Policy that keeps URLs inside the console",
               lambda r: _referrer(r) in SAFE_REFERRER_POLICIES, "ASVS 5 §3.4.5",
               "/".join(sorted(SAFE_REFERRER_POLICIES))),
        _cookie_flags(obs.responses, https),
        _rotation(obs.session_fingerprints),
        _flag("other_sessions", "Turning 2SV on ends the account's other sessions",
              obs.other_session_survived, "a session opened before turning 2SV on survived",
              "a session opened before turning 2SV on was ended", "ASVS 5 §7.4.3", invert=True),
        _flag("reauth", "Turning 2SV off asks to re-authenticate", obs.reauth_before_turn_off,
              "turning 2SV off asked for the password or a code",
              "turning 2SV off asked for neither the password nor a code", "ASVS 5 §7.5.1"),
        _clock(obs.clock_skew_seconds, obs.clock_moved_by_harness),
        _secret(obs.secret_bits),
        _otpauth(obs.otpauth_warnings),
        _flag("qr_name", "The QR code has a text alternative a screen reader announces",
              obs.qr_named, "an image named with the catalogue's words for the QR code",
              "no image is named with the catalogue's words for the QR code: the harness read it "
              "from the screen's pixels (if the console names it otherwise, pass --labels)",
              "WCAG 2.2 SC 1.1.1"),
    ]


def reauth_before_turn_off(steps: Iterable[StepResult]) -> bool | None:
    """Whether the run met a re-authentication prompt at the clicks on "Turn off" (a sub-step
    of step 3.3 or 3.4, ``e2e.reauth``): True; False when 2SV went off without one; None when
    the run never turned it off."""
    by_id = {step.id: step for step in steps}
    turned_off = by_id.get(TURN_OFF_STEPS[-1])
    if turned_off is None or turned_off.status != "passed":
        return None
    return any(sub.kind == REAUTH and sub.status == "passed"
               for step_id in TURN_OFF_STEPS if step_id in by_id
               for sub in by_id[step_id].substeps)


def summary(checks: Iterable[PostureCheck]) -> str:
    """One line for the terminal: counts and the ids of the checks that failed."""
    checks = list(checks)
    failed = [c.id for c in checks if c.status == FAIL]
    counts = {s: sum(c.status == s for c in checks) for s in (PASS, FAIL, UNKNOWN)}
    line = (f"posture: {counts[PASS]} pass, {counts[FAIL]} fail, {counts[UNKNOWN]} unknown")
    return line + (f" (failed: {', '.join(failed)})" if failed else "")


def _transport(https: bool, loopback: bool, base_url: str) -> PostureCheck:
    title, ref = "The console is served over https", "ASVS 5 §12.2.1"
    if https:
        return PostureCheck("https", title, PASS, "https", ref)
    if loopback:
        return PostureCheck("https", title, PASS,
                            "plain http on loopback only: the traffic never leaves this machine",
                            ref)
    return PostureCheck("https", title, FAIL, f"plain http to {urlsplit(base_url).hostname}", ref)


def _hsts(pages: list[Observed], https: bool, loopback: bool) -> PostureCheck:
    title, ref = "Strict-Transport-Security for at least a year", "ASVS 5 §3.4.1"
    if not https:
        status = PASS if loopback else FAIL
        return PostureCheck("hsts", title, status,
                            "plain http: HSTS applies only over https" + (
                                " (loopback mock)" if loopback else ""), ref)
    if not pages:
        return PostureCheck("hsts", title, UNKNOWN, "no page of the console was seen", ref)
    bad = [r for r in pages if _hsts_age(r) < ONE_YEAR]
    if bad:
        return PostureCheck("hsts", title, FAIL, _where(bad, "strict-transport-security"), ref)
    return PostureCheck("hsts", title, PASS, f"max-age >= {ONE_YEAR} on {len(pages)} pages", ref)


def _every(responses: list[Observed], check_id: str, title: str, good: Any, ref: str,
           expected: str) -> PostureCheck:
    if not responses:
        return PostureCheck(check_id, title, UNKNOWN, "no such response was seen", ref)
    bad = [r for r in responses if not good(r)]
    if bad:
        return PostureCheck(check_id, title, FAIL, f"expected {expected}; " + _where(bad), ref)
    return PostureCheck(check_id, title, PASS,
                        f"{expected} on all {len(responses)} responses", ref)


def _where(bad: list[Observed], header: str | None = None) -> str:
    shown = []
    for r in bad[:3]:
        value = f" ({header}: {r.headers.get(header, 'absent')})" if header else ""
        shown.append(f"{r.url} at step {r.screen}{value}")
    more = f" and {len(bad) - 3} more" if len(bad) > 3 else ""
    return "missing on " + "; ".join(shown) + more


def _frame_protected(r: Observed) -> bool:
    if r.headers.get("x-frame-options", "").strip().upper() in ("DENY", "SAMEORIGIN"):
        return True
    ancestors = _csp_directive(r.headers.get("content-security-policy", ""), "frame-ancestors")
    return ancestors is not None and ancestors.strip() in ("'none'", "'self'")


def _csp_ok(r: Observed) -> bool:
    policy = r.headers.get("content-security-policy", "")
    scripts = _csp_directive(policy, "script-src")
    if scripts is None:
        scripts = _csp_directive(policy, "default-src")
    if scripts is None:
        return False
    tokens = scripts.split()
    with_nonce = any(t.startswith(("'nonce-", "'sha256-", "'sha384-", "'sha512-")) for t in tokens)
    return "'unsafe-inline'" not in tokens or with_nonce


def _csp_directive(policy: str, name: str) -> str | None:
    for part in policy.split(";"):
        words = part.strip().split(None, 1)
        if words and words[0].lower() == name:
            return words[1] if len(words) > 1 else ""
    return None


def _referrer(r: Observed) -> str:
    values = [v.strip().lower() for v in r.headers.get("referrer-policy", "").split(",")]
    return values[-1] if values else ""  # browsers use the last policy they understand


def _hsts_age(r: Observed) -> int:
    match = re.search(r"max-age=\"?(\d+)", r.headers.get("strict-transport-security", ""))
    return int(match.group(1)) if match else -1


def _cookie_flags(responses: list[Observed], https: bool) -> PostureCheck:
    title, ref = "Session cookies are HttpOnly, SameSite and (over https) Secure", "ASVS 5 §3.3"
    cookies = {c.name: c for r in responses for c in r.cookies if is_session_cookie(c)}
    if not cookies:
        return PostureCheck("cookies", title, UNKNOWN, "no session cookie was set in view", ref)
    problems = []
    for c in cookies.values():
        missing = [flag for flag, ok in (("HttpOnly", c.http_only),
                                         ("SameSite=Lax/Strict", c.same_site in ("Lax", "Strict")),
                                         ("Secure", c.secure or not https)) if not ok]
        if missing:
            problems.append(f"{c.name} lacks {', '.join(missing)}")
    if problems:
        return PostureCheck("cookies", title, FAIL, "; ".join(problems), ref)
    return PostureCheck("cookies", title, PASS, ", ".join(sorted(cookies)) + ": flags set", ref)


def _rotation(fingerprints: dict[str, str]) -> PostureCheck:
    title, ref = "A new session id at sign-in", "ASVS 5 §7.2.4"
    screens = list(fingerprints)
    if SIGN_IN_SCREEN not in fingerprints or screens.index(SIGN_IN_SCREEN) + 1 >= len(screens):
        return PostureCheck("rotation", title, UNKNOWN, "sign-in was not observed", ref)
    before = fingerprints[SIGN_IN_SCREEN]
    after = fingerprints[screens[screens.index(SIGN_IN_SCREEN) + 1]]
    if before == after:
        return PostureCheck("rotation", title, FAIL,
                            "the session cookie had the same value before and after sign-in", ref)
    return PostureCheck("rotation", title, PASS, "the session cookie changed at sign-in", ref)


def _flag(check_id: str, title: str, value: bool | None, when_true: str, when_false: str,
          ref: str, invert: bool = False) -> PostureCheck:
    if value is None:
        return PostureCheck(check_id, title, UNKNOWN, "not observed in this run", ref)
    good = (not value) if invert else value
    return PostureCheck(check_id, title, PASS if good else FAIL,
                        when_true if value else when_false, ref)


def _clock(skew: float | None, moved_by_harness: bool = False) -> PostureCheck:
    title, ref = "The console's clock agrees with the runner's", "RFC 6238 §6"
    if moved_by_harness:
        return PostureCheck("clock", title, UNKNOWN, "a mock whose clock the harness moves through "
                            "its test API: its time is not the product's", ref)
    if skew is None:
        return PostureCheck("clock", title, UNKNOWN, "the console's time was not read", ref)
    status = PASS if abs(skew) <= MAX_CLOCK_SKEW_SECONDS else FAIL
    return PostureCheck("clock", title, status,
                        f"console minus runner: {skew:+.1f} s (limit ±{MAX_CLOCK_SKEW_SECONDS} s)",
                        ref)


def _secret(bits: int | None) -> PostureCheck:
    title, ref = f"The TOTP secret has at least {MIN_SECRET_BITS} bits", "NIST SP 800-63B §5.1.5.1"
    if bits is None:
        return PostureCheck("secret", title, UNKNOWN, "no secret was issued in this run", ref)
    status = PASS if bits >= MIN_SECRET_BITS else FAIL
    return PostureCheck("secret", title, status, f"{bits} bits (RFC 4226 recommends 160)", ref)


def _otpauth(warnings: list[str] | None) -> PostureCheck:
    title, ref = "The otpauth URI follows the Key URI format", "Key URI format"
    if warnings is None:
        return PostureCheck("otpauth", title, UNKNOWN, "no QR code was read in this run", ref)
    if warnings:
        return PostureCheck("otpauth", title, FAIL, "; ".join(warnings), ref)
    return PostureCheck("otpauth", title, PASS, "no lint warnings", ref)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def _without_query(url: str) -> str:
    """The URL without query or fragment: they may carry tokens."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"
