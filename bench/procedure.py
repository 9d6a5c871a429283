"""Benchmark: the article's procedure through the harness against the same clicks, bare.

Why: every click the harness makes also goes through a page object, checks the labels the
article quotes, proves outcomes (Account Information's status, the console's stored state and
audit events) and, when asked, takes a screenshot per step. Users will only run the suite on every
release if that costs little over the clicks themselves. So the same clicks are written here as a
bare Playwright script, with no page objects, no evidence and no checks beyond what the next click
needs, and both run against one embedded mock, interleaved, in one browser, a fresh context and a
fresh account per run. The goal is harness/bare <= 1.15 with evidence off; the harness with
evidence on (full-page screenshots into a temporary folder) is the third variant, its cost given
as a ratio and in seconds.

Both variants read the QR code the same way: a screenshot of the QR element decoded with
``e2e.qr.decode_qr`` (the harness's own capture adds a few pixels of margin); both compute codes
at the console's time and move the mock's clock exactly when the harness's authenticator would
(a code with under 3 s left, or a step already used).
"""

from __future__ import annotations

import math
import re
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pyotp
import requests
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from bench.common import (
    BenchError,
    Figure,
    Stopwatch,
    base_parser,
    check_counts,
    interleave,
    machine_info,
    median,
    print_figures,
    reproduce_command,
    rounded,
    spread,
    write_result,
)
from e2e.browser.devices import DESKTOP, context_options
from e2e.browser.launch import launch_args
from e2e.browser.session import apply_console_wait, browser_locale
from e2e.labels import Labels, load_labels
from e2e.qr import decode_qr
from e2e.runner import run_procedure
from e2e.target import Credentials, MockTarget, Target

NAME = "procedure"
MODULE = f"bench.{NAME}"
DEFAULT_REPS = 7
PERIOD = 30
MARGIN = 3.0  # seconds a code must have left, as e2e.authenticator.Authenticator's default
STEP_SAFETY = 0.5  # land this far inside the next step, as MockTarget.next_step does
HTTP_TIMEOUT = 15
GOAL = 1.15
QR_METHOD = ("decode_qr on a screenshot of the QR element (both variants); the code from pyotp "
             "at the console's time (GET /__test__/clock)")


# -- the browser both variants share ------------------------------------------------------------

@contextmanager
def chromium() -> Iterator[tuple[Playwright, Browser]]:
    """Launch the Chromium the harness uses (Playwright's, else the system's), headless."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(**launch_args(playwright=playwright))
        try:
            yield playwright, browser
        finally:
            browser.close()


@contextmanager
def fresh_page(playwright: Playwright, browser: Browser, labels: Labels, target: Target
               ) -> Iterator[Page]:
    """Open a fresh context (no cookies, no cache) as the article's desktop, like a CLI run."""
    options = {**context_options(playwright.devices, DESKTOP),
               "locale": browser_locale(labels.lang)}
    context = browser.new_context(**options)
    apply_console_wait(context, target)
    try:
        yield context.new_page()
    finally:
        context.close()


def run_harness(page: Page, target: Target, labels: Labels, account: Credentials,
                evidence_dir: Path | None, steps: dict[str, list[float]] | None = None) -> float:
    """Run the documented procedure through the harness; return its seconds (it must pass).

    Each step's own seconds are appended to ``steps`` (by step id): where the time goes.
    """
    with Stopwatch() as watch:
        result = run_procedure(page, target, labels, account=account, evidence_dir=evidence_dir)
    if not result.passed:
        failed = result.failed_step
        raise BenchError(f"the harness's run failed, so its time means nothing: "
                         f"{failed.error if failed else 'no steps ran'}")
    if steps is not None:
        for step in result.steps:
            steps.setdefault(step.id, []).append(step.seconds)
    return watch.seconds


# -- the same clicks, bare ----------------------------------------------------------------------

class BareClock:
    """The mock's clock through its test API, and codes as an authenticator app computes them.

    Mirrors what the harness's authenticator does, no more: a code from a step later than any
    used, with at least MARGIN seconds left, advancing the mock's clock to the next step when not.
    """

    def __init__(self, base_url: str, secret: str) -> None:
        self.url = base_url.rstrip("/") + "/__test__/clock"
        self.totp = pyotp.TOTP(secret)
        self.last_step = -1

    def now(self) -> float:
        response = requests.get(self.url, timeout=HTTP_TIMEOUT)
        response.raise_for_status()
        return float(response.json()["now"])

    def fresh_code(self) -> str:
        now = self.now()
        step = math.floor(now / PERIOD)
        if step <= self.last_step or (step + 1) * PERIOD - now < MARGIN:
            boundary = max(step, self.last_step) * PERIOD + PERIOD
            response = requests.post(self.url, json={"advance": boundary - now + STEP_SAFETY},
                                     timeout=HTTP_TIMEOUT)
            response.raise_for_status()
            now = float(response.json()["now"])
            step = math.floor(now / PERIOD)
        self.last_step = step
        return self.totp.at(now)

    def wrong_code(self) -> str:
        """A well-formed code from a thousand steps ahead, not valid near the console's time."""
        now = self.now()
        valid = {self.totp.at(now + d * PERIOD) for d in range(-2, 3)}
        code = self.totp.at(now + 1000 * PERIOD)
        return code if code not in valid else f"{(int(code) + 1) % 10**6:06d}"


def at_path(path: str) -> re.Pattern[str]:
    """Match a URL whose path is ``path`` (a GET form's submit leaves an empty ``?`` behind)."""
    return re.compile(rf"^https?://[^/]+{re.escape(path)}(\?.*)?$")


def bare_procedure(page: Page, base_url: str, labels: Labels, account: Credentials) -> None:
    """The clicks the procedure makes (1.1 to 3.5), as a plain script would write them.

    Where the next click's target is also on the current page (the user menu, "Turn off"), the
    script waits for the new URL first; that is what such a click needs, not a check.
    """
    label = page.get_by_label
    role = page.get_by_role

    def sign_in() -> None:
        page.goto(base_url)
        label(labels.username, exact=True).fill(account.username)
        label(labels.password, exact=True).fill(account.password)
        role("button", name=labels.signin_button, exact=True).click()

    def open_menu() -> None:
        toggle = role("button", name=account.username, exact=True)
        toggle.wait_for()
        page.wait_for_load_state("load")  # the menu's script binds the toggle by then
        toggle.click()

    def account_setting() -> None:
        open_menu()
        role("link", name=labels.account_setting, exact=True).click()
        page.wait_for_url(at_path("/account"))

    def sign_out() -> None:
        open_menu()
        role("button", name=labels.sign_out, exact=True).click()
        page.wait_for_url(at_path("/signin"))

    sign_in()  # 1.1
    open_menu()  # 2.1
    role("link", name=labels.account_setting, exact=True).click()
    role("link", name=labels.set_up_link, exact=True).click()  # 2.2
    role("button", name=labels.change_button, exact=True).click()  # 2.3
    role("button", name=labels.set_up_button, exact=True).click()  # 2.4
    png = role("img", name=labels.qr_image, exact=True).screenshot()  # 2.5
    secret = parse_qs(urlsplit(decode_qr(png)).query)["secret"][0]
    codes = BareClock(base_url, secret)
    label(labels.code_label, exact=True).fill(codes.fresh_code())  # 2.6
    role("button", name=labels.turn_on_button, exact=True).click()
    page.wait_for_url(at_path("/account/security/2sv/enabled"))  # 2.7
    account_setting()
    sign_out()
    sign_in()
    code_field = label(labels.code_label, exact=True)
    code_field.fill(codes.wrong_code())
    role("button", name=labels.verify_button, exact=True).click()
    role("alert").wait_for()
    code_field.fill(codes.fresh_code())
    role("button", name=labels.verify_button, exact=True).click()
    open_menu()  # 3.1
    role("link", name=labels.account_setting, exact=True).click()
    role("link", name=labels.disable_link, exact=True).click()
    role("button", name=labels.change_button, exact=True).click()  # 3.2
    role("button", name=labels.turn_off_button, exact=True).click()  # 3.3
    page.wait_for_url(at_path("/account/security/2sv/turn-off"))
    role("button", name=labels.turn_off_confirm_button, exact=True).click()  # 3.4
    page.wait_for_url(at_path("/account/security/2sv/disabled"))
    account_setting()  # 3.5
    sign_out()
    sign_in()
    account_setting()


def run_bare(page: Page, target: Target, labels: Labels, account: Credentials) -> float:
    """Run the bare script; return its seconds."""
    with Stopwatch() as watch:
        bare_procedure(page, target.base_url, labels, account)
    return watch.seconds


# -- the benchmark ------------------------------------------------------------------------------

def measure(reps: int, warmup: int, evidence: bool = True) -> dict[str, Any]:
    """Run the variants interleaved; return samples, figures and what was measured."""
    labels = load_labels("en")
    steps: dict[str, dict[str, list[float]]] = {"harness": {}, "evidence": {}}
    with MockTarget.start() as target, chromium() as (playwright, browser), \
            tempfile.TemporaryDirectory(prefix="bench-evidence-") as evidence_root:

        def variant(kind: str) -> Any:
            def sample(rep: int) -> float:
                account = target.new_account()  # untimed: a fresh account per run
                with fresh_page(playwright, browser, labels, target) as page:
                    if kind == "bare":
                        return run_bare(page, target, labels, account)
                    folder = Path(evidence_root) / f"run-{rep}" if kind == "evidence" else None
                    return run_harness(page, target, labels, account, folder,
                                       steps[kind] if rep >= 0 else None)
            return sample

        names = {"bare": "bare script", "harness": "harness, evidence off",
                 "evidence": "harness, evidence on"}
        kinds = ["bare", "harness", *(["evidence"] if evidence else [])]
        samples = interleave({names[k]: variant(k) for k in kinds}, reps, warmup)
        version = browser.version
    return {"samples": samples, "names": names, "kinds": kinds, "chromium": version,
            "steps": {names[k]: v for k, v in steps.items() if v}}


def build_result(measured: dict[str, Any], reps: int, warmup: int, command: str
                 ) -> dict[str, Any]:
    """Turn samples into medians, ratios and the README's figures."""
    samples, names = measured["samples"], measured["names"]
    med = {name: median(values) for name, values in samples.items()}
    bare, harness = med[names["bare"]], med[names["harness"]]
    figures = [
        Figure(f"procedure, {names['bare']}", bare, "s", reps),
        Figure.against(f"procedure, {names['harness']}", harness, "s", reps,
                       names["bare"], bare, note=f"goal <= {GOAL}"),
    ]
    ratios = {"harness/bare": figures[1].ratio}
    extra: dict[str, Any] = {}
    if "evidence" in measured["kinds"]:
        with_evidence = med[names["evidence"]]
        figures.append(Figure.against(f"procedure, {names['evidence']}", with_evidence, "s", reps,
                                      names["harness"], harness,
                                      note=f"+{with_evidence - harness:.2f} s for evidence"))
        ratios["evidence_on/evidence_off"] = figures[-1].ratio
        ratios["evidence_on/bare"] = with_evidence / bare if bare else None
        extra["evidence_cost_seconds"] = with_evidence - harness
    return {
        "benchmark": NAME,
        "title": "The article's procedure: harness against a bare Playwright script",
        "command": command,
        "reps": reps,
        "warmup": warmup,
        "order": "interleaved, repeated: " + " | ".join(names[k] for k in measured["kinds"]),
        "timed": "from the first click to the end of step 3.5 (a fresh context and a fresh "
                 "account per run are made before the clock starts)",
        "qr_code": QR_METHOD,
        "target": "embedded mock console (MockTarget.start), one for all runs",
        "samples": rounded(samples),
        "medians": med,
        "spread": {name: spread(values) for name, values in samples.items()},
        "step_medians": {name: {step: round(median(v), 4) for step, v in by_step.items()}
                         for name, by_step in measured["steps"].items()},
        "ratios": ratios,
        "goal": {"harness/bare": GOAL, "met": (ratios["harness/bare"] or math.inf) <= GOAL},
        **extra,
        "figures": figures,
        "machine": machine_info(measured["chromium"]),
    }


def main(argv: list[str] | None = None) -> int:
    parser = base_parser(MODULE, "Time the documented procedure through the harness against the "
                                 "same clicks as a bare Playwright script.", DEFAULT_REPS)
    parser.add_argument("--no-evidence-variant", action="store_true",
                        help="skip the third variant (the harness with evidence on)")
    argv = sys.argv[1:] if argv is None else argv
    args = parser.parse_args(argv)
    check_counts(parser, args)
    print(f"{MODULE}: {args.reps} reps per variant after {args.warmup} warm-up round(s)")
    measured = measure(args.reps, args.warmup, evidence=not args.no_evidence_variant)
    result = build_result(measured, args.reps, args.warmup, reproduce_command(MODULE, argv))
    print_figures(result["title"], result["figures"])
    path = write_result(NAME, args.results_dir, result)
    print(f"written: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
