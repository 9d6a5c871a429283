"""The procedure table covers every numbered step of the help article, with its labels."""

from __future__ import annotations

import re

import pytest

from e2e.data import article_path
from e2e.labels import load_labels
from e2e.procedure import PROCEDURE, STEPS_BY_ID, step_ids

ARTICLE = article_path("en")


def article_text() -> str:
    """Read the help article (the published text, shipped in e2e/data/articles/)."""
    return ARTICLE.read_text("utf-8")


def test_every_numbered_step_of_the_article_is_in_the_procedure_in_order() -> None:
    # Given the article's numbered steps ("2.3. Click on ...")
    numbered = re.findall(r"^(\d+\.\d+)\.\s", article_text(), flags=re.MULTILINE)
    # Then the procedure has exactly those, in the same order
    assert numbered == step_ids()
    assert len(numbered) >= 13


def test_every_label_a_step_names_is_quoted_by_the_article_at_that_step() -> None:
    labels = load_labels("en")
    steps_text = dict(re.findall(r"^(\d+\.\d+)\.\s+(.*)$", article_text(), flags=re.MULTILINE))
    for step in PROCEDURE:
        for key in step.labels:
            text = labels.article[key]
            quoted = re.findall(r"\[\s*(.*?)\s*\]", steps_text[step.id])
            in_article = text in quoted or text in steps_text[step.id] or text in article_text()
            assert in_article, f"step {step.id} names {text!r}, which the article never quotes"


def test_every_bracketed_string_of_the_numbered_steps_is_named_by_a_step_or_is_the_apps() -> None:
    labels = load_labels("en")
    named = {labels.article[key] for step in PROCEDURE for key in step.labels}
    app_only = {"Scan"}  # pressed in the authenticator app, not on the console
    for step_id, sentence in re.findall(r"^(\d+\.\d+)\.\s+(.*)$", article_text(), re.MULTILINE):
        for quoted in re.findall(r"\[\s*(.*?)\s*\]", sentence):
            assert quoted in named | app_only, f"step {step_id}: nothing checks {quoted!r}"


@pytest.mark.parametrize("step", PROCEDURE, ids=lambda s: s.id)
def test_each_step_has_its_parts_and_words(step) -> None:  # noqa: ANN001 - a Step
    assert step.text and step.section
    assert callable(step.show) and callable(step.act) and callable(step.check)
    assert STEPS_BY_ID[step.id] is step
    for key in step.labels:
        assert key in load_labels("en").article
