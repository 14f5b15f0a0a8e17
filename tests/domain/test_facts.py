"""Tests for fact dates and the small helpers around parties."""

from __future__ import annotations

import pytest

from quiz.domain.facts import (
    PARTIES,
    DatePrecision,
    FactDate,
    PositionFact,
    join_names,
    party_in_sentence,
    party_slug,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1991", FactDate(1991)),
        ("2025-03", FactDate(2025, 3)),
        ("2018-07-16", FactDate(2018, 7, 16)),
        (" 2014 ", FactDate(2014)),
    ],
)
def test_parse_accepts_year_month_and_day(text: str, expected: FactDate) -> None:
    assert FactDate.parse(text) == expected


@pytest.mark.parametrize(
    ("date", "shown"),
    [
        (FactDate(1991), "1991"),
        (FactDate(2025, 3), "March 2025"),
        (FactDate(2018, 7, 16), "16 July 2018"),
    ],
)
def test_format_reads_naturally_for_learners(date: FactDate, shown: str) -> None:
    assert date.format() == shown
    assert str(date) == shown


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("91", "not a date"),
        ("2014/03", "not a date"),
        ("2014-3", "not a date"),
        ("March 2014", "not a date"),
        ("2014-13", "month 13 does not exist"),
        ("2023-02-29", "has 28 days"),
        ("0000", "no year 0"),
    ],
)
def test_parse_rejects_malformed_or_impossible_dates(text: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        FactDate.parse(text)


def test_leap_day_is_a_valid_date() -> None:
    assert FactDate.parse("2024-02-29").format() == "29 February 2024"


def test_isoformat_round_trips() -> None:
    for text in ("1991", "2025-03", "2018-07-16"):
        assert FactDate.parse(text).isoformat() == text


def test_dates_sort_chronologically_with_coarse_dates_first() -> None:
    dates = [FactDate(2022, 2, 24), FactDate(2014), FactDate(1991), FactDate(2014, 3)]
    assert sorted(dates) == [
        FactDate(1991),
        FactDate(2014),
        FactDate(2014, 3),
        FactDate(2022, 2, 24),
    ]


def test_precision_follows_the_written_form() -> None:
    assert FactDate(2014).precision is DatePrecision.YEAR
    assert FactDate(2014, 3).precision is DatePrecision.MONTH
    assert FactDate(2014, 3, 18).precision is DatePrecision.DAY


def test_a_year_overlaps_its_months_and_days_but_not_other_years() -> None:
    assert FactDate(2014).overlaps(FactDate(2014, 3))
    assert FactDate(2014, 3).overlaps(FactDate(2014, 3, 18))
    assert FactDate(2014, 3, 18).overlaps(FactDate(2014))
    assert not FactDate(2014, 3).overlaps(FactDate(2014, 4))
    assert not FactDate(2014).overlaps(FactDate(2015, 1, 1))


def test_preposition_is_on_for_days_and_in_otherwise() -> None:
    assert FactDate(2014).preposition() == "in"
    assert FactDate(2014, 3).preposition() == "in"
    assert FactDate(2014, 3, 18).preposition() == "on"


def test_a_day_without_a_month_is_refused() -> None:
    with pytest.raises(ValueError):
        FactDate(2014, None, 3)


def test_party_names_fit_keys_and_sentences() -> None:
    assert [party_slug(p) for p in PARTIES] == [
        "russia",
        "ukraine",
        "the-united-states",
        "european-leaders",
    ]
    assert party_in_sentence("The United States") == "the United States"
    assert party_in_sentence("Russia") == "Russia"


def test_join_names_uses_a_serial_and() -> None:
    assert join_names(["Russia"]) == "Russia"
    assert join_names(["Russia", "Ukraine"]) == "Russia and Ukraine"
    assert join_names(["a", "b", "c"]) == "a, b and c"


def test_position_holders_are_the_party_then_the_others() -> None:
    fact = PositionFact("k", "Ukraine", ("European leaders",), "A ceasefire first.", "e", "s")
    assert fact.holders == ("Ukraine", "European leaders")
