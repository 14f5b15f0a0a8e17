"""Gradebook rules for teachers: grading methods, score histograms, safe CSV, assignment status."""

from __future__ import annotations

import csv
import enum
import io
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

Status = Literal["not started", "in progress", "done", "overdue"]


class GradingMethod(enum.StrEnum):
    """Which of a learner's attempts makes the grade (Moodle's quiz grading methods)."""

    HIGHEST = "highest"
    LATEST = "latest"
    FIRST = "first"
    AVERAGE = "average"


def grade(scores: Sequence[tuple[datetime, int, float]], method: GradingMethod) -> float | None:
    """One learner's grade from (started_at, attempt_id, score) triples; None if no attempts.

    First and latest go by start time, then attempt id, so two attempts started in the
    same second still have a fixed order.
    """
    if not scores:
        return None
    if method is GradingMethod.HIGHEST:
        return max(score for _, _, score in scores)
    if method is GradingMethod.AVERAGE:
        return mean([score for _, _, score in scores])
    ordered = sorted(scores, key=lambda s: (s[0], s[1]))
    if method is GradingMethod.FIRST:
        return ordered[0][2]
    if method is GradingMethod.LATEST:
        return ordered[-1][2]
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
