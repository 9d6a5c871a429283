"""Doc-check's outputs: a terminal table, ``doc-check.json``, a self-contained ``doc-check.html``.

The HTML puts each article step beside the screens its procedure step showed, with the quoted
strings outlined on the screenshots (green verified, orange different, red missing: the box is
drawn round the nearest string, the one now in its place), so a writer sees what to fix.
"""

from __future__ import annotations

import base64
import html
import io
import json
import os
import sys
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from PIL import Image, ImageDraw, ImageFont

from e2e.cleanup import Cleanup
from e2e.doccheck.run import (
    APP,
    DIFFERENT,
    MISSING,
    NO_PROCEDURE_STEP,
    NOT_REACHED,
    VERIFIED,
    DocCheck,
    Observation,
    QuoteCheck,
    StepCheck,
)
from e2e.evidence.crops import draw_outline
from e2e.evidence.redaction import safe_print, write_text
from e2e.reports.html import render_cleanup
from e2e.runner import FAILED, PASSED

JSON_NAME, HTML_NAME = "doc-check.json", "doc-check.html"
QUOTE_WIDTH, RESULT_WIDTH = 40, 17
MAX_PICTURE_WIDTH = 1600  # px; wider screenshots (scale factor 2 or 3) are scaled down
RGB = {VERIFIED: (30, 123, 52), DIFFERENT: (230, 124, 0), MISSING: (200, 30, 30)}
TERMINAL = {VERIFIED: "\033[32m", DIFFERENT: "\033[33m", MISSING: "\033[31m",
            NOT_REACHED: "\033[31m", NO_PROCEDURE_STEP: "\033[31m", FAILED: "\033[31m",
            APP: "\033[2m"}
STYLE = """body{font-family:system-ui,"Noto Sans","Noto Sans CJK JP",sans-serif;margin:0;
background:#f4f6f8;color:#1d2430;line-height:1.45}
header{background:#0b4f8a;color:#fff;padding:1rem 1.5rem}header h1{margin:0;font-size:1.4rem}
header p{margin:.25rem 0 0}main{max-width:96rem;margin:0 auto;padding:1rem}
.step{display:grid;grid-template-columns:minmax(18rem,2fr) 3fr;gap:1rem;background:#fff;
border:1px solid #d6dbe1;border-radius:8px;margin:1rem 0;padding:1rem}
@media (max-width:60rem){.step{grid-template-columns:1fr}}
.step h3{margin:0 0 .5rem;font-size:1.05rem}.item{margin:.5rem 0 .5rem 1rem}
table{border-collapse:collapse;width:100%;font-size:.92rem;margin:.5rem 0}
td,th{text-align:left;border-bottom:1px solid #e3e7ec;padding:.3rem .4rem;vertical-align:top}
.badge{border-radius:4px;padding:0 .4rem;font-weight:700;white-space:nowrap}
.verified{background:#d8f3df;color:#1e7b34}.different{background:#ffe8cc;color:#8a4b00}
.missing,.not-reached,.no-procedure-step,.failed,.skipped,.not-in-article{background:#fde0de;color:#b3261e}
.app{background:#eceff3;color:#5a6473}.passed{background:#d8f3df;color:#1e7b34}
.num{display:inline-block;min-width:1.3rem;text-align:center;border-radius:3px;color:#fff;
font-weight:700}.num.verified{background:#1e7b34}.num.different{background:#e67c00}
.num.missing{background:#c81e1e}.num.app,.num.not-reached,.num.no-procedure-step{background:#8a94a3}
figure{margin:0 0 .75rem}figcaption{color:#5a6473;font-size:.85rem}
img{max-width:100%;border:1px solid #d6dbe1;border-radius:4px}
pre{white-space:pre-wrap;background:#fff6f5;border:1px solid #f3c7c2;padding:.5rem;
border-radius:4px;font-size:.85rem}.notes li{margin:.3rem 0}"""


# -- terminal -----------------------------------------------------------------------------

def found_or_nearest(quote: QuoteCheck) -> str:
    """Say where a quoted string was found, or what is nearest to it and how near."""
    if quote.result == VERIFIED:
        return quote.found_as or ""
    if quote.result in (DIFFERENT, MISSING):
        if quote.nearest is None:
            return "nothing on the screen"
        place = ", in its place" if quote.in_its_place else ""
        return (f'"{quote.nearest}" as {quote.nearest_as} ({quote.similarity:.2f}, '
                f"{quote.difference}{place})")
    return quote.reason or ""


def table_rows(check: DocCheck) -> list[tuple[str, str, str, str]]:
    """Return one row per quoted string (and one per step that quotes nothing)."""
    rows = []
    for step in check.steps:
        if not step.quotes:
            rows.append((step.id, "(quotes nothing)", _step_result(step), ""))
        rows += [(step.id, q.quoted, q.result, found_or_nearest(q)) for q in step.quotes]
    return rows


def _step_result(step: StepCheck) -> str:
    return {PASSED: "step ran", FAILED: "step failed", "skipped": NOT_REACHED}.get(
        step.run_status, step.run_status)


def _colour(result: str, text: str, stream: TextIO) -> str:
    if not stream.isatty() or os.environ.get("NO_COLOR"):
        return text
    code = TERMINAL.get({"step failed": FAILED}.get(result, result), "")
    return f"{code}{text}\033[0m" if code else text


def _width(text: str) -> int:
    """Return how many terminal columns ``text`` takes (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _cell(text: str, width: int) -> str:
    """Clip and pad ``text`` to ``width`` terminal columns, so Japanese quotes line up."""
    if _width(text) > width:
        while _width(text) > width - 1:
            text = text[:-1]
        text += "…"
    return text + " " * (width - _width(text))


def print_report(check: DocCheck, stream: TextIO = sys.stdout) -> None:
    """Print the table, the failures, unmentioned procedure steps, notes and the verdict."""
    safe_print(f"doc-check of {check.article or check.title} against {check.target} | device "
          f"{check.device} | language {check.lang}", file=stream)
    safe_print(f"\n  {'step':<9}{'quoted string':<{QUOTE_WIDTH + 2}}{'result':<{RESULT_WIDTH + 2}}"
          "found as / nearest (similarity)", file=stream)
    for step_id, quoted, result, detail in table_rows(check):
        cell = _colour(result, f"{result:<{RESULT_WIDTH}}", stream)
        safe_print(f"  {step_id:<9}{_cell(quoted, QUOTE_WIDTH + 2)}{cell}  {detail}", file=stream)
    for line in _sections(check):
        safe_print(line, file=stream)
    safe_print(_verdict(check), file=stream)


def _sections(check: DocCheck) -> Iterator[str]:
    failed = {s.procedure_step: s.error for s in check.steps if s.run_status == FAILED}
    for step_id, error in failed.items():
        yield f"\nstep {step_id} failed:"
        yield from (f"    {line}" for line in (error or "").splitlines())
    if check.not_in_article:
        yield "\nprocedure steps the article never mentions (not in article):"
        yield from (f"  {p['id']:<9}{p['text']}" for p in check.not_in_article)
    if check.notes:
        yield "\nnotes (the article's own inconsistencies):"
        yield from (f"  - {note}" for note in check.notes)
    if check.cleanup is not None:  # how the run left the account, apart from the article
        yield ""
        yield from Cleanup.from_dict(check.cleanup).lines()


def _verdict(check: DocCheck) -> str:
    counts = ", ".join(f"{n} {result}" for result, n in check.counts().items())
    if check.passed:
        return f"\nVERIFIED: every quoted console string is on screen at its step ({counts})"
    drift = check.drift()
    return f"\nDRIFT: {len(drift)} finding(s) ({counts}):\n" + "\n".join(f"  - {d}" for d in drift)


# -- files ----------------------------------------------------------------------------------

def write_outputs(check: DocCheck, folder: Path) -> tuple[Path, Path]:
    """Write doc-check.json and doc-check.html into ``folder``; return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    json_path, html_path = folder / JSON_NAME, folder / HTML_NAME
    write_text(json_path, json.dumps(check.to_dict(), indent=2, ensure_ascii=False) + "\n")
    write_text(html_path, render_html(check))
    return json_path, html_path


def highlight(observation: Observation, marks: list[tuple[int, QuoteCheck]]) -> bytes:
    """Outline each mark's box on a copy of the screenshot, numbered as in the step's table.

    Boxes are page coordinates in CSS px; the full-page screenshot has ``scale`` (the device
    scale factor) device pixels per CSS px.
    """
    image = Image.open(io.BytesIO(observation.png)).convert("RGB")
    draw = ImageDraw.Draw(image)
    scale = observation.scale or 1.0
    line = max(2, round(3 * scale))
    font = ImageFont.load_default(size=max(12, round(13 * scale)))
    for number, quote in marks:
        box = quote.box if quote.result == VERIFIED else quote.nearest_box
        colour = RGB.get(quote.result)
        if box is None or colour is None:
            continue
        left, top, right, bottom = draw_outline(draw, box, scale, colour, width=line, pad=3)
        tag = draw.textbbox((0, 0), str(number), font=font)
        width, height = tag[2] - tag[0] + 8 * scale, tag[3] - tag[1] + 6 * scale
        tag_top = top - height if top - height >= 0 else bottom
        draw.rectangle((left, tag_top, left + width, tag_top + height), fill=colour)
        draw.text((left + 4 * scale, tag_top + 3 * scale - tag[1]), str(number), fill="white",
                  font=font)
    if image.width > MAX_PICTURE_WIDTH:
        ratio = MAX_PICTURE_WIDTH / image.width
        image = image.resize((MAX_PICTURE_WIDTH, round(image.height * ratio)),
                             Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _groups(check: DocCheck) -> list[list[StepCheck]]:
    """Group article steps by the procedure step (its screens) they share: 2.5 with 2.5/1..."""
    groups: list[list[StepCheck]] = []
    for step in check.steps:
        if groups and step.parent is not None and groups[-1][0].id == step.parent:
            groups[-1].append(step)
        else:
            groups.append([step])
    return groups


def render_html(check: DocCheck) -> str:
    """Render the check as one page, screenshots embedded, each step beside its screens."""
    verdict = "VERIFIED" if check.passed else "DRIFT"
    counts = ", ".join(f"{n} {result}" for result, n in check.counts().items())
    sections, current = [], None
    for group in _groups(check):
        if group[0].section != current:
            current = group[0].section
            sections.append(f"<h2>{html.escape(current)}</h2>")
        sections.append(_render_group(check, group))
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>doc-check: {verdict}</title><style>{STYLE}</style></head>
<body><header><h1>Doc check of “{html.escape(check.title)}”: {verdict}</h1>
<p>{html.escape(check.article)} against {html.escape(check.target)} &middot; device
{html.escape(check.device)} &middot; language {html.escape(check.lang)} &middot;
{check.seconds:.1f} s &middot; {html.escape(counts)}</p></header>
<main>{_render_findings(check)}{''.join(sections)}{render_cleanup(check.cleanup)}</main>
</body></html>
"""


def _render_findings(check: DocCheck) -> str:
    parts = []
    if check.drift():
        items = "".join(f"<li>{html.escape(line)}</li>" for line in check.drift())
        parts.append(f"<h2>Drift</h2><ul>{items}</ul>")
    if check.not_in_article:
        items = "".join(f"<li><b>{html.escape(p['id'])}</b> {html.escape(p['text'])}</li>"
                        for p in check.not_in_article)
        parts.append(f"<h2>Procedure steps the article never mentions</h2><ul>{items}</ul>")
    if check.notes:
        items = "".join(f"<li>{html.escape(note)}</li>" for note in check.notes)
        parts.append(f'<h2>Notes: the article\'s own inconsistencies</h2><ul class="notes">'
                     f"{items}</ul>")
    return "".join(parts)


def _render_group(check: DocCheck, group: list[StepCheck]) -> str:
    numbered = [(n, q) for n, q in enumerate((q for s in group for q in s.quotes), start=1)]
    number_of = {id(q): n for n, q in numbered}
    text = "".join(_render_step_text(step, number_of) for step in group)
    looks = check.observations.get(group[0].procedure_step or "", [])
    figures = "".join(_render_figure(look, [(n, q) for n, q in numbered
                                            if q.observation == look.index])
                      for look in looks)
    if not figures:
        figures = "<p>No screen: this step was not reached or has no procedure step.</p>"
    return (f'<section class="step" id="step-{html.escape(group[0].id)}"><div>{text}</div>'
            f"<div>{figures}</div></section>")


def _render_step_text(step: StepCheck, number_of: dict[int, int]) -> str:
    css = "item" if step.parent else ""
    status = step.run_status.replace(" ", "-")  # passed, failed, skipped, no-procedure-step
    head = (f'<h3>{html.escape(step.id)} {html.escape(step.text)} '
            f'<span class="badge {status}">{html.escape(_step_result(step))}</span></h3>')
    rows = "".join(
        f'<tr><td><span class="num {q.result.replace(" ", "-")}">{number_of[id(q)]}</span></td>'
        f"<td>{html.escape(q.quoted)}</td>"
        f'<td><span class="badge {q.result.replace(" ", "-")}">{html.escape(q.result)}</span></td>'
        f"<td>{html.escape(found_or_nearest(q))}</td></tr>" for q in step.quotes)
    table = (f"<table><tr><th>#</th><th>quoted</th><th>result</th><th>found as / nearest</th>"
             f"</tr>{rows}</table>") if rows else ""
    error = f"<pre>{html.escape(step.error)}</pre>" if step.error else ""
    return f'<div class="{css}">{head}{table}{error}</div>'


def _render_figure(look: Observation, marks: list[tuple[int, QuoteCheck]]) -> str:
    data = base64.b64encode(highlight(look, marks)).decode("ascii")
    heading = f" &middot; headed “{html.escape(look.headings[0])}”" if look.headings else ""
    where = f"step {html.escape(look.step)}, {html.escape(look.moment)}"
    return (f'<figure><img alt="Screen at {where}" src="data:image/png;base64,{data}">'
            f"<figcaption>Screen at {where}{heading} &middot; {html.escape(look.url)}"
            "</figcaption></figure>")
