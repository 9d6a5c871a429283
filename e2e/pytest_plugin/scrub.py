"""Keep secrets out of what pytest reports: failure text, captured output, skip reasons, JUnit.

A failing Playwright assertion quotes what it received (an element's text, an aria snapshot of
the page), and a failure a step before the harness reads the key or the Recovery Code quotes it
before it is registered. So each test report is scrubbed where it is made: every registered
secret, anything shaped like a key or a Recovery Code, and any otpauth URI become
``[redacted]``. Under pytest-xdist that happens in the worker, which knows the secrets, before
the report travels to the controller that writes ``--junitxml`` and the terminal summary.
"""

from __future__ import annotations

import re

import pytest

from e2e.evidence.masking import SECRET_SHAPED
from e2e.evidence.redaction import REDACTED, redact

OTPAUTH_URI = re.compile(r"otpauth://[^\s'\"<>]+", re.IGNORECASE)


def scrub(text: str) -> str:
    """``text`` without a registered secret, a secret-shaped string or an otpauth URI."""
    return OTPAUTH_URI.sub(REDACTED, SECRET_SHAPED.sub(REDACTED, redact(text)))


def scrub_report(report: pytest.TestReport) -> None:
    """Scrub a test report in place: its failure or skip text and its captured sections."""
    longrepr = report.longrepr
    if isinstance(longrepr, tuple):  # a skip: (path, line, reason)
        path, line, reason = longrepr
        report.longrepr = (path, line, scrub(reason))
    elif longrepr is not None:
        text = str(longrepr)
        clean = scrub(text)
        if clean != text:  # only then lose the structured form (colours, the crash line)
            report.longrepr = clean
    report.sections = [(title, scrub(content)) for title, content in report.sections]
