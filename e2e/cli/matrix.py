"""``python -m e2e matrix``: the whole procedure on every device, as a step × device table.

The article warns that "the web page may be rendered differently on different OS or devices";
this answers, per step, on which devices it still holds. One console and one Chromium serve all
devices; each device gets a fresh browser context, a fresh account and its own report folder.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from e2e.browser.devices import MATRIX
from e2e.evidence.redaction import safe_print, write_text
from e2e.reports.html import write_report
from e2e.reports.progress import print_cleanup
from e2e.runner import PASSED, RunResult, StepResult, run_procedure

DEFAULT_MATRIX_REPORT = Path("reports/matrix")
MARKS = {"passed": "✓", "failed": "✗", "skipped": "–"}


@dataclass
class MatrixResult:
    """One run per device."""

    runs: dict[str, RunResult] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return bool(self.runs) and all(run.passed for run in self.runs.values())

    def step_ids(self) -> list[str]:
        first = next(iter(self.runs.values()), None)
        return [s.id for s in first.steps] if first else []

    def status(self, device: str, step_id: str) -> str:
        step = next((s for s in self.runs[device].steps if s.id == step_id), None)
        return step.status if step else "skipped"

    def to_dict(self) -> dict[str, object]:
        return {
            "passed": self.passed,
            "devices": list(self.runs),
            "steps": {sid: {d: self.status(d, sid) for d in self.runs} for sid in self.step_ids()},
            "seconds": {d: round(r.seconds, 3) for d, r in self.runs.items()},
            "failures": {d: r.failure for d, r in self.runs.items() if r.failure},
            "cleanup": {d: r.cleanup for d, r in self.runs.items()},
        }

    def cleanup_status(self, device: str) -> str:
        """How the device's run left the account: passed, failed, or skipped (no cleanup)."""
        cleanup = self.runs[device].cleanup
        return "skipped" if cleanup is None else "passed" if cleanup["ok"] else "failed"


def folder_name(device: str) -> str:
    """Return a file-system friendly folder name for a device ("iPhone 14" -> "iphone-14")."""
    return re.sub(r"[^a-z0-9]+", "-", device.lower()).strip("-")


def parse_devices(text: str | None) -> list[str]:
    """Read ``--devices A,B`` (default: the whole matrix)."""
    if not text:
        return list(MATRIX)
    return [name.strip() for name in text.split(",") if name.strip()]


def _for_device(on_step: Callable[[str, StepResult], None] | None,
                device: str) -> Callable[[StepResult], None] | None:
    """Bind the device to a per-step progress callback (None stays None)."""
    if on_step is None:
        return None
    return lambda step: on_step(device, step)


def run_matrix(console: object, devices: Sequence[str], report: Path, evidence: bool = True,
               on_step: Callable[[str, StepResult], None] | None = None) -> MatrixResult:
    """Run the procedure once per device against ``console`` (an
    ``e2e.browser.session.Console``)."""
    from e2e.browser.session import Console, device_page, new_account
    from e2e.evidence.capture import EvidenceRecorder
    from e2e.reports.html import clear_report_folder

    assert isinstance(console, Console)
    result = MatrixResult()
    for device in devices:
        folder = report / folder_name(device)
        if evidence:
            clear_report_folder(folder)
        recorder = EvidenceRecorder(folder) if evidence else None
        with device_page(console, device) as session:
            run = run_procedure(
                session.page, console.target, console.labels,
                account=new_account(console.target), device=device,
                evidence_dir=folder if evidence else None, inspect=recorder,
                on_step=_for_device(on_step, device),
            )
        write_report(run, folder, evidence=recorder.steps if recorder else None)
        result.runs[device] = run
    return result


def format_table(result: MatrixResult) -> str:
    """Render the step × device table for the terminal."""
    devices = list(result.runs)
    width = max(len(d) for d in devices) if devices else 8
    lines = ["step  " + "  ".join(f"{d:^{width}}" for d in devices)]
    for step_id in result.step_ids():
        cells = (MARKS[result.status(d, step_id)] for d in devices)
        lines.append(f"{step_id:<5} " + "  ".join(f"{c:^{width}}" for c in cells))
    cells = (MARKS[result.cleanup_status(d)] for d in devices)
    lines.append("clean " + "  ".join(f"{c:^{width}}" for c in cells))
    lines.append("time  " + "  ".join(f"{result.runs[d].seconds:^{width}.1f}" for d in devices))
    return "\n".join(lines)


def _cell(status: str) -> str:
    """One table cell of the HTML matrix: its status as the class, its mark as the text."""
    return f'<td class="{status}">{MARKS[status]}</td>'


def write_matrix_report(result: MatrixResult, report: Path) -> Path:
    """Write matrix.json and matrix.html (linking each device's own report)."""
    report.mkdir(parents=True, exist_ok=True)
    write_text(report / "matrix.json", json.dumps(result.to_dict(), indent=2) + "\n")
    devices = list(result.runs)
    head = "".join(f'<th scope="col"><a href="{folder_name(d)}/index.html">{html.escape(d)}</a>'
                   "</th>" for d in devices)
    rows = []
    for step_id in result.step_ids():
        text = next(s.text for s in next(iter(result.runs.values())).steps if s.id == step_id)
        cells = "".join(_cell(result.status(d, step_id)) for d in devices)
        rows.append(f'<tr><th scope="row">{step_id} {html.escape(text)}</th>{cells}</tr>')
    cells = "".join(_cell(result.cleanup_status(d)) for d in devices)
    rows.append(f'<tr><th scope="row">cleanup: the account left as found</th>{cells}</tr>')
    verdict = "PASSED" if result.passed else "FAILED"
    page = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Device matrix: {verdict}</title><style>
body{{font-family:system-ui,sans-serif;margin:1.5rem}}table{{border-collapse:collapse}}
th,td{{border:1px solid #d6dbe1;padding:.35rem .6rem;text-align:left}}
td{{text-align:center;font-weight:700}}.passed{{color:#1e7b34}}.failed{{color:#b3261e;
background:#fde0de}}.skipped{{color:#5a6473}}</style></head><body>
<h1>2-Step Verification procedure × device: {verdict}</h1>
<table><thead><tr><th scope="col">step</th>{head}</tr></thead><tbody>{''.join(rows)}</tbody>
</table></body></html>
"""
    index = report / "matrix.html"
    write_text(index, page)
    return index


def add_matrix_parser(commands: argparse._SubParsersAction,
                      add_target_options: Callable[[argparse.ArgumentParser], None]) -> None:
    """Register ``matrix`` with the CLI."""
    matrix = commands.add_parser(
        "matrix", help="run the procedure on every device; print a step × device table",
        description="Run the whole procedure as each device (desktop, HiDPI 2x/3x, dark scheme, "
                    "Pixel 7, iPhone 14, all in Chromium). Exit 0 when every device passed.")
    add_target_options(matrix)
    matrix.set_defaults(device=None)  # so that an explicit `--device Desktop` is told apart
    matrix.add_argument("--devices", default=None,
                        help=f"comma-separated device names (default: {', '.join(MATRIX)}; "
                             "--device NAME runs that one device)")
    matrix.add_argument("--report", type=Path, default=DEFAULT_MATRIX_REPORT,
                        help=f"folder for matrix.html/json and one report per device "
                             f"(default {DEFAULT_MATRIX_REPORT})")
    matrix.add_argument("--no-evidence", action="store_true", help="skip screenshots")


def devices_asked(args: argparse.Namespace) -> list[str] | None:
    """The devices the matrix runs: ``--devices`` (default the whole matrix) or the one
    ``--device`` (shared with ``run``, honoured even when it names the default); ``None`` when
    both were given."""
    if args.devices is not None and args.device is not None:
        return None
    return parse_devices(args.devices) if args.device is None else [args.device]


def matrix_command(args: argparse.Namespace) -> int:
    """Run the matrix, print progress and the table, write the reports."""
    from e2e.browser.session import open_console

    devices = devices_asked(args)
    if devices is None:
        safe_print("error: give either --devices LIST or --device NAME, not both", file=sys.stderr)
        return 2

    def progress(device: str, step: StepResult) -> None:
        if step.status != PASSED:
            safe_print(f"  {device}: step {step.id} {step.status}: "
                       f"{(step.error or '').splitlines()[0]}")

    with open_console(base_url=args.base_url, lang=args.lang, labels_file=args.labels,
                      devices=devices, headed=args.headed, browser_ws=args.browser_ws,
                      cdp_url=args.cdp) as console:
        print(f"device matrix on {console.target.describe()}: {', '.join(devices)}")
        result = run_matrix(console, devices, args.report, evidence=not args.no_evidence,
                            on_step=progress)
    index = write_matrix_report(result, args.report)
    print(format_table(result))
    for device, run in result.runs.items():
        if run.cleanup is not None and not run.cleanup["ok"]:
            print(f"{device}:")
            print_cleanup(run.cleanup, prefix="  ")
    print(("all devices passed" if result.passed else "FAILED on some devices") + f"; {index}")
    return 0 if result.passed else 1
