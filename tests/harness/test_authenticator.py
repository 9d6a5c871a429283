"""Unit tests for e2e.authenticator: fresh codes at the console's time, never a step twice."""

from __future__ import annotations

import io
import sys
import types
from pathlib import Path

import pytest
import segno

import e2e
from e2e.authenticator import Authenticator, AuthenticatorError, TimeSource
from e2e.otpauth import OtpAuthError, parse_otpauth

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
URI = f"otpauth://totp/HENNGE:admin%40example.com?secret={SECRET}&issuer=HENNGE"
OTHER_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
OTHER_URI = f"otpauth://totp/Other:bob%40example.com?secret={OTHER_SECRET}&issuer=Other"
STEP_START = 1_700_000_010.0  # the start of step 56_666_667 (a multiple of 30)
T0 = STEP_START + 10  # 10 s into that step


class FakeClock:
    """A settable console clock; next_step jumps to the next step boundary and counts calls."""

    def __init__(self, now: float = T0) -> None:
        self.t = now
        self.next_step_calls = 0

    def now(self) -> float:
        return self.t

    def next_step(self, period: int = 30) -> None:
        self.next_step_calls += 1
        self.t = (self.t // period + 1) * period


class StuckClock(FakeClock):
    """A time source whose next_step does nothing (a broken Target)."""

    def next_step(self, period: int = 30) -> None:
        self.next_step_calls += 1


class CreepingClock(FakeClock):
    """A time source whose next_step moves a millisecond only (never reaches the next step)."""

    def next_step(self, period: int = 30) -> None:
        self.next_step_calls += 1
        self.t += 0.001


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def app(clock: FakeClock) -> Authenticator:
    authenticator = Authenticator(clock, margin=3.0)
    authenticator.add_uri(URI)
    return authenticator


def test_fake_clock_satisfies_the_time_source_protocol(clock: FakeClock) -> None:
    assert isinstance(clock, TimeSource)


def test_code_is_the_code_at_the_time_sources_now(app: Authenticator, clock: FakeClock) -> None:
    # given a fresh account and a clock 10 s into a step
    # when a code is asked for
    code = app.code()
    # then it is the code at the console's now, without moving the clock
    assert code == parse_otpauth(URI).code(T0)
    assert clock.next_step_calls == 0
    assert app.used_steps() == {int(T0 // 30)}


def test_same_step_is_never_handed_out_twice(app: Authenticator, clock: FakeClock) -> None:
    # given a code already handed out in the current step
    first = app.code()
    # when a second code is asked for at the same console time
    second = app.code()
    # then the clock was advanced to the next step and the second code belongs to it
    entry = app.entry()
    assert clock.next_step_calls == 1
    assert clock.t == (T0 // 30 + 1) * 30
    assert second == entry.code(clock.t)
    assert app.used_steps() == {entry.step(T0), entry.step(T0) + 1}
    assert first == entry.code(T0)


def test_margin_is_respected_near_the_end_of_a_step() -> None:
    # given a clock 28.5 s into a step (1.5 s left) and a margin of 3 s
    start = STEP_START + 28.5
    clock = FakeClock(start)
    entry = parse_otpauth(URI)
    assert entry.seconds_left(start) == pytest.approx(1.5)
    app = Authenticator(clock, margin=3.0)
    app.add_uri(URI)
    # when a code is asked for
    code = app.code()
    # then the clock moved to the next step and the code is from it, with a full step left
    assert clock.next_step_calls == 1
    assert entry.seconds_left(clock.t) == 30
    assert code == entry.code(clock.t)


def test_margin_exactly_met_does_not_advance() -> None:
    # given 3 s left in the step and a margin of 3 s
    clock = FakeClock(STEP_START + 27)
    app = Authenticator(clock, margin=3.0)
    app.add_uri(URI)
    app.code()
    assert clock.next_step_calls == 0


def test_code_never_goes_below_a_later_step_marked_used(app: Authenticator, clock) -> None:
    # given the step after the current one was already used (say a T+1 window test)
    entry = app.entry()
    app.mark_used(entry.step(T0) + 1)
    # when a code is asked for at now
    app.code()
    # then the clock moved two steps: the console rejects steps at or below the last accepted
    assert clock.next_step_calls == 2
    assert max(app.used_steps()) == entry.step(T0) + 2


def test_explicit_at_returns_that_times_code_without_waiting(app: Authenticator, clock) -> None:
    # given a time in the previous step (a T-1 window test)
    earlier = T0 - 30
    # when the code for that time is asked for
    code = app.code(at=earlier)
    # then it is that time's code, the clock did not move, and the step is recorded
    assert code == app.entry().code(earlier)
    assert clock.next_step_calls == 0
    assert app.entry().step(earlier) in app.used_steps()


def test_explicit_at_on_a_used_step_raises(app: Authenticator) -> None:
    # given the current step handed out
    app.code()
    # when the same step is asked for with an explicit time, then it is refused as a replay
    with pytest.raises(AuthenticatorError, match="already used .* call code\\(\\) without at="):
        app.code(at=T0 + 1)


def test_explicit_at_on_a_step_marked_used_raises(app: Authenticator) -> None:
    app.mark_used(app.entry().step(T0))
    with pytest.raises(AuthenticatorError, match="already used"):
        app.code(at=T0)


def test_several_accounts_are_kept_apart(app: Authenticator, clock: FakeClock) -> None:
    # given a second account added after the first
    other = app.add_uri(OTHER_URI)
    # when codes are asked for both at the same console time
    other_code = app.code()  # the latest account is the default
    first_code = app.code(account="admin@example.com")
    # then each is its own secret's code, and neither ledger blocks the other
    assert clock.next_step_calls == 0
    assert other_code == other.code(T0)
    assert first_code == parse_otpauth(URI).code(T0)
    assert app.used_steps("Other:bob@example.com") == {other.step(T0)}
    assert app.used_steps("HENNGE:admin@example.com") == {other.step(T0)}
    assert app.secret("bob@example.com") == OTHER_SECRET
    assert app.secret("HENNGE:admin@example.com") == SECRET
    assert [e.key for e in app.entries] == ["HENNGE:admin@example.com", "Other:bob@example.com"]


def test_same_account_name_under_two_issuers_needs_the_issuer(app: Authenticator) -> None:
    app.add_uri(f"otpauth://totp/Other:admin%40example.com?secret={OTHER_SECRET}&issuer=Other")
    with pytest.raises(AuthenticatorError, match="2 accounts are named 'admin@example.com'"):
        app.code(account="admin@example.com")
    assert app.secret("Other:admin@example.com") == OTHER_SECRET


def test_re_adding_an_account_replaces_its_secret_and_keeps_its_ledger(app: Authenticator) -> None:
    # given a code handed out for the account
    app.code()
    used = app.used_steps()
    # when the console shows a new secret for the same issuer+account and it is scanned
    app.add_uri(URI.replace(SECRET, OTHER_SECRET))
    # then there is still one entry, with the new secret, and the used steps are remembered
    assert len(app) == 1
    assert app.secret() == OTHER_SECRET
    assert app.used_steps() == used


def test_remove_deletes_the_account_from_the_app(app: Authenticator) -> None:
    app.add_uri(OTHER_URI)
    removed = app.remove("bob@example.com")
    assert removed.issuer == "Other"
    assert [e.key for e in app.entries] == ["HENNGE:admin@example.com"]
    with pytest.raises(AuthenticatorError, match="no account 'bob@example.com'"):
        app.code(account="bob@example.com")


def test_no_account_yet_says_to_scan_first(clock: FakeClock) -> None:
    app = Authenticator(clock)
    with pytest.raises(AuthenticatorError, match=r"scan the QR code first \(Authenticator.scan\)"):
        app.code()


def test_time_source_that_never_moves_raises_instead_of_looping() -> None:
    # given a code already handed out, and a time source whose next_step does nothing
    clock = StuckClock()
    app = Authenticator(clock)
    app.add_uri(URI)
    app.code()
    # when another code is asked for, then it raises at once, saying the time source is stuck
    with pytest.raises(AuthenticatorError, match="time source did not move"):
        app.code()
    assert clock.next_step_calls == 1


def test_time_source_that_creeps_raises_after_max_advances() -> None:
    # given a time source whose next_step moves the time but never to the next step
    clock = CreepingClock()
    app = Authenticator(clock, max_advances=4)
    app.add_uri(URI)
    app.code()
    # when another code is asked for, then it gives up after max_advances calls
    with pytest.raises(AuthenticatorError, match="after 4 calls to next_step"):
        app.code()
    assert clock.next_step_calls == 4


def test_a_used_step_far_ahead_raises_before_moving_the_clock(app: Authenticator, clock) -> None:
    app.mark_used(app.entry().step(T0) + 100)
    with pytest.raises(AuthenticatorError, match="more than max_advances"):
        app.code()
    assert clock.next_step_calls == 0


def test_margin_as_long_as_the_period_is_refused(clock: FakeClock) -> None:
    app = Authenticator(clock, margin=30)
    app.add_uri(URI)
    with pytest.raises(AuthenticatorError, match="smaller margin"):
        app.code()


def test_non_totp_text_is_refused_by_add_uri(app: Authenticator) -> None:
    with pytest.raises(OtpAuthError, match="scheme must be otpauth"):
        app.add_uri("https://example.com/")


def test_scan_refuses_a_uri_string(app: Authenticator) -> None:
    with pytest.raises(TypeError, match="add_uri"):
        app.scan(URI)


def _fake_qr(monkeypatch: pytest.MonkeyPatch, calls: list) -> None:
    """Stand in for e2e.qr so that scan()'s dispatch is tested without a browser or libzbar."""
    fake = types.ModuleType("e2e.qr")

    def decode_qr(image):
        calls.append(("decode_qr", image))
        return URI

    def decode_locator(locator, evidence_dir=None, name="qr"):
        calls.append(("decode_locator", locator, evidence_dir, name))
        return OTHER_URI

    fake.decode_qr = decode_qr
    fake.decode_locator = decode_locator
    monkeypatch.setitem(sys.modules, "e2e.qr", fake)
    monkeypatch.setattr(e2e, "qr", fake, raising=False)


def test_scan_sends_a_locator_to_decode_locator(app, monkeypatch, tmp_path: Path) -> None:
    # given something shaped like a Playwright Locator
    calls: list = []
    _fake_qr(monkeypatch, calls)

    class FakeLocator:
        def screenshot(self, **kwargs):
            raise AssertionError("decode_locator takes the screenshot")

    locator = FakeLocator()
    # when it is scanned, then decode_locator gets it with the evidence settings
    entry = app.scan(locator, evidence_dir=tmp_path, name="setup-qr")
    assert calls == [("decode_locator", locator, tmp_path, "setup-qr")]
    assert entry.key == "Other:bob@example.com"
    assert app.entry() == entry


def test_scan_sends_bytes_to_decode_qr(app: Authenticator, monkeypatch) -> None:
    calls: list = []
    _fake_qr(monkeypatch, calls)
    app.scan(bytearray(b"\x89PNG"))
    assert calls == [("decode_qr", b"\x89PNG")]


def test_scan_refuses_an_unknown_source(app: Authenticator, monkeypatch) -> None:
    _fake_qr(monkeypatch, [])
    with pytest.raises(TypeError, match="not int"):
        app.scan(42)


def test_scan_of_segno_png_bytes_adds_the_account(clock: FakeClock) -> None:
    # given the real QR decoder and a PNG of the console's URI as segno draws it
    pytest.importorskip("e2e.qr", reason="e2e/qr.py (decode_qr) is not written yet")
    buffer = io.BytesIO()
    segno.make(URI, error="m").save(buffer, kind="png", scale=5)
    app = Authenticator(clock)
    # when it is scanned
    entry = app.scan(buffer.getvalue())
    # then the account is added with the URI's secret, and codes come from it
    assert entry.uri == URI
    assert app.secret() == SECRET
    assert app.code() == parse_otpauth(URI).code(T0)


def test_scan_of_a_pil_image_adds_the_account(clock: FakeClock) -> None:
    pytest.importorskip("e2e.qr", reason="e2e/qr.py (decode_qr) is not written yet")
    from PIL import Image

    buffer = io.BytesIO()
    segno.make(URI, error="m").save(buffer, kind="png", scale=5)
    app = Authenticator(clock)
    entry = app.scan(Image.open(io.BytesIO(buffer.getvalue())))
    assert entry.secret == SECRET
