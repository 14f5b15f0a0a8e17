"""Best and latest scores, and the score chart."""

from __future__ import annotations

from datetime import UTC, datetime

from quiz.domain.progress import ScoredAttempt, deck_scores, score_chart


def _at(day: int, score: float, attempt_id: int | None = None) -> ScoredAttempt:
    return ScoredAttempt(attempt_id or day, 1, datetime(2026, 1, day, tzinfo=UTC), score)


def test_best_and_latest_come_from_different_attempts():
    scores = deck_scores([_at(3, 0.4), _at(1, 0.9), _at(2, 0.5)])
    assert (scores.attempts, scores.best, scores.latest) == (3, 0.9, 0.4)


def test_no_attempts_means_no_scores():
    assert deck_scores([]).best is None


def test_chart_puts_a_perfect_score_at_the_top_and_zero_at_the_bottom():
    chart = score_chart([("a", 0.0), ("b", 1.0)], width=100, height=100, pad=10)
    (low, high) = chart.points
    assert (low.x, low.y) == (10, 90)
    assert (high.x, high.y) == (90, 10)
    assert chart.polyline == "10.0,90.0 90.0,10.0"


def test_a_single_score_is_centred():
    (point,) = score_chart([("a", 0.5)], width=100, height=100, pad=10).points
    assert (point.x, point.y) == (50, 50)
