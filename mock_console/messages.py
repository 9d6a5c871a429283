"""Every string the console shows, from one message catalogue per language.

The English labels are the help article's own words, spelling inconsistencies included ("2-Step"
and "2 Step"): they are what the documentation says the screens show. The Japanese catalogue
(``ja.json``) is what the Japanese article quotes in ［ ］; it has the same keys and placeholders.
"""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from typing import Any

from flask import current_app, g, request, session

CATALOGUE_DIR = files(__package__ or "mock_console").joinpath("messages")  # package data
DEFAULT_LANGUAGE = "en"


@cache
def catalogue(lang: str) -> dict[str, str]:
    """Return the message catalogue of ``lang`` (falls back to English for missing keys)."""
    messages = json.loads((CATALOGUE_DIR / f"{DEFAULT_LANGUAGE}.json").read_text("utf-8"))
    if lang != DEFAULT_LANGUAGE:
        messages.update(json.loads((CATALOGUE_DIR / f"{lang}.json").read_text("utf-8")))
    return messages


def languages() -> list[str]:
    """Return the language codes that have a catalogue, English first."""
    return list(_catalogued_languages())


@cache
def _catalogued_languages() -> tuple[str, ...]:
    """The catalogues ship with the package: read the folder once, not at every request."""
    names = (p.name.removesuffix(".json") for p in CATALOGUE_DIR.iterdir()
             if p.name.endswith(".json"))
    others = sorted(name for name in names if name != DEFAULT_LANGUAGE)
    return (DEFAULT_LANGUAGE, *others)


def choose_language() -> str:
    """Pick the language of this request: ``?lang=``, then the session, then Accept-Language."""
    available = languages()
    asked = request.args.get("lang", "").strip().lower().replace("_", "-")
    if asked not in available:
        asked = asked.split("-")[0]  # ?lang=ja-JP means Japanese
    if asked in available:
        session["lang"] = asked
        return asked
    if session.get("lang") in available:
        return session["lang"]
    return request.accept_languages.best_match(available) or DEFAULT_LANGUAGE


def translate(key: str, *, in_lang: str | None = None, **params: Any) -> str:
    """Return the message ``key`` in this request's language (or ``in_lang``, e.g. to name each
    language in its own words on the language switch), with ``params`` filled in."""
    text = catalogue(in_lang or getattr(g, "lang", DEFAULT_LANGUAGE))[key]
    if params:
        text = text.format(**params)
    return current_app.extensions["mock_console"].policy.label(text)
