"""Every app the process builds shares the compiled templates, and a changed one is compiled
again (the unit tests build an app per test; compiling was a tenth of their time)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2
import pytest

from mock_console import create_app


def compiled_while(monkeypatch: pytest.MonkeyPatch, render: Callable[[], object]) -> list[str]:
    """The templates Jinja compiled from source while ``render()`` ran."""
    compiled: list[str] = []
    original = jinja2.Environment.compile

    def counting(self: jinja2.Environment, source: str, name: str | None = None,
                 *args: Any, **kwargs: Any) -> Any:
        compiled.append(name or "")
        return original(self, source, name, *args, **kwargs)

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    render()
    return compiled


def test_a_second_app_renders_without_compiling_and_an_edit_is_compiled_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given an app that has rendered the sign-in page
    first = create_app({"DATABASE": str(tmp_path / "a.sqlite3"), "SECRET_KEY": "k"})
    assert b"<form" in first.test_client().get("/signin").data

    # When another app renders it, Then nothing is compiled again
    second = create_app({"DATABASE": str(tmp_path / "b.sqlite3"), "SECRET_KEY": "k"})
    assert compiled_while(monkeypatch, lambda: second.test_client().get("/signin")) == []

    # And a template whose source changed is compiled from its new source
    env = second.jinja_env
    name = "edited.html"
    env.loader = jinja2.DictLoader({name: "one"})
    assert env.get_template(name).render() == "one"
    assert env.cache is not None
    env.cache.clear()  # the environment's own cache of loaded templates, not the shared one
    env.loader = jinja2.DictLoader({name: "two"})
    assert compiled_while(monkeypatch, lambda: env.get_template(name).render()) == [name]
    assert env.get_template(name).render() == "two"
