"""A QA team's own suite on top of the installed harness: no conftest.py, only its pytest plugin.

``pip install hennge-2sv-e2e`` registers the fixtures (``target``, ``labels``, ``account``,
``authenticator``, ``mock``, ``page``, …). ``pytest examples/`` runs against the embedded mock;
``pytest examples/ --base-url https://console.example/ --accounts pool.json`` against a console.
"""

from __future__ import annotations

import io
from pathlib import Path

import pyotp
import pytest
import segno
from playwright.sync_api import Page

from e2e.authenticator import Authenticator
from e2e.labels import Labels
from e2e.otpauth import parse_otpauth
from e2e.pages import CodeChallengePage, HomePage, SetupPage, SignInPage
from e2e.qr import decode_qr
from e2e.runner import advance_to, run_procedure
from e2e.target import Credentials, MockTarget, Target


def test_the_help_article_procedure_passes(
    page: Page, target: Target, labels: Labels, account: Credentials, tmp_path: Path
) -> None:
    # When the harness follows every numbered step of the article (2SV on, then off again)
    result = run_procedure(page, target, labels, account=account, evidence_dir=tmp_path)

    # Then every step passed, each with its (secret-free) screenshot
    assert result.passed, result.failure
    assert all((tmp_path / step.screenshot).exists() for step in result.steps if step.screenshot)


def test_the_qr_code_and_the_printed_key_hold_the_same_secret(
    page: Page, target: Target, labels: Labels, account: Credentials, authenticator: Authenticator
) -> None:
    # Given the setup page of article step 2.4, with its QR code
    advance_to(page, target, labels, account, through="2.4", authenticator=authenticator)
    setup = SetupPage(page, labels)
    setup.expect_loaded()

    # When the authenticator app scans the QR code off the screen
    entry = authenticator.scan(setup.qr_source())

    # Then it holds the key printed under the QR code, for a TOTP of 6 digits every 30 s
    assert entry.secret == setup.text_key()
    assert (entry.digits, entry.period) == (6, 30)


def test_after_turning_on_signing_in_asks_for_the_apps_code(
    page: Page, target: Target, labels: Labels, account: Credentials, authenticator: Authenticator
) -> None:
    # Given 2SV turned on by the article's steps (the plugin turns it off again on a real console)
    advance_to(page, target, labels, account, through="2.7", authenticator=authenticator)

    # When the user signs out and in again with the password
    HomePage(page, labels).sign_out()
    sign_in = SignInPage(page, labels)
    sign_in.expect_loaded()
    sign_in.sign_in(account.username, account.password)

    # Then the console asks for the code, and the app's code signs in
    challenge = CodeChallengePage(page, labels)
    challenge.expect_loaded()
    challenge.enter_code(authenticator.code())
    HomePage(page, labels).expect_loaded(account.username)


@pytest.mark.needs_test_api
def test_the_mock_records_the_enrolment(
    page: Page, mock: MockTarget, labels: Labels, account: Credentials
) -> None:
    # Given / When 2SV turned on (the mock's test API shows what the console holds)
    advance_to(page, mock, labels, account, through="2.6")

    # Then the account is enrolled and the console audited it
    assert mock.account_state(account.username)["two_step_enabled"] is True
    assert "two_step_enabled" in mock.event_types(account.username)


def test_a_key_uri_survives_the_round_trip_through_a_qr_code() -> None:
    # Given a Key URI with a fresh random secret, drawn as a QR code
    secret = pyotp.random_base32()
    uri = pyotp.TOTP(secret).provisioning_uri(name="qa@example.com", issuer_name="QA")
    png = io.BytesIO()
    segno.make(uri, error="m").save(png, kind="png", scale=4)

    # When the harness decodes the picture and parses the URI
    entry = parse_otpauth(decode_qr(png.getvalue()))

    # Then it is the same account, and its codes are the app's
    assert (entry.issuer, entry.account, entry.secret) == ("QA", "qa@example.com", secret)
    assert entry.code(1_700_000_000) == pyotp.TOTP(secret).at(1_700_000_000)
