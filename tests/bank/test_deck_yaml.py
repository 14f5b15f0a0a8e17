"""Tests for parsing, validating, building and writing YAML deck files."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quiz.bank.deck_yaml import (
    BankError,
    ParsedDeck,
    dump_deck_yaml,
    parse_deck_bytes,
    parse_deck_text,
    read_bank,
)
from quiz.domain.facts import EventFact, FactDate, PositionFact, QuoteFact
from quiz.domain.items import ChoiceSpec, DeckSpec, ItemKind, ItemSpec

HEADER = """\
slug: test-deck
title: Test deck
"""


def parse(body: str, header: str = HEADER) -> ParsedDeck | list[BankError]:
    return parse_deck_text(header + textwrap.dedent(body), "deck.yaml")


def parse_ok(body: str, header: str = HEADER) -> ParsedDeck:
    result = parse(body, header)
    assert isinstance(result, ParsedDeck), [str(e) for e in result]
    return result


def errors_of(body: str, header: str = HEADER) -> list[BankError]:
    result = parse(body, header)
    assert isinstance(result, list), "expected errors, the deck parsed"
    return result


def the_error(body: str, header: str = HEADER) -> BankError:
    errors = errors_of(body, header)
    assert len(errors) == 1, [str(e) for e in errors]
    return errors[0]


GOOD_DECK = """\
slug: ukraine-history
title: "Ukraine and Russia: a troubled history"
description: >
  A short history.
facts:
  - key: independence-vote
    type: event
    when: "1991"
    what: Ukraine voted for independence.
    ask: When did Ukraine vote for independence?
    explanation: It left the Soviet Union.
    source: "History, paragraph 1"
  - key: russia-cap-on-army
    type: position
    party: Russia
    also: [The United States]
    stance: "  A cap on the size of Ukraine's armed forces.  "
    explanation: Russia listed it.
    source: "What Russia wants, paragraph 14"
  - key: tusk-trust
    type: quote
    speaker: Donald Tusk
    role: Prime Minister of Poland
    quote: "One can't trust Russia."
    context: On the eve of the summit.
    explanation: Europe is wary.
    source: "Introduction, paragraph 10"
questions:
  - key: why-2014-protests
    kind: single
    prompt: What set off the 2014 protests?
    choices:
      - text: The president refused an EU agreement.
        correct: true
      - text: An election.
    explanation: He refused to sign.
    source: "History, paragraph 5"
  - key: nato-members
    kind: multiple
    prompt: Which joined NATO?
    choices:
      - {text: Estonia, correct: true}
      - {text: Latvia, correct: true}
      - {text: Belarus}
    explanation: The Baltic states joined.
    source: "History, paragraph 2"
  - key: crimea-claim
    kind: true_false
    prompt: Crimea is recognised internationally as part of Russia.
    answer: false
    explanation: It is recognised as part of Ukraine.
    source: "History, paragraph 5"
  - key: history-order
    kind: ordering
    prompt: Put these in order.
    order: [Independence, NATO declaration, Crimea annexed]
    explanation: 1991, 2008, 2014.
    source: "History, paragraph 1"
  - key: crimea-card
    kind: flashcard
    front: What is Crimea?
    back: A peninsula in the Black Sea.
    explanation: Geography.
    source: "History, paragraph 5"
"""


# ---------------------------------------------------------------------------------------
# A valid file


def test_a_valid_deck_gives_header_facts_and_questions() -> None:
    deck = parse_deck_text(GOOD_DECK, "ukraine.yaml")
    assert isinstance(deck, ParsedDeck)
    assert deck.slug == "ukraine-history"
    assert deck.title == "Ukraine and Russia: a troubled history"
    assert deck.description == "A short history."
    assert deck.include == ()
    assert deck.facts == (
        EventFact(
            "independence-vote",
            FactDate(1991),
            "Ukraine voted for independence.",
            "When did Ukraine vote for independence?",
            "It left the Soviet Union.",
            "History, paragraph 1",
            6,
        ),
        PositionFact(
            "russia-cap-on-army",
            "Russia",
            ("The United States",),
            "A cap on the size of Ukraine's armed forces.",
            "Russia listed it.",
            "What Russia wants, paragraph 14",
            13,
        ),
        QuoteFact(
            "tusk-trust",
            "Donald Tusk",
            "Prime Minister of Poland",
            "One can't trust Russia.",
            "On the eve of the summit.",
            "Europe is wary.",
            "Introduction, paragraph 10",
            20,
        ),
    )
    assert [q.kind for q in deck.questions] == [
        ItemKind.SINGLE,
        ItemKind.MULTIPLE,
        ItemKind.TRUE_FALSE,
        ItemKind.ORDERING,
        ItemKind.FLASHCARD,
    ]
    assert deck.question_lines == (29, 38, 47, 53, 59)


def test_hand_written_questions_become_item_specs() -> None:
    deck = parse_deck_text(GOOD_DECK, "ukraine.yaml")
    assert isinstance(deck, ParsedDeck)
    single, multiple, true_false, ordering, card = deck.questions
    assert single == ItemSpec(
        key="why-2014-protests",
        kind=ItemKind.SINGLE,
        prompt="What set off the 2014 protests?",
        choices=(
            ChoiceSpec("The president refused an EU agreement.", True),
            ChoiceSpec("An election."),
        ),
        explanation="He refused to sign.",
        source="History, paragraph 5",
    )
    assert [c.correct for c in multiple.choices] == [True, True, False]
    assert true_false.choices == (ChoiceSpec("True", False), ChoiceSpec("False", True))
    assert ordering.answer_order == ("Independence", "NATO declaration", "Crimea annexed")
    assert all(c.correct for c in ordering.choices)
    assert (card.prompt, card.back, card.choices) == (
        "What is Crimea?",
        "A peninsula in the Black Sea.",
        (),
    )


def test_yaml_look_alikes_are_read_as_the_text_written() -> None:
    deck = parse_ok(
        """\
        questions:
          - key: q
            kind: single
            prompt: Pick one.
            choices:
              - {text: 1991, correct: true}
              - {text: No}
              - {text: 2014-03-18}
            explanation: e
            source: s
        facts:
          - key: e
            type: event
            when: 2014-03-18
            what: w
            ask: a
            explanation: e2
            source: s
        """
    )
    assert [c.text for c in deck.questions[0].choices] == ["1991", "No", "2014-03-18"]
    assert deck.facts[0].when == FactDate(2014, 3, 18)


def test_a_byte_order_mark_is_accepted() -> None:
    assert isinstance(
        parse_deck_bytes(b"\xef\xbb\xbf" + GOOD_DECK.encode(), "bom.yaml"), ParsedDeck
    )


def test_an_include_only_deck_is_valid() -> None:
    deck = parse_ok("include: [ukraine-history, what-russia-wants]\n")
    assert deck.include == ("ukraine-history", "what-russia-wants")


def test_bank_error_reads_file_colon_line_colon_message() -> None:
    assert str(BankError("q/a.yaml", 7, "bad")) == "q/a.yaml:7: bad"
    assert str(BankError("q/a.yaml", None, "bad")) == "q/a.yaml: bad"


# ---------------------------------------------------------------------------------------
# One test per kind of error, each with its line

FACT = """\
facts:
  - key: crimea-annexed
    type: event
    when: "2014"
    what: Russia annexed Crimea.
    ask: When?
    explanation: e
    source: s
"""


def test_invalid_yaml_syntax_reports_the_line() -> None:
    error = the_error("facts:\n  - key: a\n    type: event: bad\n")
    assert (error.file, error.line) == ("deck.yaml", 5)
    assert "invalid YAML" in error.message


def test_an_unclosed_quote_reports_a_line() -> None:
    error = the_error('description: "never closed\n')
    assert error.line is not None and error.line >= 3


def test_a_top_level_that_is_not_a_mapping_is_refused() -> None:
    error = the_error("- slug: a\n- title: b\n", header="")
    assert error.line == 1
    assert "must be a mapping" in error.message and "not a list" in error.message


def test_an_empty_file_is_refused() -> None:
    error = the_error("", header="")
    assert error.line == 1 and "empty" in error.message


def test_non_utf8_bytes_report_the_line() -> None:
    result = parse_deck_bytes(HEADER.encode() + b"description: caf\xe9\n", "latin1.yaml")
    assert result == [
        BankError(
            "latin1.yaml",
            3,
            "the file is not UTF-8 text (byte 0xe9 cannot be decoded); save it as UTF-8",
        )
    ]


def test_a_control_character_reports_its_line() -> None:
    error = the_error("description: a\x00b\n")
    assert error.line == 3 and "#x0000" in error.message


def test_missing_required_header_fields_are_reported() -> None:
    errors = errors_of("description: d\n" + FACT, header="")
    assert {(e.line, e.message) for e in errors} == {
        (1, "deck: missing field 'slug'"),
        (1, "deck: missing field 'title'"),
    }


def test_a_missing_fact_field_points_at_the_fact() -> None:
    error = the_error(FACT.replace("    ask: When?\n", ""))
    assert error.line == 4
    assert error.message == "fact 'crimea-annexed': missing field 'ask'"


def test_a_missing_question_field_points_at_the_question() -> None:
    error = the_error(
        """\
        questions:
          - key: q
            kind: flashcard
            front: f
            explanation: e
            source: s
        """
    )
    assert (error.line, error.message) == (4, "question 'q': missing field 'back'")


def test_an_unknown_field_is_reported_with_a_suggestion() -> None:
    error = the_error(FACT.replace("what:", "waht:").replace("    ask", "    what: w\n    ask"))
    assert error.line == 7
    assert "unknown field 'waht'" in error.message and "did you mean 'what'" in error.message


def test_an_unknown_top_level_field_is_reported() -> None:
    error = the_error("questons: []\n" + FACT)
    assert error.line == 3 and "unknown field 'questons'" in error.message


def test_a_field_of_another_fact_type_is_unknown() -> None:
    error = the_error(FACT.replace("    ask: When?\n", "    ask: When?\n    party: Russia\n"))
    assert error.line == 9 and "unknown field 'party'" in error.message


def test_a_field_written_twice_is_reported_not_silently_overwritten() -> None:
    error = the_error(FACT.replace("    ask: When?\n", "    ask: When?\n    what: Again.\n"))
    assert error.line == 9
    assert "'what' appears twice" in error.message and "line 7" in error.message


def test_a_text_field_given_a_list_is_reported() -> None:
    error = the_error(FACT.replace("what: Russia annexed Crimea.", "what: [a, b]"))
    assert error.line == 7
    assert error.message == "fact 'crimea-annexed': field 'what' must be text, not a list"


@pytest.mark.parametrize("value", ['""', "'   '", ""])
def test_an_empty_text_is_reported(value: str) -> None:
    error = the_error(FACT.replace("what: Russia annexed Crimea.", f"what: {value}"))
    assert error.line == 7 and error.message.endswith("field 'what' is empty")


def test_an_unknown_fact_type_is_reported_with_a_suggestion() -> None:
    error = the_error(FACT.replace("type: event", "type: evnt"))
    assert error.line == 5
    assert "type must be one of event, position, quote" in error.message
    assert "did you mean 'event'" in error.message


def test_an_unknown_question_kind_is_reported() -> None:
    error = the_error(
        """\
        questions:
          - key: q
            kind: truefalse
            prompt: p
            answer: true
            explanation: e
            source: s
        """
    )
    assert error.line == 5 and "did you mean 'true_false'" in error.message


@pytest.mark.parametrize("key", ["Crimea", "crimea_annexed", "-crimea", "crimea annexed"])
def test_a_badly_formed_key_is_reported(key: str) -> None:
    error = the_error(FACT.replace("key: crimea-annexed", f"key: {key}"))
    assert error.line == 4 and "lowercase letters, digits and hyphens" in error.message


def test_a_badly_formed_slug_is_reported() -> None:
    error = the_error(FACT, header="slug: Test Deck\ntitle: t\n")
    assert error.line == 1 and "slug 'Test Deck'" in error.message


def test_a_key_used_twice_in_a_file_is_reported_at_the_second_use() -> None:
    error = the_error(FACT + FACT[len("facts:\n") :])
    assert error.line == 11
    assert error.message == "key 'crimea-annexed' is already used on line 4"


def test_question_and_fact_keys_share_one_namespace() -> None:
    error = the_error(
        FACT
        + """\
questions:
  - key: crimea-annexed
    kind: flashcard
    front: f
    back: b
    explanation: e
    source: s
"""
    )
    assert error.line == 12 and "already used on line 4" in error.message


@pytest.mark.parametrize(
    ("when", "problem"),
    [
        ('"14 March 2014"', "is not a date"),
        ('"2014-02-30"', "February 2014 has 28 days"),
        ('"2014-13"', "month 13 does not exist"),
    ],
)
def test_a_bad_date_is_reported(when: str, problem: str) -> None:
    error = the_error(FACT.replace('when: "2014"', f"when: {when}"))
    assert error.line == 6 and problem in error.message


POSITION = """\
facts:
  - key: russia-cap
    type: position
    party: Russia
    stance: A cap on the army.
    explanation: e
    source: s
"""


def test_an_unknown_party_is_reported_with_a_suggestion() -> None:
    error = the_error(POSITION.replace("party: Russia", "party: russia"))
    assert error.line == 6
    assert "must be one of Russia, Ukraine, The United States, European leaders" in error.message
    assert "did you mean 'Russia'" in error.message


def test_a_bad_also_party_is_reported_at_its_entry() -> None:
    error = the_error(
        POSITION.replace("    stance", "    also:\n      - Ukraine\n      - USA\n    stance")
    )
    assert error.line == 9 and "'USA'" in error.message


def test_the_party_repeated_in_also_is_reported() -> None:
    error = the_error(POSITION.replace("    stance", "    also: [Russia]\n    stance"))
    assert error.line == 7 and "named twice" in error.message


def test_unsettled_parties_are_read_and_may_not_repeat_a_holder() -> None:
    body = POSITION.replace(
        "    stance", "    also: [Ukraine]\n    unsettled: [European leaders]\n    stance"
    )
    (fact,) = parse_ok(body).facts
    assert fact.also == ("Ukraine",) and fact.unsettled == ("European leaders",)
    error = the_error(POSITION.replace("    stance", "    unsettled: [Russia]\n    stance"))
    assert error.line == 7 and "named twice" in error.message


def test_a_position_must_leave_a_party_to_be_a_wrong_answer() -> None:
    body = POSITION.replace(
        "    stance",
        "    also: [Ukraine]\n    unsettled: [The United States, European leaders]\n    stance",
    )
    assert "no party is left to be a wrong answer" in the_error(body).message


def test_a_position_may_say_who_says_the_party_wants_it() -> None:
    deck = parse_ok(POSITION.replace("    stance", "    according_to: experts\n    stance"))
    (fact,) = deck.facts
    assert fact.according_to == "experts"
    assert parse_ok(POSITION).facts[0].according_to == ""


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("According to experts", "without the words 'according to'"),
        ("experts.", "no closing punctuation"),
        ("x" * 61, "at most 60 characters"),
    ],
)
def test_who_says_the_party_wants_it_is_a_few_words(value: str, problem: str) -> None:
    error = the_error(POSITION.replace("    stance", f"    according_to: {value}\n    stance"))
    assert error.line == 7 and problem in error.message


def test_also_must_be_a_list() -> None:
    error = the_error(POSITION.replace("    stance", "    also: Ukraine\n    stance"))
    assert error.line == 7 and "field 'also' must be a list, not text" in error.message


def single(choices: str, kind: str = "single") -> str:
    return f"""\
questions:
  - key: q
    kind: {kind}
    prompt: Pick.
    choices:
{textwrap.indent(textwrap.dedent(choices), "      ")}
    explanation: e
    source: s
"""


def test_duplicate_choice_texts_are_reported_at_the_second() -> None:
    error = the_error(single("- {text: Kyiv, correct: true}\n- {text: Lviv}\n- {text: kyiv}\n"))
    assert error.line == 10
    assert error.message == "question 'q': choice 'kyiv' appears twice (first on line 8)"


@pytest.mark.parametrize("correct_count", [0, 2])
def test_a_single_question_needs_exactly_one_correct_choice(correct_count: int) -> None:
    lines = [f"- {{text: c{n}, correct: {str(n < correct_count).lower()}}}" for n in range(3)]
    error = the_error(single("\n".join(lines) + "\n"))
    assert error.line == 8
    assert f"exactly one choice with 'correct: true', has {correct_count}" in error.message


def test_a_multiple_question_needs_a_correct_choice() -> None:
    error = the_error(single("- {text: a}\n- {text: b}\n", kind="multiple"))
    assert error.line == 8 and "at least one choice" in error.message


@pytest.mark.parametrize("count", [1, 9])
def test_a_question_needs_two_to_eight_choices(count: int) -> None:
    lines = ["- {text: c0, correct: true}"] + [f"- {{text: c{n}}}" for n in range(1, count)]
    error = the_error(single("\n".join(lines) + "\n"))
    assert error.line == 8 and f"needs 2 to 8 choices, has {count}" in error.message


def test_a_choice_must_be_a_mapping() -> None:
    error = the_error(single("- {text: a, correct: true}\n- Lviv\n"))
    assert error.line == 9 and "each choice must be a mapping" in error.message


def test_correct_must_be_a_boolean() -> None:
    error = the_error(single("- {text: a, correct: true}\n- {text: b, correct: maybe}\n"))
    assert error.line == 9 and "'correct' must be true or false, not 'maybe'" in error.message


def test_a_true_false_answer_must_be_a_boolean() -> None:
    error = the_error(
        """\
        questions:
          - key: q
            kind: true_false
            prompt: p
            answer: "true"
            explanation: e
            source: s
        """
    )
    assert error.line == 7 and "'answer' must be true or false" in error.message


@pytest.mark.parametrize(("entries", "count"), [("[a, b]", 2), ("[a, b, c, d, e, f, g]", 7)])
def test_ordering_needs_three_to_six_entries(entries: str, count: int) -> None:
    error = the_error(
        f"""\
questions:
  - key: q
    kind: ordering
    prompt: p
    order: {entries}
    explanation: e
    source: s
"""
    )
    assert error.line == 7 and f"needs 3 to 6 entries, has {count}" in error.message


def test_ordering_entries_must_differ() -> None:
    error = the_error(
        """\
questions:
  - key: q
    kind: ordering
    prompt: p
    order:
      - first
      - second
      - First
    explanation: e
    source: s
"""
    )
    assert error.line == 10 and "'First' appears twice" in error.message


def test_an_unsupported_tag_is_refused() -> None:
    error = the_error("description: !!python/object:os.system x\n" + FACT)
    assert error.line == 3 and "unsupported YAML tag" in error.message


def test_a_bad_value_is_reported_once_not_also_as_missing() -> None:
    error = the_error(FACT, header="slug: test-deck\ntitle: !custom Test\n")
    assert error.line == 2 and "unsupported YAML tag '!custom'" in error.message


def test_absurdly_deep_nesting_is_refused_cleanly() -> None:
    error = the_error("include: " + "[" * 3000 + "]" * 3000 + "\n")
    assert error.message == "the file is nested too deeply"


def test_a_recursive_alias_is_refused() -> None:
    errors = errors_of("include: &loop [a, *loop]\n")
    assert errors[0].line == 3 and "refers to itself" in errors[0].message


def test_include_of_itself_is_refused() -> None:
    error = the_error("include: [test-deck]\n" + FACT)
    assert error.line == 3 and "cannot include itself" in error.message


def test_a_deck_with_nothing_in_it_is_refused() -> None:
    error = the_error("description: d\n")
    assert error.line == 1 and "no facts, no questions" in error.message


def test_facts_must_be_a_list_of_mappings() -> None:
    error = the_error("facts:\n  - just text\n")
    assert error.line == 4 and "each fact must be a mapping" in error.message


def test_every_error_in_a_file_is_reported_not_just_the_first() -> None:
    body = (
        FACT.replace("type: event", "type: evnt")
        + POSITION[len("facts:\n") :].replace("party: Russia", "party: Rusia")
        + "questions:\n  - key: Bad Key\n    kind: flashcard\n    front: f\n    back: b\n"
        "    explanation: e\n    source: s\n"
    )
    errors = errors_of(body)
    assert [e.line for e in errors] == [5, 13, 18]


# ---------------------------------------------------------------------------------------
# The whole bank


def deck_file(slug: str, body: str, title: str = "A deck") -> str:
    return f"slug: {slug}\ntitle: {title}\n" + textwrap.dedent(body)


def history_fact(n: int, year: int) -> str:
    return f"""\
  - key: event-{year}
    type: event
    when: "{year}"
    what: Something happened in {year}.
    ask: When did thing {year} happen?
    explanation: Explained {year}.
    source: "History, paragraph {n}"
"""


HISTORY = (
    "slug: history\ntitle: History\nfacts:\n"
    + "".join(history_fact(n, year) for n, year in enumerate((1991, 1994, 2004, 2008, 2014, 2022)))
    + """\
questions:
  - key: hand-written
    kind: true_false
    prompt: Crimea is a peninsula.
    answer: true
    explanation: It is.
    source: "History, paragraph 5"
"""
)


def positions_file(slug: str, party: str, count: int) -> str:
    prefix = party.split()[-1].lower()
    facts = "".join(
        f"""\
  - key: {prefix}-stance-{n}
    type: position
    party: {party}
    stance: {party} stance number {n}.
    explanation: Explained.
    source: "{party}, paragraph {n}"
"""
        for n in range(1, count + 1)
    )
    return f"slug: {slug}\ntitle: What {party} wants\nfacts:\n{facts}"


MIXED = deck_file("mixed-review", "include: [history, what-russia-wants]\n")


def write_bank(directory: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (directory / name).write_text(text, encoding="utf-8")
    return directory


@pytest.fixture
def bank(tmp_path: Path) -> Path:
    return write_bank(
        tmp_path,
        {
            "history.yaml": HISTORY,
            "russia.yaml": positions_file("what-russia-wants", "Russia", 4),
            "ukraine.yaml": positions_file("what-ukraine-wants", "Ukraine", 4),
            "z-mixed.yaml": MIXED,
            "README.md": "# not a deck: ignored\n",
        },
    )


def test_read_bank_builds_every_deck_in_file_name_order(bank: Path) -> None:
    decks, errors = read_bank(bank)
    assert errors == []
    assert [d.slug for d in decks] == [
        "history",
        "what-russia-wants",
        "what-ukraine-wants",
        "mixed-review",
    ]


def test_hand_written_questions_come_before_built_items(bank: Path) -> None:
    history = read_bank(bank)[0][0]
    assert history.items[0].key == "hand-written"
    assert {"event-1991--when", "event-1991--which-event", "event-1991--card", "order-1"} <= {
        i.key for i in history.items
    }


def test_item_keys_are_unique_within_each_deck(bank: Path) -> None:
    for deck in read_bank(bank)[0]:
        keys = [item.key for item in deck.items]
        assert len(keys) == len(set(keys)), deck.slug


def test_a_party_deck_borrows_distractors_from_the_other_decks(bank: Path) -> None:
    russia = read_bank(bank)[0][1]
    item = next(i for i in russia.items if i.key == "russia-stance-1--position")
    wrong = [c.text for c in item.choices if not c.correct]
    assert wrong and all(text.startswith("Ukraine stance") for text in wrong)


def test_a_mixed_deck_asks_one_question_per_included_fact(bank: Path) -> None:
    mixed = read_bank(bank)[0][3]
    assert len(mixed.items) == 6 + 4
    assert ItemKind.FLASHCARD not in {item.kind for item in mixed.items}


def test_the_same_files_always_give_the_same_decks(bank: Path) -> None:
    assert read_bank(bank) == read_bank(bank)


def test_a_slug_used_by_two_files_is_an_error_and_nothing_loads(bank: Path) -> None:
    (bank / "ukraine.yaml").write_text(positions_file("what-russia-wants", "Ukraine", 4))
    decks, errors = read_bank(bank)
    assert decks == []
    assert [(Path(e.file).name, e.line) for e in errors] == [("ukraine.yaml", 1)]
    assert "already used by" in errors[0].message and "russia.yaml" in errors[0].message


def test_a_fact_key_used_in_two_files_is_an_error(bank: Path) -> None:
    text = positions_file("what-ukraine-wants", "Ukraine", 4).replace(
        "ukraine-stance-1", "russia-stance-1"
    )
    (bank / "ukraine.yaml").write_text(text)
    decks, errors = read_bank(bank)
    assert decks == []
    assert len(errors) == 1
    assert (Path(errors[0].file).name, errors[0].line) == ("ukraine.yaml", 4)
    assert "fact key 'russia-stance-1' is already used by" in errors[0].message


def test_an_include_of_an_unknown_deck_is_an_error(bank: Path) -> None:
    (bank / "z-mixed.yaml").write_text(
        deck_file("mixed-review", "include:\n  - history\n  - histroy\n")
    )
    decks, errors = read_bank(bank)
    assert decks == []
    assert [(Path(e.file).name, e.line) for e in errors] == [("z-mixed.yaml", 5)]
    assert "did you mean 'history'" in errors[0].message


def test_a_question_key_that_clashes_with_a_built_item_is_an_error(bank: Path) -> None:
    (bank / "history.yaml").write_text(
        HISTORY.replace("key: hand-written", "key: event-1991--when")
    )
    decks, errors = read_bank(bank)
    assert decks == []
    assert len(errors) == 1 and "clashes with the question on line" in errors[0].message


def test_one_bad_file_means_no_deck_loads(bank: Path) -> None:
    (bank / "broken.yaml").write_text("slug: broken\ntitle: [unclosed\n")
    decks, errors = read_bank(bank)
    assert decks == []
    assert [Path(e.file).name for e in errors] == ["broken.yaml"]


def test_a_non_utf8_file_in_the_bank_is_reported(bank: Path) -> None:
    (bank / "latin1.yaml").write_bytes(b"slug: latin\ntitle: Caf\xe9\n")
    decks, errors = read_bank(bank)
    assert decks == [] and errors[0].line == 2 and "UTF-8" in errors[0].message


def test_an_empty_or_missing_directory_is_reported(tmp_path: Path) -> None:
    assert read_bank(tmp_path) == (
        [],
        [BankError(str(tmp_path), None, "no *.yaml deck files found")],
    )
    missing = tmp_path / "nope"
    assert read_bank(missing)[1][0].message == "not a directory"


# ---------------------------------------------------------------------------------------
# Writing decks back


def test_a_built_deck_survives_a_dump_and_parse(bank: Path) -> None:
    for deck in read_bank(bank)[0]:
        parsed = parse_deck_text(dump_deck_yaml(deck), "dumped.yaml")
        assert isinstance(parsed, ParsedDeck), parsed
        assert (parsed.slug, parsed.title, parsed.description) == (
            deck.slug,
            deck.title,
            deck.description,
        )
        assert parsed.questions == deck.items
        assert parsed.facts == ()


def _normal(text: str) -> str:
    return " ".join(text.casefold().split())


# Characters that stress YAML: indicators, quotes, line breaks YAML would fold, control
# characters, a BOM, non-ASCII letters and an astral-plane emoji. (An explicit alphabet
# also spares Hypothesis building its Unicode tables, which takes seconds.)
_ALPHABET = list(
    "abcXYZ019 .,;:!?-#&*|>%@`'\"[]{}~\\/\t\n\r\x85\u2028\u2029\x00\x07\x7f\ufefféßЖ“”‘’—…😀"
)
_texts = st.text(st.sampled_from(_ALPHABET), min_size=1, max_size=40).map(str.strip).filter(bool)
_keys = st.from_regex(r"[a-z0-9]{1,6}(-{1,2}[a-z0-9]{1,6}){0,3}", fullmatch=True)
_unique_texts = st.lists(_texts, min_size=2, max_size=8, unique_by=_normal)


@st.composite
def item_specs(draw: st.DrawFn, key: str) -> ItemSpec:
    kind = draw(st.sampled_from(list(ItemKind)))
    common = {
        "key": key,
        "kind": kind,
        "prompt": draw(_texts),
        "explanation": draw(_texts),
        "source": draw(_texts),
    }
    if kind is ItemKind.FLASHCARD:
        return ItemSpec(**common, back=draw(_texts))
    if kind is ItemKind.TRUE_FALSE:
        answer = draw(st.booleans())
        return ItemSpec(
            **common, choices=(ChoiceSpec("True", answer), ChoiceSpec("False", not answer))
        )
    if kind is ItemKind.ORDERING:
        texts = draw(st.lists(_texts, min_size=3, max_size=6, unique_by=_normal))
        return ItemSpec(**common, choices=tuple(ChoiceSpec(t, True) for t in texts))
    texts = draw(_unique_texts)
    if kind is ItemKind.SINGLE:
        right = {draw(st.integers(0, len(texts) - 1))}
    else:
        right = set(draw(st.lists(st.integers(0, len(texts) - 1), min_size=1)))
    return ItemSpec(**common, choices=tuple(ChoiceSpec(t, n in right) for n, t in enumerate(texts)))


@st.composite
def deck_specs(draw: st.DrawFn) -> DeckSpec:
    keys = draw(st.lists(_keys, min_size=1, max_size=5, unique=True))
    return DeckSpec(
        slug=draw(_keys),
        title=draw(_texts),
        description=draw(st.one_of(st.just(""), _texts)),
        items=tuple(draw(item_specs(key)) for key in keys),
    )


@settings(max_examples=60, deadline=None, database=None)
@given(deck_specs())
def test_dump_then_parse_gives_back_the_same_items(deck: DeckSpec) -> None:
    parsed = parse_deck_text(dump_deck_yaml(deck), "dumped.yaml")
    assert isinstance(parsed, ParsedDeck), [str(e) for e in parsed]
    assert (parsed.slug, parsed.title, parsed.description) == (
        deck.slug,
        deck.title,
        deck.description,
    )
    assert parsed.questions == deck.items


def test_a_party_unsettled_on_a_stance_another_fact_gives_it_is_reported(tmp_path: Path) -> None:
    russia = positions_file("what-russia-wants", "Russia", 2).replace(
        "    party: Russia\n    stance: Russia stance number 1.",
        "    party: Russia\n    unsettled: [Ukraine]\n    stance: Shared stance.",
    )
    ukraine = positions_file("what-ukraine-wants", "Ukraine", 2).replace(
        "stance: Ukraine stance number 1.", "stance: shared  STANCE."
    )
    write_bank(tmp_path, {"russia.yaml": russia, "ukraine.yaml": ukraine})
    decks, errors = read_bank(tmp_path)
    assert decks == []
    assert len(errors) == 1 and errors[0].file.endswith("russia.yaml")
    assert "'Ukraine' is unsettled here but holds the same stance" in errors[0].message


def test_a_position_with_no_party_left_still_reports_its_other_errors() -> None:
    body = POSITION.replace(
        "    stance: A cap on the army.\n",
        "    also: [Ukraine]\n    unsettled: [The United States, European leaders]\n",
    )
    messages = [e.message for e in errors_of(body)]
    assert any("no party is left" in m for m in messages)
    assert any("stance" in m and "missing" in m for m in messages), messages
