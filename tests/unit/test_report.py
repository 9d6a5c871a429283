"""The run report: self-contained HTML, JSON and JUnit XML that agree with the run."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

from PIL import Image

from e2e.report import write_report
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
