"""The posture checks: each passes on a response a careful console sends and fails on one that
breaks it, naming where; nothing observed is ``unknown``, never a silent pass."""

from __future__ import annotations

import pytest

from e2e.checks.posture import (
    FAIL,
    PASS,
    UNKNOWN,
    CookieFlags,
    Observations,
    Observed,
    assess,
    parse_set_cookie,
    reauth_before_turn_off,
    summary,
)
from e2e.procedure import SubStep
from e2e.reauth import REAUTH
from e2e.runner import StepResult

GOOD_HEADERS = {
    "cache-control": "no-store",
    "x-frame-options": "DENY",
    "content-security-policy": "default-src 'self'; script-src 'self'; frame-ancestors 'none'",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "strict-transport-security": "max-age=63072000; includeSubDomains",
}
SESSION = CookieFlags("console_session", http_only=True, secure=True, same_site="Lax")


def page(screen: str, base: str = "https://console.example", **changes: str | None) -> Observed:
    headers = {k: v for k, v in {**GOOD_HEADERS, **changes}.items() if v is not None}
    return Observed(f"{base}/{screen}", 200, "document", headers, (SESSION,), screen)


def careful(base: str = "https://console.example", **changes: str | None) -> Observations:
    """What a careful console shows over the whole procedure."""
    return Observations(
        base_url=base,
        responses=[page(s, base, **changes) for s in ("1.1", "2.1", "2.5", "2.7", "3.5")],
        session_fingerprints={"1.1": "aaaa", "2.1": "bbbb", "2.5": "bbbb"},
        clock_skew_seconds=0.4, secret_bits=160, otpauth_warnings=[],
        other_session_survived=False, reauth_before_turn_off=True, qr_named=True,
    )


def by_id(obs: Observations) -> dict[str, object]:
    return {check.id: check for check in assess(obs)}


def test_a_careful_console_passes_every_check() -> None:
    checks = assess(careful())
    assert [c.id for c in checks if c.status != PASS] == []
    assert {c.id for c in checks} >= {"https", "hsts", "frame", "no_store", "csp", "nosniff",
                                      "referrer", "cookies", "rotation", "other_sessions",
                                      "reauth", "clock", "secret", "otpauth", "qr_name"}
    assert all(c.reference and c.title and c.evidence for c in checks)


@pytest.mark.parametrize(("check_id", "changes"), [
    ("frame", {"x-frame-options": None, "content-security-policy": "script-src 'self'"}),
    ("no_store", {"cache-control": "private, max-age=600"}),
    ("csp", {"content-security-policy": "default-src 'self'; script-src 'self' 'unsafe-inline'"}),
    ("csp", {"content-security-policy": None}),
    ("nosniff", {"x-content-type-options": None}),
    ("referrer", {"referrer-policy": "unsafe-url"}),
    ("hsts", {"strict-transport-security": "max-age=600"}),
    ("hsts", {"strict-transport-security": None}),
])
def test_a_missing_or_weak_header_fails_its_check(check_id: str, changes: dict) -> None:
    check = by_id(careful(**changes))[check_id]
    assert check.status == FAIL
    assert "at step" in check.evidence  # it says where


def test_frame_ancestors_alone_protects_from_framing() -> None:
    obs = careful(**{"x-frame-options": None})
    assert by_id(obs)["frame"].status == PASS


def test_a_nonce_makes_unsafe_inline_inert() -> None:
    obs = careful(**{"content-security-policy": "script-src 'nonce-abc' 'unsafe-inline'"})
    assert by_id(obs)["csp"].status == PASS


def test_no_store_is_required_only_where_a_secret_is_shown() -> None:
    obs = careful()
    obs.responses = [page("2.1", **{"cache-control": "max-age=60"}), page("2.5"), page("2.7")]
    assert by_id(obs)["no_store"].status == PASS
    obs.responses.append(page("2.7", **{"cache-control": "max-age=60"}))
    assert by_id(obs)["no_store"].status == FAIL


def test_plain_http_passes_only_on_loopback() -> None:
    local = by_id(careful("http://127.0.0.1:8000", **{"strict-transport-security": None}))
    assert (local["https"].status, local["hsts"].status) == (PASS, PASS)
    remote = by_id(careful("http://console.example"))
    assert (remote["https"].status, remote["hsts"].status) == (FAIL, FAIL)


@pytest.mark.parametrize("cookie", [
    CookieFlags("console_session", http_only=False, secure=True, same_site="Lax"),
    CookieFlags("console_session", http_only=True, secure=False, same_site="Lax"),
    CookieFlags("console_session", http_only=True, secure=True, same_site="None"),
    CookieFlags("console_session", http_only=True, secure=True, same_site=""),
])
def test_a_session_cookie_without_its_flags_fails(cookie: CookieFlags) -> None:
    obs = careful()
    obs.responses = [Observed("https://console.example/", 200, "document", GOOD_HEADERS,
                              (cookie,), "2.1")]
    check = by_id(obs)["cookies"]
    assert check.status == FAIL and "console_session lacks" in check.evidence


def test_secure_is_not_required_over_plain_http_on_loopback() -> None:
    obs = careful("http://127.0.0.1:8000")
    obs.responses = [Observed("http://127.0.0.1:8000/", 200, "document", GOOD_HEADERS,
                              (CookieFlags("console_session", True, False, "Lax"),), "2.1")]
    assert by_id(obs)["cookies"].status == PASS


def test_a_session_id_kept_across_sign_in_fails() -> None:
    obs = careful()
    obs.session_fingerprints = {"1.1": "same", "2.1": "same"}
    assert by_id(obs)["rotation"].status == FAIL


@pytest.mark.parametrize(("field", "value", "check_id"), [
    ("other_session_survived", True, "other_sessions"),
    ("reauth_before_turn_off", False, "reauth"),
    ("clock_skew_seconds", -45.0, "clock"),
    ("secret_bits", 80, "secret"),
    ("otpauth_warnings", ["issuer parameter missing"], "otpauth"),
    ("qr_named", False, "qr_name"),
])
def test_each_observation_can_fail_its_check(field: str, value: object, check_id: str) -> None:
    obs = careful()
    setattr(obs, field, value)
    assert by_id(obs)[check_id].status == FAIL


def test_what_was_not_observed_is_unknown_not_passed() -> None:
    checks = by_id(Observations(base_url="https://console.example"))
    assert {cid for cid, c in checks.items() if c.status == UNKNOWN} >= {
        "hsts", "frame", "no_store", "csp", "cookies", "rotation", "other_sessions", "reauth",
        "clock", "secret", "otpauth", "qr_name"}


def test_set_cookie_flags_are_read_and_values_dropped() -> None:
    header = ("console_session=SECRETVALUE; HttpOnly; Path=/; SameSite=lax\n"
              "lang=ja; Path=/; Secure")
    cookies = parse_set_cookie(header)
    assert cookies == [CookieFlags("console_session", True, False, "Lax"),
                       CookieFlags("lang", False, True, "")]
    assert "SECRETVALUE" not in repr(cookies)


def test_the_summary_names_the_failed_checks() -> None:
    obs = careful(**{"x-content-type-options": None})
    assert summary(assess(obs)) == "posture: 14 pass, 1 fail, 0 unknown (failed: nosniff)"


def test_a_clock_the_harness_moves_is_not_judged() -> None:
    obs = careful()
    obs.clock_skew_seconds, obs.clock_moved_by_harness = None, True
    check = by_id(obs)["clock"]
    assert check.status == UNKNOWN and "moves" in check.evidence


def _steps(met_at: str | None, last_status: str = "passed") -> list[StepResult]:
    """Steps 3.3 and 3.4 of a run, with a re-authentication sub-step at ``met_at``."""
    steps = [StepResult("3.3", "Disable", "Turn off", status="passed"),
             StepResult("3.4", "Disable", "Turn off", status=last_status)]
    for step in steps:
        if step.id == met_at:
            step.substeps.append(SubStep(kind=REAUTH, text="Confirm access", id=f"{step.id}a"))
    return steps


@pytest.mark.parametrize(("met_at", "last_status", "observed"), [
    ("3.4", "passed", True),  # asked at the last click on "Turn off"
    ("3.3", "passed", True),  # asked at the status page's "Turn off"
    (None, "passed", False),  # 2SV went off without a prompt
    ("3.4", "failed", None),  # never turned off: not observed
])
def test_reauth_is_observed_from_the_runs_sub_steps(met_at: str | None, last_status: str,
                                                    observed: bool | None) -> None:
    assert reauth_before_turn_off(_steps(met_at, last_status)) is observed
    assert reauth_before_turn_off([]) is None
