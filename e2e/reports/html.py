"""Write a run's report folder: ``index.html``, ``report.md`` and their pictures, ``report.json``,
``junit.xml``.

``index.html`` is for writers as much as for testers: the steps in the article's order and words,
each with its screenshot cropped to what the step acts on (outlined), the full page a click away,
the labels seen, time and status, and, with a baseline, whether the screen changed. It embeds its
pictures, so it can be mailed, attached to a CI run or published as is; nothing in it is random,
so two reports diff cleanly. ``report.md`` lays the same pictures out as the article for pasting.
"""

from __future__ import annotations

import base64
import html
import io
import json
import xml.etree.ElementTree as ET
from importlib.resources import files
from pathlib import Path
from typing import Any

from PIL import Image

from e2e.cleanup import Cleanup
from e2e.doccheck.article import Article
from e2e.evidence.baseline import CHANGED, NO_BASELINE, NOT_COMPARED, UNCHANGED, Drift, DriftReport
from e2e.evidence.capture import StepEvidence
from e2e.evidence.crops import write_crop
from e2e.evidence.masking import Masked, describe
from e2e.evidence.redaction import write_text, xml_text
from e2e.procedure import NOT_CHECKED
from e2e.reports.markdown import Entry, entries, section_heading, write_markdown
from e2e.runner import FAILED, PASSED, SKIPPED, RunResult, StepResult, substep_line

STYLE = files("e2e.reports").joinpath("report.css").read_text("utf-8")  # package data
MAX_EMBEDDED_WIDTH = 1600  # device px; a HiDPI full page is scaled down in the HTML (not on disk)


# What a run leaves in its report folder besides the files every report rewrites: screenshots,
# crops and diffs, an unreadable QR code's picture (--unmasked-evidence), a trace
PREVIOUS_RUN = ("step-*.png", "qr*.png", "trace*.zip")


def clear_report_folder(folder: Path) -> None:
    """Remove the previous run's pictures and trace so a report never mixes two runs (nor keeps
    a picture or trace of an earlier run that the new report does not list)."""
    for pattern in PREVIOUS_RUN:
        for old in folder.glob(pattern):
            old.unlink()


def write_report(result: RunResult, folder: Path, *,
                 evidence: dict[str, StepEvidence] | None = None,
                 drift: DriftReport | None = None, article: Article | None = None) -> Path:
    """Write the report files into ``folder`` (screenshots already there) and return index.html.

    ``evidence`` gives each step's scale, masks and card
    (``e2e.evidence.capture.EvidenceRecorder``): a step without it gets no crop, as the crop's
    place on the screenshot depends on the scale.
    ``drift`` is the baseline comparison, ``article`` the words and numbering to lay out by.
    """
    folder.mkdir(parents=True, exist_ok=True)
    evidence = evidence or {}
    crops: dict[str, str | None] = {}
    for step in result.steps:  # no evidence, no scale: no crop rather than the wrong part
        seen = evidence.get(step.id)
        crops[step.id] = None if seen is None else write_crop(
            folder, step.id, step.screenshot, step.focus_box, seen.scale, seen.card)
    data = report_data(result, crops, evidence, drift)
    write_text(folder / "report.json", json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    write_junit(result, folder / "junit.xml")
    write_markdown(result, folder, crops, article)
    index = folder / "index.html"
    write_text(index, render_html(result, folder, crops=crops, drift=drift, article=article))
    return index


def report_data(result: RunResult, crops: dict[str, str | None],
                evidence: dict[str, StepEvidence], drift: DriftReport | None) -> dict[str, Any]:
    """Return the run as JSON data: each step also names its crop, scale and per-run masks."""
    data = result.to_dict()
    for step in data["steps"]:
        seen = evidence.get(step["id"])
        step["crop"] = crops.get(step["id"])
        step["scale"] = seen.scale if seen else None
        step["masks"] = seen.masks if seen else []
        step["card"] = seen.card if seen else None
        verdict = drift.of(step["id"]) if drift else None
        if verdict is not None:
            step["drift"] = verdict.to_dict()
    if drift is not None:
        data["baseline"] = drift.to_dict()
    return data


def write_junit(result: RunResult, path: Path) -> None:
    """Write one JUnit test case per article step, for CI dashboards."""
    counts = {status: sum(s.status == status for s in result.steps)
              for status in (PASSED, FAILED, SKIPPED)}
    suite = ET.Element("testsuite", {
        "name": "2-Step Verification article procedure",
        "tests": str(len(result.steps) + (result.cleanup is not None)),
        "failures": str(counts[FAILED] + (result.cleanup is not None
                                          and not result.cleanup["ok"])),
        "skipped": str(counts[SKIPPED]), "errors": "0",
        "time": f"{result.seconds:.3f}", "timestamp": result.started_at,
    })
    properties = ET.SubElement(suite, "properties")
    for name in ("target", "account", "lang", "device"):
        ET.SubElement(properties, "property", {"name": name, "value": str(getattr(result, name))})
    if result.cleanup is not None:  # reported apart from the article's steps
        cleanup = Cleanup.from_dict(result.cleanup)
        case = ET.SubElement(suite, "testcase", {"classname": "cleanup",
                                                 "name": "leave the account as found",
                                                 "time": "0"})
        if not cleanup.ok:
            failure = ET.SubElement(case, "failure", {"message": cleanup.lines()[0]})
            failure.text = "\n".join(cleanup.lines() + cleanup.actions)
        else:
            ET.SubElement(case, "system-out").text = "\n".join(cleanup.actions)
    for step in result.steps:
        case = ET.SubElement(suite, "testcase", {
            "classname": f"article.{step.section}", "name": f"{step.id} {step.text}",
            "time": f"{step.seconds:.3f}",
        })
        if step.substeps:  # screens the article never mentions, met inside this step
            subs = ET.SubElement(case, "properties")
            for sub in step.substeps:
                ET.SubElement(subs, "property", {"name": f"substep {sub.id}",
                                                 "value": substep_line(sub)})
        if step.status == FAILED:
            failure = ET.SubElement(case, "failure", {"message": (step.error or "").split("\n")[0]})
            failure.text = step.error
        elif step.status == SKIPPED:
            ET.SubElement(case, "skipped", {"message": step.error or "not run"})
        if step.substeps:
            ET.SubElement(case, "system-out").text = "\n".join(
                f"{sub.id} {substep_line(sub)}" for sub in step.substeps)
    ET.indent(suite)
    text = ET.tostring(suite, encoding="unicode")
    # Console text may hold control characters XML cannot carry: one would make the file
    # unreadable for every CI; and no secret may reach it.
    write_text(path, '<?xml version="1.0" encoding="utf-8"?>\n' + xml_text(text) + "\n")


def render_html(result: RunResult, folder: Path, *, crops: dict[str, str | None] | None = None,
                drift: DriftReport | None = None, article: Article | None = None) -> str:
    """Render the run as one HTML page with its pictures embedded, in the article's order."""
    passed = sum(s.status == PASSED for s in result.steps)
    verdict = "PASSED" if result.passed else "FAILED"
    sections: list[str] = []
    current = None
    for entry in entries(result, article):
        if entry.section != current:
            current = entry.section
            sections.append(f"<h2>{html.escape(section_heading(entry).lstrip('# '))}</h2>")
        sections.append(_render_step(entry, folder, (crops or {}).get(entry.id), drift))
    notes = "".join(f"<li>{html.escape(str(w))}</li>"
                    for w in result.notes.get("otpauth_warnings", []))
    notes += "".join(f"<li>Not checked on this console: {html.escape(str(what))}</li>"
                     for what in result.notes.get(NOT_CHECKED, []))
    notes_html = f"<h2>Notes</h2><ul>{notes}</ul>" if notes else ""
    source = (f'<p class="article">Steps and words of “{html.escape(article.title)}”</p>'
              if article else "")
    return f"""<!doctype html>
<html lang="{html.escape(result.lang)}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>2-Step Verification run: {verdict}</title><style>{STYLE}</style></head>
<body><header><h1>2-Step Verification procedure: {verdict}</h1>{source}
<div class="summary"><span>{passed} of {len(result.steps)} steps passed</span>
<span>{result.seconds:.1f} s</span><span>{html.escape(result.target)}</span>
<span>account {html.escape(result.account)}</span><span>language {html.escape(result.lang)}</span>
<span>device {html.escape(result.device)}</span><span>{html.escape(result.started_at)}</span></div>
</header><main>{_render_drift_summary(drift)}{''.join(sections)}{notes_html}
{render_cleanup(result.cleanup)}{_render_posture(result.posture)}</main></body></html>
"""


def render_cleanup(data: dict[str, Any] | None) -> str:
    """How the run left the account: 2SV off again if needed, signed out, or what to do."""
    if data is None:
        return ""
    cleanup = Cleanup.from_dict(data)
    kind = "passed" if cleanup.ok else "failed"
    items = "".join(f"<li>{html.escape(action)}</li>" for action in cleanup.actions)
    lines = "".join(f"<p>{html.escape(line)}</p>" for line in cleanup.lines())
    return (f'<section class="cleanup {kind}"><h2>Cleanup: the account left as found</h2>'
            f"{lines}<ul>{items}</ul></section>")


def _render_posture(checks: list[dict[str, str]]) -> str:
    """The console's security posture as a table: check, result, evidence, reference."""
    if not checks:
        return ""
    rows = "".join(
        f'<tr class="{html.escape(c["status"])}"><td>{html.escape(c["title"])}</td>'
        f'<td class="result">{html.escape(c["status"])}</td><td>{html.escape(c["evidence"])}</td>'
        f'<td>{html.escape(c["reference"])}</td></tr>' for c in checks)
    return ('<section class="posture"><h2>Security posture of the console</h2>'
            "<p>Read from the responses the browser received during the run; it does not change "
            "the steps' verdict (<code>--fail-on-posture</code> makes a failed check fail the "
            "run).</p><table><thead><tr><th>check</th><th>result</th><th>evidence</th>"
            f"<th>reference</th></tr></thead><tbody>{rows}</tbody></table></section>")


def _render_drift_summary(drift: DriftReport | None) -> str:
    if drift is None:
        return ""
    items = [f'<li><a href="#step-{html.escape(d.step)}">{html.escape(d.step)}</a> changed: '
             f"{html.escape(d.message)}</li>" for d in drift.with_status(CHANGED)]
    for status in (NO_BASELINE, NOT_COMPARED):
        if ids := [d.step for d in drift.with_status(status)]:
            items.append(f"<li>{html.escape(status)}: {html.escape(', '.join(ids))}</li>")
    items += [f"<li>warning: {html.escape(w)}</li>" for w in drift.warnings]
    items += [f"<li>{html.escape(drift.updated)}</li>"] if drift.updated else []
    kind = CHANGED if drift.drifted else UNCHANGED
    return (f'<section class="drift-summary {kind}"><h2>Screenshot drift</h2>'
            f"<p>{html.escape(drift.headline())}</p><ul>{''.join(items)}</ul></section>")


def _render_step(entry: Entry, folder: Path, crop: str | None, drift: DriftReport | None) -> str:
    step = entry.run
    status = step.status if step else "not-run"
    badge = f'<span class="badge {status}">{html.escape(status)}</span>'
    head = f"<h3>{html.escape(entry.id)}. {html.escape(entry.text)} {badge}</h3>"
    items = "".join(f"<li>{html.escape(i.text)}</li>" for i in entry.items
                    if not i.id.endswith("/note"))
    notes = "".join(f'<p class="note">※ {html.escape(i.text)}</p>' for i in entry.items
                    if i.id.endswith("/note"))
    words = (f'<ol class="substeps">{items}</ol>' if items else "") + notes
    if step is None:
        return (f'<section class="step" id="step-{html.escape(entry.id)}">{head}{words}'
                "<p>No screenshot: the harness has no step for this.</p></section>")
    said = (f'<p class="procedure">Harness step: {html.escape(step.text)}</p>'
            if step.text != entry.text else "")
    labels = "".join(
        f'<li class="{"seen" if seen else "missing"}">{html.escape(text)}</li>'
        for text, seen in step.labels.items()
    )
    labels_html = f'<ul class="labels" aria-label="labels seen">{labels}</ul>' if labels else ""
    error = f"<pre>{html.escape(step.error)}</pre>" if step.error else ""
    verdict = drift.of(step.id) if drift else None
    return f"""<section class="step" id="step-{html.escape(step.id)}">
{head}{words}{said}
<div class="meta">{step.seconds:.2f} s &middot; {html.escape(step.url)}</div>
{_render_substeps(step)}{labels_html}{error}{_render_verdict(verdict, folder)}
{_render_pictures(step, folder, crop)}
</section>"""


def _render_substeps(step: StepResult) -> str:
    """The screens the console put inside this step that the article never mentions."""
    if not step.substeps:
        return ""
    items = "".join(
        f'<li class="{html.escape(sub.status)}"><strong>{html.escape(sub.id)}</strong> '
        f"{html.escape(substep_line(sub))}</li>" for sub in step.substeps)
    return f'<ul class="substeps-met" aria-label="sub-steps not in the article">{items}</ul>'


def _render_verdict(verdict: Drift | None, folder: Path) -> str:
    if verdict is None:
        return ""
    css = verdict.status.replace(" ", "-")
    text = f'<p class="drift {css}">Against the baseline: {html.escape(verdict.message)}</p>'
    if verdict.diff and (folder / verdict.diff).exists():
        picture = _img(folder / verdict.diff, f"Changes at step {verdict.step}", "shot",
                       MAX_EMBEDDED_WIDTH)
        text += ('<details class="diff" open><summary>What changed (red, over the baseline)'
                 f"</summary>{picture}</details>")
    return text


def _render_pictures(step: StepResult, folder: Path, crop: str | None) -> str:
    full = folder / step.screenshot if step.screenshot else None
    if full is None or not full.exists():
        return ""
    regions = [Masked(**region) for region in step.masked
               if region.get("picture", step.screenshot) == step.screenshot]  # this picture's
    masked = (f'<p class="masked">{html.escape(describe(regions))} (painted over before the '
              "picture was written: it would let anyone sign in)</p>" if regions else "")
    if crop is None:
        return _img(full, f"Screen at step {step.id}", "shot") + masked
    alt = f"Step {step.id}: the part of the screen it acts on, outlined"
    return (f'<figure>{_img(folder / crop, alt, "crop")}'
            f"<figcaption>The element step {html.escape(step.id)} acts on, outlined</figcaption>"
            f"</figure><details><summary>Full-page screenshot</summary>"
            f'{_img(full, f"Full page at step {step.id}", "shot", MAX_EMBEDDED_WIDTH)}</details>'
            + masked)


def _img(path: Path, alt: str, css: str, max_width: int | None = None) -> str:
    """Return an <img> with the picture embedded as a data URI (scaled down past max_width)."""
    data = path.read_bytes()
    if max_width is not None:
        with Image.open(path) as image:
            if image.width > max_width:
                small = image.resize((max_width, round(image.height * max_width / image.width)),
                                     Image.Resampling.LANCZOS)
                buffer = io.BytesIO()
                small.save(buffer, format="PNG")
                data = buffer.getvalue()
    encoded = base64.b64encode(data).decode("ascii")
    return f'<img class="{css}" alt="{html.escape(alt)}" src="data:image/png;base64,{encoded}">'
