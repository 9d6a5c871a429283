"""The data the harness ships inside its package: label catalogues and the help article.

Read through ``importlib.resources``, so an installed wheel finds them from any working folder,
not only from a checkout.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from e2e.errors import HarnessError

ARTICLE_NAME = "two-step-verification"


def shipped(*parts: str) -> Path:
    """Return the path of a file (or folder) shipped under ``e2e/data``.

    A wheel installs as plain files, so the resource is a real path the reports can name; a
    package imported from a zip archive has none, and is refused saying so.
    """
    resource = files(__name__).joinpath(*parts)
    if not isinstance(resource, Path):
        raise HarnessError(f"the harness's data ({resource}) is not on the file system; install "
                           "the package unzipped (pip install does)")
    return resource


def labels_path(lang: str) -> Path:
    """Return where the shipped label catalogue of ``lang`` is (it may not exist)."""
    return shipped("labels", f"{lang}.json")


def shipped_languages() -> list[str]:
    """Return the languages that have a shipped label catalogue."""
    return sorted(p.stem for p in shipped("labels").glob("*.json"))


def article_path(lang: str = "en", suffix: str = ".txt") -> Path:
    """Return where the shipped help article of ``lang`` is (it may not exist)."""
    name = ARTICLE_NAME if lang == "en" else f"{ARTICLE_NAME}.{lang}"
    return shipped("articles", f"{name}{suffix}")
