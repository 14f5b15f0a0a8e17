"""Grading methods, histogram edges, formula-safe CSV, assignment status, order and pages."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quiz.domain.gradebook import (
    AttemptSummary,
    Bin,
    GradingMethod,
    PageOutOfRange,
    assignment_status,
    counts_for_assignment,
    csv_safe,
    grade,
    gradebook_csv,
    hand_in,
    histogram,
    mean,
    median,
    order_students,
    paginate,
    sort_key,
    summarise,
)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

# Given out of order on purpose: submitted 09:10 (0.5), 09:00 (0.25), 09:20 (0.75)... and a
# fourth attempt at 09:20 with a lower id, so "latest" must break the tie by id.
ATTEMPTS = [
    (T0 + timedelta(minutes=10), 2, 0.5),
    (T0, 1, 0.25),
    (T0 + timedelta(minutes=20), 4, 0.75),
    (T0 + timedelta(minutes=20), 3, 1.0),
]


@pytest.mark.parametrize(
    ("method", "expected"),
    [
        (GradingMethod.HIGHEST, 1.0),
        (GradingMethod.FIRST, 0.25),
        (GradingMethod.LATEST, 0.75),  # id 4 beats id 3 at the same start
        (GradingMethod.AVERAGE, 0.625),  # (0.5 + 0.25 + 0.75 + 1.0) / 4
    ],
)
def test_grading_methods(method: GradingMethod, expected: float):
    assert grade(ATTEMPTS, method) == pytest.approx(expected)


@pytest.mark.parametrize("method", list(GradingMethod))
def test_no_attempts_no_grade(method: GradingMethod):
    assert grade([], method) is None


def test_grading_method_values_are_stable_strings():
    assert [m.value for m in GradingMethod] == ["highest", "latest", "first", "average"]
    assert GradingMethod("latest") is GradingMethod.LATEST


def test_histogram_edges():
    bins = histogram([0.0, 0.1, 0.95, 1.0])
    assert len(bins) == 10
    assert bins[0] == Bin(0.0, 0.1, 1)  # 0.0 is in the first bin
    assert bins[1] == Bin(0.1, 0.2, 1)  # 0.1 opens the second bin, it does not close the first
    assert bins[9] == Bin(0.9, 1.0, 2)  # 1.0 joins 0.95 in the closed top bin
    assert sum(b.count for b in bins) == 4


def test_an_average_a_hair_below_an_edge_counts_and_sorts_as_the_edge():
    # The database's average of 0, 0 and 3/5 is 0.19999999999999998: the gradebook shows
    # it as 20%, so it belongs in the 20–30% bar and sorts level with a plain 1/5.
    average = (0.0 + 0.0 + 0.6) / 3
    assert average < 0.2
    assert [b.count for b in histogram([average])][1:3] == [0, 1]
    students = [(1, "Bohdan"), (2, "Anna")]
    assert order_students(students, {1: 0.2, 2: average}) == [2, 1]  # equal: by name


def test_every_tenth_lands_in_the_bin_it_opens():
    # 0.3 * 10 and 0.7 * 10 are not exact in floating point; each must still go in
    # the bin whose low edge it is.
    tenths = [i / 10 for i in range(10)]
    assert [b.count for b in histogram(tenths)] == [1] * 10


def test_histogram_with_other_bin_counts():
    assert histogram([0.2, 0.5, 0.99], bins=4) == [
        Bin(0.0, 0.25, 1),
        Bin(0.25, 0.5, 0),
        Bin(0.5, 0.75, 1),
        Bin(0.75, 1.0, 1),
    ]
    assert histogram([0.0, 1.0], bins=1) == [Bin(0.0, 1.0, 2)]
    assert [b.count for b in histogram([])] == [0] * 10


@pytest.mark.parametrize("bad", [-0.01, 1.01, float("nan")])
def test_histogram_refuses_scores_outside_zero_to_one(bad: float):
    with pytest.raises(ValueError, match="outside 0..1"):
        histogram([bad])


def test_histogram_refuses_zero_bins():
    with pytest.raises(ValueError, match="bins"):
        histogram([0.5], bins=0)


@given(
    st.lists(st.floats(min_value=0.0, max_value=1.0), max_size=30),
    st.integers(min_value=1, max_value=20),
)
def test_histogram_puts_every_score_inside_its_bin(scores: list[float], bins: int):
    result = histogram(scores, bins)
    assert sum(b.count for b in result) == len(scores)
    for score in scores:
        holders = [
            b for b in result if b.low <= score < b.high or (b is result[-1] and score == 1.0)
        ]
        assert len(holders) == 1


def test_mean_and_median():
    assert mean([]) is None and median([]) is None
    assert mean([0.5, 1.0, 0.0]) == pytest.approx(0.5)
    assert median([0.9, 0.1, 0.5]) == 0.5
    assert median([0.1, 0.9, 0.5, 0.3]) == pytest.approx(0.4)


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@", "\t", "\r"])
def test_every_formula_prefix_is_neutralised(prefix: str):
    text = f'{prefix}HYPERLINK("http://evil.example","x")'
    assert csv_safe(text) == "'" + text


@pytest.mark.parametrize("text", ["Olena", "", "1991", "a=b", " =1+1", "'quoted", "Київ"])
def test_harmless_text_is_unchanged(text: str):
    assert csv_safe(text) == text


def test_numbers_stay_numbers_but_numeric_text_is_neutralised():
    assert csv_safe(-3) == "-3"
    assert csv_safe(0.5) == "0.5"
    assert csv_safe(-0.25) == "-0.25"
    # The same characters typed by a user are text and might be "-3+cmd|...".
    assert csv_safe("-3") == "'-3"


def test_other_values_become_text():
    assert csv_safe(None) == ""
    assert csv_safe(True) == "True"
    assert csv_safe(T0.date()) == "2026-03-02"


def test_gradebook_csv_uses_crlf_and_neutralises_every_cell():
    text = gradebook_csv(
        ["Learner", "=Score"],
        [["=cmd|' /C calc'!A0", 0.75], ['Petro "P." Shevchenko', -1], ["Line\nbreak", None]],
    )
    assert text.endswith("\r\n")
    assert text.split("\r\n")[0] == "Learner,'=Score"
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows == [
        ["Learner", "'=Score"],
        ["'=cmd|' /C calc'!A0", "0.75"],
        ['Petro "P." Shevchenko', "-1"],
        ["Line\nbreak", ""],
    ]


DUE = T0 + timedelta(days=7)


@pytest.mark.parametrize(
    ("due_at", "now", "started", "submitted", "expected"),
    [
        (DUE, T0, 0, 0, "not started"),
        (None, T0, 0, 0, "not started"),
        (DUE, T0, 1, 0, "in progress"),
        (DUE, T0, 1, 1, "done"),
        (DUE, DUE + timedelta(seconds=1), 1, 1, "done"),  # submitted before or after: done
        (DUE, DUE + timedelta(seconds=1), 0, 0, "overdue"),
        (DUE, DUE + timedelta(seconds=1), 2, 0, "overdue"),  # started is not enough
        (DUE, DUE, 0, 0, "not started"),  # due at 09:00 is still open at 09:00
        (None, T0 + timedelta(days=365), 1, 0, "in progress"),  # no due date, never overdue
    ],
)
def test_assignment_status(
    due_at: datetime | None, now: datetime, started: int, submitted: int, expected: str
):
    assert assignment_status(due_at, now, started, submitted) == expected


@pytest.mark.parametrize(
    ("due_at", "now", "first_at", "expected"),
    [
        (DUE, T0, None, ""),  # not due yet, nothing handed in
        (DUE, DUE, None, ""),  # due at 09:00 is still open at 09:00
        (DUE, DUE + timedelta(seconds=1), None, "missing"),
        (DUE, T0, DUE - timedelta(days=1), "on time"),
        (DUE, DUE + timedelta(days=9), DUE, "on time"),  # in the due date's own second
        (DUE, DUE + timedelta(days=9), DUE + timedelta(seconds=1), "late"),
        (None, T0 + timedelta(days=365), None, ""),  # no due date: neither late nor missing
        (None, T0, T0, ""),
    ],
)
def test_hand_in_against_the_due_date(
    due_at: datetime | None, now: datetime, first_at: datetime | None, expected: str
):
    assert hand_in(due_at, now, first_at) == expected
    # Whoever joined the class after the due date could not have handed anything in by it.
    joined_late = DUE + timedelta(seconds=1)
    assert hand_in(due_at, now, first_at, joined_at=joined_late) == ("" if due_at else expected)
    assert hand_in(due_at, now, first_at, joined_at=DUE) == expected


# --- Grades from summaries, the order of students, pages ------------------------------


def test_a_summary_grades_as_the_attempts_it_reduces():
    # The attempts of ATTEMPTS above, reduced as the database does.
    summary = AttemptSummary(
        attempts=4, best=1.0, latest=0.75, first=0.25, average=0.625, first_at=T0
    )
    for method in GradingMethod:
        assert summary.grade(method) == pytest.approx(grade(ATTEMPTS, method))
    assert summarise(ATTEMPTS) == summary  # first_at: the earliest, given second


STUDENTS = [(3, "bea"), (1, "Ann"), (2, "ann"), (4, "Cy"), (5, "Dee")]


def test_students_by_name_ignore_case_and_equal_names_go_by_id():
    assert order_students(STUDENTS) == [1, 2, 3, 4, 5]
    assert order_students(STUDENTS, descending=True) == [5, 4, 3, 2, 1]


def test_students_by_grade_keep_name_order_for_ties_and_put_no_grade_last():
    grades = {1: 0.5, 2: 0.9, 3: 0.5, 5: None}  # Cy (4) and Dee (5) have no grade
    assert order_students(STUDENTS, grades) == [1, 3, 2, 4, 5]
    assert order_students(STUDENTS, grades, descending=True) == [2, 1, 3, 4, 5]


@given(st.lists(st.tuples(st.text(max_size=3), st.none() | st.floats(0, 1)), max_size=30))
def test_every_order_is_a_permutation(rows: list[tuple[str, float | None]]):
    students = [(i, name) for i, (name, _) in enumerate(rows)]
    grades = {i: g for i, (_, g) in enumerate(rows)}
    for descending in (False, True):
        for by in (None, grades):
            assert sorted(order_students(students, by, descending)) == list(range(len(rows)))


def test_pages_cover_the_list_once():
    pages = [paginate(total=7, per_page=3, number=n) for n in (1, 2, 3)]
    assert [(p.start, p.stop) for p in pages] == [(0, 3), (3, 6), (6, 7)]
    assert {p.count for p in pages} == {3}
    assert [(p.has_previous, p.has_next) for p in pages] == [
        (False, True),
        (True, True),
        (True, False),
    ]
    exact = paginate(total=6, per_page=3, number=2)
    assert (exact.count, exact.stop, exact.has_next) == (2, 6, False)


def test_an_empty_list_has_one_empty_page():
    page = paginate(total=0, per_page=50, number=1)
    assert (page.count, page.start, page.stop, page.has_next) == (1, 0, 0, False)


@pytest.mark.parametrize(("number", "message"), [(0, "no page 0"), (4, "no page 4"), (-1, "-1")])
def test_a_page_out_of_range_says_how_many_there_are(number: int, message: str):
    with pytest.raises(PageOutOfRange, match=message) as refused:
        paginate(total=7, per_page=3, number=number)
    assert refused.value.count == 3 and "3 pages" in str(refused.value)
    with pytest.raises(PageOutOfRange, match="has 1 page\\."):
        paginate(total=0, per_page=3, number=2)


def test_a_page_needs_room_for_one():
    with pytest.raises(ValueError, match="per_page"):
        paginate(total=7, per_page=0, number=1)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("name", "name"),
        ("12", "12"),
        ("", "name"),
        ("-3", "name"),
        ("1 2", "name"),
        ("٣", "name"),
        ("9" * 40, "name"),
        ("x&page=2", "name"),
    ],
)
def test_a_sort_from_the_url_is_name_or_an_assignment_id(raw, expected):
    assert sort_key(raw) == expected


@pytest.mark.parametrize(
    ("min_questions", "total", "whole_deck", "checks_answers", "counts"),
    [
        (0, 1, False, False, True),  # any length
        (10, 9, False, False, False),
        (10, 10, False, False, True),
        (20, 5, True, False, True),  # the whole deck had fewer than asked
        (None, 50, False, False, False),  # the whole deck is asked: any number falls short
        (None, 3, True, False, True),
        (0, 10, True, True, False),  # answers checked along the way: practice
    ],
)
def test_which_quizzes_count_for_an_assignment(
    min_questions, total, whole_deck, checks_answers, counts
):
    assert (
        counts_for_assignment(
            min_questions, total=total, whole_deck=whole_deck, checks_answers=checks_answers
        )
        is counts
    )
