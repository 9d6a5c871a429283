"""The run report a writer publishes: report.md mirrors the article and its pictures exist;
index.html shows each step's outlined crop with the full page a click away.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from PIL import Image

from e2e.data import article_path
from e2e.doccheck.article import read_article
from e2e.evidence.crops import OUTLINE_RGB
from e2e.procedure import step_ids
from tests.support.browser_suite import CliRun

ARTICLE = article_path("en")


@pytest.fixture
def report(embedded_run: CliRun) -> Path:
    """The report folder of the one `python -m e2e run` against the embedded mock."""
    assert embedded_run.done.returncode == 0, embedded_run.done.stdout + embedded_run.done.stderr
    return embedded_run.report


def test_report_md_mirrors_the_article_numbering_and_its_pictures_exist(report: Path) -> None:
    article = read_article(ARTICLE)
    text = (report / "report.md").read_text("utf-8")
    lines = text.splitlines()

    # The article's title and numbered sections, in order, then how the run left the account and
    # the console's security posture
    assert lines[0] == f"# {article.title}"
    assert [line for line in lines if line.startswith("## ")] == [
        "## 1. Accessing the HENNGE Cloud Protection Admin Console",
        "## 2. Enabling 2 Step Verification", "## 3. Disable the 2 Step Verification",
        "## Cleanup: the account left as found", "## Security posture of the console"]
    # Each step in the article's own words, then (after its app steps or note) its picture
    for step in article.main_steps:
        at = lines.index(f"**{step.id}.** {step.text}")
        picture = next(line for line in lines[at:] if line.startswith("!["))
        assert re.fullmatch(rf"!\[{re.escape(step.id)}\]\(step-{re.escape(step.id)}"
                            r"(-crop)?\.png\)", picture)
    # And every picture it refers to is in the folder
    pictures = re.findall(r"\]\((step-[^)]+\.png)\)", text)
    assert len(pictures) == 2 * len(step_ids()) - 1  # a crop and the full page; 1.1 full only
    assert all((report / picture).is_file() for picture in pictures)


def test_index_html_has_each_steps_crop_and_its_full_page(report: Path) -> None:
    page = (report / "index.html").read_text("utf-8")
    steps = {s["id"]: s for s in json.loads((report / "report.json").read_text())["steps"]}

    sections = page.split('<section class="step" id="step-')[1:]
    assert [s.split('"', 1)[0] for s in sections] == step_ids()  # the article's order
    for section in sections:
        step_id = section.split('"', 1)[0]
        if steps[step_id]["focus_box"]:
            assert section.count('class="crop"') == 1, step_id
            assert "<summary>Full-page screenshot</summary>" in section
            assert steps[step_id]["crop"] == f"step-{step_id}-crop.png"
        assert section.count("data:image/png;base64,") == 2 if steps[step_id]["crop"] else 1
    assert "2.3. Click on the [Change] to the right side of [ 2-Step Verification ]." in page


def test_the_crop_outlines_the_element_and_is_smaller_than_the_page(report: Path) -> None:
    with Image.open(report / "step-2.3-crop.png") as crop, \
            Image.open(report / "step-2.3.png") as full:
        colours = {colour for _, colour in crop.convert("RGB").getcolors(1_000_000) or []}
        assert OUTLINE_RGB in colours
        assert crop.width * crop.height < full.width * full.height / 2
