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


ROOT = PACKAGE.parent
# Support code whose job is to run the CLI (as a user would, or in-process to spy on it)
CLI_RUNNERS = {"tests/support/cli.py", "tests/support/secrets_seen.py"}


def test_no_fixture_conftest_benchmark_or_example_imports_the_cli() -> None:
    # What sets tests up (conftests, shared support code), the benchmarks and the examples
    # build on the harness's modules, as a QA team's suite does; only tests of the CLI and the
    # support code that runs it may import it
    paths = [ROOT / "conftest.py", *(ROOT / "tests").rglob("conftest.py"),
             *(ROOT / "tests" / "support").rglob("*.py"), *(ROOT / "bench").rglob("*.py"),
             *(ROOT / "examples").rglob("*.py")]
    importers = sorted(rel for path in paths
                       if (rel := path.relative_to(ROOT).as_posix()) not in CLI_RUNNERS
                       and any(map(in_cli, imports_of(path))))
    assert importers == []
