"""The FSRS wrapper and the dashboard's pure figures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from quiz.domain.scheduling import (
    DEFAULT_RETENTION,
    CardState,
    Rating,
    chosen_retention,
    format_interval,
    preview_intervals,
    review,
)
from quiz.domain.study_stats import bar_chart, counts_per_day, day_starts, share

NOW = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)


def test_a_new_card_follows_the_learning_steps():
    card = CardState.new(NOW)
    intervals = preview_intervals(card, NOW)
    assert intervals[Rating.AGAIN] == timedelta(minutes=1)
    assert intervals[Rating.GOOD] == timedelta(minutes=10)
    assert intervals[Rating.EASY] >= timedelta(days=1)


def test_reviews_are_deterministic_and_grow_the_interval():
    card = review(CardState.new(NOW), Rating.GOOD, NOW)
    card = review(card, Rating.GOOD, card.due)
    again = review(CardState.new(NOW), Rating.GOOD, NOW)
    assert again == review(CardState.new(NOW), Rating.GOOD, NOW)
    assert card.state == 2 and card.due - card.last_review >= timedelta(days=1)
    longer = review(card, Rating.GOOD, card.due)
    assert longer.due - longer.last_review > card.due - card.last_review


def _second_interval(retention: float) -> timedelta:
    card = review(CardState.new(NOW), Rating.GOOD, NOW, retention)
    card = review(card, Rating.GOOD, card.due, retention)
    return card.due - card.last_review


def test_a_higher_desired_retention_brings_a_card_back_sooner():
    intervals = [_second_interval(r) for r in (0.80, 0.90, 0.95, 0.97)]
    assert intervals == sorted(intervals, reverse=True)
    assert intervals[0] > intervals[-1]
    assert _second_interval(DEFAULT_RETENTION) == _second_interval(0.90)
    # The learning steps are minutes, whatever the retention.
    assert preview_intervals(CardState.new(NOW), NOW, 0.97)[Rating.GOOD] == timedelta(minutes=10)


def test_a_stored_retention_outside_the_choices_schedules_as_the_default():
    assert chosen_retention(0.95) == 0.95
    for odd in (None, 0.5, 1.0, 0.9000001, float("nan")):
        assert chosen_retention(odd) == DEFAULT_RETENTION


def test_intervals_are_written_briefly():
    assert format_interval(timedelta(seconds=20)) == "1 min"
    assert format_interval(timedelta(minutes=10)) == "10 min"
    assert format_interval(timedelta(hours=5)) == "5 h"
    assert format_interval(timedelta(days=3)) == "3 d"
    assert format_interval(timedelta(days=65)) == "2 mo"
    assert format_interval(timedelta(days=730)) == "2 y"


def test_day_starts_are_local_midnights():
    starts = day_starts(NOW, ZoneInfo("UTC"), -1, 3)
    assert starts == [
        datetime(2026, 4, 30, tzinfo=UTC),
        datetime(2026, 5, 1, tzinfo=UTC),
        datetime(2026, 5, 2, tzinfo=UTC),
        datetime(2026, 5, 3, tzinfo=UTC),
    ]


def test_day_starts_follow_daylight_saving():
    zone = ZoneInfo("America/New_York")  # clocks go forward on 8 March 2026
    starts = [
        s.astimezone(UTC) for s in day_starts(datetime(2026, 3, 7, 12, tzinfo=UTC), zone, 0, 2)
    ]
    hours = [end - start for start, end in zip(starts, starts[1:], strict=False)]
    assert hours == [timedelta(hours=24), timedelta(hours=23)]
    assert [s.astimezone(zone).hour for s in starts] == [0, 0, 0]


def test_counts_per_day_fill_the_days_without_events():
    starts = day_starts(NOW, ZoneInfo("UTC"), 0, 3)
    counts = counts_per_day(starts, {0: 2, 2: 1})
    assert [(c.day.isoformat(), c.count) for c in counts] == [
        ("2026-05-01", 2),
        ("2026-05-02", 0),
        ("2026-05-03", 1),
    ]
    assert [c.count for c in counts_per_day(starts, {5: 4, 7: 1}, first=5)] == [4, 0, 1]


def test_bar_heights_scale_to_the_busiest_day():
    starts = day_starts(NOW, ZoneInfo("UTC"), -1, 2)
    chart = bar_chart(counts_per_day(starts, {0: 1, 1: 2}), height=116)
    assert [b.height for b in chart.bars] == [50.0, 100.0]
    assert chart.peak == 2


def test_share_of_nothing_is_none():
    assert share(0, 0) is None and share(1, 4) == 0.25
