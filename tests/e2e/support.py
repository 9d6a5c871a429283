"""Types the browser tests share with their conftest (a conftest itself is never imported)."""

from __future__ import annotations

from collections.abc import Callable

from e2e.target import MockTarget

# ``console_side(what)``: the mock that proves ``what`` through its test API, or None after
# recording that ``what`` went unchecked on this console (see tests/e2e/conftest.py).
ConsoleSide = Callable[[str], MockTarget | None]
