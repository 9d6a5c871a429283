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
    from e2e.checks.rules import RULES

    rows = README.split("### Every rule, proven in the browser", 1)[1].split("###", 1)[0]
    missing = [rule for rule in RULES if f"| `{rule}` |" not in rows]
    assert not missing, f"the README's rule table lacks {missing}"
    for path in {word.strip("`() ,") for word in rows.split() if word.startswith("`tests/")}:
        assert (Path(__file__).resolve().parents[2] / path).exists(), path


def own_suite_section() -> str:
    return README.split("## Use it in your own test suite", 1)[1].split("\n## ", 1)[0]


def test_readme_public_surface_is_importable() -> None:
    import importlib

    rows = [line for line in own_suite_section().splitlines() if line.startswith("| `e2e.")]
    assert rows, "the README lists no public surface"
    for row in rows:
        module, names = row.split("|")[1].split(":", 1)
        imported = importlib.import_module(module.strip(" `"))
        for name in (word.strip(" `,") for word in names.split(",")):
            assert hasattr(imported, name), f"README names {module.strip()}.{name}, which is gone"


def test_readme_example_test_compiles_and_uses_only_public_fixtures() -> None:
    import ast

    block = own_suite_section().split("```python\n", 1)[1].split("```", 1)[0]
    tree = ast.parse(block)
    fixtures = {"page", "target", "labels", "account", "authenticator", "mock", "tmp_path"}
    for test in (node for node in tree.body if isinstance(node, ast.FunctionDef)):
        asked = {arg.arg for arg in test.args.args}
        assert asked <= fixtures, f"{test.name} asks for {asked - fixtures}"
    exec(compile("\n".join(line for line in block.splitlines()  # noqa: S102 - the imports only
                           if line.startswith(("from ", "import "))), "README", "exec"), {})
