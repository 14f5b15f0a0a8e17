"""Item analysis against small data sets worked out by hand, plus property checks."""

from __future__ import annotations

import math
import statistics
from datetime import UTC, datetime, timedelta
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quiz.domain.grading import percent
from quiz.domain.item_analysis import (
    DISTRACTOR_DRAWS_STRONGEST,
    DISTRACTOR_NEVER_CHOSEN,
    KEY_MISSED_BY_STRONGEST,
    MIN_ATTEMPTS_TO_FLAG,
    NEGATIVE_DISCRIMINATION,
    POOR_DISCRIMINATION,
    TOO_EASY,
    TOO_HARD,
    AttemptRecord,
    ChoiceInfo,
    ItemInfo,
    analyse,
    attempt_score,
    form_alpha,
    select_attempts,
)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
A, B, C, D = 1, 2, 3, 4


def attempt(
    attempt_id: int,
    user_id: int,
    scores: dict[int, float],
    minutes: int = 0,
    choices: dict[int, tuple[int, ...]] | None = None,
) -> AttemptRecord:
    return AttemptRecord(
        attempt_id=attempt_id,
        user_id=user_id,
        submitted_at=T0 + timedelta(minutes=minutes),
        item_scores=scores,
        choices=choices or {},
    )


def item(item_id: int, *choices: ChoiceInfo) -> ItemInfo:
    return ItemInfo(item_id=item_id, prompt=f"Question {item_id}", kind="single", choices=choices)


def f(value: Fraction) -> float:
    return float(value)


# Five learners, three items, one attempt each:
#
#   learner   A  B  C   total  score (total / 3)
#   1         1  1  1     3      1
#   2         1  1  0     2      2/3
#   3         1  0  1     2      2/3
#   4         1  0  0     1      1/3
#   5         0  0  0     0      0
FIVE_BY_THREE = [
    attempt(10 + u, u, dict(zip((A, B, C), row, strict=True)), minutes=u)
    for u, row in enumerate([(1, 1, 1), (1, 1, 0), (1, 0, 1), (1, 0, 0), (0, 0, 0)], start=1)
]
ITEMS = [item(A), item(B), item(C)]


def test_facility_and_sd_by_hand():
    # A: 1,1,1,1,0  F = 4/5; deviations 1/5 ×4 and -4/5: Σd² = 4/25 + 16/25 = 4/5,
    #    sample variance = (4/5)/4 = 1/5, SD = √(1/5).
    # B: 1,1,0,0,0  F = 2/5; Σd² = 2·(3/5)² + 3·(2/5)² = 18/25 + 12/25 = 6/5,
    #    variance = (6/5)/4 = 3/10, SD = √(3/10).  C has the same scores in another order.
    a, b, c = analyse(FIVE_BY_THREE, ITEMS).items
    assert (a.n, b.n, c.n) == (5, 5, 5)
    assert a.facility == pytest.approx(f(Fraction(4, 5)))
    assert b.facility == c.facility == pytest.approx(f(Fraction(2, 5)))
    assert a.sd == pytest.approx(math.sqrt(Fraction(1, 5)))
    assert b.sd == c.sd == pytest.approx(math.sqrt(Fraction(3, 10)))


def test_discrimination_is_item_against_rest_of_test_by_hand():
    # A vs rest (B+C = 2,1,1,0,0, mean 4/5):
    #   dA = 1/5,1/5,1/5,1/5,-4/5   dR = 6/5,1/5,1/5,-4/5,-4/5
    #   Σ dA·dR = (6+1+1-4+16)/25 = 4/5;  Σ dA² = 4/5;  Σ dR² = (36+1+1+16+16)/25 = 14/5
    #   r = (4/5) / √(4/5 · 14/5) = 4/√56 = √(2/7) ≈ 0.5345
    # B vs rest (A+C = 2,1,2,1,0, mean 6/5):
    #   dB = 3/5,3/5,-2/5,-2/5,-2/5   dR = 4/5,-1/5,4/5,-1/5,-6/5
    #   Σ dB·dR = (12-3-8+2+12)/25 = 3/5;  Σ dB² = 6/5;  Σ dR² = (16+1+16+1+36)/25 = 14/5
    #   r = (3/5) / √(6/5 · 14/5) = 3/√84 = √(3/28) ≈ 0.3273
    # C is B's mirror image (rest A+B = 2,2,1,1,0), so the same r.
    a, b, c = analyse(FIVE_BY_THREE, ITEMS).items
    assert a.discrimination == pytest.approx(math.sqrt(2 / 7))
    assert b.discrimination == pytest.approx(math.sqrt(3 / 28))
    assert c.discrimination == pytest.approx(math.sqrt(3 / 28))


def test_discriminative_efficiency_by_hand():
    # Moodle: covariance / covariance of the sorted item scores with the sorted rests.
    # A sorted 0,1,1,1,1 (d = -4/5, 1/5 ×4) with rest sorted 0,0,1,1,2
    #   (d = -4/5,-4/5,1/5,1/5,6/5): Σ = (16-4+1+1+6)/25 = 4/5 = A's own Σ dA·dR → 1.
    # B sorted 0,0,0,1,1 (d = -2/5 ×3, 3/5 ×2) with rest sorted 0,1,1,2,2
    #   (d = -6/5,-1/5,-1/5,4/5,4/5): Σ = (12+2+2+12+12)/25 = 8/5; efficiency (3/5)/(8/5) = 3/8.
    a, b, _ = analyse(FIVE_BY_THREE, ITEMS).items
    assert a.discriminative_efficiency == pytest.approx(1.0)
    assert b.discriminative_efficiency == pytest.approx(3 / 8)


def test_alpha_by_hand():
    # Item variances 1/5 + 3/10 + 3/10 = 4/5.
    # Totals 3,2,2,1,0: mean 8/5, d = 7/5,2/5,2/5,-3/5,-8/5,
    #   Σd² = (49+4+4+9+64)/25 = 26/5, variance = (26/5)/4 = 13/10.
    # alpha = 3/2 · (1 - (4/5)/(13/10)) = 3/2 · 5/13 = 15/26 ≈ 0.5769
    test = analyse(FIVE_BY_THREE, ITEMS).test
    assert test.alpha == pytest.approx(15 / 26)
    assert test.alpha_note is None


def test_whole_test_statistics_by_hand():
    # Scores 1, 2/3, 2/3, 1/3, 0: mean 8/15, median 2/3, SD = √(13/10)/3 (totals ÷ 3).
    # Skewness and kurtosis do not change with scale, so work on the totals 3,2,2,1,0:
    #   Σd² = 26/5, Σd³ = (343+8+8-27-512)/125 = -36/25, Σd⁴ = (2401+16+16+81+4096)/625 = 1322/125
    #   m2 = 26/25, m3 = -36/125, m4 = 1322/625   (Σ / 5)
    #   k2 = 5·m2/4 = 13/10;  k3 = 25·m3/(4·3) = -3/5
    #   k4 = 25·(6·m4 - 3·4·m2²)/(4·3·2) = 25·(7932/625 - 8112/625)/24 = -3/10
    #   skewness = k3 / k2^(3/2) = -(3/5)/(13/10)^(3/2) ≈ -0.4048
    #   kurtosis = k4 / k2² = -(3/10)/(169/100) = -30/169 ≈ -0.1775
    test = analyse(FIVE_BY_THREE, ITEMS).test
    assert test.n == 5
    assert test.mean == pytest.approx(8 / 15)
    assert test.median == pytest.approx(2 / 3)
    assert test.sd == pytest.approx(math.sqrt(13 / 10) / 3)
    assert test.skewness == pytest.approx(-(3 / 5) / (13 / 10) ** 1.5)
    assert test.kurtosis == pytest.approx(-30 / 169)


def test_skewness_needs_three_attempts_and_kurtosis_four():
    two = analyse(FIVE_BY_THREE[:2], ITEMS).test
    three = analyse(FIVE_BY_THREE[:3], ITEMS).test
    assert (two.skewness, two.kurtosis) == (None, None)
    assert three.skewness is not None and three.kurtosis is None


def test_no_attempts_gives_empty_statistics():
    result = analyse([], ITEMS)
    assert result.test.n == 0
    assert (result.test.mean, result.test.median, result.test.sd) == (None, None, None)
    assert result.test.alpha is None
    assert (
        result.test.alpha_note
        == "Alpha needs at least 2 attempts that contain all 3 items; none does."
    )
    first = result.items[0]
    assert (first.n, first.facility, first.sd, first.discrimination) == (0, None, None, None)
    assert first.flags == ()


def test_one_attempt_has_facility_but_no_sd_or_discrimination():
    result = analyse(FIVE_BY_THREE[:1], ITEMS)
    (a, _, _) = result.items
    assert (a.n, a.facility, a.sd, a.discrimination) == (1, 1.0, None, None)
    assert result.test.alpha_note == (
        "Alpha needs at least 2 attempts that contain all 3 items; only 1 does."
    )


def test_items_come_back_in_the_order_given():
    result = analyse(FIVE_BY_THREE, [item(C), item(A), item(B)])
    assert [s.item_id for s in result.items] == [C, A, B]


def test_duplicate_items_are_refused():
    with pytest.raises(ValueError, match="only once"):
        analyse(FIVE_BY_THREE, [item(A), item(A)])


# --- random subsets -------------------------------------------------------------------

# A deck of four items; each quiz drew some of them.
#
#   attempt   A  B  C  D    score
#   1         1  0  -  1    2/3
#   2         0  -  1  0    1/3
#   3         1  1  1  1    1
#   4         -  1  0  1    2/3
#   5         1  0  0  0    1/4
SUBSETS = [
    attempt(1, 1, {A: 1, B: 0, D: 1}, minutes=1),
    attempt(2, 2, {A: 0, C: 1, D: 0}, minutes=2),
    attempt(3, 3, {A: 1, B: 1, C: 1, D: 1}, minutes=3),
    attempt(4, 4, {B: 1, C: 0, D: 1}, minutes=4),
    attempt(5, 5, {A: 1, B: 0, C: 0, D: 0}, minutes=5),
]
DECK = [item(A), item(B), item(C), item(D)]


def test_items_are_counted_only_in_attempts_that_drew_them():
    # A in 1,2,3,5 → 3/4;  B in 1,3,4,5 → 2/4;  C in 2,3,4,5 → 2/4;  D in all five → 3/5.
    a, b, c, d = analyse(SUBSETS, DECK).items
    assert [s.n for s in (a, b, c, d)] == [4, 4, 4, 5]
    assert a.facility == pytest.approx(3 / 4)
    assert b.facility == pytest.approx(1 / 2)
    assert c.facility == pytest.approx(1 / 2)
    assert d.facility == pytest.approx(3 / 5)


def test_rest_of_test_uses_only_the_items_each_attempt_drew():
    # A's rest per attempt: 1 → B+D = 1;  2 → C+D = 1;  3 → B+C+D = 3;  5 → B+C+D = 0.
    #   A = 1,0,1,1 (mean 3/4), rest = 1,1,3,0 (mean 5/4)
    #   dA = 1/4,-3/4,1/4,1/4   dR = -1/4,-1/4,7/4,-5/4
    #   Σ dA·dR = (-1+3+7-5)/16 = 1/4;  Σ dA² = 12/16 = 3/4;  Σ dR² = (1+1+49+25)/16 = 19/4
    #   r = (1/4)/√(3/4 · 19/4) = 1/√57 ≈ 0.1325: below 0.2, but from only 4 attempts,
    #   fewer than it takes to flag a question.
    a = analyse(SUBSETS, DECK).items[0]
    assert a.discrimination == pytest.approx(1 / math.sqrt(57))
    assert a.n == 4 < MIN_ATTEMPTS_TO_FLAG and a.flags == ()


def test_test_score_is_the_fraction_of_the_items_each_attempt_drew():
    # Scores 2/3, 1/3, 1, 2/3, 1/4 → mean (8+4+12+8+3)/12/5 = 35/60 = 7/12; median 2/3.
    test = analyse(SUBSETS, DECK).test
    assert test.mean == pytest.approx(7 / 12)
    assert test.median == pytest.approx(2 / 3)


def test_alpha_uses_the_whole_attempts_when_most_attempts_are_whole_and_says_so():
    # Attempts 3, 5 and 6 contain all four items (1,1,1,1), (1,0,0,0), (0,0,0,0).
    #   Item variances (n-1 = 2): A 1,1,0 → 1/3; B, C, D 1,0,0 → 1/3 each → Σ = 4/3.
    #   Totals 4, 1, 0: mean 5/3, Σ squares 78/9, variance 13/3.
    #   alpha = 4/3 · (1 - (4/3)/(13/3)) = 4/3 · 9/13 = 12/13
    records = [*SUBSETS[2:], attempt(6, 6, {A: 0, B: 0, C: 0, D: 0}, minutes=6)]
    test = analyse(records, DECK).test
    assert test.alpha == pytest.approx(12 / 13)
    assert test.alpha_note == "Alpha uses the 3 of 4 attempts that contain all 4 items."


def test_with_few_whole_attempts_alpha_is_estimated_from_every_attempt():
    # Only attempts 3 and 5 of 5 contain all four items: two attempts would stand for
    # five. The quizzes drew 3, 3, 4, 3 and 4 items (median 3), so alpha is estimated for
    # a quiz of 3 from each item's variance and each pair's covariance:
    #   variances (n-1): A 1,0,1,1 → 1/4; B 0,1,1,0 → 1/3; C 1,1,0,0 → 1/3;
    #     D 1,0,1,1,0 → 3/10; mean v = 73/240
    #   covariances over the attempts that drew both: AB 0 (A constant); AC -1/6;
    #     AD 1/6; BC 1/6; BD 1/6; CD 0; mean c = 1/18
    #   alpha = 3c / (v + 2c) = (1/6) / (73/240 + 1/9) = 120/299
    test = analyse(SUBSETS, DECK).test
    assert test.alpha == pytest.approx(120 / 299)
    assert test.alpha_note.startswith("Only 2 of the 5 attempts contain all 4 items (most held 3)")


def test_when_the_whole_attempts_agree_the_note_says_which_attempts():
    # Attempts 1 and 2 hold both items with totals 1 and 1; three more hold one item.
    records = [
        attempt(1, 1, {A: 1, B: 0}),
        attempt(2, 2, {A: 0, B: 1}),
        attempt(3, 3, {A: 1}),
        attempt(4, 4, {B: 1}),
        attempt(5, 5, {A: 0}),
    ]
    test = analyse(records, [item(A), item(B)]).test
    assert test.alpha is None
    assert test.alpha_note == (
        "Alpha is undefined: the 2 attempts that contain all 2 items have the same total score."
    )


def test_without_whole_attempts_alpha_is_estimated_for_a_quiz_of_the_usual_length():
    # Three items, and every quiz drew two of them:
    #
    #   attempt   A  B  C
    #   1         1  1  -
    #   2         0  0  -
    #   3         1  -  1
    #   4         0  -  1
    #   5         -  1  0
    #   6         -  0  0
    #
    # Variances (n-1): A 1,0,1,0 → 1/3; B 1,0,1,0 → 1/3; C 1,1,0,0 → 1/3; mean v = 1/3.
    # Covariances over the attempts that drew both: AB (1,1),(0,0) → 1/2; AC C constant
    #   → 0; BC C constant → 0; mean c = 1/6.
    # alpha of 2 items = 2c / (v + c) = (1/3) / (1/2) = 2/3
    records = [
        attempt(1, 1, {A: 1, B: 1}, minutes=1),
        attempt(2, 2, {A: 0, B: 0}, minutes=2),
        attempt(3, 3, {A: 1, C: 1}, minutes=3),
        attempt(4, 4, {A: 0, C: 1}, minutes=4),
        attempt(5, 5, {B: 1, C: 0}, minutes=5),
        attempt(6, 6, {B: 0, C: 0}, minutes=6),
    ]
    test = analyse(records, ITEMS).test
    assert test.alpha == pytest.approx(2 / 3)
    assert test.alpha_note == (
        "None of the 6 attempts contains all 3 items (most held 2), so alpha is estimated "
        "for a quiz of 2 items, from each item's variance and the covariance of each pair "
        "of items answered in the same attempt."
    )


def test_the_estimate_leaves_out_pairs_drawn_together_only_once():
    # Attempts 1, 2 and 4 of SUBSETS each drew 3 of the 4 items.
    # Variances: A 1,0 → 1/2; B 0,1 → 1/2; C 1,0 → 1/2; D 1,0,1 → 1/3; mean 11/24.
    # Pairs drawn together twice: AD (1,1),(0,0) → 1/2; BD D constant → 0;
    #   CD (1,0),(0,1) → -1/2. AB, AC and BC met once and count for nothing. Mean c = 0,
    #   so a quiz of 3 of these items has alpha 3·0 / (11/24) = 0.
    without_full = [a for a in SUBSETS if a.attempt_id not in (3, 5)]
    test = analyse(without_full, DECK).test
    assert test.alpha == pytest.approx(0.0)
    assert test.alpha_note.startswith("None of the 3 attempts contains all 4 items (most held 3)")


def test_alpha_is_held_back_when_few_pairs_of_items_were_drawn_together():
    # Six items, quizzes of two: only A-B and C-D were answered together twice, 2 of the
    # 15 pairs. A mean covariance of two noisy pairs would stand for all fifteen (a class
    # drawing 10 of 77 questions got alpha -15.8 so).
    records = [
        attempt(1, 1, {0: 1, 1: 0}, minutes=1),
        attempt(2, 2, {0: 0, 1: 1}, minutes=2),
        attempt(3, 3, {2: 1, 3: 1}, minutes=3),
        attempt(4, 4, {2: 0, 3: 1}, minutes=4),
        attempt(5, 5, {4: 1, 5: 0}, minutes=5),
    ]
    test = analyse(records, [item(j) for j in range(6)]).test
    assert test.alpha is None
    assert test.alpha_note == (
        "Alpha needs more attempts: the quizzes drew 2 of the 6 items, and only 2 of the "
        "15 pairs of items were answered together in two attempts or more (it needs half "
        "of them)."
    )


def test_alpha_is_none_when_no_pair_of_items_was_drawn_together_twice():
    records = [attempt(1, 1, {A: 1, B: 0}), attempt(2, 2, {B: 1, C: 1}, minutes=1)]
    test = analyse(records, ITEMS).test
    assert test.alpha is None
    assert test.alpha_note == "Alpha needs at least 2 attempts that contain all 3 items; none does."


def test_alpha_needs_two_items():
    test = analyse(FIVE_BY_THREE, [item(A)]).test
    assert test.alpha is None and test.alpha_note == "Alpha needs at least 2 items."


def test_empty_attempt_is_left_out_of_the_test_score():
    records = [*FIVE_BY_THREE[:2], attempt(99, 99, {}, minutes=30)]
    test = analyse(records, ITEMS).test
    assert test.n == 2
    assert test.mean == pytest.approx((1 + 2 / 3) / 2)


# --- choosing attempts ----------------------------------------------------------------

# Learner 1 tried three times; learner 2 twice, both started at the same minute.
RETRIES = [
    attempt(7, 1, {A: 0, B: 1}, minutes=20),  # 1/2, last of learner 1
    attempt(5, 1, {A: 0, B: 0}, minutes=0),  # 0, first of learner 1
    attempt(6, 1, {A: 1, B: 1}, minutes=10),  # 1, highest of learner 1
    attempt(9, 2, {A: 1, B: 0}, minutes=5),  # same start: id 8 is first, id 9 last
    attempt(8, 2, {A: 1, B: 0}, minutes=5),
]


def ids(records: list[AttemptRecord]) -> set[int]:
    return {r.attempt_id for r in records}


def test_first_attempt_is_the_default_and_ties_go_to_the_lowest_id():
    assert ids(select_attempts(RETRIES)) == {5, 8}


def test_last_attempt_per_learner():
    assert ids(select_attempts(RETRIES, "last")) == {7, 9}


def test_highest_attempt_per_learner_earliest_on_a_tie():
    assert ids(select_attempts(RETRIES, "highest")) == {6, 8}


def test_all_attempts_in_start_order():
    assert [r.attempt_id for r in select_attempts(RETRIES, "all")] == [5, 8, 9, 6, 7]


def test_empty_attempt_never_beats_a_scored_one():
    records = [attempt(1, 1, {A: 0}, minutes=0), attempt(2, 1, {}, minutes=1)]
    assert ids(select_attempts(records, "highest")) == {1}
    assert attempt_score(records[1]) is None


def test_unknown_selection_is_refused():
    with pytest.raises(ValueError, match="which"):
        select_attempts(RETRIES, "best")  # type: ignore[arg-type]


def test_analysis_follows_the_selection():
    # First attempts: learner 1 scored A 0, learner 2 scored A 1 → facility 1/2.
    # All five: A = 0,1,1,1,0 → 3/5.
    assert analyse(RETRIES, [item(A), item(B)]).items[0].facility == pytest.approx(1 / 2)
    assert analyse(RETRIES, [item(A), item(B)], "all").items[0].facility == pytest.approx(3 / 5)


# --- flags and zero variance ----------------------------------------------------------


def test_everyone_right_is_too_easy_with_no_discrimination_or_alpha():
    records = [attempt(u, u, {A: 1, B: 1}, minutes=u) for u in range(1, 6)]
    result = analyse(records, [item(A), item(B)])
    a = result.items[0]
    assert a.facility == 1.0 and a.sd == 0.0
    assert a.discrimination is None and a.discriminative_efficiency is None
    assert a.flags == (TOO_EASY,)
    assert result.test.alpha is None
    assert result.test.alpha_note == "Alpha is undefined: every attempt has the same total score."
    assert result.test.skewness is None and result.test.kurtosis is None


def test_constant_rest_of_test_leaves_discrimination_undefined():
    # B is always right, so A's rest of test is 1 for everyone.
    records = [attempt(u, u, {A: u % 2, B: 1}, minutes=u) for u in range(1, 5)]
    a = analyse(records, [item(A), item(B)]).items[0]
    assert a.sd is not None and a.sd > 0
    assert a.discrimination is None


def test_nobody_right_is_too_hard():
    records = [attempt(u, u, {A: 0, B: u % 2}, minutes=u) for u in range(1, 6)]
    assert TOO_HARD in analyse(records, [item(A), item(B)]).items[0].flags


def test_no_question_is_flagged_before_it_has_enough_attempts():
    # Every learner wrong, and a distractor nobody picked: flagged at the fifth attempt,
    # not before, while the figures themselves are shown from the first.
    question = ItemInfo(A, "When did Ukraine declare independence?", "single", (RIGHT, NEAR, FAR))

    def stats(n: int):
        records = [attempt(u, u, {A: 0, B: 1}, minutes=u, choices={A: (102,)}) for u in range(n)]
        return analyse(records, [question, item(B)]).items[0]

    few, enough = stats(MIN_ATTEMPTS_TO_FLAG - 1), stats(MIN_ATTEMPTS_TO_FLAG)
    assert MIN_ATTEMPTS_TO_FLAG == 5
    assert few.facility == enough.facility == 0.0
    assert few.flags == () and all(c.flags == () for c in few.choices)
    assert enough.flags == (TOO_HARD,)
    assert [c.flags for c in enough.choices] == [(), (), (DISTRACTOR_NEVER_CHOSEN,)]


def test_flag_thresholds_are_strict():
    # Facility exactly 0.9 and exactly 0.2 are not flagged: 9 of 10 and 2 of 10 right.
    easy = [attempt(u, u, {A: 1 if u < 9 else 0}, minutes=u) for u in range(10)]
    hard = [attempt(u, u, {A: 1 if u < 2 else 0}, minutes=u) for u in range(10)]
    assert analyse(easy, [item(A)]).items[0].facility == pytest.approx(0.9)
    assert TOO_EASY not in analyse(easy, [item(A)]).items[0].flags
    assert TOO_HARD not in analyse(hard, [item(A)]).items[0].flags


def test_a_facility_shown_as_90_percent_is_not_flagged_as_over_90():
    # 181 of 201 right is 90.05%, shown as 90%: "over 90%" would contradict the page.
    records = [attempt(u, u, {A: 1 if u < 181 else 0}, minutes=u) for u in range(201)]
    stats = analyse(records, [item(A)]).items[0]
    assert stats.facility > 0.9 and percent(stats.facility) == 90
    assert TOO_EASY not in stats.flags


def test_negative_discrimination_is_flagged_as_a_key_to_check_from_ten_attempts():
    # The learners who got A right did worse on the rest: r = -1. A class of ten sees
    # it: the choices' own groups need twenty attempts.
    records = [
        attempt(u, u, {A: 1, B: 0, C: 0} if u % 2 else {A: 0, B: 1, C: 1}, minutes=u)
        for u in range(1, 11)
    ]
    a = analyse(records, ITEMS).items[0]
    assert a.discrimination == pytest.approx(-1.0)
    assert NEGATIVE_DISCRIMINATION in a.flags and POOR_DISCRIMINATION not in a.flags
    assert a.key_in_doubt
    # Nine attempts: only poor (a rightly keyed question gets there by chance too often).
    nine = analyse(records[:9], ITEMS).items[0]
    assert POOR_DISCRIMINATION in nine.flags and not nine.key_in_doubt


def test_a_slightly_negative_discrimination_is_only_poor():
    # r is -0.18 here: weak, not a sign of a wrong key.
    answers = [(1, 0, 0), (0, 0, 0), (1, 0, 0), (0, 0, 0), (1, 0, 0), (0, 0, 0), (1, 0, 1)]
    answers.append((0, 1, 1))
    records = [attempt(u, u, {A: a, B: b, C: c}, minutes=u) for u, (a, b, c) in enumerate(answers)]
    a = analyse(records, ITEMS).items[0]
    assert -0.2 < a.discrimination < 0
    assert POOR_DISCRIMINATION in a.flags and NEGATIVE_DISCRIMINATION not in a.flags


# --- choices --------------------------------------------------------------------------

RIGHT = ChoiceInfo(101, "1991", correct=True)
NEAR = ChoiceInfo(102, "1990", correct=False)
FAR = ChoiceInfo(103, "1994", correct=False)


def test_choice_counts_shares_and_unanswered():
    question = ItemInfo(A, "When did Ukraine declare independence?", "single", (RIGHT, NEAR, FAR))
    records = [
        attempt(1, 1, {A: 1}, choices={A: (101,)}),
        attempt(2, 2, {A: 1}, choices={A: (101,)}),
        attempt(3, 3, {A: 0}, choices={A: (102,)}),
        attempt(4, 4, {A: 0}, choices={A: ()}),  # skipped
        attempt(5, 5, {A: 0}),  # no record of choices at all: also no answer
    ]
    stats = analyse(records, [question]).items[0]
    right, near, far = stats.choices
    assert (right.count, right.share, right.correct) == (2, 2 / 5, True)
    assert (near.count, near.share, near.flags) == (1, 1 / 5, ())
    assert (far.count, far.share) == (0, 0.0)
    assert far.flags == (DISTRACTOR_NEVER_CHOSEN,)
    assert stats.unanswered == 2


def test_unpicked_right_answer_is_not_a_distractor_flag():
    question = item(A, RIGHT, NEAR)
    records = [attempt(1, 1, {A: 0}, choices={A: (102,)})]
    right, near = analyse(records, [question]).items[0].choices
    assert right.count == 0 and right.flags == ()
    assert near.flags == ()


def _ranked_class(pick_of_rank, copies: int = 1, kind: str = "single") -> list[AttemptRecord]:
    """Eleven attempts (times `copies`) at A and at B, C, D (the rest of the quiz): the
    attempt of rank r got rest_right[r] of the other three right (the weakest first),
    and picked pick_of_rank(r) at A."""
    rest_right = [0, 0, 0, 1, 1, 1, 2, 2, 3, 3, 3]
    records = []
    for copy in range(copies):
        for rank, right in enumerate(rest_right):
            chosen = pick_of_rank(rank)
            number = copy * len(rest_right) + rank
            scores = {A: 1 if chosen == (RIGHT.choice_id,) else 0}
            scores.update({other: 1 if k < right else 0 for k, other in enumerate((B, C, D))})
            records.append(attempt(number, number, scores, minutes=number, choices={A: chosen}))
    return records


def test_each_choice_shows_how_the_strongest_and_the_weakest_picked_it():
    # Groups of round(0.27 × 11) = 3: the weakest are ranks 0–2, the strongest 8–10.
    # The weakest pick NEAR, the strongest RIGHT: a question that works.
    records = _ranked_class(lambda r: (NEAR.choice_id,) if r < 3 else (RIGHT.choice_id,))
    right, near, far = analyse(records, [item(A, RIGHT, NEAR, FAR)]).items[0].choices
    assert (right.strongest, right.weakest) == (1.0, 0.0)
    assert (near.strongest, near.weakest) == (0.0, 1.0)
    assert (far.strongest, far.weakest) == (0.0, 0.0)
    assert right.flags == () and near.flags == () and far.flags == (DISTRACTOR_NEVER_CHOSEN,)


def _key_avoided_by_the_strongest(rank: int) -> tuple[int, ...]:
    # Mis-keyed: the strongest (ranks 8–10) pick NEAR, marked wrong; the rest RIGHT.
    return (NEAR.choice_id,) if rank >= 8 else (RIGHT.choice_id,)


def test_a_key_the_strongest_avoid_is_flagged_on_both_choices_from_twenty_attempts():
    records = _ranked_class(_key_avoided_by_the_strongest, copies=2)  # 22: groups of 6
    right, near = analyse(records, [item(A, RIGHT, NEAR)]).items[0].choices
    assert (right.strongest, right.weakest) == (0.0, 1.0)
    assert right.flags == (KEY_MISSED_BY_STRONGEST,)
    assert near.flags == (DISTRACTOR_DRAWS_STRONGEST,)
    # With 11 attempts the shares are shown, but groups of 3 are too small to flag.
    few = analyse(records[:11], [item(A, RIGHT, NEAR)]).items[0].choices
    assert (few[0].strongest, few[0].weakest) == (0.0, 1.0)
    assert few[0].flags == () and few[1].flags == ()


def test_one_strong_students_pick_is_not_enough_to_flag():
    # Of 22 attempts only one of the strongest picks NEAR: 1/6 more than the weakest.
    records = _ranked_class(lambda r: (RIGHT.choice_id,), copies=2)
    records[10] = attempt(10, 10, {**records[10].item_scores, A: 0}, choices={A: (102,)})
    right, near = analyse(records, [item(A, RIGHT, NEAR)]).items[0].choices
    assert near.strongest == pytest.approx(1 / 6) and near.weakest == 0.0
    assert near.flags == () and right.flags == ()


def test_attempts_level_at_a_groups_edge_share_its_places_whatever_their_order():
    # Everyone has the same rest of the quiz: both groups are everyone, weighted alike,
    # so the last three picking NEAR makes no difference between them.
    records = [
        attempt(
            n, n, {A: 0 if n >= 19 else 1, B: 1, C: 1}, choices={A: (102,) if n >= 19 else (101,)}
        )
        for n in range(22)
    ]
    right, near = analyse(records, [item(A, RIGHT, NEAR)]).items[0].choices
    assert near.strongest == near.weakest == pytest.approx(3 / 22)
    assert right.flags == () and near.flags == ()


def test_a_multiple_answer_key_is_not_flagged_for_weak_students_who_tick_everything():
    # The weakest tick both boxes (RIGHT and NEAR are both right answers); the strongest
    # leave out NEAR. Per right answer, that is no sign of a wrong key.
    both_right = ChoiceInfo(102, "1990", correct=True)
    question = ItemInfo(A, "Question 1", "multiple", (RIGHT, both_right))
    records = _ranked_class(lambda r: (101,) if r >= 8 else (101, 102), copies=2)
    right, also_right = analyse(records, [question]).items[0].choices
    assert (also_right.strongest, also_right.weakest) == (0.0, 1.0)
    assert also_right.flags == () and right.flags == ()


def test_groups_need_ten_attempts_and_a_rest_of_the_quiz():
    records = _ranked_class(_key_avoided_by_the_strongest)
    few = analyse(records[:9], [item(A, RIGHT, NEAR)]).items[0].choices
    assert all(c.strongest is None and c.weakest is None for c in few)
    alone = [attempt(n, n, {A: 1}, choices={A: (101,)}) for n in range(12)]
    assert analyse(alone, [item(A, RIGHT, NEAR)]).items[0].choices[0].strongest is None


def test_an_ordering_items_entries_count_the_answers_that_put_them_in_place():
    entries = tuple(ChoiceInfo(200 + k, f"Entry {k}", correct=True) for k in (1, 2, 3))
    question = ItemInfo(A, "Put them in order", "ordering", entries)
    records = [
        attempt(1, 1, {A: 1}, choices={A: (201, 202, 203)}),
        attempt(2, 2, {A: 0}, choices={A: (202, 201, 203)}),
        attempt(3, 3, {A: 0}, choices={A: (201, 203, 202)}),
    ]
    stats = analyse(records, [question]).items[0]
    assert stats.kind == "ordering"
    assert [(c.count, c.share) for c in stats.choices] == [(2, 2 / 3), (1, 1 / 3), (2, 2 / 3)]
    assert all(c.flags == () and c.strongest is None for c in stats.choices)


def test_no_distractor_flag_when_nobody_saw_the_item():
    question = item(D, RIGHT, NEAR)
    stats = analyse(FIVE_BY_THREE, [question]).items[0]
    assert stats.n == 0
    assert [(c.count, c.share, c.flags) for c in stats.choices] == [(0, None, ())] * 2


def test_choices_from_attempts_without_the_item_are_ignored():
    question = item(A, RIGHT, NEAR)
    records = [
        attempt(1, 1, {A: 1}, choices={A: (101,)}),
        attempt(2, 2, {B: 0}, choices={A: (102,)}),  # A not drawn: a stray choice
    ]
    right, near = analyse(records, [question]).items[0].choices
    assert (right.count, near.count) == (1, 0)


def test_several_right_answers_can_be_picked_at_once():
    both = ChoiceInfo(104, "1991 (Act of Declaration)", correct=True)
    question = item(A, RIGHT, both, NEAR)
    records = [attempt(1, 1, {A: 1}, choices={A: (101, 104)})]
    counts = [c.count for c in analyse(records, [question]).items[0].choices]
    assert counts == [1, 1, 0]


# --- properties -----------------------------------------------------------------------


def textbook_alpha(matrix: list[list[int]]) -> float | None:
    """Cronbach's alpha straight from the definition, with the statistics module."""
    k = len(matrix[0])
    totals = [sum(row) for row in matrix]
    if len(set(totals)) == 1:
        return None
    item_variances = sum(statistics.variance([row[j] for row in matrix]) for j in range(k))
    return k / (k - 1) * (1 - item_variances / statistics.variance(totals))


def records_from(matrix: list[list[int]]) -> list[AttemptRecord]:
    return [
        attempt(u, u, {j: float(score) for j, score in enumerate(row)}, minutes=u)
        for u, row in enumerate(matrix)
    ]


zero_one_matrices = st.integers(min_value=2, max_value=6).flatmap(
    lambda k: st.lists(st.lists(st.integers(0, 1), min_size=k, max_size=k), min_size=2, max_size=12)
)


@settings(max_examples=150, deadline=None)
@given(zero_one_matrices)
def test_alpha_matches_the_textbook(matrix: list[list[int]]):
    k = len(matrix[0])
    test = analyse(records_from(matrix), [item(j) for j in range(k)]).test
    expected = textbook_alpha(matrix)
    if expected is None:
        assert test.alpha is None and test.alpha_note
    else:
        assert test.alpha == pytest.approx(expected)


@settings(max_examples=150, deadline=None)
@given(zero_one_matrices)
def test_the_random_quiz_estimate_is_alpha_itself_when_every_attempt_has_every_item(
    matrix: list[list[int]],
):
    k = len(matrix[0])
    expected = textbook_alpha(matrix)
    estimate = form_alpha(records_from(matrix), list(range(k)), k)
    if expected is None:
        assert estimate is None
    else:
        assert estimate == pytest.approx(expected)


@settings(max_examples=150, deadline=None)
@given(zero_one_matrices)
def test_discrimination_matches_pearson_with_the_rest(matrix: list[list[int]]):
    k = len(matrix[0])
    stats = analyse(records_from(matrix), [item(j) for j in range(k)]).items
    for j, item_stats in enumerate(stats):
        scores = [row[j] for row in matrix]
        rests = [sum(row) - row[j] for row in matrix]
        if len(set(scores)) == 1 or len(set(rests)) == 1:
            assert item_stats.discrimination is None
        else:
            expected = statistics.correlation(scores, rests)
            assert item_stats.discrimination == pytest.approx(expected)


# Attempts that each drew a random subset of five items, with partial credit.
subset_attempts = st.lists(
    st.dictionaries(
        st.integers(0, 4),
        st.floats(min_value=0.0, max_value=1.0, allow_nan=False),
        min_size=1,
        max_size=5,
    ),
    max_size=15,
)


@settings(max_examples=150, deadline=None)
@given(subset_attempts)
def test_facility_and_scores_stay_in_range(drawn: list[dict[int, float]]):
    records = [attempt(u, u, scores, minutes=u) for u, scores in enumerate(drawn)]
    result = analyse(records, [item(j) for j in range(5)])
    for stats in result.items:
        assert stats.n == sum(1 for scores in drawn if stats.item_id in scores)
        if stats.n:
            assert stats.facility is not None and 0.0 <= stats.facility <= 1.0
        if stats.discrimination is not None:
            assert -1.0 <= stats.discrimination <= 1.0
    if result.test.n:
        assert result.test.mean is not None and 0.0 <= result.test.mean <= 1.0
