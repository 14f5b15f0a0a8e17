"""Figures for a learner's dashboard: forecast, reviews per day, retention, mastery."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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


def day_starts(now: datetime, zone: ZoneInfo, first: int, days: int) -> list[datetime]:
    """The ``days + 1`` local midnights that bound ``days`` consecutive local days, the
    first of them ``first`` days from today (negative: in the past), as aware datetimes.

    Counting the events between consecutive starts (in SQL, over an index) buckets them
    by local day as converting each event to local time would, daylight saving
    included (local midnight is the first instant of its date wherever clocks never
    move back across midnight).
    """
    today = now.astimezone(zone).date()
    return [
        datetime.combine(today + timedelta(first + n), time.min, tzinfo=zone)
        for n in range(days + 1)
    ]


def counts_per_day(
    starts: Sequence[datetime], counts: Mapping[int, int], first: int = 0
) -> list[DayCount]:
    """The count of each day between consecutive ``starts``, from counts by day number
    (the first day numbered ``first``; days without events may be missing)."""
    return [DayCount(start.date(), counts.get(first + n, 0)) for n, start in enumerate(starts[:-1])]


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
