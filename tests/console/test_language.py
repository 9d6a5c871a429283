"""The article's procedure in Japanese, the language switch, and Japanese glyphs on screen.

A browser whose locale is ja-JP sends ``Accept-Language: ja-JP``; the console then shows its
Japanese catalogue, and the harness reads it with its Japanese labels (``e2e/data/labels/ja.json``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from e2e.labels import load_labels
from e2e.pages import AccountInformationPage, HomePage, SignInPage
from e2e.procedure import step_ids
from e2e.runner import PASSED, run_procedure
from e2e.target import Credentials, Target
from tests.support.cli import run_e2e
from tests.support.leaks import assert_second_factor_masked

EN = load_labels("en")
JA = load_labels("ja")
LANGUAGE_SWITCH = re.compile(r"\bLanguage\b")  # labelled "Language / 言語" or "言語 / Language"

NewContext = Callable[..., BrowserContext]


@pytest.fixture
def ja_page(new_context: NewContext) -> Page:
    """A page in a browser whose locale (and so Accept-Language) is Japanese."""
    return new_context().new_page()


@pytest.mark.browser_context_args(locale="ja-JP")
def test_whole_procedure_passes_in_japanese(
    ja_page: Page, target: Target, account: Credentials, tmp_path: Path
) -> None:
    # Given a browser that prefers Japanese
    assert ja_page.evaluate("navigator.language") == "ja-JP"

    # When the harness follows every step with its Japanese labels
    result = run_procedure(ja_page, target, JA, account=account, evidence_dir=tmp_path)

    # Then every step passed in Japanese, every label the step names seen on its screen
    assert [s.id for s in result.steps] == step_ids()
    failures = [s.error for s in result.steps if s.status != PASSED]
    assert not failures, failures
    for step in result.steps:
        assert all(step.labels.values()), f"step {step.id}: labels not seen: {step.labels}"
        assert step.screenshot and (tmp_path / step.screenshot).stat().st_size > 0
    assert result.lang == "ja"
    assert_second_factor_masked(result.steps, tmp_path)  # found by the Japanese labels too
    expect(ja_page.locator("html")).to_have_attribute("lang", "ja")


@pytest.mark.browser_context_args(locale="en-US")
def test_language_switch_changes_the_labels_and_the_choice_is_kept(
    new_context: NewContext, target: Target, account: Credentials
) -> None:
    # Given the console in English, for a browser that prefers English
    page = new_context().new_page()
    SignInPage(page, EN).open(target.base_url)
    SignInPage(page, EN).expect_loaded()
    switch = page.get_by_role("combobox", name=LANGUAGE_SWITCH)

    # When Japanese is chosen with the switch on the page
    switch.select_option("ja")

    # Then the same page shows its Japanese labels, and the choice outlives sign-in
    SignInPage(page, JA).expect_loaded()
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(switch).to_have_value("ja")
    SignInPage(page, JA).sign_in(account.username, account.password)
    home = HomePage(page, JA)
    home.expect_loaded(account.username)
    home.open_account_setting()
    AccountInformationPage(page, JA).expect_loaded()
    AccountInformationPage(page, JA).expect_two_step(on=False)

    # When English is chosen again, Then the page it is on turns English
    switch.select_option("en")
    AccountInformationPage(page, EN).expect_loaded()
    AccountInformationPage(page, EN).expect_two_step(on=False)
    expect(page.locator("html")).to_have_attribute("lang", "en")


@pytest.mark.browser_context_args(locale="ja-JP")
def test_japanese_text_is_drawn_with_a_cjk_font_not_tofu(ja_page: Page, target: Target) -> None:
    # Given the Japanese sign-in page
    SignInPage(ja_page, JA).open(target.base_url)
    SignInPage(ja_page, JA).expect_loaded()
    ja_page.evaluate("document.fonts.ready.then(() => true)")
    heading = ja_page.get_by_role("heading", level=1)

    # Then Chromium draws its heading with Noto Sans CJK (the platform fonts DevTools reports)
    cdp = ja_page.context.new_cdp_session(ja_page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    h1 = cdp.send("DOM.querySelector", {"nodeId": root, "selector": "h1"})["nodeId"]
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": h1})["fonts"]
    assert [f for f in fonts if "CJK" in f["familyName"] and f["glyphCount"] > 0], (
        f"the Japanese heading is not drawn with a CJK font (fonts used: {fonts}); "
        "install fonts-noto-cjk")

    # And a screenshot shows a distinct glyph per character: missing glyphs ("tofu") would all
    # be the same box, the one drawn for a code point no font has (U+10FFFD, private use)
    shots = {}
    for text in ("認", "証", "設", "定", "\U0010fffd"):
        heading.evaluate("(el, text) => { el.textContent = text; }", text)
        shots[text] = heading.screenshot(animations="disabled")
    tofu = shots.pop("\U0010fffd")
    assert len(set(shots.values())) == len(shots), "characters are drawn as identical boxes"
    assert tofu not in shots.values(), "a character is drawn as the missing-glyph box"


def test_cli_runs_the_procedure_in_japanese_on_a_phone(tmp_path: Path) -> None:
    # When `python -m e2e run --lang ja` runs on a phone (the harness's own browser session)
    done = run_e2e("run", "--lang", "ja", "--device", "Pixel 7", "--report", str(tmp_path))

    # Then the console showed Japanese (the labels were found) and every step passed
    assert done.returncode == 0, done.stdout + done.stderr
    assert "language ja" in done.stdout and "all steps passed" in done.stdout
