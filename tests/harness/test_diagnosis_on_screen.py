"""A step whose locator finds nothing names the missing words and what the screen shows instead."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from e2e.diagnosis import missing_words
from e2e.labels import Labels


def failure_of(page: Page, button: str) -> str:
    """The error of a click on the button called ``button`` that is not there."""
    with pytest.raises(AssertionError) as failed:
        expect(page.get_by_role("button", name=button, exact=True)).to_be_visible(timeout=300)
    return str(failed.value)


def test_a_renamed_button_is_named_with_its_look_alike_and_its_catalogue_key(
    page: Page, labels: Labels
) -> None:
    # Given a screen whose "Turn on" button says "Turn 0n" (a look-alike) and a key "ABCD EFGH"
    page.set_content("<main><p><code>ABCD EFGH</code></p><button>Turn 0n</button>"
                     "<button>Cancel</button></main>")

    # When a step looks for the catalogue's "Turn on" button and finds nothing
    hint = missing_words(page, labels, failure_of(page, labels.turn_on_button), ["ABCDEFGH"])

    # Then the failure names the word, its label key, the look-alike, and how to adapt
    assert f'"{labels.turn_on_button}" (label turn_on_button) is not on this screen' in hint
    assert 'nearest on screen: "Turn 0n" (button)' in hint
    assert "--labels FILE" in hint and labels.source.name in hint
    assert "ABCD" not in hint  # the key on screen is never offered


def test_a_word_with_no_look_alike_lists_what_that_kind_of_thing_says(
    page: Page, labels: Labels
) -> None:
    page.set_content("<main><button>Edit</button><button>Sign out</button></main>")
    hint = missing_words(page, labels, failure_of(page, labels.change_button))
    assert """the screen's buttons: "Edit", "Sign out\"""" in hint
