"""The harness's modules form no import circle, and nothing imports the CLI (``e2e.cli``, a
package): it sits on top."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "e2e"


def imports_of(path: Path) -> set[str]:
    """Every e2e module ``path`` imports, at the top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("e2e"):
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("e2e")}
    return found


def module_graph() -> dict[str, set[str]]:
    modules = {
        ".".join(("e2e", *path.relative_to(PACKAGE).with_suffix("").parts)).removesuffix(
            ".__init__"): path for path in PACKAGE.rglob("*.py")}
    return {name: imports_of(path) & set(modules) - {name} for name, path in modules.items()}


def in_cli(name: str) -> bool:
    """Whether ``name`` is the CLI package or one of its modules."""
    return name == "e2e.cli" or name.startswith("e2e.cli.")


def test_nothing_imports_the_cli() -> None:
    # Only the CLI's own modules and ``python -m e2e`` import the CLI: it sits on top.
    importers = [name for name, deps in module_graph().items()
                 if any(map(in_cli, deps)) and not in_cli(name) and name != "e2e.__main__"]
    assert importers == []


def test_no_import_circle() -> None:
    graph = module_graph()
    circles = []

    def visit(name: str, trail: list[str]) -> None:
        for dep in sorted(graph[name]):
            if dep in trail:
                circles.append(" -> ".join([*trail[trail.index(dep):], dep]))
            elif dep not in done:
                visit(dep, [*trail, dep])
        done.add(name)

    done: set[str] = set()
    for start in sorted(graph):
        if start not in done:
            visit(start, [start])
    assert circles == []
