"""Reading a help article: numbered steps, sub-procedures, notes and the UI strings it quotes.

The same article arrives as plain text, as Markdown (a help-centre export) or as the HTML of the
help-centre page; doc-check must find the same steps and the same quoted strings in each.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from e2e.data import shipped
from e2e.doccheck.article import ArticleError, parse_article, quoted_strings, read_article

ARTICLES = shipped("articles")
SHIPPED = ARTICLES / "two-step-verification.txt"

EXPECTED_QUOTES = {
    "2.2": ("Set up 2-Step Verification",),
    "2.3": ("Change", "2-Step Verification"),
    "2.4": ("Set up", "Turn on 2-Step Verification"),
    "2.5": ("Scan",),
    "2.5/2": ("︙",),
    "2.5/3": ("Add New OTP",),
    "2.6": ("Enter the code that the app generates:", "Turn on"),
    "2.7/note": ("Please keep your Recovery Code safe.",),
    "3.1": ("Account Setting", "Disable 2 Step Verification"),
    "3.2": ("Change", "2-Step Verification"),
    "3.3": ("Turn off", "2 Step Verification Status"),
    "3.4": ("Turn off", "Turn off 2-Step Verification"),
}
EXPECTED_IDS = ["1.1", "2.1", "2.2", "2.3", "2.4", "2.5", "2.5/1", "2.5/2", "2.5/3", "2.5/4",
                "2.6", "2.7", "2.7/note", "3.1", "3.2", "3.3", "3.4", "3.5"]


# -- the shipped article and its other renderings ------------------------------------------------

@pytest.mark.parametrize("name", ["two-step-verification.txt", "two-step-verification.md",
                                  "two-step-verification.html"])
def test_each_rendering_of_the_article_gives_the_same_steps_and_quotes(name: str) -> None:
    # Given the article as plain text, Markdown or the help-centre page's HTML
    article = read_article(ARTICLES / name)

    # Then the title, the notice, every step and every quoted string are found alike
    assert article.title == "Two Step Verification Setting"
    assert article.notes == ["The web page may be rendered differently on different OS or devices.",
                             "This article was written in 2021 Oct."]
    assert [step.id for step in article.steps] == EXPECTED_IDS
    quotes = {step.id: step.quoted for step in article.steps if step.quoted}
    assert quotes == EXPECTED_QUOTES


def test_steps_know_their_section_and_sub_procedure_items_their_step() -> None:
    article = read_article(SHIPPED)

    assert article.step("1.1").section == "Accessing the HENNGE Cloud Protection Admin Console"
    assert article.step("2.3").section == "Enabling 2 Step Verification"
    assert article.step("3.3").section == "Disable the 2 Step Verification"
    assert [s.id for s in article.steps if s.parent == "2.5"] == ["2.5/1", "2.5/2", "2.5/3",
                                                                 "2.5/4"]
    assert article.step("2.5/1").text == "Open HENNGE Lock on your Mobile Device."
    assert [s.id for s in article.main_steps] == [i for i in EXPECTED_IDS if "/" not in i]


def test_a_note_mark_after_a_step_is_what_the_step_says_the_screen_shows() -> None:
    note = read_article(SHIPPED).step("2.7/note")

    assert note is not None and note.parent == "2.7"
    assert note.quoted == ("Please keep your Recovery Code safe.",)


# -- plain text --------------------------------------------------------------------------------

def test_plain_text_tolerates_any_spacing_inside_brackets() -> None:
    article = parse_article("Title\n\n2.3. Click on the [Change] to the right of [   2-Step   "
                            "Verification ].\n\n2.4. Click [ Set up ]. [\tTurn on\t]\n")

    assert article.step("2.3").quoted == ("Change", "2-Step Verification")
    assert article.step("2.4").quoted == ("Set up", "Turn on")


def test_a_paragraph_wrapped_inside_a_bracket_still_pairs_the_bracket() -> None:
    article = parse_article("Title\n\n2.6. In the [ Enter the code that the app\n"
                            "generates: ] , enter the code.\n\n2.7. Confirm.\n")

    assert article.step("2.6").quoted == ("Enter the code that the app generates:",)
    assert article.step("2.7").text == "Confirm."


def test_a_section_heading_is_not_a_sub_procedure_item() -> None:
    article = parse_article("Title\n\n1. Accessing\n\n1.1. Open it.\n\n2. Enabling\n\n"
                            "2.1. Click [ Go ].\n\n1. In the app, tap [ Scan ].\n")

    assert [s.id for s in article.steps] == ["1.1", "2.1", "2.1/1"]
    assert article.step("2.1").section == "Enabling"
    assert article.step("2.1/1").quoted == ("Scan",)


# -- Markdown ------------------------------------------------------------------------------------

def test_markdown_escaped_brackets_and_bold_step_numbers_are_read() -> None:
    markdown = ("# Two Step Verification Setting\n\n## 2. Enabling 2 Step Verification\n\n"
                "**2.2.** Click on the \\[ Set up 2-Step Verification \\].\n\n"
                "**2.3.** Click on the \\[Change\\] to the right side of \\[ 2-Step Verification"
                " \\].\n")

    article = parse_article(markdown, ".md")

    assert article.title == "Two Step Verification Setting"
    assert article.step("2.2").quoted == ("Set up 2-Step Verification",)
    assert article.step("2.3").quoted == ("Change", "2-Step Verification")
    assert article.step("2.3").section == "Enabling 2 Step Verification"


def test_markdown_links_and_images_are_not_quoted_strings() -> None:
    markdown = ("# Title\n\n**2.1.** Open the [Account Information](https://example.com/account)"
                " page. ![Account Information](img/2-1.png)\n\n"
                "**2.2.** Click on \\[ Set up \\], see [the FAQ](https://example.com/faq).\n")

    article = parse_article(markdown, ".md")

    assert article.step("2.1").quoted == ()
    assert article.step("2.1").text == "Open the Account Information page."
    assert article.step("2.2").quoted == ("Set up",)


def test_markdown_is_recognised_without_its_file_suffix() -> None:
    article = parse_article("Title\n\n**2.2.** Click on the \\[ Set up \\].\n")

    assert article.step("2.2").quoted == ("Set up",)


def test_a_link_in_plain_text_is_not_a_quote() -> None:
    assert quoted_strings("see [the FAQ](https://example.com) and [ Change ]") == ("Change",)


# -- HTML of a help-centre page ----------------------------------------------------------------

def test_html_steps_in_ordered_list_items_and_paragraphs() -> None:
    page = """<html><head><title>2SV – Support</title><script>var x = "[ Nope ]";</script></head>
    <body><h1>Two Step Verification Setting</h1><h2>2. Enabling 2 Step Verification</h2>
    <ol><li><strong>2.2.</strong> Click on the [&nbsp;Set up 2-Step Verification&nbsp;].</li>
        <li>2.3. Click on the [Change] to the right side of [ 2-Step Verification ].</li></ol>
    <p><b>2.4.</b> Click on the [ Set up ] button on the [ Turn on 2-Step Verification ] page.</p>
    </body></html>"""

    article = parse_article(page, ".html")

    assert article.title == "Two Step Verification Setting"
    assert [s.id for s in article.steps] == ["2.2", "2.3", "2.4"]
    assert article.step("2.2").quoted == ("Set up 2-Step Verification",)
    assert article.step("2.3").quoted == ("Change", "2-Step Verification")
    assert article.step("2.4").quoted == ("Set up", "Turn on 2-Step Verification")
    assert all(s.section == "Enabling 2 Step Verification" for s in article.steps)


def test_html_sub_procedure_as_an_unnumbered_ordered_list() -> None:
    page = """<p>2.5. In your app, click on [ Scan ].</p>
    <ol start="2"><li>Click on the [ ︙ ] on the top right.</li><li>Click on [ Add New OTP ].</li>
    </ol><p>2.6. Click on [ Turn on ].</p>"""

    article = parse_article(page)

    assert [s.id for s in article.steps] == ["2.5", "2.5/2", "2.5/3", "2.6"]
    assert article.step("2.5/2").quoted == ("︙",)
    assert article.step("2.5/3").parent == "2.5"


# -- Japanese brackets -----------------------------------------------------------------------

def test_japanese_brackets_are_quotes_with_their_spacing_removed() -> None:
    article = parse_article("2段階認証の設定\n\n"
                            "2.3. ［ 2段階認証 ］の右にある［変更］をクリックします。\n\n"
                            "2.4. 「 設定 」ボタンをクリックし、【 有効にする 】を押します。\n")

    assert article.step("2.3").quoted == ("2段階認証", "変更")
    assert article.step("2.4").quoted == ("設定", "有効にする")


# -- articles that cannot be used -------------------------------------------------------------

@pytest.mark.parametrize("raw", ["", "   \n\n  ", "<html><body><script>x</script></body></html>"])
def test_an_empty_article_is_an_error(raw: str) -> None:
    with pytest.raises(ArticleError, match="empty"):
        parse_article(raw)


def test_an_article_without_numbered_steps_is_an_error_that_says_what_was_looked_for() -> None:
    with pytest.raises(ArticleError, match=r"no numbered steps \(like '2\.3\. Click on"):
        parse_article("Release notes\n\nWe fixed things.\n\n1. Faster.\n")


def test_a_missing_or_binary_file_is_an_error_naming_the_file(tmp_path: Path) -> None:
    with pytest.raises(ArticleError, match="nowhere.txt"):
        read_article(tmp_path / "nowhere.txt")
    binary = tmp_path / "article.pdf"
    binary.write_bytes(b"%PDF-1.7\n\xff\xfe\x00\x81")
    with pytest.raises(ArticleError, match="article.pdf"):
        read_article(binary)
