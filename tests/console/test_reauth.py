"""Re-authentication: the console asks to confirm access before Set up and Turn off.

The harness has no step for the prompt (the article never mentions it): it recognises the prompt
by the catalogue's words wherever it appears, answers it with the account's password, and reports
it as a sub-step of the step that met it. The same unchanged harness runs on the server-rendered
pages and on the single-page app; a wrong password at the prompt changes nothing; and a request
straight to Set up or Turn off without a fresh confirmation is refused by the server (rule
``reauth``; the ``skip_reauth_check`` fault breaks it).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import APIResponse, Page, expect

from e2e import reauth
from e2e.authenticator import Authenticator
from e2e.checks.posture import reauth_before_turn_off
from e2e.checks.rules import broken
from e2e.labels import Labels, load_labels
from e2e.otpauth import parse_otpauth
from e2e.pages import ReauthPage, SetupPage, SignInPage, TurnOnPage
from e2e.procedure import PROCEDURE, Context, step_ids
from e2e.reauth import REAUTH
from e2e.reports.html import write_report
from e2e.runner import PASSED, advance_to, run_procedure
from e2e.target import Credentials, MockTarget, Target
from tests.support.cli import run_e2e
from tests.support.leaks import find_leaks

Consoles = Callable[[str], MockTarget]
AS_ASKED = ""  # the front-end E2E_MOCK_UI names (the self-test's choice)


@pytest.fixture(scope="module")
def reauth_console() -> Iterator[Consoles]:
    """Mocks of our own started with ``--reauth``, one per front-end asked for ("html", "spa",
    or ``AS_ASKED``)."""
    started: dict[str, MockTarget] = {}

    def get(ui: str) -> MockTarget:
        if ui not in started:
            started[ui] = MockTarget.start(extra_args=["--ui", ui] if ui else [], reauth=True)
        return started[ui]

    yield get
    for mock in started.values():
        mock.close()


@pytest.mark.parametrize(("ui", "lang"), [
    pytest.param("html", "en", marks=pytest.mark.browser_context_args(locale="en-US")),
    pytest.param("spa", "ja", marks=pytest.mark.browser_context_args(locale="ja-JP")),
])
def test_whole_procedure_passes_with_reauth(page: Page, reauth_console: Consoles, ui: str,
                                            lang: str, tmp_path: Path) -> None:
    # Given a console that asks to confirm access before Set up and Turn off
    mock, labels = reauth_console(ui), load_labels(lang)
    account = mock.new_account()

    # When the harness follows the article, which never mentions the prompt
    result = run_procedure(page, mock, labels, account=account, evidence_dir=tmp_path)

    # Then every step passed, and the prompt is a sub-step of the steps that met it
    failures = [s.error for s in result.steps if s.status != PASSED]
    assert not failures, failures
    assert [s.id for s in result.steps] == step_ids()
    met = {s.id: [(sub.id, sub.kind, sub.status) for sub in s.substeps] for s in result.steps
           if s.substeps}
    assert met == {"2.4": [("2.4a", REAUTH, PASSED)], "3.4": [("3.4a", REAUTH, PASSED)]}
    assert "password" in result.steps[step_ids().index("2.4")].substeps[0].text
    assert mock.account_state(account.username)["two_step_enabled"] is False
    assert mock.event_types(account.username).count("access_confirmed") == 2
    assert reauth_before_turn_off(result.steps) is True  # the posture's "reauth" check passes

    # And the reports list it under its step, and hold no password
    write_report(result, tmp_path)
    assert "2.4a" in (tmp_path / "junit.xml").read_text("utf-8")
    assert "2.4a" in (tmp_path / "report.md").read_text("utf-8")
    assert "3.4a" in (tmp_path / "index.html").read_text("utf-8")
    assert find_leaks(tmp_path, [account.password]) == []


@pytest.mark.parametrize("ui", ["html", "spa"])
def test_a_wrong_password_at_the_prompt_changes_nothing(page: Page, reauth_console: Consoles,
                                                        ui: str) -> None:
    mock, labels = reauth_console(ui), load_labels("en")
    account = mock.new_account()
    # Given the "Turn on 2-Step Verification" page, the harness leaving the prompt to the test
    advance_to(page, mock, labels, account, through="2.3", answer_reauth=False)
    TurnOnPage(page, labels).set_up()
    prompt = ReauthPage(page, labels)
    prompt.expect_loaded()

    # When a wrong password is given
    prompt.password.fill("not-the-password")
    prompt.confirm_button.click()

    # Then the prompt says so and stays; no setup was started
    prompt.expect_alert()
    expect(prompt.prompt_heading).to_be_visible()
    assert api(page, mock, "GET", "/2sv/setup").json()["setup"] is None
    assert mock.event_types(account.username)[-1] == "password_rejected"

    # And the right password then goes on to the QR code
    prompt.password.fill(account.password)
    prompt.confirm_button.click()
    SetupPage(page, labels).expect_loaded()


def test_a_failed_run_is_cleaned_up_through_the_prompt(page: Page,
                                                       reauth_console: Consoles) -> None:
    mock, labels = reauth_console("html"), load_labels("en")
    account = mock.new_account()
    # Given a run that stops with 2SV on (the steps up to 2.7 only)
    through_2_7 = [step for step in PROCEDURE if step.id < "3"]

    result = run_procedure(page, mock, labels, account=account, steps=through_2_7)

    # Then cleanup turned 2SV off again, answering the prompt on the way
    assert result.cleanup is not None and result.cleanup["ok"], result.cleanup
    assert result.cleanup["two_step"] == "done"
    assert any("Confirm access" in action for action in result.cleanup["actions"])
    assert mock.account_state(account.username)["two_step_enabled"] is False
    # by the article's way: nothing went missing on screen, so nothing suggested another
    assert "turned 2-Step Verification off by the article's steps 3.1-3.4" in \
        result.cleanup["actions"]


def test_doc_check_lists_the_prompt_as_a_step_the_article_never_mentions(tmp_path: Path) -> None:
    # When doc-check runs the shipped article against an embedded mock started with --reauth
    done = run_e2e("doc-check", "--mock-reauth", "--report", str(tmp_path))

    # Then the article's quotes are all on screen, but the prompt is drift: a reader meets a
    # screen the article never mentions, at 2.4 and at 3.4
    assert done.returncode == 1, done.stdout + done.stderr
    report = json.loads((tmp_path / "doc-check.json").read_text("utf-8"))
    assert report["counts"]["verified"] == 16 and "missing" not in report["counts"]
    unmentioned = {entry["id"]: entry["text"] for entry in report["not_in_article"]}
    assert set(unmentioned) == {"2.4a", "3.4a"}
    assert all('"Confirm access"' in text for text in unmentioned.values())
    assert "2.4a: not in article" in report["drift"]
    assert "2.4a" in done.stdout and "3.4a" in done.stdout  # the progress lines and the table


def prompt_html(labels: Labels, *, password: bool, refuses: bool = False) -> str:
    """A console's prompt as bare HTML: the catalogue's words, a password and/or code field."""
    field = (f'<label for="p">{labels.reauth_password_label}</label><input id="p">' if password
             else f'<label for="c">{labels.reauth_code_label}</label><input id="c">')
    then = ("document.body.insertAdjacentHTML('beforeend', '<p role=alert>Wrong.</p>')"
            if refuses else "document.body.innerHTML = '<h1>Next</h1>'")
    return (f"<h1>{labels.reauth_heading}</h1>{field}"
            f'<button type="button" onclick="{then}">{labels.reauth_button}</button>')


def test_a_prompt_that_offers_only_a_code_is_answered_with_a_code(page: Page) -> None:
    labels = load_labels("en")
    page.set_content(prompt_html(labels, password=False))
    prompt = ReauthPage(page, labels)
    assert prompt.answer("the-password", lambda: "123456") == "code"
    prompt.expect_accepted()
    expect(page.get_by_role("heading", name="Next")).to_be_visible()


def test_a_refused_answer_fails_the_step_saying_what_the_console_showed(page: Page) -> None:
    # Given the harness watching for the prompt, and a console that refuses its answer
    labels = load_labels("en")
    ctx = Context(page=page, target=Target(), labels=labels,
                  account=Credentials("someone@example.com", "the-password"),
                  authenticator=Authenticator(Target()))
    reauth.watch(ctx)
    page.set_content(prompt_html(labels, password=True, refuses=True))

    # When a step waits for its next screen, Then it fails, and the sub-step says why
    with pytest.raises(AssertionError):
        expect(page.get_by_role("heading", name="Next")).to_be_visible()
    assert [(sub.kind, sub.status) for sub in ctx.substeps] == [(REAUTH, "failed")]
    why = reauth.failure_of(ctx.substeps) or ""
    assert 'refused the answer: "Wrong."' in why and "E2E_PASSWORD" in why


# -- the rule: the server refuses a change without a fresh confirmation ------------------------

def api(page: Page, mock: MockTarget, method: str, path: str,
        body: dict[str, Any] | None = None) -> APIResponse:
    """Call the console's JSON API with the browser's own cookies (as a forged request would)."""
    if method == "GET":
        return page.request.get(mock.url(f"/api{path}"))
    token = page.request.get(mock.url("/api/session")).json()["csrf_token"]
    return page.request.post(mock.url(f"/api{path}"), data=body or {},
                             headers={"X-CSRFToken": token})


def sign_in_over_http(page: Page, mock: MockTarget, account: Credentials) -> None:
    answer = api(page, mock, "POST", "/signin",
                 {"username": account.username, "password": account.password})
    assert answer.ok, answer.text()


@pytest.mark.selftest
@pytest.mark.rule("reauth")
def test_set_up_and_turn_off_without_a_fresh_confirmation_are_refused(
        page: Page, reauth_console: Consoles, target: Target, labels: Labels) -> None:
    if not (isinstance(target, MockTarget) and target.started_here):
        pytest.skip("checked on an embedded mock started with --reauth (its routes are the "
                    "mock's); against --base-url this test would not test that console")
    mock = reauth_console(AS_ASKED)
    account = mock.new_account()
    # Given a user signed in in the browser (any --lang), who never confirmed access
    signin = SignInPage(page, labels)
    signin.open(mock.base_url)
    signin.sign_in(account.username, account.password)
    signin.expect_signed_in_as(account.username)

    # When a request goes straight to Set up, Then it is refused and nothing starts
    forged = api(page, mock, "POST", "/2sv/setup")
    assert forged.status == 403, broken(
        "reauth", f"Set up without confirming access answered {forged.status}, not 403")
    assert api(page, mock, "GET", "/2sv/setup").json()["setup"] is None

    # Given 2SV on (set up over HTTP after confirming), and a new session with no confirmation
    assert api(page, mock, "POST", "/2sv/reauth",
               {"next": "setup", "password": account.password, "code": ""}).ok
    key = api(page, mock, "POST", "/2sv/setup").json()["setup"]["text_key"].replace(" ", "")
    app = parse_otpauth(f"otpauth://totp/console:{account.username}?secret={key}")
    assert api(page, mock, "POST", "/2sv/enable", {"code": app.code(mock.now())}).ok
    api(page, mock, "POST", "/signout")
    mock.next_step()
    sign_in_over_http(page, mock, account)
    assert api(page, mock, "POST", "/signin/code", {"code": app.code(mock.now())}).ok

    # When a request goes straight to Turn off, Then it is refused and 2SV stays on
    forged = api(page, mock, "POST", "/2sv/disable")
    assert forged.status == 403, broken(
        "reauth", f"Turn off without confirming access answered {forged.status}, not 403")
    assert mock.account_state(account.username)["two_step_enabled"] is True
    mock.unlock(account.username)  # (nothing locked; keeps the account usable by hand)
