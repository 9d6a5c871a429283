"""Write a run's report folder: a self-contained ``index.html``, ``report.json``, ``junit.xml``.

The HTML embeds its screenshots, so it can be mailed, attached to a CI run or published as is.
"""

from __future__ import annotations

import base64
import html
import json
import xml.etree.ElementTree as ET
from pathlib import Path

from e2e.runner import FAILED, PASSED, SKIPPED, RunResult, StepResult

STYLE = (Path(__file__).parent / "report.css").read_text("utf-8")


def write_report(result: RunResult, folder: Path) -> Path:
    """Write the report files into ``folder`` (screenshots already there) and return index.html."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "report.json").write_text(json.dumps(result.to_dict(), indent=2) + "\n", "utf-8")
    write_junit(result, folder / "junit.xml")
    index = folder / "index.html"
    index.write_text(render_html(result, folder), "utf-8")
    return index


def write_junit(result: RunResult, path: Path) -> None:
    """Write one JUnit test case per article step, for CI dashboards."""
    counts = {status: sum(s.status == status for s in result.steps)
              for status in (PASSED, FAILED, SKIPPED)}
    suite = ET.Element("testsuite", {
        "name": "2-Step Verification article procedure", "tests": str(len(result.steps)),
        "failures": str(counts[FAILED]), "skipped": str(counts[SKIPPED]), "errors": "0",
        "time": f"{result.seconds:.3f}", "timestamp": result.started_at,
    })
    properties = ET.SubElement(suite, "properties")
    for name in ("target", "account", "lang", "device"):
        ET.SubElement(properties, "property", {"name": name, "value": str(getattr(result, name))})
    for step in result.steps:
        case = ET.SubElement(suite, "testcase", {
            "classname": f"article.{step.section}", "name": f"{step.id} {step.text}",
            "time": f"{step.seconds:.3f}",
        })
        if step.status == FAILED:
            failure = ET.SubElement(case, "failure", {"message": (step.error or "").split("\n")[0]})
            failure.text = step.error
        elif step.status == SKIPPED:
            ET.SubElement(case, "skipped", {"message": step.error or "not run"})
    tree = ET.ElementTree(suite)
    ET.indent(tree)
    tree.write(path, encoding="utf-8", xml_declaration=True)


def render_html(result: RunResult, folder: Path) -> str:
    """Render the run as one HTML page with its screenshots embedded."""
    passed = sum(s.status == PASSED for s in result.steps)
    verdict = "PASSED" if result.passed else "FAILED"
    sections: list[str] = []
    current = None
    for step in result.steps:
        if step.section != current:
            current = step.section
            sections.append(f"<h2>{html.escape(current)}</h2>")
        sections.append(_render_step(step, folder))
    notes = "".join(f"<li>{html.escape(str(w))}</li>"
                    for w in result.notes.get("otpauth_warnings", []))
    notes_html = f"<h2>Notes</h2><ul>{notes}</ul>" if notes else ""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>2-Step Verification run: {verdict}</title><style>{STYLE}</style></head>
<body><header><h1>2-Step Verification procedure: {verdict}</h1>
<div class="summary"><span>{passed} of {len(result.steps)} steps passed</span>
<span>{result.seconds:.1f} s</span><span>{html.escape(result.target)}</span>
<span>account {html.escape(result.account)}</span><span>language {html.escape(result.lang)}</span>
<span>device {html.escape(result.device)}</span><span>{html.escape(result.started_at)}</span></div>
</header><main>{''.join(sections)}{notes_html}</main></body></html>
"""


def _render_step(step: StepResult, folder: Path) -> str:
    labels = "".join(
        f'<li class="{"seen" if seen else "missing"}">{html.escape(text)}</li>'
        for text, seen in step.labels.items()
    )
    labels_html = f'<ul class="labels" aria-label="labels seen">{labels}</ul>' if labels else ""
    error = f"<pre>{html.escape(step.error)}</pre>" if step.error else ""
    shot = ""
    if step.screenshot and (folder / step.screenshot).exists():
        data = base64.b64encode((folder / step.screenshot).read_bytes()).decode("ascii")
        shot = (f'<img class="shot" alt="Screen at step {step.id}" '
                f'src="data:image/png;base64,{data}">')
    return f"""<section class="step" id="step-{step.id}">
<h3>{step.id} {html.escape(step.text)} <span class="badge {step.status}">{step.status}</span></h3>
<div class="meta">{step.seconds:.2f} s &middot; {html.escape(step.url)}</div>
{labels_html}{error}{shot}</section>"""
