"""Tests for reading and writing Moodle GIFT files."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings

from quiz.bank.deck_yaml import BankError
from quiz.bank.formats import ImportResult, hashed_key
from quiz.bank.gift import parse_gift, write_gift
from quiz.domain.items import ChoiceSpec, DeckSpec, ItemKind, ItemSpec
from tests.bank.test_csv_format import ALPHABET, deck_specs

SAMPLES = Path(__file__).parent / "samples"


def gift(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def parse_ok(text: str) -> ImportResult:
    result = parse_gift(gift(text), "set.gift")
    assert result.errors == (), [str(error) for error in result.errors]
    return result


def the_item(text: str) -> ItemSpec:
    (item,) = parse_ok(text).items
    return item


def the_error(text: str) -> BankError:
    result = parse_gift(gift(text), "set.gift")
    assert result.items == (), "expected an error, the file parsed"
    assert len(result.errors) == 1, [str(error) for error in result.errors]
    return result.errors[0]


# ---------------------------------------------------------------------------------------
# A file as Moodle users write it


@pytest.fixture(scope="module")
def moodle_file() -> ImportResult:
    text = (SAMPLES / "moodle_history.gift").read_text(encoding="utf-8")
    result = parse_gift(text, "moodle_history.gift")
    assert result.errors == (), [str(error) for error in result.errors]
    return result


def test_a_moodle_file_gives_one_item_per_question_and_one_per_matching_pair(
    moodle_file: ImportResult,
) -> None:
    assert [item.key for item in moodle_file.items] == [
        "independence-referendum",
        "crimea-2014",
        "budapest-memorandum",
        "nato-2008",
        "capital-kyiv",
        "leaders-2022-1",
        "leaders-2022-2",
        "leaders-2022-3",
        hashed_key("What does a = b {mod n} say?"),
        "river",
    ]
    # The line each item starts on, after the comment lines above it.
    assert moodle_file.item_lines == (7, 16, 18, 21, 30, 33, 34, 35, 40, 46)


def test_the_last_category_names_the_set(moodle_file: ImportResult) -> None:
    assert moodle_file.title == "Ukraine since 1991"


def test_a_single_answer_question_keeps_html_text_and_joins_right_and_general_feedback(
    moodle_file: ImportResult,
) -> None:
    assert moodle_file.items[0] == ItemSpec(
        key="independence-referendum",
        kind=ItemKind.SINGLE,
        prompt="<p>In which year did Ukraine vote for independence?</p>",
        choices=(
            ChoiceSpec("1991", True),
            ChoiceSpec("1989"),
            ChoiceSpec("1994"),
            ChoiceSpec("2004"),
        ),
        explanation="The referendum was held on 1 December 1991.\nMore than 90% voted yes.",
    )


def test_true_false_answers_become_true_then_false(moodle_file: ImportResult) -> None:
    crimea, memorandum = moodle_file.items[1:3]
    assert crimea.kind is ItemKind.TRUE_FALSE
    assert crimea.choices == (ChoiceSpec("True", True), ChoiceSpec("False", False))
    assert crimea.explanation == "It was annexed in March 2014."
    assert memorandum.choices == (ChoiceSpec("True", False), ChoiceSpec("False", True))
    assert memorandum.prompt == "Ukraine gave up its nuclear weapons in 2014."


def test_weighted_answers_become_a_multiple_answer_question(moodle_file: ImportResult) -> None:
    nato = moodle_file.items[3]
    assert nato.kind is ItemKind.MULTIPLE
    assert nato.prompt == (
        "At the 2008 Bucharest summit, NATO declared that which countries\n"
        "would one day become members?"
    )
    assert [(c.text, c.correct) for c in nato.choices] == [
        ("Ukraine", True),
        ("Georgia", True),
        ("Belarus", False),
        ("Moldova", False),
    ]


def test_an_answer_block_inside_the_text_leaves_a_blank(moodle_file: ImportResult) -> None:
    assert moodle_file.items[4].prompt == "The capital of Ukraine, _____, lies on the Dnipro."


def test_each_matching_pair_becomes_a_single_answer_question_over_all_matches(
    moodle_file: ImportResult,
) -> None:
    pairs = moodle_file.items[5:8]
    assert [item.prompt for item in pairs] == [
        "Match each leader with the country they led in 2022. — Volodymyr Zelensky",
        "Match each leader with the country they led in 2022. — Vladimir Putin",
        "Match each leader with the country they led in 2022. — Andrzej Duda",
    ]
    # "= -> Belarus" adds a wrong match that belongs to no pair.
    assert all(
        [c.text for c in item.choices] == ["Ukraine", "Russia", "Poland", "Belarus"]
        for item in pairs
    )
    assert [[c.correct for c in item.choices] for item in pairs] == [
        [True, False, False, False],
        [False, True, False, False],
        [False, False, True, False],
    ]


def test_escaped_characters_are_read_as_text(moodle_file: ImportResult) -> None:
    item = moodle_file.items[8]
    assert item.prompt == "What does a = b {mod n} say?"
    assert [c.text for c in item.choices] == [
        "a and b leave the same remainder: a ~ b",
        "a is bigger than b",
        "a \\ b is a whole number",
    ]


def test_only_the_right_answers_feedback_goes_into_the_explanation(
    moodle_file: ImportResult,
) -> None:
    assert moodle_file.items[9].explanation == "Right: the Dnipro."


# ---------------------------------------------------------------------------------------
# Smaller points of the format


def test_an_escaped_newline_is_a_line_break() -> None:
    item = the_item(r"First line\nsecond line {=a ~b}")
    assert item.prompt == "First line\nsecond line"


@pytest.mark.parametrize("marker", ["[html]", "[markdown]", "[plain]", "[moodle]"])
def test_format_markers_are_dropped_from_question_answers_and_feedback(marker: str) -> None:
    item = the_item(f"::t::{marker}Text {{={marker}right#{marker}why ~{marker}wrong}}")
    assert item.prompt == "Text"
    assert item.choices == (ChoiceSpec("right", True), ChoiceSpec("wrong"))
    assert item.explanation == "why"


@pytest.mark.parametrize(
    ("answer", "value"),
    [("T", True), ("TRUE", True), ("F", False), ("FALSE", False), ("true", True), (" f ", False)],
)
def test_true_false_accepts_every_spelling(answer: str, value: bool) -> None:
    item = the_item(f"Kyiv is the capital. {{{answer}}}")
    assert item.choices == (ChoiceSpec("True", value), ChoiceSpec("False", not value))


def test_true_false_keeps_both_feedbacks_and_the_general_feedback() -> None:
    item = the_item("Kyiv is the capital.{T#Wrong: it is.#Right.####Since 1934.}")
    assert item.explanation == "Wrong: it is.\nRight.\nSince 1934."


def test_a_weighted_answer_in_a_question_with_an_equals_answer_is_wrong_unless_positive() -> None:
    item = the_item("Q? {=right ~%-50%penalised ~%0%nothing}")
    assert item.kind is ItemKind.SINGLE
    assert [c.correct for c in item.choices] == [True, False, False]


def test_one_positive_weight_without_equals_is_a_multiple_answer_question() -> None:
    item = the_item("Q? {~%100%right ~wrong ~%-100%worse}")
    assert item.kind is ItemKind.MULTIPLE
    assert [c.correct for c in item.choices] == [True, False, False]


def test_an_equals_answer_starting_with_percent_is_text_not_a_weight() -> None:
    item = the_item("Turnout? {=%50% of voters ~all of them}")
    assert item.choices[0] == ChoiceSpec("%50% of voters", True)


def test_comment_lines_inside_a_question_are_skipped_and_lines_still_count() -> None:
    error = the_error(
        """
        ::q:: Question {
        // first the right answer
        =a
        // then a duplicate
        ~a
        }
        """
    )
    assert error.line == 5


def test_a_url_in_the_text_is_not_a_comment() -> None:
    item = the_item("See https://example.org/page {=a ~b}")
    assert item.prompt == "See https://example.org/page"


def test_windows_line_ends_give_the_same_items_and_lines() -> None:
    text = "// c\r\n\r\n::a:: One {=x ~y}\r\n\r\n::b:: Two {=x\r\n~x}\r\n"
    result = parse_gift(text, "set.gift")
    assert [(error.line, "appears twice" in error.message) for error in result.errors] == [
        (6, True)
    ]


def test_a_category_without_questions_is_no_title_if_later_ones_are_empty() -> None:
    result = parse_ok(
        """
        $CATEGORY: $course$/top/History
        ::a:: One {=x ~y}

        $CATEGORY: $course$/top
        """
    )
    assert result.title == "History"


def test_a_category_with_a_doubled_slash_keeps_a_slash_in_its_name() -> None:
    result = parse_ok("$CATEGORY: $course$/top/Russia//Ukraine\n\nQ? {=a ~b}\n")
    assert result.title == "Russia/Ukraine"


def test_a_file_without_category_has_no_title() -> None:
    assert parse_ok("Q? {=a ~b}").title is None


# -- keys ----------------------------------------------------------------------------------


def test_a_title_becomes_a_slug_key() -> None:
    assert the_item("::Crimea, 2014 (annexation)::Q? {=a ~b}").key == "crimea-2014-annexation"


def test_a_title_that_is_already_a_key_is_kept_as_it_is() -> None:
    assert the_item("::nato--2008::Q? {=a ~b}").key == "nato--2008"


def test_an_untitled_question_gets_a_stable_key_from_a_hash_of_its_text() -> None:
    first = the_item("Which river? {=Dnipro ~Danube}").key
    assert re.fullmatch(r"q-[0-9a-f]{8}", first)
    assert first == the_item("Which  river?\n{=Dnipro ~Volga}").key


def test_a_title_without_letters_or_digits_falls_back_to_the_hash() -> None:
    assert the_item("::Питання::Q? {=a ~b}").key == hashed_key("Q?")


def test_a_long_title_is_cut_at_a_word() -> None:
    key = the_item("::" + "word " * 30 + "::Q? {=a ~b}").key
    assert len(key) <= 60
    assert key.endswith("word")


def test_clashing_keys_get_numbered() -> None:
    result = parse_ok(
        """
        ::Capital::One? {=a ~b}

        ::capital::Two? {=a ~b}

        ::CAPITAL!::Three? {=a ~b}

        Same? {=a ~b}

        Same? {=a ~b}
        """
    )
    same = hashed_key("Same?")
    assert [item.key for item in result.items] == [
        "capital",
        "capital-2",
        "capital-3",
        same,
        f"{same}-2",
    ]


# ---------------------------------------------------------------------------------------
# Malformed files: each error names the line and says what was expected, nothing imports

MALFORMED = [
    pytest.param(
        """
        ::ok:: Fine {=a ~b}

        ::q:: What is it? {
        =a
        ~b

        ::next:: Another {=a ~b}
        """,
        3,
        "the answer block opened with { on line 3 is not closed with }",
        id="unclosed-brace",
    ),
    pytest.param(
        "::q:: Which? {~a ~b ~c}",
        1,
        "no right answer: mark the right answer with =",
        id="no-right-answer",
    ),
    pytest.param(
        """
        ::q:: Which? {
        =Kyiv
        ~Lviv
        ~kyiv
        }
        """,
        4,
        "the choice 'kyiv' appears twice (first on line 2)",
        id="duplicate-choice",
    ),
    pytest.param(
        "::q:: {=a ~b}",
        1,
        "the question text is empty: write the question before the { } answer block",
        id="empty-question",
    ),
    pytest.param(
        """
        // A short-answer question on line 3.

        ::q:: Who wrote it? {=Shevchenko =Taras Shevchenko}
        """,
        3,
        "short-answer questions are not supported; give wrong answers with ~ to make it "
        "multiple choice",
        id="short-answer",
    ),
    pytest.param(
        "::q:: Capital? {Kyiv}",
        1,
        "short-answer questions are not supported",
        id="short-answer-without-equals",
    ),
    pytest.param(
        "::q:: When?\n{#1991:1}",
        2,
        "numerical questions ({#…}) are not supported",
        id="numerical",
    ),
    pytest.param(
        "::q:: Discuss the summit. {}",
        1,
        "essay questions ({}) are not supported",
        id="essay",
    ),
    pytest.param(
        "::ok:: Fine {=a ~b}\n\nThis is a description without answers.",
        3,
        "no answer block { } found: descriptions (text without answers) are not supported",
        id="description",
    ),
    pytest.param(
        "::Title What is it? {=a ~b}",
        1,
        "the question title opened with :: is not closed",
        id="unclosed-title",
    ),
    pytest.param(
        "::q:: Braces } here {=a ~b}",
        1,
        "a } without a { before it; write \\} for a literal brace",
        id="stray-closing-brace",
    ),
    pytest.param(
        "::q:: Sets {=a\n~{b} ~c}",
        2,
        "a { inside the answer block opened on line 1; write \\{",
        id="nested-brace",
    ),
    pytest.param(
        "::a:: One {=x ~y}\n::b:: Two {=x ~y}",
        2,
        "a second answer block { } in one question: separate questions with a blank line",
        id="questions-without-blank-line",
    ),
    pytest.param(
        "::q:: Which? {=a ~b}}",
        1,
        "a } after the answer block",
        id="closing-brace-after-block",
    ),
    pytest.param(
        "::q:: Which? {\n=a\n~b\n=c\n}",
        4,
        "2 answers are marked right (lines 2 and 4); a question with = has one right answer",
        id="two-equals",
    ),
    pytest.param(
        "::q:: Which? {\n=a\n~%50%b\n~c\n}",
        3,
        "partial credit (~%50%) is not supported in a question with an = answer",
        id="partial-credit",
    ),
    pytest.param(
        "::q:: Which? {=a ~ ~b}",
        1,
        "an answer after ~ is empty",
        id="empty-answer",
    ),
    pytest.param(
        "::q:: Which? {\nperhaps =a ~b}",
        1,
        "'perhaps' comes before the first answer; start each answer with = (right) or ~",
        id="text-before-first-answer",
    ),
    pytest.param(
        "::m:: Match {\n=a -> 1\n=b 2\n=c -> 3\n}",
        3,
        "the matching pair 'b 2' has no ->; write =item -> its match",
        id="matching-pair-without-arrow",
    ),
    pytest.param(
        "::m:: Match {=a -> 1 = -> 2}",
        1,
        "a matching question needs at least two pairs",
        id="matching-one-pair",
    ),
    pytest.param(
        "::m:: Match {=a -> 1 =b ->}",
        1,
        "the match after -> is empty",
        id="matching-empty-match",
    ),
    pytest.param(
        "::q:: Many? {=a ~b ~c ~d ~e ~f ~g ~h ~i}",
        1,
        "question 'q': needs 2 to 8 choices, has 9",
        id="too-many-choices",
    ),
    pytest.param(
        "::q:: One? {~%100%a}",
        1,
        "question 'q': needs 2 to 8 choices, has 1",
        id="one-choice",
    ),
    pytest.param(
        "::m:: Match {=a -> x =b -> X}",
        1,
        "every pair has the same match, so there is nothing to choose from",
        id="matching-with-one-distinct-match",
    ),
    pytest.param("// only a comment\n\n", 1, "the file holds no questions", id="no-questions"),
    pytest.param("Q? {=a\x00 ~b}", 1, "NUL character", id="nul"),
]


@pytest.mark.parametrize(("text", "line", "message"), MALFORMED)
def test_a_malformed_question_is_reported_on_its_line_and_nothing_imports(
    text: str, line: int, message: str
) -> None:
    error = the_error(text)
    assert error.file == "set.gift"
    assert error.line == line, str(error)
    assert message in error.message, str(error)


def test_every_bad_question_in_a_file_is_reported_in_line_order() -> None:
    result = parse_gift(
        gift(
            """
            ::bad1:: Short {=answer}

            ::good:: Fine {=a ~b}

            ::bad2:: {=a ~b}

            ::bad3:: Essay {}
            """
        ),
        "set.gift",
    )
    assert result.items == ()
    assert [error.line for error in result.errors] == [1, 5, 7]
    assert str(result.errors[0]).startswith("set.gift:1: short-answer questions")


# ---------------------------------------------------------------------------------------
# Writing

DECK = DeckSpec(
    slug="history",
    title="Ukraine: a short/long history",
    items=(
        ItemSpec(
            "capital",
            ItemKind.SINGLE,
            "Capital of Ukraine? {choose one}",
            (ChoiceSpec("Kyiv", True), ChoiceSpec("Lviv = L'viv"), ChoiceSpec("~Odesa")),
            explanation="Since 1934: #1 city.\nOn the Dnipro.",
            source="History, paragraph 2",
        ),
        ItemSpec(
            "order",
            ItemKind.ORDERING,
            "Oldest first",
            (ChoiceSpec("1991", True), ChoiceSpec("2014", True), ChoiceSpec("2022", True)),
        ),
        ItemSpec(
            "nato",
            ItemKind.MULTIPLE,
            "Named at Bucharest?",
            (
                ChoiceSpec("Ukraine", True),
                ChoiceSpec("Georgia", True),
                ChoiceSpec("Armenia", True),
                ChoiceSpec("Belarus"),
            ),
        ),
        ItemSpec("rada", ItemKind.FLASHCARD, "Verkhovna Rada", back="Parliament"),
        ItemSpec(
            "crimea",
            ItemKind.TRUE_FALSE,
            "Crimea was annexed in 2014.",
            (ChoiceSpec("True", True), ChoiceSpec("False", False)),
            explanation="In March.",
        ),
    ),
)


def test_a_written_deck_reads_back_with_its_sources_without_its_ordering_and_flashcard_items():
    result = parse_gift(write_gift(DECK), "export.gift")
    assert result.errors == ()
    carried = tuple(
        item for item in DECK.items if item.kind not in (ItemKind.ORDERING, ItemKind.FLASHCARD)
    )
    assert any(item.source for item in carried)
    assert result.items == carried
    assert result.title == DECK.title


def test_a_source_comment_right_above_a_question_gives_its_source() -> None:
    text = textwrap.dedent(
        """\
        // Source:   History,
        //   a comment that is not the source
        ::a:: First? {=yes ~no}

        // Source: a blank line parts it from the next question

        ::b:: Second? {=yes ~no}

        // source: Atlas p. 3
        ::c:: Third?
        // Source: inside the question, so only a comment
        {=yes ~no}
        """
    )
    result = parse_gift(text, "s.gift")
    assert [(item.key, item.source) for item in result.items] == [
        ("a", "History,"),
        ("b", ""),
        ("c", "Atlas p. 3"),
    ]


def test_a_gift_file_says_nothing_of_the_sources_it_does_not_give() -> None:
    assert parse_gift("::a:: Q? {=yes ~no}", "s.gift").unsaid == frozenset({"source"})


def test_skipped_items_are_named_in_comments_where_they_would_have_been() -> None:
    lines = write_gift(DECK).splitlines()
    assert "// Skipped ordering item 'order': GIFT has no ordering questions." in lines
    assert "// Skipped flashcard item 'rada': GIFT has no flashcard questions." in lines


def test_the_source_is_written_as_a_comment_above_its_question() -> None:
    text = write_gift(DECK)
    assert "// Source: History, paragraph 2\n::capital:: " in text


def test_a_single_answer_item_is_written_as_moodle_writes_it() -> None:
    text = write_gift(DECK)
    assert (
        "::capital:: Capital of Ukraine? \\{choose one\\} {\n"
        "=Kyiv\n"
        "~Lviv \\= L'viv\n"
        "~\\~Odesa\n"
        "####Since 1934\\: \\#1 city.\\nOn the Dnipro.\n"
        "}\n"
    ) in text


def test_right_answers_of_a_multiple_item_share_100_percent_in_moodle_grades() -> None:
    text = write_gift(DECK)
    assert "~%33.33333%Ukraine\n~%33.33333%Georgia\n~%33.33333%Armenia\n~%-100%Belarus" in text


def test_a_true_false_item_is_written_true_or_false() -> None:
    assert "::crimea:: Crimea was annexed in 2014. {\nTRUE\n####In March.\n}" in write_gift(DECK)


def test_text_that_looks_like_a_weight_or_a_format_marker_survives_a_round_trip() -> None:
    item = ItemSpec(
        "tricky",
        ItemKind.SINGLE,
        "[html]<b>not a marker</b>",
        (ChoiceSpec("[plain] right", True), ChoiceSpec("%50% of voters"), ChoiceSpec("%-1%")),
        explanation="[markdown]*as typed*",
    )
    deck = DeckSpec("d", "D", items=(item,))
    assert parse_gift(write_gift(deck), "d.gift").items == (item,)


GIFT_KINDS = (ItemKind.SINGLE, ItemKind.MULTIPLE, ItemKind.TRUE_FALSE)


@settings(max_examples=80, deadline=None, database=None)
@given(deck=deck_specs(kinds=GIFT_KINDS, alphabet=ALPHABET, with_source=False))
def test_write_then_parse_gives_back_the_same_items(deck: DeckSpec) -> None:
    result = parse_gift(write_gift(deck), "export.gift")
    assert result.errors == (), [str(error) for error in result.errors]
    assert result.items == deck.items
