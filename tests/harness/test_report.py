"""The run report: self-contained HTML, Markdown, JSON and JUnit XML that agree with the run,
laid out by the article for writers."""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PIL import Image

from e2e.cleanup import Cleanup
from e2e.data import article_path
from e2e.doccheck.article import read_article
from e2e.doccheck.report import print_report, write_outputs
from e2e.doccheck.run import DocCheck
from e2e.evidence.baseline import CHANGED, NO_BASELINE, Drift, DriftReport
from e2e.evidence.capture import StepEvidence
from e2e.procedure import PROCEDURE, SubStep, step_ids
from e2e.reauth import REAUTH
from e2e.reports.html import write_report
from e2e.reports.progress import print_step, print_summary
from e2e.runner import FAILED, PASSED, SKIPPED, RunResult, StepResult


def a_run(folder: Path) -> RunResult:
    """Build a run of three steps: passed (with a screenshot), failed, skipped."""
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, format="PNG")
    (folder / "step-1.1.png").write_bytes(buffer.getvalue())
    return RunResult(
        target="mock console at http://127.0.0.1:1", account="a@example.com", lang="en",
        device="Desktop", started_at="2026-11-27T00:00:00+00:00", seconds=2.5,
        steps=[
            StepResult("1.1", "Accessing", "Open the console.", PASSED, 0.5, "http://x/",
                       {"Sign in": True}, "step-1.1.png"),
            StepResult("2.1", "Enabling", "Open <Account Information>.", FAILED, 1.0,
                       "http://x/account", {"Account Setting": False}, None, None,
                       "step 2.1 (Open) failed: expected heading 'Account Information'"),
            StepResult("2.2", "Enabling", "Click on [Set up].", SKIPPED,
                       error="not run: an earlier step failed"),
        ],
    )


def test_report_json_is_the_run(tmp_path: Path) -> None:
    write_report(a_run(tmp_path), tmp_path)
    data = json.loads((tmp_path / "report.json").read_text())
    assert data["passed"] is False
    assert [s["status"] for s in data["steps"]] == [PASSED, FAILED, SKIPPED]
    assert data["steps"][1]["labels"] == {"Account Setting": False}


def test_junit_counts_failures_and_skips_per_article_step(tmp_path: Path) -> None:
    write_report(a_run(tmp_path), tmp_path)
    suite = ET.parse(tmp_path / "junit.xml").getroot()
    assert suite.tag == "testsuite"
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("3", "1", "1")
    cases = suite.findall("testcase")
    assert [c.get("name").split()[0] for c in cases] == ["1.1", "2.1", "2.2"]
    failure = cases[1].find("failure")
    assert failure is not None and "Account Information" in failure.get("message")


def test_html_embeds_screenshots_and_escapes_the_article_words(tmp_path: Path) -> None:
    index = write_report(a_run(tmp_path), tmp_path)
    page = index.read_text()
    assert "data:image/png;base64," in page  # self-contained: no file links
    assert 'src="step-' not in page
    assert "Open &lt;Account Information&gt;." in page and "<Account Information>" not in page
    assert "1 of 3 steps passed" in page and "FAILED" in page


# -- for writers: article order and words, crops, the full page, Markdown, drift ---------------

SHIPPED_ARTICLE = article_path("en")
FOCUS = {"x": 100.0, "y": 120.0, "width": 80.0, "height": 30.0}


def a_full_run(folder: Path, statuses: dict[str, str] | None = None) -> RunResult:
    """Build a run of every procedure step, each with a 400x300 screen; all but 1.1 act on an
    element (FOCUS)."""
    run = RunResult("mock console at http://127.0.0.1:1", "a@example.com", "en", "Desktop",
                    "2026-11-27T00:00:00+00:00", 20.0)
    for step in PROCEDURE:
        status = (statuses or {}).get(step.id, PASSED)
        shot = None
        if status != SKIPPED:
            shot = f"step-{step.id}{'-failure' if status == FAILED else ''}.png"
            Image.new("RGB", (400, 300), "white").save(folder / shot)
        focus = dict(FOCUS) if step.id != "1.1" and status == PASSED else None
        error = {FAILED: f"step {step.id} failed: no *Turn on* button",
                 SKIPPED: "not run: an earlier step failed"}.get(status)
        run.steps.append(StepResult(step.id, step.section, step.text, status, 0.5, "http://x/",
                                    {}, shot, focus, error))
    return run


def sections_of(page: str) -> dict[str, str]:
    """Return each step's <section> of the HTML by step id."""
    parts = page.split('<section class="step" id="step-')[1:]
    return {part.split('"', 1)[0]: part.split("</section>", 1)[0] for part in parts}


def evidence_of(run: RunResult) -> dict[str, StepEvidence]:
    """What the recorder notes at each step: scale 1, the QR code's box masked at 2.5."""
    qr = [{"x": 1.0, "y": 2.0, "width": 3.0, "height": 4.0}]
    return {step.id: StepEvidence(1.0, qr if step.id == "2.5" else []) for step in run.steps}


def test_each_step_has_its_crop_outlined_and_the_full_page_a_click_away(tmp_path: Path) -> None:
    run = a_full_run(tmp_path)

    write_report(run, tmp_path, evidence=evidence_of(run))

    page = sections_of((tmp_path / "index.html").read_text("utf-8"))
    assert 'class="crop"' in page["2.3"]
    assert "<summary>Full-page screenshot</summary>" in page["2.3"]
    assert page["2.3"].count("data:image/png;base64,") == 2
    assert 'class="crop"' not in page["1.1"] and page["1.1"].count("data:image/png;base64,") == 1
    data = json.loads((tmp_path / "report.json").read_text("utf-8"))
    steps = {s["id"]: s for s in data["steps"]}
    assert steps["2.3"]["crop"] == "step-2.3-crop.png" and (tmp_path / "step-2.3-crop.png").exists()
    assert steps["1.1"]["crop"] is None
    assert steps["2.5"]["masks"] == [{"x": 1.0, "y": 2.0, "width": 3.0, "height": 4.0}]
    assert steps["2.5"]["scale"] == 1.0


def test_a_step_whose_scale_is_unknown_gets_no_crop_rather_than_a_wrong_one(
    tmp_path: Path
) -> None:
    write_report(a_full_run(tmp_path), tmp_path)  # no evidence recorded

    data = json.loads((tmp_path / "report.json").read_text("utf-8"))
    assert [s["crop"] for s in data["steps"]] == [None] * len(step_ids())
    assert 'class="crop"' not in (tmp_path / "index.html").read_text("utf-8")


def test_the_html_follows_the_article_numbering_and_words(tmp_path: Path) -> None:
    run = a_full_run(tmp_path)
    write_report(run, tmp_path, evidence=evidence_of(run), article=read_article(SHIPPED_ARTICLE))

    page = (tmp_path / "index.html").read_text("utf-8")
    assert re.findall(r"<h2>([^<]+)</h2>", page) == [
        "1. Accessing the HENNGE Cloud Protection Admin Console",
        "2. Enabling 2 Step Verification", "3. Disable the 2 Step Verification"]
    assert list(sections_of(page)) == step_ids()
    step = sections_of(page)
    assert "2.3. Click on the [Change] to the right side of [ 2-Step Verification ]." in step["2.3"]
    assert "<li>Click on [ Add New OTP ].</li>" in step["2.5"]  # the app's own steps
    assert "※ Please keep your Recovery Code safe." in step["2.7"]


def test_the_report_is_the_same_when_written_twice(tmp_path: Path) -> None:
    # Publishable and diffable: nothing random, nothing that depends on the folder
    article = read_article(SHIPPED_ARTICLE)
    for name in ("one", "two"):
        (tmp_path / name).mkdir()
        run = a_full_run(tmp_path / name)
        write_report(run, tmp_path / name, evidence=evidence_of(run), article=article)
    for file in ("index.html", "report.md", "report.json"):
        assert (tmp_path / "one" / file).read_bytes() == (tmp_path / "two" / file).read_bytes()


def test_markdown_mirrors_the_article_numbering_sections_and_sentences(tmp_path: Path) -> None:
    run = a_full_run(tmp_path)
    write_report(run, tmp_path, evidence=evidence_of(run), article=read_article(SHIPPED_ARTICLE))

    lines = (tmp_path / "report.md").read_text("utf-8").splitlines()
    assert [line for line in lines if line.startswith("#")] == [
        "# Two Step Verification Setting",
        "## 1. Accessing the HENNGE Cloud Protection Admin Console",
        "## 2. Enabling 2 Step Verification", "## 3. Disable the 2 Step Verification"]
    assert [line.split("**")[1] for line in lines if line.startswith("**")] == \
        [f"{step_id}." for step_id in step_ids()]
    at = lines.index("**2.3.** Click on the [Change] to the right side of "
                     "[ 2-Step Verification ].")
    assert lines[at + 2:at + 5] == ["![2.3](step-2.3-crop.png)", "", "[Full page](step-2.3.png)"]
    assert "3. Click on [ Add New OTP ]." in lines
    assert "![1.1](step-1.1.png)" in lines  # a step that acts on no element: the full page
    images = re.findall(r"\]\(([^)]+)\)", "\n".join(lines))
    assert images and all((tmp_path / image).exists() for image in images)


def test_markdown_without_an_article_uses_the_procedure_texts(tmp_path: Path) -> None:
    write_report(a_full_run(tmp_path), tmp_path)

    text = (tmp_path / "report.md").read_text("utf-8")
    assert text.startswith("# 2-Step Verification\n")
    assert "## 2. Enabling 2 Step Verification\n" in text
    assert "**2.3.** Click on [Change] to the right side of [2-Step Verification].\n" in text


def test_markdown_says_which_steps_failed_or_did_not_run(tmp_path: Path) -> None:
    run = a_full_run(tmp_path, {"2.6": FAILED, **{i: SKIPPED for i in step_ids()[8:]}})

    write_report(run, tmp_path, evidence=evidence_of(run), article=read_article(SHIPPED_ARTICLE))

    text = (tmp_path / "report.md").read_text("utf-8")
    assert "> This step failed in the run: step 2.6 failed: no \\*Turn on\\* button" in text
    assert "![2.6](step-2.6-failure.png)" in text
    assert "> Not run: not run: an earlier step failed" not in text
    assert text.count("> Not run: an earlier step failed") == len(step_ids()[8:])


def test_drift_is_shown_per_step_and_summed_up(tmp_path: Path) -> None:
    # Given a run whose step 2.6 screen changed since the baseline and 3.5 has none
    run = a_full_run(tmp_path)
    Image.new("RGB", (400, 300), "red").save(tmp_path / "step-2.6-diff.png")
    drift = DriftReport(tmp_path / "baseline", [
        Drift("2.6", CHANGED, "0.106% of pixels changed", 0.00106, "step-2.6-diff.png"),
        Drift("3.5", NO_BASELINE, "no baseline: step-3.5.png does not exist"),
    ])

    write_report(run, tmp_path, evidence=evidence_of(run), drift=drift)

    page = (tmp_path / "index.html").read_text("utf-8")
    assert '<section class="drift-summary changed">' in page
    assert '<a href="#step-2.6">2.6</a> changed: 0.106% of pixels changed' in page
    assert "no baseline: 3.5" in page
    step = sections_of(page)["2.6"]
    assert 'class="drift changed"' in step and "What changed (red, over the baseline)" in step
    data = json.loads((tmp_path / "report.json").read_text("utf-8"))
    assert data["baseline"]["changed"] == ["2.6"] and data["baseline"]["no_baseline"] == ["3.5"]
    steps = {s["id"]: s for s in data["steps"]}
    assert steps["2.6"]["drift"]["share"] == 0.00106 and "drift" not in steps["2.5"]


def test_a_sub_step_is_reported_under_its_step_everywhere(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Given a run whose step 1.1 met a re-authentication prompt the article never mentions
    run = a_run(tmp_path)
    run.steps[0].substeps.append(SubStep(
        kind=REAUTH, id="1.1a", seconds=0.25,
        text='the console asked to "Confirm access" (not in the article): answered with the '
             "account's password"))

    # When the step is printed and the report written
    print_step(run.steps[0])
    write_report(run, tmp_path)

    # Then the terminal, JUnit, HTML, Markdown and JSON each show it under step 1.1
    terminal = capsys.readouterr().out.splitlines()
    assert terminal[0].lstrip().startswith("1.1") and "1.1a" in terminal[1]
    assert "Confirm access" in terminal[1] and "passed" in terminal[1]
    case = ET.parse(tmp_path / "junit.xml").getroot().findall("testcase")[0]
    assert case.get("name", "").startswith("1.1")
    props = {p.get("name"): p.get("value") for p in case.iter("property")}
    assert "Confirm access" in props["substep 1.1a"]
    assert "1.1a" in (case.findtext("system-out") or "")
    page = sections_of((tmp_path / "index.html").read_text())
    assert "1.1a" in page["1.1"] and "Confirm access" in page["1.1"]
    assert "> 1.1a: " in (tmp_path / "report.md").read_text()
    data = json.loads((tmp_path / "report.json").read_text())
    assert data["steps"][0]["substeps"][0]["id"] == "1.1a"


def test_a_failed_cleanup_line_shows_no_escape_sequence_from_the_console(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Given a run whose cleanup failed with the console's text, which holds an escape sequence
    cleanup = Cleanup("admin@example.com", two_step=FAILED,
                      error="the page said \x1b]8;;http://evil.example\x07click\x1b]8;;\x07")
    result = RunResult(target="t", account="admin@example.com", lang="en", device="Desktop",
                       started_at="now", cleanup=cleanup.to_dict())

    # When the summary is printed
    print_summary(result, tmp_path / "index.html")

    # Then the CLEANUP FAILED line is there, and no escape character reached the terminal
    out = capsys.readouterr().out
    assert "CLEANUP FAILED" in out
    assert "\x1b]" not in out and "\x07" not in out


def failed_cleanup() -> dict[str, object]:
    """A cleanup that could not turn 2SV off (its sign-out worked)."""
    return Cleanup("admin@example.com", two_step=FAILED, sign_out="done",
                   error="no Disable link on Account Information").to_dict()


def test_doc_check_reports_a_failed_cleanup_everywhere_and_fails(tmp_path: Path) -> None:
    # Given a doc-check whose every quote was verified, but whose run left 2SV on
    article = read_article(article_path("en"))
    check = DocCheck(str(article_path("en")), article.title, "t", "Desktop", "en", "now",
                     cleanup=failed_cleanup())

    # When it is judged, printed and written
    terminal = io.StringIO()
    print_report(check, terminal)
    json_path, html_path = write_outputs(check, tmp_path)

    # Then it is not verified (exit 1), and the terminal, JSON and HTML say what an
    # administrator must do
    assert not check.passed and check.exit_code == 1
    assert "cleanup failed: no Disable link on Account Information" in check.drift()
    assert "CLEANUP FAILED: account admin@example.com" in terminal.getvalue()
    assert json.loads(json_path.read_text())["cleanup"]["ok"] is False
    assert "An administrator must turn 2-Step Verification off" in html_path.read_text()


def test_each_picture_lists_the_regions_painted_over_in_it(tmp_path: Path) -> None:
    # Given a step that kept its own screenshot (QR code and key masked) and then, failing, a
    # failure screenshot in which only the key was on screen
    run = a_run(tmp_path)
    step = run.steps[0]
    (tmp_path / "step-1.1-failure.png").write_bytes((tmp_path / "step-1.1.png").read_bytes())
    box = {"x": 0.0, "y": 0.0, "width": 1.0, "height": 1.0}
    step.masked = [{"what": "QR code", "box": box, "picture": "step-1.1.png"},
                   {"what": "key", "box": box, "picture": "step-1.1.png"},
                   {"what": "key", "box": box, "picture": "step-1.1-failure.png"}]
    step.screenshot = "step-1.1-failure.png"

    # When the report is written
    write_report(run, tmp_path)

    # Then the picture shown says what was painted over in it, not in the other one
    page = sections_of((tmp_path / "index.html").read_text("utf-8"))
    assert "masked: key (painted over" in page["1.1"] and "QR code" not in page["1.1"]
    data = json.loads((tmp_path / "report.json").read_text())
    assert {r["picture"] for r in data["steps"][0]["masked"]} == {"step-1.1.png",
                                                                   "step-1.1-failure.png"}


def test_what_a_console_gave_no_way_to_check_is_said_in_every_report(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Given a run on a console without test API, whose stored state could not be checked
    run = a_run(tmp_path)
    run.notes["not_checked"] = ["the stored state agrees with the screens"]

    # When its reports are written and its summary printed
    write_report(run, tmp_path)
    print_summary(run, tmp_path / "index.html")

    # Then each says so, instead of the check vanishing
    said = "the stored state agrees with the screens"
    assert f"not checked on this console: {said}" in capsys.readouterr().out
    assert f"Not checked on this console: {said}" in (tmp_path / "index.html").read_text()
    assert f"- {said}" in (tmp_path / "report.md").read_text()
    assert json.loads((tmp_path / "report.json").read_text())["notes"]["not_checked"] == [said]
