"""The whole procedure as every device of the matrix: desktop, HiDPI 2x/3x, dark scheme and the
Pixel 7 and iPhone 14 (in Chromium), because "the web page may be rendered differently on
different OS or devices"."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import Page, Playwright, expect

from e2e.browser.devices import MATRIX, PHONES, context_options
from e2e.labels import Labels
from e2e.runner import run_procedure
from e2e.target import Credentials, Target
from tests.support.leaks import assert_second_factor_masked


@pytest.fixture(params=MATRIX)
def device_name(request: pytest.FixtureRequest) -> str:
    """Name each device of the matrix in turn."""
    return request.param


@pytest.fixture
def browser_context_args(browser_context_args: dict[str, Any], playwright: Playwright,
                         device_name: str) -> dict[str, Any]:
    """Emulate the device under test (its viewport, scale factor, touch, colour scheme)."""
    return {**browser_context_args, **context_options(playwright.devices, device_name)}


def test_procedure_passes_on_each_device(page: Page, target: Target, labels: Labels,
                                         account: Credentials, device_name: str,
                                         tmp_path: Path) -> None:
    # Given a browser emulating the device, When the whole procedure runs
    result = run_procedure(page, target, labels, account=account, device=device_name,
                           evidence_dir=tmp_path)

    # Then every step passed, the second factor is painted out of every picture at this scale,
    # and the screenshots have the device's pixel density
    assert result.passed, result.failure
    assert_second_factor_masked(result.steps, tmp_path)
    options = context_options({}, device_name) if device_name not in PHONES else None
    if options is not None:
        shot = Image.open(io.BytesIO((tmp_path / "step-1.1.png").read_bytes()))
        assert shot.width == options["viewport"]["width"] * options["device_scale_factor"]


@pytest.mark.parametrize("device_name", PHONES)
def test_on_a_phone_the_user_menu_folds_into_a_menu_button(
    page: Page, target: Target, labels: Labels, account: Credentials, device_name: str
) -> None:
    # Given a phone, When the account signs in
    page.goto(target.base_url)
    page.get_by_label(labels.username, exact=True).fill(account.username)
    page.get_by_label(labels.password, exact=True).fill(account.password)
    page.get_by_role("button", name=labels.signin_button, exact=True).click()

    # Then the header offers a "Menu" button, not the user's name, and it opens the user menu
    banner = page.get_by_role("banner")
    expect(banner.get_by_role("button", name=labels.menu_button, exact=True)).to_be_visible()
    expect(banner.get_by_role("button", name=account.username, exact=True)).to_be_hidden()
    banner.get_by_role("button", name=labels.menu_button, exact=True).click()
    expect(page.get_by_role("link", name=labels.account_setting, exact=True)).to_be_visible()
