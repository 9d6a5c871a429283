"""doc-check without a browser: how quotes match screens, how results are classified, what the
article's own inconsistencies look like, and what the writer reads (table, JSON, pictures).
"""

from __future__ import annotations

import io
import json
import unicodedata
from collections.abc import Sequence
from pathlib import Path

import pytest
from PIL import Image

from e2e.cli.main import main
from e2e.data import shipped
from e2e.doccheck.article import Article, ArticleStep, read_article
from e2e.doccheck.match import (
    CLICKABLE,
    difference,
    expected_kinds,
    in_place,
    is_near,
    nearest,
    said_as,
    search_order,
    similarity,
    spelling_variants,
)
from e2e.doccheck.report import highlight, print_report, table_rows, write_outputs
from e2e.doccheck.run import (
    APP,
    DIFFERENT,
    MISSING,
    NO_PROCEDURE_STEP,
    NOT_IN_ARTICLE,
    NOT_REACHED,
    VERIFIED,
    DocCheck,
    Observation,
    QuoteCheck,
    Wanted,
    assemble,
    better,
    cross_reference,
    judge,
    kind_notes,
    procedure_step_id,
    spelling_notes,
    wanted_strings,
)
from e2e.doccheck.screen import Candidate
from e2e.procedure import PROCEDURE
from e2e.runner import FAILED, PASSED, SKIPPED, RunResult, StepResult

ARTICLES = shipped("articles")
SHIPPED = ARTICLES / "two-step-verification.txt"
ROW = {"x": 200.0, "y": 230.0, "width": 860.0, "height": 60.0}  # the "2-Step Verification" row


def box(x: float, y: float, width: float = 60, height: float = 30) -> dict[str, float]:
    return {"x": x, "y": y, "width": width, "height": height}


def wanted(quoted: str, step: str = "2.3", expected: tuple[str, ...] = ()) -> Wanted:
    return Wanted(step, 0, quoted, None, expected)


def run_result(statuses: dict[str, str], errors: dict[str, str] | None = None) -> RunResult:
    """A run of the procedure that ended as ``statuses`` says (missing ids: not recorded)."""
    run = RunResult("mock console at http://127.0.0.1:1", "admin@example.com", "en", "Desktop",
                    "2024-01-01T00:00:00+00:00")
    for step in PROCEDURE:
        if step.id in statuses:
            run.steps.append(StepResult(step.id, step.section, step.text, statuses[step.id],
                                        error=(errors or {}).get(step.id)))
    return run


def all_verified(article: Article) -> dict[tuple[str, int], QuoteCheck]:
    return {(s.id, i): QuoteCheck(s.id, q, VERIFIED, found_as="button", observation=0)
            for s in article.steps for i, q in enumerate(s.quoted)}


def doc_check(article: Article, run: RunResult,
              looks: dict[tuple[str, int], QuoteCheck]) -> DocCheck:
    steps, unmentioned = assemble(article, run, looks)
    return DocCheck("article.txt", article.title, run.target, "Desktop", "en", run.started_at,
                    steps=steps, not_in_article=unmentioned)


# -- similarity -----------------------------------------------------------------------------

def test_hyphen_against_space_is_near_and_named_as_such() -> None:
    score = similarity("2 Step Verification Status", "2-Step Verification Status")

    assert score > 0.95
    assert difference("2 Step Verification Status", "2-Step Verification Status") == (
        "hyphens, spaces or punctuation")


def test_similarity_ignores_case_and_runs_of_whitespace() -> None:
    assert similarity("Turn  On", "turn on") == 1.0
    assert difference("Turn On", "Turn on") == "case"
    assert difference("Turn  on", "Turn on") == "spacing"
    assert difference("Change", "Edit") == "wording"


def test_same_words_spelt_apart_are_near_even_when_short() -> None:
    assert similarity("O.K.", "OK") < 0.75
    assert is_near("O.K.", "OK", similarity("O.K.", "OK"))
    assert not is_near("Change", "Edit", similarity("Change", "Edit"))


def test_nearest_prefers_the_expected_kind_on_a_tie() -> None:
    found = nearest("Set up", [Candidate("Set upp", "text"), Candidate("Set upp", "button")],
                    prefer=("button",))

    assert found is not None and found[0].kind == "button"


# -- what the article's words imply -------------------------------------------------------------

@pytest.mark.parametrize(("text", "quoted", "said"), [
    ("Click on the [ Set up ] button on the [ Turn on 2-Step Verification ] page.", "Set up",
     "button"),
    ("Click on the [ Set up ] button on the [ Turn on 2-Step Verification ] page.",
     "Turn on 2-Step Verification", "page"),
    ("In the [ Account Setting ] page, Click on [ Disable 2 Step Verification ].",
     "Account Setting", "page"),
    ("Click on the [Change] to the right side of [ 2-Step Verification ].", "Change", None),
    ("Open the [ Settings ] pages list.", "Settings", None),
    ("［ 設定 ］ボタンをクリックします。", "設定", "button"),
])
def test_said_as_reads_the_word_after_the_quote(text: str, quoted: str, said: str | None) -> None:
    assert said_as(text, quoted) == said


def test_click_on_a_quote_expects_something_clickable_and_is_looked_for_first() -> None:
    text = "Click on the [Change] to the right side of [ 2-Step Verification ]."

    assert expected_kinds(text, "Change", None) == CLICKABLE
    assert expected_kinds(text, "2-Step Verification", None) == ()
    assert expected_kinds("the [ X ] page", "X", "page") == ("heading",)
    assert search_order(("heading",))[0] == "heading"
    assert len(search_order(CLICKABLE)) == len(set(search_order(CLICKABLE)))


# -- classification ---------------------------------------------------------------------------

def test_found_exactly_is_verified_with_its_kind_and_box() -> None:
    check = judge(wanted("Change"), Candidate("Change", "button", box(990, 245)))

    assert (check.result, check.found_as, check.box) == (VERIFIED, "button", box(990, 245))


def test_a_renamed_row_name_is_different_with_the_nearest_and_its_similarity() -> None:
    screen = [Candidate("2-Step Verification Status", "row name", box(200, 240)),
              Candidate("Turn off", "button", box(990, 245)), Candidate("On", "cell")]

    check = judge(wanted("2 Step Verification Status", "3.3"), None, screen)

    assert check.result == DIFFERENT
    assert (check.nearest, check.nearest_as) == ("2-Step Verification Status", "row name")
    assert check.similarity is not None and check.similarity > 0.95
    assert check.difference == "hyphens, spaces or punctuation"


def test_a_renamed_button_is_missing_and_the_button_in_its_row_is_named() -> None:
    # Given the row of "2-Step Verification" now holds "Edit" where "Change" was
    screen = [Candidate("Security Settings", "heading", box(217, 100, 300)),
              Candidate("Setting", "column header", box(217, 200)),
              Candidate("2-Step Verification", "row name", box(217, 240, 400)),
              Candidate("Off", "cell", box(650, 240)), Candidate("Edit", "cell", box(980, 240)),
              Candidate("Edit", "button", box(990, 245))]
    item = wanted("Change", expected=CLICKABLE)
    place = in_place(screen, ROW, CLICKABLE, ["Change", "2-Step Verification"])

    # When "Change" is judged
    check = judge(item, None, screen, place)

    # Then it is missing, and "Edit" (not the textually closer "Setting") is named
    assert [c.text for c in place] == ["Edit"]
    assert check.result == MISSING
    assert (check.nearest, check.nearest_as, check.in_its_place) == ("Edit", "button", True)
    assert check.similarity is not None and check.similarity < 0.5
    closest = nearest("Change", screen)
    assert closest is not None and closest[0].text != "Edit"


def test_missing_with_nothing_in_its_place_names_the_textually_nearest() -> None:
    check = judge(wanted("Turn on"), None, [Candidate("Cancel", "link"),
                                            Candidate("Turn it all off", "button")])

    assert check.result == MISSING and not check.in_its_place
    assert check.nearest == "Turn it all off"


def test_missing_on_an_empty_screen_says_nothing_is_near() -> None:
    check = judge(wanted("Turn on"), None, [])

    assert (check.result, check.nearest, check.similarity) == (MISSING, None, None)


def test_a_visible_string_equal_to_the_quote_counts_as_verified() -> None:
    check = judge(wanted("Turn on"), None, [Candidate("Turn on", "text", box(1, 1))])

    assert (check.result, check.found_as) == (VERIFIED, "text")


def test_the_best_look_across_a_steps_screens_is_kept() -> None:
    missing = QuoteCheck("3.1", "Account Setting", MISSING, similarity=0.6)
    closer = QuoteCheck("3.1", "Account Setting", MISSING, similarity=0.7)
    verified = QuoteCheck("3.1", "Account Setting", VERIFIED)

    assert better(missing, None)
    assert better(closer, missing) and not better(missing, closer)
    assert better(verified, closer) and not better(closer, verified)
    assert not better(QuoteCheck("3.1", "Account Setting", VERIFIED), verified)


# -- mapping the article onto the procedure --------------------------------------------------------

def test_sub_items_and_notes_belong_to_their_step() -> None:
    assert procedure_step_id("2.5/3") == "2.5"
    assert procedure_step_id("2.7/note") == "2.7"
    assert procedure_step_id("3.3") == "3.3"


def test_the_apps_quotes_are_not_looked_for_on_the_console() -> None:
    wanted_by_step = wanted_strings(read_article(SHIPPED))

    assert "2.5" not in wanted_by_step
    assert [w.quoted for w in wanted_by_step["2.7"]] == ["Please keep your Recovery Code safe."]
    assert [(w.quoted, w.said_as) for w in wanted_by_step["2.4"]] == [
        ("Set up", "button"), ("Turn on 2-Step Verification", "page")]


def test_the_shipped_article_verified_everywhere_passes() -> None:
    article = read_article(SHIPPED)
    run = run_result({step.id: PASSED for step in PROCEDURE})

    check = doc_check(article, run, all_verified(article))

    assert check.passed and check.exit_code == 0 and check.drift() == []
    assert check.counts() == {VERIFIED: 16, APP: 3}
    assert {q.quoted for q in check.quotes if q.result == APP} == {"Scan", "︙", "Add New OTP"}
    assert all(q.reason == "in the authenticator app, performed by the virtual authenticator"
               for q in check.quotes if q.result == APP)
    assert check.not_in_article == []


def test_a_failed_step_leaves_later_quotes_not_reached_and_is_drift() -> None:
    # Given a run that failed at 2.2 (its check wanted 2.3's "Change"), 2.3 seen where it stopped
    article = read_article(SHIPPED)
    error = "step 2.2 (Click on [Set up 2-Step Verification].) failed: Locator expected"
    run = run_result({"1.1": PASSED, "2.1": PASSED, "2.2": FAILED,
                      **{s.id: SKIPPED for s in PROCEDURE[3:]}}, {"2.2": error})
    looks = {key: look for key, look in all_verified(article).items()
             if key[0] in ("2.2", "2.3")}
    looks[("2.3", 0)] = QuoteCheck("2.3", "Change", MISSING, nearest="Edit", similarity=0.2)

    # When the results are put together
    check = doc_check(article, run, looks)
    cross_reference(check.steps)

    # Then 2.3 [Change] is missing, later quotes are not reached, and the exit status is 1
    step_3_2 = next(s for s in check.steps if s.id == "3.2")
    assert step_3_2.quotes[0].result == NOT_REACHED
    assert step_3_2.quotes[0].reason == ('the run stopped at step 2.2, before this step; '
                                         'missing at 2.3 (nearest "Edit")')
    step_2_2 = next(s for s in check.steps if s.id == "2.2")
    assert step_2_2.run_status == FAILED and step_2_2.error == error
    assert check.exit_code == 1
    assert check.drift()[0] == '2.3 [Change]: missing (nearest "Edit")'
    assert "2.2: the step failed" in check.drift()


def test_an_article_step_the_procedure_lacks_and_a_step_the_article_lacks_are_drift() -> None:
    # Given an article without step 2.4 and with a step 2.8 the procedure does not have
    article = read_article(SHIPPED)
    article.steps = [s for s in article.steps if s.id != "2.4"]
    article.steps.append(ArticleStep("2.8", "Click on [ Done ].", ("Done",), "Enabling"))
    run = run_result({step.id: PASSED for step in PROCEDURE})

    check = doc_check(article, run, all_verified(article))

    extra = next(s for s in check.steps if s.id == "2.8")
    assert extra.run_status == NO_PROCEDURE_STEP and extra.quotes[0].result == NO_PROCEDURE_STEP
    assert [p["id"] for p in check.not_in_article] == ["2.4"]
    assert check.counts()[NOT_IN_ARTICLE] == 1
    assert check.exit_code == 1
    assert set(check.drift()) == {"2.8 [Done]: no procedure step", "2.8: no procedure step",
                                  "2.4: not in article"}


# -- the article's own inconsistencies ---------------------------------------------------------

def test_spelling_variants_find_a_term_spelt_with_hyphen_and_with_space() -> None:
    variants = spelling_variants(["Set up 2-Step Verification", "Change",
                                  "Disable 2 Step Verification", "2 Step Verification Status",
                                  "Turn off 2-Step Verification"])

    assert variants == {"2 step verification": {"2-Step Verification", "2 Step Verification"}}


@pytest.mark.parametrize("strings", [
    ["Turn on 2-Step Verification", "Turn off 2-Step Verification", "2-Step Verification"],
    ["Turn on", "Turn off", "Set up"],
])
def test_consistent_quotes_have_no_spelling_variants(strings: Sequence[str]) -> None:
    assert spelling_variants(strings) == {}


def test_one_word_against_two_is_a_spelling_variant() -> None:
    assert spelling_variants(["Setup", "Set up"]) == {"setup": {"Setup", "Set up"}}


def test_the_shipped_articles_two_spellings_are_noted_with_where_each_is() -> None:
    article = read_article(SHIPPED)
    check = doc_check(article, run_result({s.id: PASSED for s in PROCEDURE}),
                      all_verified(article))

    [note] = spelling_notes(article, check.steps)

    assert '"2-Step Verification" (quoted at 2.2, 2.3, 2.4, 3.2, 3.4)' in note
    assert '"2 Step Verification" (quoted at 3.1, 3.3; also in the text of 2.7 and 3.5' in note
    assert "the console shows both spellings too" in note


def test_a_page_shown_as_a_menu_item_is_noted_with_the_page_it_leads_to() -> None:
    article = read_article(SHIPPED)
    looks = all_verified(article)
    looks[("3.1", 0)] = QuoteCheck("3.1", "Account Setting", VERIFIED, said_as="page",
                                   found_as="menu item", observation=0)
    check = doc_check(article, run_result({s.id: PASSED for s in PROCEDURE}), looks)
    pictures = {"3.1": [Observation("3.1", 0, "screen 1", "/", ["Dashboard"], 1, b""),
                        Observation("3.1", 1, "screen 2", "/account", ["Account Information"],
                                    1, b"")]}

    assert kind_notes(check.steps, pictures) == [
        '3.1 calls [Account Setting] a page, but the screen shows "Account Setting" as a menu '
        'item; the page this step reaches is headed "Account Information".']


# -- what the writer reads ------------------------------------------------------------------

def drifted_check() -> DocCheck:
    article = read_article(SHIPPED)
    looks = all_verified(article)
    looks[("2.3", 0)] = QuoteCheck("2.3", "Change", MISSING, nearest="Edit", nearest_as="button",
                                   nearest_box=box(500, 245), similarity=0.2,
                                   difference="wording", in_its_place=True, observation=0)
    check = doc_check(article, run_result({s.id: PASSED for s in PROCEDURE}), looks)
    check.observations = {"2.3": [Observation("2.3", 0, "screen 1", "/account/security",
                                              ["Security Settings"], 2.0, png(700, 400, 2.0))]}
    return check


def png(width: int, height: int, scale: float) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (int(width * scale), int(height * scale)), "white").save(out, "PNG")
    return out.getvalue()


def test_the_table_has_a_row_per_quote_with_found_as_or_nearest() -> None:
    rows = table_rows(drifted_check())

    assert ("2.3", "Change", MISSING, '"Edit" as button (0.20, wording, in its place)') in rows
    assert ("2.4", "Set up", VERIFIED, "button") in rows
    assert ("1.1", "(quotes nothing)", "step ran", "") in rows


def test_the_terminal_report_ends_with_the_drift() -> None:
    out = io.StringIO()

    print_report(drifted_check(), out)

    text = out.getvalue()
    assert "DRIFT: 1 finding(s)" in text
    assert '- 2.3 [Change]: missing (nearest "Edit")' in text


def test_json_and_html_are_written_and_the_html_embeds_its_pictures(tmp_path: Path) -> None:
    json_path, html_path = write_outputs(drifted_check(), tmp_path)

    data = json.loads(json_path.read_text("utf-8"))
    assert data["exit_code"] == 1 and data["passed"] is False
    change = next(q for s in data["steps"] if s["id"] == "2.3" for q in s["quotes"])
    assert (change["result"], change["nearest"]) == (MISSING, "Edit")
    assert "png" not in data["observations"]["2.3"][0]
    page = html_path.read_text("utf-8")
    assert page.count("data:image/png;base64,") == 1
    assert 'id="step-2.3"' in page and "in its place" in page


def test_boxes_are_drawn_at_page_coordinates_times_the_scale_factor() -> None:
    # Given a picture at scale factor 2 and "Edit" (missing "Change") at x=500, y=245 CSS px
    check = drifted_check()
    picture = check.observations["2.3"][0]
    change = next(q for q in check.quotes if q.quoted == "Change")

    # When it is highlighted
    drawn = Image.open(io.BytesIO(highlight(picture, [(1, change)]))).convert("RGB")

    # Then a red outline runs along the box's left edge, in device pixels (x 1000, not 500)
    red = (200, 30, 30)
    assert drawn.size == (1400, 800)
    assert drawn.getpixel((500 * 2 - 4, (245 + 15) * 2)) == red
    assert drawn.getpixel((500 - 4, 245 + 15)) == (255, 255, 255)


# -- the command's errors ---------------------------------------------------------------------

def test_an_unreadable_article_exits_2_naming_it(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["doc-check", str(tmp_path / "gone.md")]) == 2
    assert "cannot read the article" in capsys.readouterr().err


def test_an_article_without_steps_exits_2_saying_what_was_looked_for(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("Release notes\n\nWe fixed things.\n", "utf-8")

    assert main(["doc-check", str(notes)]) == 2
    assert "no numbered steps" in capsys.readouterr().err


def test_japanese_quotes_keep_the_table_aligned() -> None:
    # Given a check whose quotes are Japanese (two terminal columns per character)
    check = drifted_check()
    check.steps[2].quotes[0].quoted = "2段階認証を設定する"
    out = io.StringIO()

    # When it is printed
    print_report(check, out)

    # Then the result column starts at the same terminal column on every row
    rows = [line for line in out.getvalue().splitlines()
            if line.startswith("  2.") and (" verified " in line or " missing " in line)]
    starts = {_columns_before(line, line.index(" verified " if " verified " in line
                                               else " missing ")) for line in rows}
    assert any("2段階認証を設定する" in line for line in rows)
    assert len(starts) == 1


def _columns_before(line: str, index: int) -> int:
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in line[:index])
