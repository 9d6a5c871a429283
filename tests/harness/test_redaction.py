"""No registered secret survives into text the harness writes; console text cannot drive the
terminal, break JUnit's XML or become a Markdown link."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest

from e2e.evidence.redaction import (
    REDACTED,
    forget_secrets,
    printable,
    redact,
    register_secret,
    write_text,
    xml_text,
)
from e2e.reports.markdown import escape
from e2e.target import Credentials, TwoStepTurnedOn

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
URI = f"otpauth://totp/HENNGE%20Cloud%20Protection:admin%40example.com?secret={SECRET}&issuer=X"
RECOVERY = "k7q2-9dmx-4tfa-1pzr"


@pytest.fixture(autouse=True)
def _no_secrets_before_or_after() -> Iterator[None]:
    forget_secrets()
    yield
    forget_secrets()


@pytest.mark.parametrize("spelling", [
    SECRET, SECRET.lower(), "JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP", URI, RECOVERY,
    RECOVERY.replace("-", ""), RECOVERY.upper().replace("-", ""),
])
def test_every_spelling_of_a_registered_secret_is_redacted(spelling: str) -> None:
    register_secret(URI, SECRET, RECOVERY)
    text = redact(f"step 2.6 failed: the page shows {spelling} and more")
    assert spelling not in text and REDACTED in text and text.endswith("and more")


def test_credentials_register_the_password_and_hide_it_from_repr() -> None:
    account = Credentials("admin@example.com", "correct horse battery")
    assert "correct horse" not in repr(account)
    assert redact("typed correct horse battery then") == f"typed {REDACTED} then"
    assert redact("typed correct%20horse%20battery") == f"typed {REDACTED}"


def test_two_step_turned_on_registers_its_secrets_and_hides_them_from_repr() -> None:
    turned_on = TwoStepTurnedOn(URI, RECOVERY, 59_000_000)
    assert SECRET not in repr(turned_on) and RECOVERY not in repr(turned_on)
    assert "59000000" in repr(turned_on)
    assert SECRET not in redact(f"key {SECRET}, code {RECOVERY}")
    assert RECOVERY not in redact(f"key {SECRET}, code {RECOVERY}")


def test_a_secret_registered_after_a_redaction_is_redacted_too() -> None:
    # (the pattern is rebuilt when needed, not at each registration)
    register_secret(SECRET)
    assert redact(f"a {SECRET}") == f"a {REDACTED}"
    register_secret(RECOVERY)
    assert redact(f"{SECRET} {RECOVERY} b") == f"{REDACTED} {REDACTED} b"
    forget_secrets()
    assert redact(f"a {SECRET}") == f"a {SECRET}"


def test_short_values_are_not_registered_so_words_survive() -> None:
    register_secret("on", "", None)
    assert redact("turned on") == "turned on"


def test_write_text_redacts_what_reaches_the_file(tmp_path: Path) -> None:
    register_secret(SECRET)
    write_text(tmp_path / "r.json", f'{{"error": "key {SECRET}"}}')
    assert SECRET not in (tmp_path / "r.json").read_text()


def test_printable_removes_escape_sequences_and_control_characters() -> None:
    hostile = "Sign in\x1b[2J\x1b]0;pwned\x07\x1b[31m now\x08\x00\nnext\tcol"
    assert printable(hostile) == "Sign in now\nnext\tcol"


def test_xml_text_keeps_junit_parseable() -> None:
    body = xml_text("<a>" + "bad \x01\x0b\x1f char \ufffe ok ü 日本" + "</a>")
    assert ET.fromstring(body).text == "bad  char  ok ü 日本"


@pytest.mark.parametrize("hostile", [
    "![logo](https://evil.example/x.png)", "[click](http://evil.example)",
    "[x]: http://evil.example", "see www.evil.example now", "<http://evil.example>",
])
def test_console_text_cannot_become_a_markdown_link_or_image(hostile: str) -> None:
    escaped = escape(hostile)
    for form in ("](", "![", "]:", "://", "www.", "<http"):  # none left without a backslash
        assert re.search(r"(?<!\\)" + re.escape(form), escaped) is None, escaped


def test_the_articles_own_brackets_stay_readable() -> None:
    assert escape("Click on [Set up] (HENNGE Lock)") == "Click on [Set up] (HENNGE Lock)"
