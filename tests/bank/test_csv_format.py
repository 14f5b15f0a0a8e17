"""Tests for the CSV/TSV question and flashcard format; also home of the item strategies."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quiz.bank.csv_format import parse_csv, write_csv
from quiz.bank.deck_yaml import BankError
from quiz.bank.formats import ImportResult, hashed_key
from quiz.domain.items import ChoiceSpec, DeckSpec, ItemKind, ItemSpec

SAMPLES = Path(__file__).parent / "samples"

# ---------------------------------------------------------------------------------------
# Strategies for valid items, shared by the round-trip tests of every format.

#: Characters that stress the writers: GIFT's syntax (~ = # { } : \), CSV's (, ; " and
#: line breaks), spreadsheet formula starters (= + - @ '), format markers ([ ]), HTML,
#: weights (%), non-ASCII letters and an astral-plane emoji. An explicit alphabet also
#: spares Hypothesis building its Unicode tables, which takes seconds.
ALPHABET = "abcXYZ019 .,;:!?-+@'\"#=~{}[]\\/%<>&|\t\néЖ—😀"
KEYS = st.from_regex(r"[a-z0-9]{1,6}(-{1,2}[a-z0-9]{1,6}){0,3}", fullmatch=True)


def normal(text: str) -> str:
    return " ".join(text.casefold().split())


def texts(alphabet: str = ALPHABET, max_size: int = 30) -> st.SearchStrategy[str]:
    return (
        st.text(st.sampled_from(alphabet), min_size=1, max_size=max_size)
        .map(str.strip)
        .filter(bool)
    )


@st.composite
def item_specs(
    draw: st.DrawFn,
    key: str,
    kinds: tuple[ItemKind, ...] = tuple(ItemKind),
    alphabet: str = ALPHABET,
    with_source: bool = True,
) -> ItemSpec:
    text = texts(alphabet)
    kind = draw(st.sampled_from(kinds))
    common = {
        "key": key,
        "kind": kind,
        "prompt": draw(text),
        "explanation": draw(st.one_of(st.just(""), text)),
        "source": draw(st.one_of(st.just(""), text)) if with_source else "",
    }
    if kind is ItemKind.FLASHCARD:
        return ItemSpec(**common, back=draw(text))
    if kind is ItemKind.TRUE_FALSE:
        answer = draw(st.booleans())
        return ItemSpec(
            **common, choices=(ChoiceSpec("True", answer), ChoiceSpec("False", not answer))
        )
    if kind is ItemKind.ORDERING:
        entries = draw(st.lists(text, min_size=3, max_size=6, unique_by=normal))
        return ItemSpec(**common, choices=tuple(ChoiceSpec(t, True) for t in entries))
    choices = draw(st.lists(text, min_size=2, max_size=8, unique_by=normal))
    if kind is ItemKind.SINGLE:
        right = {draw(st.integers(0, len(choices) - 1))}
    else:
        right = set(draw(st.lists(st.integers(0, len(choices) - 1), min_size=1)))
    return ItemSpec(
        **common, choices=tuple(ChoiceSpec(t, n in right) for n, t in enumerate(choices))
    )


@st.composite
def deck_specs(
    draw: st.DrawFn,
    kinds: tuple[ItemKind, ...] = tuple(ItemKind),
    alphabet: str = ALPHABET,
    with_source: bool = True,
) -> DeckSpec:
    keys = draw(st.lists(KEYS, min_size=1, max_size=5, unique=True))
    return DeckSpec(
        slug=draw(KEYS),
        title=draw(texts(alphabet)),
        items=tuple(draw(item_specs(key, kinds, alphabet, with_source)) for key in keys),
    )


# ---------------------------------------------------------------------------------------
# Helpers


def parse_ok(text: str) -> ImportResult:
    result = parse_csv(text, "set.csv")
    assert result.errors == (), [str(error) for error in result.errors]
    return result


def the_error(text: str) -> BankError:
    result = parse_csv(text, "set.csv")
    assert result.items == ()
    assert len(result.errors) == 1, [str(error) for error in result.errors]
    return result.errors[0]


HEADER = "key,kind,prompt,choice_1,choice_2,choice_3,correct,explanation,source\n"

# ---------------------------------------------------------------------------------------
# Flashcards


def test_a_quizlet_style_tsv_of_terms_becomes_flashcards() -> None:
    text = (SAMPLES / "quizlet_flashcards.tsv").read_text(encoding="utf-8")
    result = parse_ok(text)
    assert [(item.kind, item.prompt, item.back) for item in result.items] == [
        (ItemKind.FLASHCARD, "Verkhovna Rada", "The parliament of Ukraine"),
        (
            ItemKind.FLASHCARD,
            "Budapest Memorandum",
            "1994 assurances given to Ukraine for giving up its nuclear arsenal",
        ),
        (
            ItemKind.FLASHCARD,
            "Maidan",
            "Independence Square in Kyiv; the 2013–14 protests were named after it",
        ),
    ]
    assert result.items[0].key == hashed_key("Verkhovna Rada")
    assert result.title is None


@pytest.mark.parametrize(
    "header", ["front,back", "Front,Back", "TERM;DEFINITION", " term , definition "]
)
def test_a_front_back_or_term_definition_header_is_accepted_in_any_case(header: str) -> None:
    delimiter = ";" if ";" in header else ","
    result = parse_ok(f"{header}\nKyiv{delimiter}Capital of Ukraine\n")
    assert result.items[0].prompt == "Kyiv"
    assert result.items[0].back == "Capital of Ukraine"


def test_a_semicolon_file_with_commas_in_the_text_is_read_with_semicolons() -> None:
    result = parse_ok("term;definition\nNATO, 2008;Bucharest summit, April\n")
    assert (result.items[0].prompt, result.items[0].back) == (
        "NATO, 2008",
        "Bucharest summit, April",
    )


def test_an_empty_definition_names_its_line_and_column() -> None:
    error = the_error("term,definition\nKyiv,Capital\nLviv,\n")
    assert error.line == 3
    assert "column 'definition' is empty" in error.message


def test_the_same_term_twice_gets_two_keys() -> None:
    result = parse_ok("term,definition\nRada,Parliament\nRada,Parliament of Ukraine\n")
    first, second = (item.key for item in result.items)
    assert second == f"{first}-2"


# ---------------------------------------------------------------------------------------
# Questions


def test_every_kind_is_read_from_the_questions_layout() -> None:
    text = HEADER + (
        "cap,single,Capital of Ukraine?,Lviv,Kyiv,Odesa,2,Kyiv since 1934.,History §1\n"
        "nato,multiple,Named at Bucharest?,Ukraine,Belarus,Georgia,1|3,,\n"
        "crimea,true_false,Crimea was annexed in 2014.,True,False,,1,,\n"
        "flat,TRUE_FALSE,The Earth is flat.,,,,2,,\n"
        "order,ordering,Oldest first,1991,2014,2022,,,\n"
        "rada,flashcard,Verkhovna Rada,Parliament of Ukraine,,,,,\n"
    )
    items = parse_ok(text).items
    assert items == (
        ItemSpec(
            "cap",
            ItemKind.SINGLE,
            "Capital of Ukraine?",
            (ChoiceSpec("Lviv"), ChoiceSpec("Kyiv", True), ChoiceSpec("Odesa")),
            "Kyiv since 1934.",
            "History §1",
        ),
        ItemSpec(
            "nato",
            ItemKind.MULTIPLE,
            "Named at Bucharest?",
            (ChoiceSpec("Ukraine", True), ChoiceSpec("Belarus"), ChoiceSpec("Georgia", True)),
        ),
        ItemSpec(
            "crimea",
            ItemKind.TRUE_FALSE,
            "Crimea was annexed in 2014.",
            (ChoiceSpec("True", True), ChoiceSpec("False", False)),
        ),
        ItemSpec(
            "flat",
            ItemKind.TRUE_FALSE,
            "The Earth is flat.",
            (ChoiceSpec("True", False), ChoiceSpec("False", True)),
        ),
        ItemSpec(
            "order",
            ItemKind.ORDERING,
            "Oldest first",
            (ChoiceSpec("1991", True), ChoiceSpec("2014", True), ChoiceSpec("2022", True)),
        ),
        ItemSpec("rada", ItemKind.FLASHCARD, "Verkhovna Rada", back="Parliament of Ukraine"),
    )


def test_quoted_fields_with_commas_and_line_breaks_keep_later_line_numbers_right() -> None:
    text = HEADER + (
        'a,single,"Which, of these,\nspans lines?",yes,no,,1,"why:\n""quoted""",\n'
        "b,single,Second?,x,x,,1,,\n"
    )
    result = parse_csv(text, "set.csv")
    assert result.items == ()
    # The first record runs over lines 2 to 4, so the second starts on line 5.
    assert [(error.line, "appears twice" in error.message) for error in result.errors] == [
        (5, True)
    ]


def test_a_quoted_field_with_a_line_break_is_read_whole() -> None:
    text = HEADER + 'a,single,"Line one\nline two",yes,no,,1,"He said ""no"", twice",\n'
    item = parse_ok(text).items[0]
    assert item.prompt == "Line one\nline two"
    assert item.explanation == 'He said "no", twice'


def test_columns_may_come_in_any_order_and_key_explanation_source_may_be_left_out() -> None:
    result = parse_ok("prompt,correct,kind,choice_2,choice_1\nCapital?,1,single,Lviv,Kyiv\n")
    assert result.items[0].choices == (ChoiceSpec("Kyiv", True), ChoiceSpec("Lviv"))
    assert result.items[0].key == hashed_key("Capital?")


def test_an_empty_key_is_made_from_the_prompt_and_never_takes_a_written_key() -> None:
    generated = hashed_key("Capital?")
    text = HEADER + f",single,Capital?,a,b,,1,,\n{generated},single,Other?,a,b,,1,,\n"
    keys = [item.key for item in parse_ok(text).items]
    assert keys == [f"{generated}-2", generated]


def test_a_tab_separated_questions_file_is_read() -> None:
    text = HEADER.replace(",", "\t") + "k\tsingle\tA, B or C?\tA\tB\tC\t3\t\t\n"
    assert parse_ok(text).items[0].choices[2] == ChoiceSpec("C", True)


def test_blank_rows_and_short_rows_from_spreadsheets_are_accepted() -> None:
    text = HEADER + "\n,,,,,,,,\nk,single,Q?,a,b,,1\n\n"
    result = parse_ok(text)
    assert len(result.items) == 1
    assert result.item_lines == (4,)


def test_an_apostrophe_guard_before_a_formula_character_is_taken_off() -> None:
    text = HEADER + "k,single,'=2+2?,'-1,'+4,'@x,2,'plain,\n"
    item = parse_ok(text).items[0]
    assert item.prompt == "=2+2?"
    assert [choice.text for choice in item.choices] == ["-1", "+4", "@x"]
    assert item.explanation == "'plain"  # only an apostrophe before a formula character


# -- malformed files: each names the line (header = 1) and the column ----------------------


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("k,singel,Q?,a,b,,1,,", "column 'kind' must be one of single, multiple, true_false"),
        ("k,singel,Q?,a,b,,1,,", "did you mean 'single'?"),
        ("k,,Q?,a,b,,1,,", "column 'kind' must be one of"),
        ("k,single,,a,b,,1,,", "column 'prompt' is empty"),
        ("k,single,Q?,a,b,,4,,", "column 'correct': 4 is not a choice number"),
        ("k,single,Q?,a,b,,1|2,,", "a single-answer question has one right choice"),
        ("k,single,Q?,a,b,,,,", "column 'correct' must give the numbers of the right choices"),
        ('k,multiple,Q?,a,b,c,"1,3",,', "separated by | (such as 2 or 1|3), not '1,3'"),
        ("k,multiple,Q?,a,b,c,1|1,,", "column 'correct' lists 1 twice"),
        ("k,single,Q?,,b,c,2,,", "column 'choice_1' is empty but a later choice is filled"),
        ("k,single,Q?,a,A ,,1,,", "choice 'A' appears twice"),
        ("k,single,Q?,a,,,1,,", "needs 2 to 8 choices, has 1"),
        ("k,true_false,Q?,Yes,No,,1,,", "choices of a true_false question are True and False"),
        ("k,true_false,Q?,,,,3,,", "must be 1 (True) or 2 (False), not '3'"),
        ("k,ordering,Q?,a,b,c,1,,", "column 'correct' must be empty for an ordering question"),
        ("k,ordering,Q?,a,b,,,,", "an ordering question needs 3 to 6 entries"),
        ("k,flashcard,Front,,,,,,", "column 'choice_1' is empty: give the back"),
        ("k,flashcard,Front,Back,More,,,,", "a flashcard's back goes in choice_1 alone"),
        ("Bad Key,single,Q?,a,b,,1,,", "column 'key': 'Bad Key' must be lowercase letters"),
        ("k,single,Q?,a,b,,1,,,extra", "the row has 10 fields but the header has 9"),
    ],
)
def test_a_bad_row_is_reported_on_its_line_with_its_column(row: str, message: str) -> None:
    result = parse_csv(HEADER + "ok,single,Fine?,a,b,,1,,\n" + row + "\n", "set.csv")
    assert result.items == ()
    assert [error.line for error in result.errors] == [3], [str(e) for e in result.errors]
    assert message in result.errors[0].message


def test_a_key_used_twice_names_the_first_line() -> None:
    error = the_error(HEADER + "k,single,Q?,a,b,,1,,\nk,single,R?,a,b,,1,,\n")
    assert (error.line, error.message) == (3, "key 'k' is used twice (first on line 2)")


def test_an_unclosed_quote_names_the_row_it_starts_on() -> None:
    error = the_error(HEADER + 'a,single,Q?,x,y,,1,,\nb,single,"Never closed,x,y,,1,,\nc\n')
    assert error.line == 3
    assert "never closed" in error.message


def test_text_after_a_closing_quote_is_reported() -> None:
    error = the_error(HEADER + 'a,single,"Q"?,x,y,,1,,\n')
    assert error.line == 2
    assert "not valid CSV" in error.message


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("question,answer", "use 'term,definition' or 'front,back' for flashcards, or 'key,kind"),
        ("kind,prompt,choice_1,answer", "missing column(s): correct; unknown column(s): 'answer'"),
        ("kind,prompt,choice_1,choice_3,correct", "numbered choice_1, choice_2, … without gaps"),
        ("kind,prompt,choice_1,correct,prompt", "column(s) appearing twice: prompt"),
    ],
)
def test_an_unknown_header_lists_what_is_accepted(header: str, message: str) -> None:
    error = the_error(f"{header}\na,b,c,d,e\n")
    assert error.line == 1
    assert message in error.message


def test_a_header_without_rows_is_reported() -> None:
    assert "no rows" in the_error(HEADER).message


# ---------------------------------------------------------------------------------------
# Writing


def test_a_formula_like_text_is_written_behind_an_apostrophe() -> None:
    deck = DeckSpec(
        "d",
        "D",
        items=(ItemSpec("k", ItemKind.FLASHCARD, '=HYPERLINK("x")', back="@SUM(A1)"),),
    )
    row = write_csv(deck).splitlines()[1]
    assert row == 'k,flashcard,"\'=HYPERLINK(""x"")",\'@SUM(A1),,,'


def test_written_csv_has_one_choice_column_per_choice_of_the_widest_item() -> None:
    deck = DeckSpec("d", "D", items=(ItemSpec("k", ItemKind.FLASHCARD, "front", back="back"),))
    assert write_csv(deck).splitlines() == [
        "key,kind,prompt,choice_1,correct,explanation,source",
        "k,flashcard,front,back,,,",
    ]


@settings(max_examples=60, deadline=None, database=None)
@given(deck=deck_specs(), delimiter=st.sampled_from([",", ";", "\t"]))
def test_write_then_parse_gives_back_every_item_of_every_kind(
    deck: DeckSpec, delimiter: str
) -> None:
    result = parse_csv(write_csv(deck, delimiter=delimiter), "set.csv")
    assert result.errors == (), [str(error) for error in result.errors]
    assert result.items == deck.items


@pytest.mark.parametrize(
    ("text", "unsaid"),
    [
        (
            "key,kind,prompt,choice_1,choice_2,correct,explanation,source\nk,single,Q?,a,b,1,,\n",
            set(),
        ),
        ("key,kind,prompt,choice_1,choice_2,correct,explanation\nk,single,Q?,a,b,1,\n", {"source"}),
        ("kind,prompt,choice_1,choice_2,correct\nsingle,Q?,a,b,1\n", {"explanation", "source"}),
    ],
)
def test_a_column_the_header_leaves_out_says_nothing(text: str, unsaid: set[str]) -> None:
    result = parse_csv(text, "q.csv")
    assert result.errors == (), [str(e) for e in result.errors]
    assert result.unsaid == frozenset(unsaid)
