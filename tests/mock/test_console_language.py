"""The console in Japanese: how it picks the language, and every screen and message in it.

The console speaks the language asked by ``?lang=`` (kept in the session), else the one the
browser prefers (Accept-Language), else English. The Japanese catalogue has every key and
placeholder of the English one, every screen of the article renders in it with no English label
left, and the harness's Japanese labels and the Japanese help article quote exactly what the
console shows.
"""

from __future__ import annotations

import json
import re
import string
from typing import Any

import pytest

from e2e.browser.session import browser_locale
from e2e.data import article_path, shipped
from mock_console.messages import CATALOGUE_DIR, languages

EN = json.loads((CATALOGUE_DIR / "en.json").read_text("utf-8"))
JA = json.loads((CATALOGUE_DIR / "ja.json").read_text("utf-8"))
EN_LABELS = json.loads((shipped("labels", "en.json")).read_text("utf-8"))
JA_LABELS = json.loads((shipped("labels", "ja.json")).read_text("utf-8"))
JA_ARTICLE = article_path("ja")
EN_ARTICLE = article_path("en")

# Words that stay as they are in every language: the product's name, and the language switch,
# which names English in English on purpose (its label is shown in both languages).
SAME_IN_EVERY_LANGUAGE = {"product"}
NOT_CHECKED_FOR_ENGLISH = {"product", "language", "language_name"}
# HENNGE Lock's and the authenticator app's own strings, which the Japanese article quotes as the
# app shows them.
APP_STRINGS = {"Scan", "︙", "Add New OTP"}


def placeholders(text: str) -> set[str]:
    """Return the ``{names}`` a message fills in."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def pattern_of(text: str) -> re.Pattern[str]:
    """Return a pattern for a catalogue message, its placeholders matching any value."""
    parts = re.split(r"\{[a-z_]+\}", text)
    return re.compile(".+?".join(re.escape(part) for part in parts))


def english_strings() -> dict[str, str]:
    """Return every English string the console or the harness names, by where it comes from
    (for a message with placeholders: its text up to the first one)."""
    found = {f"messages/en.json:{key}": text.split("{")[0].strip()
             for key, text in EN.items() if key not in NOT_CHECKED_FOR_ENGLISH}
    for part in ("article", "screen"):
        found.update({f"labels/en.json:{part}.{key}": text
                      for key, text in EN_LABELS[part].items()})
    return {where: text for where, text in found.items() if text}


ENGLISH = english_strings()


def visible_strings(page: Any) -> list[str]:
    """Return the page's text and the attributes people read (alt, aria-label, title,
    placeholder), without the language switch, which names English on purpose."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, str):
            found.append(node)
            return
        if node.tag in ("script", "style") or "language" in node.attrs.get("class", "").split():
            return
        found.extend(node.attrs[a] for a in ("alt", "aria-label", "title", "placeholder")
                     if node.attrs.get(a))
        for child in node.children:
            walk(child)

    walk(page.root)
    return [" ".join(s.split()) for s in found if s.strip()]


def english_left(page: Any) -> list[str]:
    """Return the English strings still shown on a page (whole words, case-sensitive)."""
    shown = "\n".join(visible_strings(page))
    return sorted({f"{where}: {text!r}" for where, text in ENGLISH.items()
                   if re.search(rf"(?<![A-Za-z]){re.escape(text)}(?![A-Za-z])", shown)})


def assert_japanese(page: Any, heading_key: str) -> None:
    """The page is the screen ``heading_key`` names, entirely in Japanese."""
    assert page.root.find("html").attrs["lang"] == "ja"
    assert page.h1 == JA[heading_key], (page.status, page.h1)
    assert english_left(page) == []


def test_the_english_check_notices_english(console) -> None:
    # the check every Japanese screen passes would fail on the English one
    left = english_left(console.open(console.SIGNIN))
    assert "messages/en.json:signin_title: 'Sign in'" in left
    assert "labels/en.json:screen.username: 'Username'" in left


# -- choosing the language -------------------------------------------------------------------------


def test_both_languages_have_a_catalogue() -> None:
    assert languages() == ["en", "ja"]


def test_lang_query_shows_japanese_and_the_session_keeps_it(console) -> None:
    page = console.open(f"{console.SIGNIN}?lang=ja")
    assert page.root.find("html").attrs["lang"] == "ja" and page.h1 == "サインイン"
    # a later page without ?lang=, from a browser that prefers English, stays Japanese
    page = console.open(console.SIGNIN, headers={"Accept-Language": "en-US,en;q=0.9"})
    assert page.h1 == "サインイン"
    # until ?lang=en asks for English, which the session then keeps
    assert console.open(f"{console.SIGNIN}?lang=en").h1 == "Sign in"
    assert console.open(console.SIGNIN, headers={"Accept-Language": "ja"}).h1 == "Sign in"


@pytest.mark.parametrize(("accept_language", "lang"), [
    ("ja,en;q=0.8", "ja"),
    ("ja-JP", "ja"),
    ("ja-JP,ja;q=0.9,en-US;q=0.8,en;q=0.7", "ja"),
    ("en;q=0.5, ja;q=0.9", "ja"),
    ("en-US,en;q=0.9", "en"),
    ("en-US,en;q=0.9,ja;q=0.8", "en"),
    ("fr-FR,fr;q=0.9", "en"),
    ("", "en"),
])
def test_accept_language_picks_the_preferred_catalogue(console, accept_language: str,
                                                       lang: str) -> None:
    headers = {"Accept-Language": accept_language} if accept_language else {}
    page = console.open(console.SIGNIN, headers=headers)
    assert page.root.find("html").attrs["lang"] == lang
    assert page.h1 == {"en": EN, "ja": JA}[lang]["signin_title"]


@pytest.mark.parametrize("asked", ["JA", "ja-JP", "ja_JP", " ja "])
def test_lang_query_tolerates_case_and_region(console, asked: str) -> None:
    assert console.open(console.SIGNIN, query_string={"lang": asked}).h1 == "サインイン"


@pytest.mark.parametrize("asked", ["fr", "xx", "", "../en", "ja.json"])
def test_unknown_lang_falls_back_to_english(console, asked: str) -> None:
    page = console.open(console.SIGNIN, query_string={"lang": asked})
    assert page.status == 200
    assert page.root.find("html").attrs["lang"] == "en" and page.h1 == "Sign in"


def test_unknown_lang_keeps_the_language_already_chosen(console) -> None:
    console.open(f"{console.SIGNIN}?lang=ja")
    assert console.open(f"{console.SIGNIN}?lang=fr").h1 == "サインイン"


def test_the_language_survives_sign_in_and_sign_out(console) -> None:
    console.new_account()
    page = console.open(f"{console.SIGNIN}?lang=ja")
    response = console.submit(page, JA["signin_button"], username=console.username,
                              password=console.password)
    assert response.status_code == 302 and response.location == console.HOME
    home = console.open(console.HOME)
    assert_japanese(home, "home_title")
    response = console.submit(home, JA["sign_out"])
    assert response.status_code == 302
    signin = console.open(console.SIGNIN)
    assert_japanese(signin, "signin_title")
    assert signin.status_message == JA["signed_out"]


# -- the language switch ---------------------------------------------------------------------------


@pytest.mark.parametrize(("lang", "label"), [("en", "Language / 言語"), ("ja", "言語 / Language")])
def test_language_switch_is_labelled_in_both_languages(console, lang: str, label: str) -> None:
    page = console.open(console.SIGNIN, query_string={"lang": lang})
    switch = page.labels[label]
    assert switch.tag == "select" and switch.attrs["name"] == "lang"
    options = {o.attrs["value"]: (o.text, o.attrs.get("lang"), "selected" in o.attrs)
               for o in switch.find_all("option")}
    # each language is named in its own words, and marked as written in that language
    assert options == {"en": ("English", "en", lang == "en"), "ja": ("日本語", "ja", lang == "ja")}
    form = page.root.find("form", class_="language")
    assert form.attrs["method"] == "get" and form.attrs["action"] == console.SIGNIN


def test_language_switch_sends_a_refused_post_to_a_page_that_answers_get(console) -> None:
    console.signed_in_account()
    console.start_setup()
    refused = console.read(console.submit(console.open(console.SETUP), "Turn on", code=""))
    assert refused.status == 422
    # the refusal is at the POST-only /enable: switching there would be a 405
    assert refused.root.find("form", class_="language").attrs["action"] == console.HOME
    assert console.open(console.HOME, query_string={"lang": "ja"}).h1 == JA["home_title"]


# -- the catalogues --------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", [lang for lang in languages() if lang != "en"])
def test_every_catalogue_has_the_keys_and_placeholders_of_english(lang: str) -> None:
    other = json.loads((CATALOGUE_DIR / f"{lang}.json").read_text("utf-8"))
    assert sorted(set(EN) - set(other)) == [], "missing in the translation"
    assert sorted(set(other) - set(EN)) == [], "missing in English"
    for key, text in EN.items():
        assert placeholders(other[key]) == placeholders(text), key
        assert other[key].strip(), key
        if key not in SAME_IN_EVERY_LANGUAGE:
            assert other[key] != text, f"{key} is not translated"
    # the formats fill in as the console fills them
    assert "{left}" in other["code_wrong"] and "{minutes}" in other["locked"]


def test_japanese_labels_of_the_harness_match_the_japanese_console() -> None:
    # The harness's label keys differ from the console's message keys: pair them through the
    # English, where each label is a console message (or the start of one, for a long message).
    for part in ("article", "screen"):
        assert set(JA_LABELS[part]) == set(EN_LABELS[part]), part
        for key, english in EN_LABELS[part].items():
            same = [k for k, text in EN.items() if text == english]
            keys = same or [k for k, text in EN.items() if text.startswith(english)]
            assert keys, f"labels/en.json {part}.{key} {english!r} is no console message"
            for message_key in keys:
                assert JA[message_key].startswith(JA_LABELS[part][key]), (key, message_key)
                if same:
                    assert JA[message_key] == JA_LABELS[part][key], (key, message_key)


def test_japanese_article_quotes_exactly_what_the_japanese_console_shows() -> None:
    article = JA_ARTICLE.read_text("utf-8")
    english = EN_ARTICLE.read_text("utf-8")
    # the same numbered steps as the English article
    step_ids = re.compile(r"^\s*(\d+\.\d+)\.\s", re.MULTILINE)
    assert step_ids.findall(article) == step_ids.findall(english)
    quoted = set(re.findall(r"［\s*(.+?)\s*］", article))
    assert "[" not in article and "「" not in article, "Japanese UI strings are quoted in ［ ］"
    assert quoted >= APP_STRINGS, "HENNGE Lock's own strings are quoted as the app shows them"
    # it quotes what the English article quotes, in the harness's Japanese labels
    key_of = {text: key for key, text in EN_LABELS["article"].items()}
    english_quoted = set(re.findall(r"\[\s*([^\[\]]+?)\s*\]", english)) - APP_STRINGS
    assert quoted - APP_STRINGS == {JA_LABELS["article"][key_of[t]] for t in english_quoted}
    assert f"※ {JA['keep_safe']}" in article.splitlines()
    for text in quoted - APP_STRINGS:
        assert text in JA.values(), f"the console never shows ［{text}］"


def test_browser_locale_follows_the_label_language() -> None:
    # the harness's browser asks the console for the labels' language through Accept-Language
    assert browser_locale("ja") == "ja-JP"
    assert browser_locale("en") == "en-US"
    assert browser_locale("de") == "de"


# -- every screen and message in Japanese ----------------------------------------------------------


def test_every_screen_of_the_article_renders_in_japanese(console) -> None:
    console.new_account()
    signin = console.open(f"{console.SIGNIN}?lang=ja")
    assert_japanese(signin, "signin_title")
    assert set(signin.labels) >= {JA["username"], JA["password"]}
    console.submit(signin, JA["signin_button"], username=console.username,
                   password=console.password)
    assert_japanese(console.open(console.HOME), "home_title")

    # 2. enabling
    account = console.open(console.ACCOUNT)
    assert_japanese(account, "account_title")
    assert JA["set_up_link"] in account.links
    security = console.open(console.SECURITY)
    assert_japanese(security, "security_title")
    assert JA["change_button"] in security.buttons
    turn_on = console.open(console.CHANGE)
    assert_japanese(turn_on, "turn_on_title")
    assert console.submit(turn_on, JA["set_up_button"]).location == console.SETUP
    setup = console.open(console.SETUP)
    assert_japanese(setup, "turn_on_title")
    assert JA["code_label"] in setup.labels and JA["turn_on_button"] in setup.buttons
    assert setup.root.find("img").attrs["alt"] == JA["qr_alt"]
    secret = setup.root.find(class_="manual-key").find("code").text.replace(" ", "")
    response = console.submit(setup, JA["turn_on_button"], code=console.code(secret=secret))
    assert response.location == console.ENABLED
    enabled = console.open(console.ENABLED)
    assert_japanese(enabled, "enabled_title")
    assert enabled.status_message == JA["enabled_message"]
    assert JA["keep_safe"] in enabled.text
    console.secret = secret
    console.recovery_code = enabled.root.find(class_="recovery").find("code").text
    console.next_step()
    again = console.client.get(console.ENABLED)  # the Recovery Code is shown only once
    assert again.status_code == 302 and again.location == console.ACCOUNT

    # signing in again asks for a code; the Recovery Code replaces it once
    assert JA["disable_link"] in console.open(console.ACCOUNT).links
    console.submit(console.open(console.HOME), JA["sign_out"])
    response = console.submit(console.open(console.SIGNIN), JA["signin_button"],
                              username=console.username, password=console.password)
    assert response.location == console.SIGNIN_CODE
    challenge = console.open(console.SIGNIN_CODE)
    assert_japanese(challenge, "challenge_title")
    assert JA["code_label"] in challenge.labels and JA["use_recovery_link"] in challenge.links
    recovery = console.open(console.SIGNIN_RECOVERY)
    assert_japanese(recovery, "recovery_title")
    response = console.submit(recovery, JA["verify_button"], recovery_code=console.recovery_code)
    assert response.status_code == 302
    new_code = console.open(response.location)
    assert_japanese(new_code, "new_recovery_title")
    assert JA["continue"] in new_code.links

    # 3. disabling
    status = console.open(console.CHANGE)
    assert_japanese(status, "status_title")
    assert status.root.find("th", scope="row").text == JA["status_row"]
    turn_off = console.read(console.submit(status, JA["turn_off_button"]))
    assert_japanese(turn_off, "turn_off_title")
    assert JA["cancel"] in turn_off.links
    assert console.submit(turn_off, JA["turn_off_button"]).location == console.DISABLED
    disabled = console.open(console.DISABLED)
    assert_japanese(disabled, "disabled_title")
    assert disabled.status_message == JA["disabled_message"]
    assert JA["set_up_link"] in console.open(console.ACCOUNT).links


def test_refusals_are_in_japanese(console) -> None:
    console.new_account()
    signin = console.open(f"{console.SIGNIN}?lang=ja")
    missing = console.read(console.submit(signin, JA["signin_button"], username="", password=""))
    assert missing.alert == JA["signin_missing"]
    failed = console.read(console.submit(signin, JA["signin_button"],
                                         username=console.username, password="wrong"))
    assert failed.status == 422 and failed.alert == JA["signin_failed"]
    assert english_left(failed) == []
    console.submit(signin, JA["signin_button"], username=console.username,
                   password=console.password)
    console.submit(console.open(console.CHANGE), JA["set_up_button"])
    secret = console.shown_key()
    for code, key in [("", "code_empty"), ("12345", "code_not_six_digits"),
                      ("1" * 100, "code_too_long")]:
        refused = console.read(console.submit(console.open(console.SETUP), JA["turn_on_button"],
                                              code=code))
        assert refused.status == 422 and refused.alert == JA[key], code
        assert english_left(refused) == []
    wrong = console.read(console.submit(console.open(console.SETUP), JA["turn_on_button"],
                                        code=console.wrong_code(secret)))
    assert wrong.alert == JA["code_wrong"].format(left=4, minutes=5)
    for _ in range(4):
        wrong = console.read(console.submit(console.open(console.SETUP), JA["turn_on_button"],
                                            code=console.wrong_code(secret)))
    assert wrong.status == 429 and pattern_of(JA["locked_now"]).fullmatch(wrong.alert or "")
    assert english_left(wrong) == []


def test_refusals_at_sign_in_with_a_code_are_in_japanese(console) -> None:
    console.enabled_account()
    console.submit(console.open(f"{console.HOME}?lang=ja"), JA["sign_out"])
    console.submit(console.open(console.SIGNIN), JA["signin_button"],
                   username=console.username, password=console.password)
    wrong = console.read(console.submit(console.open(console.SIGNIN_CODE), JA["verify_button"],
                                        code=console.wrong_code()))
    assert pattern_of(JA["code_wrong"]).fullmatch(wrong.alert or ""), wrong.alert
    assert english_left(wrong) == []
    code = console.code()
    response = console.submit(console.open(console.SIGNIN_CODE), JA["verify_button"], code=code)
    assert response.location == console.HOME
    console.submit(console.open(console.HOME), JA["sign_out"])
    console.submit(console.open(console.SIGNIN), JA["signin_button"],
                   username=console.username, password=console.password)
    replayed = console.read(console.submit(console.open(console.SIGNIN_CODE),
                                           JA["verify_button"], code=code))
    assert replayed.alert == JA["code_replayed"]
    recovery = console.open(console.SIGNIN_RECOVERY)
    for typed, key in [("", "recovery_empty"), ("ABCD", "recovery_malformed"),
                       ("AAAA-AAAA-AAAA-AAAA", "recovery_wrong")]:
        refused = console.read(console.submit(recovery, JA["verify_button"],
                                              recovery_code=typed))
        assert refused.alert == JA[key], typed
        assert english_left(refused) == []


@pytest.mark.parametrize(("method", "path", "key", "status"), [
    ("get", "/no-such-page", "error_not_found", 404),
    ("post", "/", "error_method", 405),
    ("post", "/signout", "error_csrf", 400),
])
def test_error_pages_are_in_japanese(console, method: str, path: str, key: str,
                                     status: int) -> None:
    response = getattr(console.client, method)(path, headers={"Accept-Language": "ja"})
    page = console.read(response)
    assert page.status == status
    assert_japanese(page, "error_title")
    assert page.alert == JA[key]
    assert JA["go_home"] in page.links
