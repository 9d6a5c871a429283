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
