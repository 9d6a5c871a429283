"""The one base class of every error the harness raises on purpose.

A user's suite (or the CLI) can catch ``HarnessError`` to tell "the harness explained what went
wrong" from a bug. Each subclass keeps the built-in base it always had (``ValueError``,
``RuntimeError``, ``AssertionError``), so existing ``except`` clauses keep working.
"""

from __future__ import annotations


class HarnessError(Exception):
    """An error whose message says what went wrong and what to do about it."""
