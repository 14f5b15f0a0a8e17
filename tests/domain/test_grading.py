"""Grading one answer and planning an attempt."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quiz.domain.grading import (
    ChoiceKey,
    InvalidAnswer,
    continued_choices,
    grade,
    order_from_places,
    percent,
    percent_tenths,
    plan_attempt,
    regrade,
)

SINGLE = [ChoiceKey(1, True, 0), ChoiceKey(2, False, 1), ChoiceKey(3, False, 2)]
MULTI = [ChoiceKey(1, True, 0), ChoiceKey(2, True, 1), ChoiceKey(3, False, 2)]
ORDER = [ChoiceKey(7, True, 2), ChoiceKey(5, True, 0), ChoiceKey(6, True, 1)]


def test_single_choice_is_right_only_with_the_right_choice():
    assert grade("single", SINGLE, [1]) is True
    assert grade("single", SINGLE, [2]) is False


def test_single_choice_refuses_two_answers():
    with pytest.raises(InvalidAnswer):
        grade("single", SINGLE, [1, 2])


def test_multiple_answers_need_exactly_the_right_set():
    assert grade("multiple", MULTI, [2, 1]) is True
    assert grade("multiple", MULTI, [1]) is False
    assert grade("multiple", MULTI, [1, 2, 3]) is False


def test_ordering_is_right_only_in_the_exact_order():
    assert grade("ordering", ORDER, [5, 6, 7]) is True
    assert grade("ordering", ORDER, [6, 5, 7]) is False


def test_ordering_needs_every_entry_once():
    with pytest.raises(InvalidAnswer):
        grade("ordering", ORDER, [5, 6])
    with pytest.raises(InvalidAnswer):
        grade("ordering", ORDER, [5, 5, 7])


@pytest.mark.parametrize("chosen", [[], [99]])
def test_empty_or_foreign_answers_are_invalid(chosen):
    with pytest.raises(InvalidAnswer):
        grade("single", SINGLE, chosen)


def test_order_from_places_sorts_by_place_and_refuses_a_repeated_place():
    assert order_from_places({5: 2, 6: 1, 7: 3}) == [6, 5, 7]
    with pytest.raises(InvalidAnswer):
        order_from_places({5: 1, 6: 1, 7: 3})


def test_percent_rounds_half_up():
    assert percent(1 / 3) == 33
    assert percent(0.125) == 13
    assert percent(1.0) == 100


@pytest.mark.parametrize(
    ("right", "total", "whole", "tenths"),
    [
        (23, 40, 58, 57.5),  # 23/40 × 100 is 57.49999999999999 in floating point
        (46, 80, 58, 57.5),
        (29, 200, 15, 14.5),
        (1, 16, 6, 6.3),  # 6.25: half up, not to even
        (5, 16, 31, 31.3),
        (2, 3, 67, 66.7),
    ],
)
def test_a_score_exactly_on_a_half_rounds_up_whatever_floating_point_makes_of_it(
    right: int, total: int, whole: int, tenths: float
):
    assert percent(right / total) == whole
    assert percent_tenths(right / total) == tenths


@given(st.integers(1, 2000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_percentages_are_the_exact_fraction_rounded_half_up(score: tuple[int, int]):
    right, total = score
    assert percent(right / total) == (200 * right + total) // (2 * total)
    assert percent_tenths(right / total) == ((2000 * right + total) // (2 * total)) / 10


def test_plan_attempt_is_a_permutation_and_repeatable_with_a_seed():
    items = [(i, "single", [i * 10 + k for k in range(4)]) for i in range(1, 8)]
    order, choices = plan_attempt(items, None, random.Random(5))
    assert sorted(order) == list(range(1, 8))
    assert all(sorted(choices[str(i)]) == [i * 10 + k for k in range(4)] for i in order)
    assert plan_attempt(items, None, random.Random(5)) == (order, choices)
    short, _ = plan_attempt(items, 3, random.Random(5))
    assert len(short) == 3


def test_plan_attempt_keeps_true_before_false():
    items = [(i, "true_false", [i * 10, i * 10 + 1]) for i in range(1, 20)]
    _, choices = plan_attempt(items, None, random.Random(2))
    assert all(choices[str(i)] == [i * 10, i * 10 + 1] for i in range(1, 20))


def test_regrade_marks_an_answer_against_the_current_key():
    fixed = [ChoiceKey(1, False, 0), ChoiceKey(2, True, 1), ChoiceKey(3, False, 2)]
    assert regrade("single", fixed, [1, 2, 3], [2]) is True
    assert regrade("single", fixed, [3, 1, 2], [1]) is False


def test_regrade_leaves_an_answer_to_other_choices_unmarked():
    # The learner was shown choice 4, since removed; or not shown choice 3, since added.
    assert regrade("single", SINGLE, [1, 2, 4], [1]) is None
    assert regrade("multiple", MULTI, [1, 2], [1, 2]) is None
    assert regrade("ordering", ORDER, [5, 6], [5, 6]) is None


def test_regrade_still_marks_an_answer_when_only_an_unpicked_choice_went():
    assert regrade("single", SINGLE, [1, 2, 3, 4], [1]) is True
    assert regrade("single", SINGLE, [1, 2, 3, 4], [4]) is None  # their pick went
    assert regrade("ordering", ORDER, [5, 6, 7, 8], [5, 6, 7, 8]) is None


def _continued(old: dict[int, str], new: list[tuple[str, int | None]]) -> list[int | None]:
    """continued_choices for choices that are all ticked alike (texts and rows only)."""
    return continued_choices(
        {cid: (text, False) for cid, text in old.items()},
        [(text, False, row) for text, row in new],
    )


def test_a_choice_kept_word_for_word_continues_wherever_it_moved():
    old = {1: "Paris", 2: "Lyon", 3: "Nice"}
    assert _continued(old, [("Nice", 1), ("Paris", 2), ("Lyon", 3)]) == [3, 1, 2]


def test_a_row_with_a_typo_fixed_continues_its_choice():
    old = {1: "The Budapest Memorandom", 2: "Lyon"}
    assert _continued(old, [("The Budapest Memorandum", 1), ("Lyon", 2)]) == [1, 2]
    assert _continued(old, [("the budapest memorandom.", 1), ("Lyon", None)]) == [1, 2]


def test_a_row_written_over_with_another_answer_is_a_new_choice():
    old = {1: "Lyon", 2: "Nice"}
    assert _continued(old, [("Paris", 1), ("Nice", 2)]) == [None, 2]
    # A row from nowhere (an import) or naming another question's choice starts anew.
    assert _continued(old, [("Lyonn", None), ("Nice", 99)]) == [None, 2]


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("1994", "1991"),
        ("12 regions", "13 regions"),
        ("Russia", "Not Russia"),
        ("Ukraine joined NATO in 2008", "Ukraine did not join NATO in 2008"),
        ("Kyiv agreed", "Kyiv didn't agree"),
        ("It accepted the request", "It rejected the request"),
        ("legal", "illegal"),
        ("Austria", "Australia"),
        ("Eastern Ukraine", "Western Ukraine"),
        ("Russia", "Prussia"),
        ("Pariss", "Paris"),  # a letter removed: too often another word
    ],
)
def test_an_edit_that_may_be_another_answer_makes_a_new_choice(before, after):
    assert _continued({1: before}, [(after, 1)]) == [None]


def test_a_choice_is_continued_once():
    old = {1: "Paris", 2: "Lyon"}
    # Row 2 showed "Lyon" but now says "Paris"; "Paris" stays choice 1, "Lyon" is gone.
    assert _continued(old, [("Paris", 1), ("Parris", 1)]) == [1, None]


def test_an_edited_text_ticked_differently_is_a_new_choice_but_a_moved_tick_is_not():
    old = {1: ("The Budapest Memorandom", False), 2: ("Lyon", True)}
    # Row 1's typo fixed and ticked right: another answer now, not the learners' pick.
    assert continued_choices(old, [("The Budapest Memorandum", True, 1), ("Lyon", False, 2)]) == [
        None,
        2,
    ]
    # The same texts with the tick moved: a key fixed, every choice kept.
    assert continued_choices(old, [("The Budapest Memorandom", True, 1), ("Lyon", False, 2)]) == [
        1,
        2,
    ]
