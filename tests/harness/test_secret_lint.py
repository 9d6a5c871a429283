"""The harness flags a secret that is short, patterned, reused at re-enrolment or shared."""

from __future__ import annotations

import secrets

import pytest

from e2e.checks.secret_lint import secret_problems


def test_a_random_160_bit_secret_has_no_problem() -> None:
    assert secret_problems(secrets.token_bytes(20), "a@example.com") == []


@pytest.mark.parametrize(("secret", "says"), [
    (bytes.fromhex("8f3a91c07d5be2146a09"), "80 bits"),
    (b"\x00" * 20, "trivial pattern"),
    (b"abcd" * 5, "trivial pattern"),
    (bytes(range(20)), "trivial pattern"),
    (b"12121212121212121212", "trivial pattern"),
], ids=["80-bits", "zeros", "repeated-block", "counting", "two-values"])
def test_short_or_patterned_secrets_are_flagged(secret: bytes, says: str) -> None:
    problems = secret_problems(secret, f"{secrets.token_hex(4)}@example.com")
    assert any(says in problem for problem in problems), problems


def test_the_same_secret_at_a_second_enrolment_is_flagged() -> None:
    secret, account = secrets.token_bytes(20), f"{secrets.token_hex(4)}@example.com"
    assert secret_problems(secret, account) == []
    assert any("earlier enrolment" in p for p in secret_problems(secret, account))


def test_one_secret_for_two_accounts_is_flagged_naming_the_other() -> None:
    secret = secrets.token_bytes(20)
    assert secret_problems(secret, "first@example.com") == []
    problems = secret_problems(secret, "second@example.com")
    assert any("another account (first@example.com)" in p for p in problems)
