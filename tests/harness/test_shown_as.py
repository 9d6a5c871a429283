"""How a console shows an error and a success is catalogue data ("shown_as"), and "no error
shown" is proven by the catalogue's error words too, so it never passes vacuously on a console
whose errors lack the expected role."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from playwright.sync_api import Page

from e2e.labels import DEFAULT_SHOWN_AS, Labels, LabelsError, load_labels
from e2e.pages import AccountInformationPage, ConsolePage

QUICK_MS = 300  # these pages are static: what is not there now never comes


def test_an_error_without_the_alert_role_still_fails_no_error_shown(
    page: Page, labels: Labels
) -> None:
    # Given a screen whose error is a plain paragraph, with no role=alert
    page.set_content("<main><h1>Sign in</h1><p class='error'>That code is not correct.</p></main>")
    screen = ConsolePage(page, labels)

    # Then the error is not found by its role, but "no error shown" fails on its words
    assert screen.alert.count() == 0
    with pytest.raises(AssertionError):
        screen.expect_no_alert(timeout=QUICK_MS)


def test_a_catalogue_says_errors_and_successes_are_shown_as_words(
    page: Page, labels: Labels
) -> None:
    # Given a console that shows messages as styled text, and a catalogue that says so
    page.set_content("<main><div class='toast bad'>Error: that code is not correct.</div>"
                     "<div class='toast good'>Saved.</div></main>")
    custom = dataclasses.replace(labels, shown_as={"error": {"text": "^Error:"},
                                                   "success": {"text": "^Saved"}})
    screen = ConsolePage(page, custom)

    # Then the page objects find them by those words
    assert "not correct" in screen.expect_alert(custom.error("wrong_code"), timeout=QUICK_MS)
    assert screen.status_message.inner_text() == "Saved."


def test_a_screen_without_any_error_passes_no_error_shown(page: Page, labels: Labels) -> None:
    page.set_content("<main><h1>Dashboard</h1><p role='status'>All good.</p></main>")
    ConsolePage(page, labels).expect_no_alert(timeout=QUICK_MS)


def test_a_status_shown_as_a_sentence_is_read_from_the_catalogues_words(
    page: Page, labels: Labels
) -> None:
    # Given an Account Information screen that states the status in a sentence, not a table
    page.set_content(f"<main><h1>{labels.account_information}</h1>"
                     f"<p>{labels.account_two_step_row} is currently {labels.status_on}.</p>"
                     f"<a href='#'>{labels.disable_link}</a></main>")
    sentence = dataclasses.replace(labels, shown_as={
        **labels.shown_as, "status": {"text": "{name} is currently {status}"}})

    # Then a catalogue that says so reads it; the default (a table row) finds no such row
    AccountInformationPage(page, sentence).expect_two_step(on=True)
    with pytest.raises(AssertionError):
        AccountInformationPage(page, labels).expect_status(labels.account_two_step_row,
                                                           labels.status_on, timeout=QUICK_MS)
    with pytest.raises(AssertionError):  # and the sentence's words must match the status
        AccountInformationPage(page, sentence).expect_status(labels.account_two_step_row,
                                                             labels.status_off, timeout=QUICK_MS)


def test_every_shipped_catalogue_names_the_same_kinds_of_error() -> None:
    english, japanese = load_labels("en"), load_labels("ja")
    assert set(english.errors) == set(japanese.errors)
    assert english.shown_as == japanese.shown_as == DEFAULT_SHOWN_AS
    assert japanese.error("already_used").search("このコードはすでに使用されています。")


def write_catalogue(tmp_path: Path, **extra: object) -> Path:
    path = tmp_path / "labels.json"
    path.write_text(json.dumps({"article": {}, "screen": {}, **extra}), "utf-8")
    return path


def test_a_catalogue_without_these_sections_gets_roles_and_no_error_words(tmp_path: Path) -> None:
    labels = load_labels("en", write_catalogue(tmp_path))
    assert labels.shown_as == DEFAULT_SHOWN_AS and labels.any_error() is None
    with pytest.raises(LabelsError, match="no words for the error 'locked'.*'errors'"):
        labels.error("locked")


@pytest.mark.parametrize(("extra", "says"), [
    ({"shown_as": {"warning": {"role": "alert"}}}, "the kinds are error, success, status"),
    ({"shown_as": {"status": {"role": "cell"}}}, "'shown_as.status' is a table row"),
    ({"shown_as": {"status": {"text": "2SV is on"}}}, "must say where the status word goes"),
    ({"shown_as": {"error": {"role": "alert", "text": "x"}}}, "must name one role or one text"),
    ({"shown_as": {"error": {"text": "(unclosed"}}}, "shown_as.error.text is not a regular"),
    ({"errors": {"locked": ""}}, "'errors' must map each kind of error to its words"),
    ({"errors": {"locked": "[a-"}}, "errors.locked is not a regular expression"),
])
def test_a_malformed_section_is_refused_naming_it(tmp_path: Path, extra: dict[str, object],
                                                  says: str) -> None:
    with pytest.raises(LabelsError, match=says.replace("(", r"\(")):
        load_labels("en", write_catalogue(tmp_path, **extra))
