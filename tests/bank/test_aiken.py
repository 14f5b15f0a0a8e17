"""Tests for reading and writing Aiken files."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from quiz.bank.aiken import parse_aiken, write_aiken
from quiz.bank.deck_yaml import BankError
from quiz.bank.formats import ImportResult, hashed_key
from quiz.domain.items import ChoiceSpec, DeckSpec, ItemKind, ItemSpec

SAMPLES = Path(__file__).parent / "samples"


def aiken(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def parse_ok(text: str) -> ImportResult:
    result = parse_aiken(aiken(text), "set.txt")
    assert result.errors == (), [str(error) for error in result.errors]
    return result


def the_error(text: str) -> BankError:
    result = parse_aiken(aiken(text), "set.txt")
    assert result.items == (), "expected an error, the file parsed"
    assert len(result.errors) == 1, [str(error) for error in result.errors]
    return result.errors[0]


def test_an_exported_aiken_file_gives_single_answer_items() -> None:
    text = (SAMPLES / "exported.aiken.txt").read_text(encoding="utf-8")
    result = parse_aiken(text, "exported.aiken.txt")
    assert result.errors == ()
    assert result.items[0] == ItemSpec(
        key=hashed_key("In which year did Ukraine vote for independence?"),
        kind=ItemKind.SINGLE,
        prompt="In which year did Ukraine vote for independence?",
        choices=(
            ChoiceSpec("1989"),
            ChoiceSpec("1991", True),
            ChoiceSpec("1994"),
            ChoiceSpec("2004"),
        ),
    )
    assert [[c.correct for c in item.choices] for item in result.items[1:]] == [
        [False, False, True],
        [False, True],
    ]
    assert result.item_lines == (1, 8, 14)
    assert result.title is None


def test_questions_need_no_blank_line_between_them() -> None:
    result = parse_ok(
        """
        One?
        A. a
        B. b
        ANSWER: A
        Two?
        A. a
        B. b
        ANSWER: B
        """
    )
    assert [item.prompt for item in result.items] == ["One?", "Two?"]


def test_a_question_may_run_over_several_lines() -> None:
    item = parse_ok(
        """
        Read the quote: "One can't trust Russia."
        Who said it?
        A) Donald Tusk
        B) Emmanuel Macron
        ANSWER: A
        """
    ).items[0]
    assert item.prompt == 'Read the quote: "One can\'t trust Russia."\nWho said it?'


def test_lowercase_letters_and_answer_are_accepted() -> None:
    item = parse_ok("Q?\na. x\nb. y\nanswer: b\n").items[0]
    assert item.choices == (ChoiceSpec("x"), ChoiceSpec("y", True))


def test_the_same_question_twice_gets_two_keys() -> None:
    result = parse_ok("Q?\nA. x\nB. y\nANSWER: A\n\nQ?\nA. x\nB. y\nANSWER: B\n")
    assert [item.key for item in result.items] == [hashed_key("Q?"), hashed_key("Q?") + "-2"]


def test_windows_line_ends_are_read() -> None:
    result = parse_aiken("Q?\r\nA. x\r\nB. y\r\nANSWER: A\r\n", "set.txt")
    assert result.items[0].choices == (ChoiceSpec("x", True), ChoiceSpec("y"))


MALFORMED = [
    pytest.param(
        """
        Capital?
        A. Kyiv
        B. Lviv

        River?
        A. Dnipro
        B. Danube
        ANSWER: A
        """,
        1,
        "the question has no ANSWER line: after the choices, write 'ANSWER: '",
        id="missing-answer-before-next-question",
    ),
    pytest.param(
        "Good?\nA. x\nB. y\nANSWER: A\n\nCapital?\nA. Kyiv\nB. Lviv\n",
        6,
        "the question has no ANSWER line",
        id="missing-answer-at-end-of-file",
    ),
    pytest.param(
        "Capital?\nA. Kyiv\nB. Lviv\nC. Odesa\nANSWER: E\n",
        5,
        "ANSWER: E names no choice: the choices are A, B, C",
        id="answer-letter-not-a-choice",
    ),
    pytest.param(
        "Capital?\nA. Kyiv\nANSWER: A\n",
        1,
        "the question has 1 choice(s); it needs at least two lines such as 'A. …' and 'B. …'",
        id="fewer-than-two-choices",
    ),
    pytest.param(
        "Good?\nA. x\nB. y\nANSWER: A\nC. z\n",
        5,
        "a choice line (C. …) before any question: write the question on the line above",
        id="choice-line-before-a-question",
    ),
    pytest.param(
        "Capital?\nA. Kyiv\nB. Lviv\nB. Odesa\nANSWER: A\n",
        4,
        "choice letter B is used twice (first on line 3)",
        id="duplicate-letter",
    ),
    pytest.param(
        "Capital?\nA. Kyiv\nB. kyiv\nANSWER: A\n",
        3,
        "the choice 'kyiv' appears twice (first on line 2)",
        id="duplicate-choice-text",
    ),
    pytest.param(
        "Capital?\nA. Kyiv\nB.\nANSWER: A\n",
        3,
        "choice B is empty",
        id="empty-choice",
    ),
    pytest.param(
        "Capital?\nA. Kyiv\nB. Lviv\nANSWER: A or B\n",
        4,
        "expected one letter after ANSWER:, such as 'ANSWER: A', not 'A or B'",
        id="answer-not-a-letter",
    ),
    pytest.param("ANSWER: A\n", 1, "an ANSWER line without a question", id="answer-alone"),
    pytest.param(
        "Many?\n" + "".join(f"{letter}. {letter}\n" for letter in "ABCDEFGHI") + "ANSWER: A\n",
        1,
        "needs 2 to 8 choices, has 9",
        id="too-many-choices",
    ),
    pytest.param("\n\n", 1, "the file holds no questions", id="no-questions"),
]


@pytest.mark.parametrize(("text", "line", "message"), MALFORMED)
def test_a_malformed_question_is_reported_on_its_line_and_nothing_imports(
    text: str, line: int, message: str
) -> None:
    error = the_error(text)
    assert error.line == line, str(error)
    assert message in error.message, str(error)


def test_every_bad_question_is_reported() -> None:
    result = parse_aiken("A. orphan\n\nQ?\nA. x\nB. y\nANSWER: Z\n\nR?\nA. x\n", "set.txt")
    assert result.items == ()
    assert [error.line for error in result.errors] == [1, 6, 8]


# ---------------------------------------------------------------------------------------
# Writing

DECK = DeckSpec(
    slug="d",
    title="D",
    items=(
        ItemSpec(
            "capital",
            ItemKind.SINGLE,
            "Capital of\nUkraine?",
            (ChoiceSpec("Lviv"), ChoiceSpec("Kyiv", True), ChoiceSpec("Odesa\non the sea")),
            explanation="Not written",
        ),
        ItemSpec(
            "nato",
            ItemKind.MULTIPLE,
            "Named?",
            (ChoiceSpec("Ukraine", True), ChoiceSpec("Georgia", True)),
        ),
        ItemSpec(
            "crimea",
            ItemKind.TRUE_FALSE,
            "Annexed in 2014?",
            (ChoiceSpec("True", True), ChoiceSpec("False")),
        ),
        ItemSpec("rada", ItemKind.FLASHCARD, "Rada", back="Parliament"),
        ItemSpec(
            "river", ItemKind.SINGLE, "River?", (ChoiceSpec("Dnipro", True), ChoiceSpec("Po"))
        ),
    ),
)


def test_only_single_answer_items_are_written_one_line_each() -> None:
    assert write_aiken(DECK) == (
        "Capital of Ukraine?\n"
        "A. Lviv\n"
        "B. Kyiv\n"
        "C. Odesa on the sea\n"
        "ANSWER: B\n"
        "\n"
        "River?\n"
        "A. Dnipro\n"
        "B. Po\n"
        "ANSWER: A\n"
    )


def test_a_written_file_reads_back_as_the_same_questions_under_hashed_keys() -> None:
    result = parse_aiken(write_aiken(DECK), "export.txt")
    assert result.errors == ()
    assert [(item.prompt, item.choices) for item in result.items] == [
        (
            "Capital of Ukraine?",
            (ChoiceSpec("Lviv"), ChoiceSpec("Kyiv", True), ChoiceSpec("Odesa on the sea")),
        ),
        ("River?", (ChoiceSpec("Dnipro", True), ChoiceSpec("Po"))),
    ]


def test_a_deck_without_single_answer_items_writes_an_empty_file() -> None:
    assert write_aiken(DeckSpec("d", "D", items=DECK.items[1:4])) == ""


def test_an_aiken_file_says_nothing_of_explanations_and_sources() -> None:
    result = parse_aiken("Capital?\nA. Kyiv\nB. Lviv\nANSWER: A\n", "q.txt")
    assert result.unsaid == frozenset({"explanation", "source"})
