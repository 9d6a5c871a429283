"""The README tells the truth about what the project has."""

from __future__ import annotations

from pathlib import Path

from mock_console.faults import CATALOGUE

README = (Path(__file__).resolve().parents[2] / "README.md").read_text("utf-8")


def test_readme_documents_every_fault_switch() -> None:
    missing = [name for name in CATALOGUE if f"`{name}`" not in README]
    assert not missing, f"README's fault table lacks {missing}"


def test_readme_starts_with_the_two_commands() -> None:
    first_block = README.split("```", 2)[1]
    assert "make run" in first_block and "make test" in first_block


def test_readme_names_a_browser_test_for_every_rule() -> None:
    from e2e.rules import RULES

    rows = README.split("### Every rule, proven in the browser", 1)[1].split("###", 1)[0]
    missing = [rule for rule in RULES if f"| `{rule}` |" not in rows]
    assert not missing, f"the README's rule table lacks {missing}"
    for path in {word.strip("`() ,") for word in rows.split() if word.startswith("`tests/")}:
        assert (Path(__file__).resolve().parents[2] / path).exists(), path
