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
from typing import Any

import pytest

from e2e.evidence.masking import SECRET_SHAPED
from e2e.evidence.redaction import REDACTED, redact

OTPAUTH_URI = re.compile(r"otpauth://[^\s'\"<>]+", re.IGNORECASE)


def scrub(text: str) -> str:
    """``text`` without a registered secret, a secret-shaped string or an otpauth URI."""
    return OTPAUTH_URI.sub(REDACTED, SECRET_SHAPED.sub(REDACTED, redact(text)))


def scrub_report(report: pytest.TestReport) -> None:
    """Scrub a test report in place: its failure or skip text and its captured sections.

    The failure keeps its structure (the crash line a security rule's name is prefixed to,
    which JUnit's ``message`` and the self-test read; the colours), its strings scrubbed.
    """
    longrepr = report.longrepr
    if isinstance(longrepr, tuple):  # a skip: (path, line, reason)
        path, line, reason = longrepr
        report.longrepr = (path, line, scrub(reason))
    elif isinstance(longrepr, str):
        report.longrepr = scrub(longrepr)
    elif longrepr is not None:
        _scrub_parts(longrepr, set())
    report.sections = [(title, scrub(content)) for title, content in report.sections]


def _scrub_parts(value: Any, seen: set[int]) -> Any:
    """``value`` with every string in it scrubbed: pytest's failure representations (traceback
    entries, locals, the crash line, extra sections) are changed in place."""
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, list):
        value[:] = [_scrub_parts(item, seen) for item in value]
        return value
    if isinstance(value, tuple):
        return tuple(_scrub_parts(item, seen) for item in value)
    if type(value).__module__.startswith("_pytest.") and hasattr(value, "__dict__") \
            and id(value) not in seen:
        seen.add(id(value))
        for name, part in list(vars(value).items()):
            object.__setattr__(value, name, _scrub_parts(part, seen))  # some are frozen
    return value
