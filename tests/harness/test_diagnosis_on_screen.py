"""A step whose locator finds nothing names the missing words and what the screen shows instead."""

from __future__ import annotations

from dataclasses import replace

import pytest
from playwright.sync_api import Page, expect

from e2e.diagnosis import missing_words
from e2e.labels import Labels
from e2e.procedure import StepFailed
from e2e.pytest_plugin import diagnosis as diagnosis_plugin
from e2e.runner import advance_to
from e2e.target import Credentials, Target


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



def test_words_shown_as_another_kind_of_thing_say_so(page: Page, labels: Labels) -> None:
    # Given a console whose "Change" is a link, not a button
    page.set_content(f'<main><a href="#">{labels.change_button}</a><button>Sign out</button>'
                     "</main>")

    # When a step looks for the catalogue's "Change" button and finds nothing
    hint = missing_words(page, labels, failure_of(page, labels.change_button))

    # Then the failure says its words are there, as a link, and that no catalogue change helps
    assert (f'"{labels.change_button}" (label change_button) is on this screen, but as a link, '
            "not a button") in hint
    assert "--labels" not in hint and "another kind of thing" in hint


def test_names_given_by_attributes_are_offered_as_look_alikes(page: Page, labels: Labels) -> None:
    # Given a screen whose look-alikes are names only: an icon button's aria-label, an image's
    # alt, a link's title
    page.set_content('<main><button aria-label="Turn 0n">&#x23FB;</button>'
                     '<img alt="QR code for 2-step sign-in" width="40" height="40" '
                     'src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
                     '<a href="#" title="Account Settings">&#x2699;</a></main>')

    # When steps look for the catalogue's button, QR image and link
    with pytest.raises(AssertionError) as qr:
        expect(page.get_by_role("img", name=labels.qr_image, exact=True)).to_be_visible(
            timeout=300)
    with pytest.raises(AssertionError) as link:
        expect(page.get_by_role("link", name=labels.account_setting, exact=True)).to_be_visible(
            timeout=300)

    # Then each hint offers the name as the nearest string of its kind
    assert 'nearest on screen: "Turn 0n" (button)' in missing_words(
        page, labels, failure_of(page, labels.turn_on_button))
    assert 'nearest on screen: "QR code for 2-step sign-in" (image)' in missing_words(
        page, labels, str(qr.value))
    assert 'nearest on screen: "Account Settings" (link)' in missing_words(
        page, labels, str(link.value))

def test_a_recovery_code_the_run_has_not_read_yet_is_never_listed(
    page: Page, labels: Labels
) -> None:
    # Given the confirmation screen of a console whose "keep it safe" text was renamed: the
    # Recovery Code is shown (as a value, and once more in plain text), and the run does not
    # know it yet (it reads the code after this check)
    page.set_content("<main><h1>Recovery</h1><dl><dt>Backup Code</dt>"
                     "<dd><code>POUA-4NFY-4OI6-FECY</code></dd></dl>"
                     "<p>Write down IUWB-V27W-LD5T-HIUM somewhere safe.</p>"
                     "<p>Store it offline</p></main>")

    # When a step looks for a text that is not there, knowing no secret
    with pytest.raises(AssertionError) as failed:
        expect(page.get_by_text(labels.keep_safe, exact=True)).to_be_visible(timeout=300)
    hint = missing_words(page, labels, str(failed.value), [])

    # Then the hint lists the screen's words, but neither code, whole or in part
    assert "is not on this screen" in hint and "Store it offline" in hint
    for part in ("POUA", "4NFY", "FECY", "IUWB", "HIUM"):
        assert part not in hint, hint


def test_a_precondition_a_test_cannot_reach_names_the_missing_words(
    page: Page, target: Target, labels: Labels, account: Credentials
) -> None:
    # Given a catalogue whose "Change" button a console calls "Edit" (the mock says "Change")
    renamed = replace(labels, article={**labels.article, "change_button": "Edit"})
    page.set_default_timeout(1500)  # what is missing is missing: no need for the console's wait
    expect.set_options(timeout=1500)

    # When a test reaches its precondition through the article's steps
    with pytest.raises(StepFailed) as failed:
        advance_to(page, target, renamed, account, through="2.4")

    # Then the failure names the step, the word and its key, and what the screen shows instead
    message = str(failed.value)
    assert "failed while reaching the precondition of a test (step 2.4)" in message
    assert '"Edit" (label change_button) is not on this screen' in message
    instead = message.split("is not on this screen")[1]
    assert "the screen's buttons:" in instead and f'"{labels.change_button}"' in instead
    assert "--labels FILE" in instead


def test_the_plugins_missing_words_section_is_scrubbed_like_the_rest_of_the_report(
    page: Page, labels: Labels, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a hint that quotes what no report may hold (the screen's strings are filtered
    # already; the section is scrubbed too, as the hook wraps the one that scrubs the report)
    leaky = 'nearest on screen: "WXYZ 2345 ABCD EFGH" and otpauth://totp/x?secret=ABC'
    monkeypatch.setattr(diagnosis_plugin, "missing_words", lambda *args, **kwargs: leaky)
    page.set_content("<main><button>Edit</button></main>")
    with pytest.raises(AssertionError) as failed:
        expect(page.get_by_role("button", name=labels.change_button, exact=True)).to_be_visible(
            timeout=300)

    # When the plugin's hook adds the hint to the failed test's report
    call = pytest.CallInfo.from_call(lambda: None, "call")
    call.excinfo = failed
    report = pytest.TestReport(request.node.nodeid, request.node.location, {}, "failed",
                               "failed", "call")
    hook = diagnosis_plugin.pytest_runtest_makereport(request.node, call)
    next(hook)
    with pytest.raises(StopIteration) as done:
        hook.send(report)

    # Then its section is there, with the code and the URI as [redacted]
    section = dict(done.value.value.sections)[diagnosis_plugin.SECTION]
    assert section == 'nearest on screen: "[redacted]" and [redacted]'
