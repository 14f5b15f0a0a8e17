"""Flashcards pasted as text: a term and its definition on each line."""

from __future__ import annotations

import pytest

from quiz.bank.formats import hashed_key
from quiz.bank.pasted import SEPARATORS, parse_pasted_cards
from quiz.domain.items import ItemKind


def _cards(result) -> list[tuple[str, str]]:
    assert result.errors == ()
    assert all(item.kind is ItemKind.FLASHCARD for item in result.items)
    return [(item.prompt, item.back) for item in result.items]


@pytest.mark.parametrize(
    ("separator", "text"),
    [
        ("tab", "Kyiv\tthe capital of Ukraine\nCrimea\tannexed by Russia, 2014"),
        ("comma", "Kyiv, the capital of Ukraine\nCrimea,annexed by Russia, 2014"),
        ("semicolon", "Kyiv; the capital of Ukraine\nCrimea;annexed by Russia, 2014"),
        ("dash", "Kyiv - the capital of Ukraine\nCrimea - annexed by Russia, 2014"),
    ],
)
def test_each_line_is_cut_at_its_first_separator_into_a_term_and_its_definition(separator, text):
    assert _cards(parse_pasted_cards(text, separator)) == [
        ("Kyiv", "the capital of Ukraine"),
        ("Crimea", "annexed by Russia, 2014"),  # the second comma stays in the definition
    ]


def test_blank_lines_and_a_header_row_are_skipped():
    text = "\nTerm\tDefinition\n\nKyiv\tthe capital\n  \n"
    result = parse_pasted_cards(text, "tab")
    assert _cards(result) == [("Kyiv", "the capital")]
    assert result.item_lines == (4,)


def test_keys_come_from_the_terms_so_the_same_paste_updates_its_cards():
    first = parse_pasted_cards("Kyiv\tthe capital\nLviv\ta city in the west", "tab")
    again = parse_pasted_cards("Lviv\tin the west\nKyiv\tthe capital city", "tab")
    assert {i.prompt: i.key for i in first.items} == {i.prompt: i.key for i in again.items}
    # Never the key of a question made from the same words (untitled GIFT, Aiken, CSV):
    # a paste must not turn a question into a card.
    assert all(i.key.startswith("card-") for i in first.items)
    assert hashed_key("Kyiv") not in {i.key for i in first.items}
    # A paste says nothing of explanations or sources: an update keeps them.
    assert first.unsaid == frozenset({"explanation", "source"})


def test_a_term_given_twice_is_refused_with_both_lines():
    result = parse_pasted_cards("Kyiv\tthe capital\nLviv\twest\nkyiv \tits river", "tab")
    assert [(e.line, e.message) for e in result.errors] == [
        (3, "the term “kyiv” is on line 1 already: give each card a term of its own")
    ]


def test_only_line_breaks_end_a_line_and_a_byte_order_mark_is_no_text():
    result = parse_pasted_cards("\ufeffKyiv\tthe capital\u2028of Ukraine\r\nLviv\twest", "tab")
    assert _cards(result) == [("Kyiv", "the capital of Ukraine"), ("Lviv", "west")]
    assert result.item_lines == (1, 2)


def test_every_bad_line_is_reported_with_its_number_and_nothing_is_taken():
    text = "Kyiv\tthe capital\nno separator here\n\tno term\nno definition\t  \n"
    result = parse_pasted_cards(text, "tab")
    assert result.items == ()
    assert [(e.line, e.message) for e in result.errors] == [
        (2, "no tab between the term and its definition"),
        (3, "the term is empty"),
        (4, "the definition is empty"),
    ]
    dash = parse_pasted_cards("Kyiv-the capital", "dash")
    assert (
        dash.errors[0].message
        == "no “ - ” (a dash with spaces) between the term and its definition"
    )


def test_an_empty_paste_or_an_unknown_separator_is_refused():
    (empty,) = parse_pasted_cards(" \n\n", "tab").errors
    assert empty.message == "paste one card a line: a term, the separator, then its definition"
    (unknown,) = parse_pasted_cards("a\tb", "pipe").errors
    assert unknown.message == f"unknown separator 'pipe': choose one of {', '.join(SEPARATORS)}"
