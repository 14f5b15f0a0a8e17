"""Gradebook rules for teachers: grading methods, score histograms, safe CSV, assignment status,
the order of the students and the pages they are shown in."""

from __future__ import annotations

import csv
import enum
import io
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from quiz.domain.grading import settle

Status = Literal["not started", "in progress", "done", "overdue"]
HandIn = Literal["", "on time", "late", "missing"]


class GradingMethod(enum.StrEnum):
    """Which of a learner's attempts makes the grade (Moodle's quiz grading methods)."""

    HIGHEST = "highest"
    LATEST = "latest"
    FIRST = "first"
    AVERAGE = "average"


def grade(scores: Sequence[tuple[datetime, int, float]], method: GradingMethod) -> float | None:
    """One learner's grade from (submitted_at, attempt_id, score) triples; None if no
    attempts."""
    summary = summarise(scores)
    return None if summary is None else summary.grade(method)


def summarise(scores: Sequence[tuple[datetime, int, float]]) -> AttemptSummary | None:
    """(submitted_at, attempt_id, score) triples reduced as the database reduces them for
    the gradebook; None if there are none.

    First and latest go by submission time, then attempt id, so two attempts submitted
    in the same second still have a fixed order.
    """
    if not scores:
        return None
    ordered = sorted(scores, key=lambda s: (s[0], s[1]))
    values = [score for _, _, score in ordered]
    return AttemptSummary(
        len(values), max(values), values[-1], values[0], mean(values), ordered[0][0]
    )


@dataclass(frozen=True)
class AttemptSummary:
    """One learner's submitted attempts at one deck, reduced to what every grading method
    needs (the database computes these with GROUP BY, so the attempts never reach Python).

    First and latest are the scores of the earliest and the latest attempt, ordered by
    time then attempt id, as in `summarise`; first_at is when the earliest was submitted.
    """

    attempts: int
    best: float
    latest: float
    first: float
    average: float
    first_at: datetime

    def grade(self, method: GradingMethod) -> float:
        if method is GradingMethod.HIGHEST:
            return self.best
        if method is GradingMethod.LATEST:
            return self.latest
        if method is GradingMethod.FIRST:
            return self.first
        if method is GradingMethod.AVERAGE:
            return self.average
        raise ValueError(f"unknown grading method {method!r}")


@dataclass(frozen=True)
class Bin:
    low: float
    high: float
    count: int


def histogram(scores: Iterable[float], bins: int = 10) -> list[Bin]:
    """Counts of scores in equal bins over 0..1: [low, high), except the last is [low, 1].

    The last bin is closed so a perfect score is counted instead of falling off the end.
    """
    if bins < 1:
        raise ValueError(f"bins must be at least 1, not {bins}")
    edges = [i / bins for i in range(bins)] + [1.0]
    counts = [0] * bins
    for score in scores:
        if not 0.0 <= score <= 1.0:  # also rejects NaN
            raise ValueError(f"score {score!r} is outside 0..1")
        score = settle(score)  # an average of 1/5 computed as 0.19999999999999998 is 0.2
        index = min(int(score * bins), bins - 1)
        # score * bins can land an ulp either side of an edge; settle on the bin whose
        # printed low/high really contain the score.
        if score < edges[index]:
            index -= 1
        elif index < bins - 1 and score >= edges[index + 1]:
            index += 1
        counts[index] += 1
    return [Bin(edges[i], edges[i + 1], counts[i]) for i in range(bins)]


def mean(values: Sequence[float]) -> float | None:
    """Arithmetic mean, or None for no values."""
    if not values:
        return None
    return math.fsum(values) / len(values)


def median(values: Sequence[float]) -> float | None:
    """Middle value (mean of the two middle ones for an even count), or None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


# Spreadsheets run a cell as a formula when it starts with one of these (OWASP, "CSV
# Injection"); a tab or carriage return can hide such a start from the eye.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: object) -> str:
    """A gradebook cell as text that a spreadsheet will not run as a formula.

    Numbers (int, float) are written as numbers: -3 or 0.5 came from our own arithmetic,
    not from a user, and quoting them would turn them into text. Everything else is
    text that may come from a user (names, titles), so a leading formula character gets
    a single quote in front. None is an empty cell.
    """
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def gradebook_csv(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """The gradebook as CSV text (CRLF line ends, RFC 4180), every cell through csv_safe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([csv_safe(cell) for cell in header])
    for row in rows:
        writer.writerow([csv_safe(cell) for cell in row])
    return buffer.getvalue()


#: The most questions an assignment can ask a quiz to have (a sanity bound on input).
MAX_MIN_QUESTIONS = 10_000


def questions_asked(min_questions: int | None, available: int) -> int:
    """How many of a deck's `available` quiz questions a quiz must have to count for an
    assignment that asks for `min_questions` (0: any length; None: the whole deck)."""
    return available if min_questions is None else min(min_questions, available)


def counts_for_assignment(
    min_questions: int | None, *, total: int, whole_deck: bool, checks_answers: bool
) -> bool:
    """Whether a submitted quiz counts for an assignment that asks for `min_questions`
    (0: any length; None: the whole deck; n: at least n questions). A quiz of the whole
    deck, as it was when the quiz started, always counts, even if the deck grew since or
    has fewer than n questions; a quiz that checked each answer as it went never does.
    The services' SQL follows the same rule (quiz.services.classes)."""
    if checks_answers:
        return False
    if whole_deck:
        return True
    return min_questions is not None and total >= min_questions


def assignment_status(
    due_at: datetime | None, now: datetime, attempts_started: int, attempts_submitted: int
) -> Status:
    """Where a learner stands on an assignment; a submission counts even after the due date."""
    if attempts_submitted > 0:
        return "done"
    if due_at is not None and now > due_at:
        return "overdue"
    if attempts_started > 0:
        return "in progress"
    return "not started"


def hand_in(
    due_at: datetime | None,
    now: datetime,
    first_at: datetime | None,
    joined_at: datetime | None = None,
) -> HandIn:
    """How a learner's work on an assignment stands against its due date, for the
    teacher: "on time" when their first quiz that counts was submitted by the due date,
    "late" when it came after, "missing" when none has come and the date has passed;
    "" without a due date, before it with nothing yet, or for a learner who joined the
    class after it (they could not have handed anything in by then). As in
    assignment_status, a quiz submitted at the due date itself is on time, and a late
    quiz counts all the same."""
    if due_at is None or (joined_at is not None and joined_at > due_at):
        return ""
    if first_at is not None:
        return "on time" if first_at <= due_at else "late"
    return "missing" if now > due_at else ""


# --- Order and pages ------------------------------------------------------------------


def sort_key(raw: str) -> str:
    """A gradebook's sort from a URL: "name", or an assignment id (as digits; whether
    the class has that assignment is for the caller to check)."""
    return raw if raw.isascii() and raw.isdigit() and len(raw) < 19 else "name"


def name_key(name: str, student_id: int) -> tuple[str, int]:
    """Alphabetical, case-blind; the id settles equal names, so that every student has
    one place in the order and pages never repeat or skip anyone."""
    return (name.casefold(), student_id)


def order_students(
    students: Sequence[tuple[int, str]],
    grades: Mapping[int, float | None] | None = None,
    descending: bool = False,
) -> list[int]:
    """Student ids from (id, name) pairs: by name, or by grade when `grades` is given.

    By grade, students without a grade come last whichever the direction, and equal
    grades keep alphabetical order, so the order is total and the same on every request.
    """
    by_name = sorted(students, key=lambda s: name_key(s[1], s[0]))
    if grades is None:
        ids = [student_id for student_id, _ in by_name]
        return ids[::-1] if descending else ids
    graded = [s for s, _ in by_name if grades.get(s) is not None]
    ungraded = [s for s, _ in by_name if grades.get(s) is None]
    # sorted() is stable with reverse=True too: equal grades stay in name order (settled,
    # so that an average that came out as 0.19999999999999998 equals a 1/5).
    graded.sort(key=lambda s: settle(grades[s]), reverse=descending)
    return graded + ungraded


class PageOutOfRange(ValueError):
    """A page number below 1 or after the last page."""

    def __init__(self, number: int, count: int) -> None:
        pages = f"{count} page" + ("s" if count != 1 else "")
        super().__init__(f"There is no page {number}: the gradebook has {pages}.")
        self.number = number
        self.count = count


@dataclass(frozen=True)
class Page:
    """One page of a list of `total` things, `per_page` at a time (numbered from 1)."""

    number: int
    per_page: int
    total: int

    @property
    def count(self) -> int:
        """How many pages there are; an empty list still has one (empty) page."""
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def start(self) -> int:
        return (self.number - 1) * self.per_page

    @property
    def stop(self) -> int:
        return min(self.total, self.number * self.per_page)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.count


def paginate(total: int, per_page: int, number: int) -> Page:
    """Page `number` of `total` things; PageOutOfRange when there is no such page."""
    if per_page < 1:
        raise ValueError(f"per_page must be at least 1, not {per_page}")
    page = Page(number=number, per_page=per_page, total=total)
    if not 1 <= number <= page.count:
        raise PageOutOfRange(number, page.count)
    return page
