"""`python -m e2e doc-check ARTICLE`: the shipped article is true of the console, and drift is
caught and named by step when a label on the console changes.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import Page

from e2e.data import shipped
from e2e.doccheck.article import read_article
from e2e.doccheck.run import DIFFERENT, MISSING, NOT_REACHED, VERIFIED, DocCheck, run_doc_check
from e2e.labels import Labels
from e2e.target import MockTarget
from tests.support.cli import run_e2e

ARTICLES = shipped("articles")
SHIPPED = ARTICLES / "two-step-verification.txt"


def doc_check_cli(*args: str) -> subprocess.CompletedProcess[str]:
    """Run doc-check as a writer would."""
    return run_e2e("doc-check", *args)


def quote(check: DocCheck, step: str, quoted: str) -> dict[str, object]:
    """Return what became of one quoted string of one step, as the JSON says it."""
    steps = check.to_dict()["steps"]
    return next(q for s in steps if s["id"] == step for q in s["quotes"] if q["quoted"] == quoted)


def test_the_shipped_article_is_verified_against_the_embedded_mock(tmp_path: Path) -> None:
    # When doc-check reads the shipped article and runs against the embedded mock
    done = doc_check_cli(str(SHIPPED), "--report", str(tmp_path))

    # Then it exits 0, every console quote is verified and the app's are marked as the app's
    assert done.returncode == 0, done.stdout + done.stderr
    assert "VERIFIED: every quoted console string is on screen at its step" in done.stdout
    report = json.loads((tmp_path / "doc-check.json").read_text("utf-8"))
    assert report["counts"] == {"verified": 16, "app": 3}
    found = {(q["step"], q["quoted"]): q["found_as"] for s in report["steps"]
             for q in s["quotes"] if q["result"] == VERIFIED}
    assert found[("2.3", "Change")] == "button"
    assert found[("2.3", "2-Step Verification")] == "row name"
    assert found[("2.4", "Turn on 2-Step Verification")] == "heading"
    assert found[("2.6", "Enter the code that the app generates:")] == "field label"
    assert found[("3.1", "Account Setting")] == "menu item"
    # And the article's own inconsistencies are reported, not hidden
    assert any('"2-Step Verification"' in n and '"2 Step Verification"' in n
               for n in report["notes"])
    assert any("[Account Setting] a page" in n and "Account Information" in n
               for n in report["notes"])
    # And the HTML has each screen with the quoted strings outlined
    page = (tmp_path / "doc-check.html").read_text("utf-8")
    assert page.count("data:image/png;base64,") >= 13
    assert 'id="step-3.1"' in page


@pytest.mark.needs_test_api
def test_a_renamed_button_makes_doc_check_fail_and_name_the_step(
    faults: MockTarget, tmp_path: Path
) -> None:
    # Given a console whose "Change" button now reads "Edit"
    faults.enable_fault("rename_label", **{"from": "Change", "to": "Edit"})

    # When doc-check runs the shipped article against it
    done = doc_check_cli(str(SHIPPED), "--base-url", faults.base_url, "--report", str(tmp_path))

    # Then it exits 1 and names step 2.3: "Change" is missing, "Edit" is in its place
    assert done.returncode == 1, done.stdout + done.stderr
    assert '2.3 [Change]: missing (nearest "Edit")' in done.stdout
    report = json.loads((tmp_path / "doc-check.json").read_text("utf-8"))
    steps = {s["id"]: s for s in report["steps"]}
    change = steps["2.3"]["quotes"][0]
    assert (change["result"], change["nearest"], change["nearest_as"]) == (MISSING, "Edit",
                                                                           "button")
    assert change["in_its_place"] is True
    # And 3.2, which quotes the same button, is not reached, pointing at what 2.3 found
    again = steps["3.2"]["quotes"][0]
    assert again["result"] == NOT_REACHED
    assert 'missing at 2.3 (nearest "Edit")' in again["reason"]
    assert steps["2.2"]["run_status"] == "failed" and "Change" in steps["2.2"]["error"]


@pytest.mark.needs_test_api
def test_a_hyphen_added_to_a_row_name_is_reported_as_different_at_step_3_3(
    faults: MockTarget, page: Page, labels: Labels
) -> None:
    # Given a console that writes "2-Step Verification Status" where the article says "2 Step"
    faults.enable_fault("rename_label", **{"from": "2 Step Verification Status",
                                           "to": "2-Step Verification Status"})

    # When the article is checked against it
    # (a throwaway account of the test API: no cleanup, which would meet the renamed row again)
    check = run_doc_check(read_article(SHIPPED), page, faults, labels, source=str(SHIPPED),
                          leave_as_found=False)

    # Then 3.3's row name is different, with high similarity, and everything before it verified
    status = quote(check, "3.3", "2 Step Verification Status")
    assert status["result"] == DIFFERENT
    assert status["nearest"] == "2-Step Verification Status"
    assert isinstance(status["similarity"], float) and status["similarity"] > 0.9
    assert status["difference"] == "hyphens, spaces or punctuation"
    assert quote(check, "3.3", "Turn off")["result"] == VERIFIED
    assert quote(check, "3.1", "Disable 2 Step Verification")["result"] == VERIFIED
    assert check.exit_code == 1
    assert "3.3 [2 Step Verification Status]: different" in " ".join(check.drift())
