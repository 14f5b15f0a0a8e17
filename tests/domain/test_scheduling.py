"""The FSRS wrapper and the dashboard's pure figures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from quiz.domain.scheduling import CardState, Rating, format_interval, preview_intervals, review
from quiz.domain.study_stats import bar_chart, due_forecast, reviews_per_day, share

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


def test_intervals_are_written_briefly():
    assert format_interval(timedelta(seconds=20)) == "1 min"
    assert format_interval(timedelta(minutes=10)) == "10 min"
    assert format_interval(timedelta(hours=5)) == "5 h"
    assert format_interval(timedelta(days=3)) == "3 d"
    assert format_interval(timedelta(days=65)) == "2 mo"
    assert format_interval(timedelta(days=730)) == "2 y"


def test_forecast_counts_overdue_cards_as_today():
    zone = ZoneInfo("UTC")
    due = [NOW - timedelta(days=3), NOW, NOW + timedelta(days=1), NOW + timedelta(days=20)]
    forecast = due_forecast(due, NOW, zone, days=3)
    assert [d.count for d in forecast] == [2, 1, 0]


def test_reviews_per_day_ends_today():
    zone = ZoneInfo("UTC")
    counts = reviews_per_day([NOW, NOW - timedelta(days=2)], NOW, zone, days=3)
    assert [c.count for c in counts] == [1, 0, 1]


def test_bar_heights_scale_to_the_busiest_day():
    zone = ZoneInfo("UTC")
    chart = bar_chart(
        reviews_per_day([NOW, NOW, NOW - timedelta(days=1)], NOW, zone, 2), height=116
    )
    assert [b.height for b in chart.bars] == [50.0, 100.0]
    assert chart.peak == 2


def test_share_of_nothing_is_none():
    assert share(0, 0) is None and share(1, 4) == 0.25
