"""Things one console words alike and another apart have catalogue keys of their own: each page
object reads its own key, so a catalogue can word them apart without touching code."""

from __future__ import annotations

import dataclasses

from playwright.sync_api import Page, expect

from e2e.labels import Labels
from e2e.pages import (
    AccountInformationPage,
    CodeChallengePage,
    RecoveryCodePage,
    TurnOffPage,
    TwoStepStatusPage,
)


def worded_apart(labels: Labels) -> Labels:
    """The catalogue of a console that words each split thing otherwise than its twin."""
    return dataclasses.replace(
        labels, article={**labels.article, "turn_off_confirm_button": "Yes, turn it off"},
        screen={**labels.screen, "recovery_verify_button": "Use this code",
                "account_two_step_row": "Two-step sign-in", "turn_off_cancel": "Keep it on"})


def test_the_confirmation_reads_its_own_turn_off_and_way_back(page: Page, labels: Labels) -> None:
    apart = worded_apart(labels)
    page.set_content(f"<main><h1>{labels.turn_off_page}</h1><button>Yes, turn it off</button>"
                     "<a href='#'>Keep it on</a></main>")
    TurnOffPage(page, apart).expect_loaded()
    # the status page's "Turn off" keeps the shared key's words
    expect(TwoStepStatusPage(page, apart).turn_off_button).to_have_count(0)
    assert apart.turn_off_button == labels.turn_off_button


def test_the_recovery_code_form_reads_its_own_verify(page: Page, labels: Labels) -> None:
    apart = worded_apart(labels)
    page.set_content(f"<main><h1>{labels.recovery_heading}</h1>"
                     f"<label>{labels.recovery_label} <input></label>"
                     "<button>Use this code</button></main>")
    RecoveryCodePage(page, apart).expect_loaded()
    expect(RecoveryCodePage(page, apart).verify).to_be_visible()
    expect(CodeChallengePage(page, apart).verify).to_have_count(0)  # "Verify" is the code's


def test_account_information_reads_its_own_two_step_row(page: Page, labels: Labels) -> None:
    apart = worded_apart(labels)
    page.set_content(f"<main><h1>{labels.account_information}</h1><table><tr>"
                     f"<th scope='row'>Two-step sign-in</th><td>{labels.status_off}</td></tr>"
                     f"</table><a href='#'>{labels.set_up_link}</a></main>")
    AccountInformationPage(page, apart).expect_two_step(on=False)
