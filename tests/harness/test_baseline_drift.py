"""`python -m e2e run --baseline DIR`: unchanged screens stay quiet run after run (new account,
QR code, key and Recovery Code each time), and a changed text is caught at exactly the steps
that show it, with a diff picture.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

from e2e.cli.main import EXIT_DRIFT
from e2e.evidence.baseline import SHARE_THRESHOLD
from e2e.evidence.capture import per_run_boxes
from e2e.labels import Labels
from e2e.procedure import step_ids
from e2e.target import MockTarget
from tests.support.browser_suite import once_per_session
from tests.support.cli import run_e2e

CODE_HINT = "6 digits, for example 081804 or 081 804."  # under the code field: 2.5 and 2.6
SECURITY_INTRO = "Settings that protect how you sign in to the Admin Console."  # 2.3 and 3.2
CLEAN_RUNS = 5  # the first in `make test`; the repeats, which hunt flakes, in `make test-slow`


def run_cli(*args: str) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    """Run `python -m e2e run` as a writer would; return it and its report.json."""
    report = Path(args[args.index("--report") + 1])
    done = run_e2e("run", *args)
    data = json.loads((report / "report.json").read_text("utf-8")) if report.exists() else {}
    return done, data


@pytest.fixture(scope="session")
def baseline_run(private_mock: MockTarget,
                 tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """Make a baseline folder (it does not exist yet) from one run against a private mock, once
    for the whole test run (the parallel workers share it); return it and the run's account."""
    def make(folder: Path) -> dict[str, Any]:
        done, data = run_cli("--base-url", private_mock.base_url,
                             "--report", str(folder / "first-report"),
                             "--baseline", str(folder / "baseline"), "--update-baseline")
        return {"returncode": done.returncode, "stdout": done.stdout, "stderr": done.stderr,
                "no_baseline": data.get("baseline", {}).get("no_baseline"),
                "account": data.get("account")}

    folder, made = once_per_session(tmp_path_factory, "drift-baseline", make)
    assert made["returncode"] == 0, made["stdout"] + made["stderr"]
    assert made["no_baseline"] == step_ids()  # listed, not a failure
    assert f"baseline updated: {len(step_ids())} screenshots" in made["stdout"]
    return folder / "baseline", made["account"]


@pytest.fixture(scope="module")
def baseline(baseline_run: tuple[Path, str]) -> Path:
    """The baseline folder kept from the first run."""
    return baseline_run[0]


@pytest.mark.parametrize("run", [1, *(pytest.param(n, marks=pytest.mark.slow)
                                      for n in range(2, CLEAN_RUNS + 1))])
def test_unchanged_screens_raise_no_false_alarm_run_after_run(
    private_mock: MockTarget, baseline_run: tuple[Path, str], tmp_path: Path, run: int
) -> None:
    # (five runs, one per test so parallel workers share them; each against the one baseline)
    baseline, baseline_account = baseline_run
    # When the procedure runs again: new account, QR code, key and Recovery Code
    done, data = run_cli("--base-url", private_mock.base_url, "--report", str(tmp_path),
                         "--baseline", str(baseline))

    # Then every screen compares unchanged, the masks holding the per-run content
    assert done.returncode == 0, done.stdout + done.stderr
    assert data["account"] != baseline_account  # a new account, so new secrets
    assert data["baseline"]["unchanged"] == step_ids(), done.stdout
    assert all(s["drift"]["share"] <= SHARE_THRESHOLD for s in data["steps"])
    assert "no screen changed (13 compared)" in done.stdout
    assert not list(tmp_path.glob("*-diff.png"))


@pytest.mark.needs_test_api
def test_a_renamed_text_is_caught_at_exactly_the_steps_that_show_it(
    faults: MockTarget, baseline: Path, tmp_path: Path
) -> None:
    # Given the hint under the code field says something else now
    faults.enable_fault("rename_label", **{"from": CODE_HINT, "to": "Enter six digits."})

    # When the procedure runs against the baseline
    done, data = run_cli("--base-url", faults.base_url, "--report", str(tmp_path),
                         "--baseline", str(baseline))

    # Then the run passes (drift alone is no failure) and exactly 2.5 and 2.6 changed
    assert done.returncode == 0, done.stdout + done.stderr
    assert data["passed"] is True
    assert data["baseline"]["changed"] == ["2.5", "2.6"]
    for step in ("2.5", "2.6"):
        drift = next(s["drift"] for s in data["steps"] if s["id"] == step)
        assert drift["share"] > SHARE_THRESHOLD and (tmp_path / drift["diff"]).is_file()
        assert f"{step}  changed: {drift['share']:.3%} of pixels changed" in done.stdout
    assert "2 of 13 screens changed" in done.stdout
    page = (tmp_path / "index.html").read_text("utf-8")
    assert '<a href="#step-2.5">2.5</a> changed' in page
    assert page.count("What changed (red, over the baseline)") == 2


@pytest.mark.needs_test_api
def test_fail_on_drift_exits_3_when_the_steps_pass_but_a_screen_changed(
    faults: MockTarget, baseline: Path, tmp_path: Path
) -> None:
    faults.enable_fault("rename_label", **{"from": SECURITY_INTRO, "to": "How you sign in."})

    done, data = run_cli("--base-url", faults.base_url, "--report", str(tmp_path),
                         "--baseline", str(baseline), "--fail-on-drift")

    assert done.returncode == EXIT_DRIFT, done.stdout + done.stderr
    assert data["passed"] is True
    assert data["baseline"]["changed"] == ["2.3", "3.2"]  # the Security Settings screens


def test_per_run_content_is_found_as_a_user_finds_it(page: Page, labels: Labels) -> None:
    # Given a screen with a QR code, a key, the account name in the banner, a menu and a table
    name = "admin-0123456789@example.com"
    page.set_content(f"""<body style="margin:0;font:16px sans-serif">
      <header><nav style="display:flex;justify-content:end;gap:8px;width:600px">
        <span>Language</span><button>{name}</button></nav></header>
      <main><img alt="{labels.qr_image}" width="100" height="100" src="data:image/gif;base64,
        R0lGODlhAQABAAAAACw=">
      <div role="group" aria-labelledby="k"><p>Enter this key instead:</p>
        <p><span id="k" hidden>{labels.manual_key}</span><code>ABCD EFGH</code></p></div>
      <table style="width:500px"><tr><th>Username</th><td>{name}</td></tr>
        <tr><th>2-Step Verification</th><td>Off</td></tr></table></main></body>""")

    boxes = per_run_boxes(page, labels, name)

    def box_of(selector: str) -> dict[str, float]:
        found = page.locator(selector).bounding_box()
        assert found is not None
        return {k: round(v, 2) for k, v in found.items()}

    # Then the QR code and the key (not the words around it) are masked
    assert box_of("img") in boxes
    assert box_of("code") in boxes
    assert box_of("div[role=group]") not in boxes
    # And the name with what its length moves: the banner row, the table's name column
    assert box_of("nav") in boxes
    column = [box_of("td >> nth=0"), box_of("td >> nth=1")]
    assert {"x": column[0]["x"], "y": column[0]["y"], "width": column[0]["width"],
            "height": column[1]["y"] + column[1]["height"] - column[0]["y"]} in boxes
