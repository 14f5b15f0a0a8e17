"""Figures for a learner's dashboard: forecast, reviews per day, retention, mastery."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def local_day_start(now: datetime, zone: ZoneInfo) -> datetime:
    """The start (as an aware datetime) of the learner's current local day."""
    local = now.astimezone(zone)
    return datetime.combine(local.date(), time.min, tzinfo=zone)


@dataclass(frozen=True)
class DayCount:
    day: date
    count: int


def due_forecast(
    due_times: Iterable[datetime], now: datetime, zone: ZoneInfo, days: int = 14
) -> list[DayCount]:
    """Cards due on each of the next ``days`` local days; overdue cards count as today."""
    today = now.astimezone(zone).date()
    counts: Counter[date] = Counter()
    for due in due_times:
        day = max(due.astimezone(zone).date(), today)
        counts[day] += 1
    return [DayCount(today + timedelta(n), counts[today + timedelta(n)]) for n in range(days)]


def reviews_per_day(
    review_times: Iterable[datetime], now: datetime, zone: ZoneInfo, days: int = 30
) -> list[DayCount]:
    """Reviews on each of the last ``days`` local days, oldest first, today last."""
    today = now.astimezone(zone).date()
    first = today - timedelta(days - 1)
    counts = Counter(t.astimezone(zone).date() for t in review_times)
    return [DayCount(first + timedelta(n), counts[first + timedelta(n)]) for n in range(days)]


def share(part: int, whole: int) -> float | None:
    """part / whole, or None where there is nothing to measure."""
    return part / whole if whole else None


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    count: int


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    bars: tuple[Bar, ...]
    peak: int


def bar_chart(
    counts: list[DayCount], width: int = 420, height: int = 120, gap: float = 2.0
) -> BarChart:
    """Lay out day counts as the bars of an SVG chart (tallest bar = full height)."""
    return labelled_bars(
        [(c.day.strftime("%a %d %b"), c.count) for c in counts], width, height, gap
    )


def labelled_bars(
    counts: Sequence[tuple[str, int]], width: int = 420, height: int = 120, gap: float = 2.0
) -> BarChart:
    """Lay out (label, count) pairs as the bars of an SVG chart."""
    peak = max((count for _, count in counts), default=0)
    slot = width / max(1, len(counts))
    bars = []
    for i, (label, count) in enumerate(counts):
        h = (height - 16) * count / peak if peak else 0.0
        bars.append(
            Bar(
                x=i * slot + gap / 2,
                y=height - h,
                width=max(1.0, slot - gap),
                height=h,
                label=label,
                count=count,
            )
        )
    return BarChart(width, height, tuple(bars), peak)
