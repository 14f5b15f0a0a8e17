"""A learner's quiz scores: best and latest per deck, and the chart of scores over time."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class ScoredAttempt:
    attempt_id: int
    deck_id: int
    submitted_at: datetime
    score: float  # 0.0 to 1.0


@dataclass(frozen=True)
class DeckScores:
    attempts: int
    best: float | None
    latest: float | None


def deck_scores(attempts: Sequence[ScoredAttempt]) -> DeckScores:
    """Best and latest score of one deck's submitted attempts (in any order)."""
    if not attempts:
        return DeckScores(attempts=0, best=None, latest=None)
    latest = max(attempts, key=lambda a: (a.submitted_at, a.attempt_id))
    return DeckScores(
        attempts=len(attempts), best=max(a.score for a in attempts), latest=latest.score
    )


@dataclass(frozen=True)
class ChartPoint:
    x: float
    y: float
    label: str


@dataclass(frozen=True)
class LineChart:
    width: int
    height: int
    points: tuple[ChartPoint, ...]

    @property
    def polyline(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points)


def score_chart(
    scores: Sequence[tuple[str, float]], width: int = 320, height: int = 120, pad: int = 12
) -> LineChart:
    """Lay out (label, score 0..1) pairs, oldest first, as points of an SVG line chart."""
    n = len(scores)
    inner_w, inner_h = width - 2 * pad, height - 2 * pad
    points = []
    for i, (label, score) in enumerate(scores):
        x = pad + (inner_w * i / (n - 1) if n > 1 else inner_w / 2)
        y = pad + inner_h * (1 - max(0.0, min(1.0, score)))
        points.append(ChartPoint(x, y, label))
    return LineChart(width, height, tuple(points))
