"""What the harness and the mock read at run time is package data, so the wheel carries it."""

from __future__ import annotations

import ast
import json
import re
import sys
import tomllib
from fnmatch import fnmatch
from importlib.metadata import packages_distributions
from pathlib import Path

from e2e.data import article_path, labels_path, shipped, shipped_languages
from e2e.labels import load_labels

ROOT = Path(__file__).resolve().parents[2]
PACKAGE_DATA = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"][
    "package-data"]
RUN_TIME_DATA = {"e2e": ("data",), "e2e.reports": ("*.css",),
                 "mock_console": ("templates", "static", "messages")}


def test_every_data_file_is_declared_package_data() -> None:
    undeclared = []
    for package, roots in RUN_TIME_DATA.items():
        base = ROOT.joinpath(*package.split("."))
        for root in roots:
            for path in base.glob(root) if "*" in root else (base / root).rglob("*"):
                name = path.relative_to(base).as_posix()
                if path.is_dir() or path.suffix in (".py", ".pyc") or "__pycache__" in name:
                    continue
                if not any(fnmatch(name, glob) for glob in PACKAGE_DATA[package]):
                    undeclared.append(f"{package}/{name}")
    assert not undeclared, f"not in [tool.setuptools.package-data]: {undeclared}"


def test_the_shipped_catalogues_and_articles_are_found_in_the_package() -> None:
    assert shipped_languages() == ["en", "ja"]
    for lang in shipped_languages():
        assert load_labels(lang).source == labels_path(lang)
        assert article_path(lang).is_file()
    assert shipped().is_relative_to(ROOT / "e2e")


def test_a_custom_catalogue_file_is_read_instead(tmp_path: Path) -> None:
    custom = tmp_path / "labels.json"
    custom.write_text(labels_path("en").read_text("utf-8").replace('"Change"', '"Edit"'), "utf-8")
    labels = load_labels("en", custom)
    assert labels.source == custom and "Edit" in labels.article.values()


def test_a_catalogue_without_a_key_split_later_falls_back_to_the_key_it_came_from(
    tmp_path: Path
) -> None:
    # A user's copy made before the sign-in code field got its own key still works
    shipped = json.loads(labels_path("en").read_text("utf-8"))
    del shipped["screen"]["signin_code_label"]
    old = tmp_path / "old.json"
    old.write_text(json.dumps(shipped), "utf-8")
    labels = load_labels("en", old)
    assert labels.signin_code_label == labels.code_label == shipped["article"]["code_label"]
    # and the shipped catalogues say both, so a console may word them apart
    assert load_labels("en").signin_code_label


SPLIT_FOR_CONSOLES_THAT_WORD_THEM_APART = {
    "turn_off_confirm_button": "turn_off_button", "recovery_verify_button": "verify_button",
    "account_two_step_row": "two_step_row", "turn_off_cancel": "cancel"}


def test_keys_split_from_a_shared_one_keep_its_words_and_fall_back_to_it(tmp_path: Path) -> None:
    # Every shipped catalogue says the split keys, in the words of the key each came from
    for lang in shipped_languages():
        labels = load_labels(lang)
        for key, origin in SPLIT_FOR_CONSOLES_THAT_WORD_THEM_APART.items():
            assert key in {**labels.article, **labels.screen}, (lang, key)
            assert labels[key] == labels[origin], (lang, key)
    # and a user's copy made before the split reads them from the key they came from
    shipped = json.loads(labels_path("en").read_text("utf-8"))
    for key in SPLIT_FOR_CONSOLES_THAT_WORD_THEM_APART:
        shipped["article"].pop(key, None)
        shipped["screen"].pop(key, None)
    old = tmp_path / "old.json"
    old.write_text(json.dumps(shipped), "utf-8")
    labels = load_labels("en", old)
    for key, origin in SPLIT_FOR_CONSOLES_THAT_WORD_THEM_APART.items():
        assert labels[key] == labels[origin] and labels.get(key) is not None


def test_every_package_the_harness_and_the_mock_import_is_a_declared_dependency() -> None:
    # A wheel installed into a fresh venv gets only what pyproject declares: an import that
    # works here through another package's dependency (jinja2 through Flask) is still declared
    declared = {re.split(r"[<>=!~ \[;]", spec, maxsplit=1)[0].lower().replace("_", "-")
                for spec in tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))[
                    "project"]["dependencies"]}
    distributions = packages_distributions()
    missing = set()
    for package in ("e2e", "mock_console"):
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text("utf-8"))):
                names = ([alias.name for alias in node.names] if isinstance(node, ast.Import)
                         else [node.module] if isinstance(node, ast.ImportFrom) and node.module
                         and not node.level else [])
                for name in names:
                    top = name.split(".")[0]
                    if top in sys.stdlib_module_names or top in ("e2e", "mock_console"):
                        continue
                    owners = {d.lower().replace("_", "-") for d in distributions.get(top, [top])}
                    if not owners & declared:
                        missing.add(f"{top} ({path.relative_to(ROOT)})")
    assert not missing, f"imported but not in [project] dependencies: {sorted(missing)}"
