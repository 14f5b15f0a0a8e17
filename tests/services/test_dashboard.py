"""The learner's dashboard against a small history computed by hand."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from quiz.extensions import db
from quiz.models import Card, DeckStatus, ReviewLog
from quiz.services.dashboard import build_dashboard
from quiz.services.decks import get_published_deck, load_builtin_decks
from tests.factories import make_user
from tests.services.test_study import _flashcards

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def _card(user, item, *, stability, due) -> Card:
    card = Card(
        user_id=user.id,
        item_id=item.id,
        state=2,
        step=None,
        stability=stability,
        difficulty=5.0,
        due=due,
        last_review=NOW - timedelta(days=1),
    )
    db.session.add(card)
    db.session.flush()
    return card


def _log(user, card, rating, when):
    db.session.add(ReviewLog(card_id=card.id, user_id=user.id, rating=rating, reviewed_at=when))


def _history(user, deck, extra_logs: int = 0):
    a, b, c, _ = deck.items
    mastered = _card(user, a, stability=30.0, due=NOW - timedelta(hours=1))  # overdue
    young = _card(user, b, stability=5.0, due=NOW + timedelta(days=1))
    _card(user, c, stability=2.0, due=NOW + timedelta(days=3))
    _log(user, mastered, 1, NOW - timedelta(days=1))
    _log(user, mastered, 3, NOW - timedelta(days=1, hours=1))
    _log(user, young, 3, NOW - timedelta(hours=2))
    _log(user, young, 4, NOW - timedelta(days=40))  # before the 30-day window
    for n in range(extra_logs):
        _log(user, young, 3, NOW - timedelta(days=50 + n % 300, minutes=n))
    db.session.commit()


def test_dashboard_figures_match_a_hand_computed_history(app):
    load_builtin_decks([_flashcards(n=4)])
    deck = get_published_deck("cards")
    user = make_user()
    _history(user, deck)

    board = build_dashboard(user, NOW)

    assert (board.due_today, board.due_tomorrow) == (1, 1)
    assert [d.count for d in board.forecast] == [1, 1, 0, 1] + [0] * 10
    assert board.reviews[-1].count == 1  # today
    assert board.reviews[-2].count == 2  # yesterday
    assert board.reviews_30d == 3
    (progress,) = board.decks
    assert (progress.cards, progress.studied, progress.mastered) == (4, 3, 1)
    assert progress.mastery == pytest.approx(0.25)
    assert progress.reviews == 4
    assert progress.retention == pytest.approx(0.75)  # one Again in four reviews
    assert board.retention == pytest.approx(0.75)
    # Plain numbers on every database (PostgreSQL sums come back as Decimal).
    assert type(progress.reviews) is int and type(board.retention) is float


def test_dashboard_days_follow_the_learners_time_zone(app):
    load_builtin_decks([_flashcards(n=4)])
    deck = get_published_deck("cards")
    user = make_user()
    user.timezone = "America/New_York"  # 07:00 local at NOW
    _history(user, deck)
    board = build_dashboard(user, NOW)
    # The review two hours ago (05:00 local) is still "today" in New York.
    assert board.reviews[-1].day.isoformat() == "2026-03-10"
    assert board.reviews[-1].count == 1


def test_retired_cards_and_unpublished_decks_leave_the_deck_rows_but_count_in_retention(app):
    load_builtin_decks([_flashcards(n=4), _flashcards("hidden", n=2)])
    deck = get_published_deck("cards")
    hidden = get_published_deck("hidden")
    user = make_user()
    _history(user, deck)  # 4 reviews, one Again: 3 cards, the first one mastered
    gone = _card(user, hidden.items[0], stability=30.0, due=NOW + timedelta(days=2))
    _log(user, gone, 1, NOW - timedelta(hours=3))
    _log(user, gone, 1, NOW - timedelta(hours=4))
    hidden.status = DeckStatus.DRAFT.value
    deck.items[0].retired = True  # the mastered card, with 2 reviews (one Again)
    db.session.commit()

    board = build_dashboard(user, NOW)

    (progress,) = board.decks  # the draft deck is not listed
    assert (progress.cards, progress.studied, progress.mastered) == (3, 2, 0)
    assert progress.reviews == 4  # a retired card's reviews still count for its deck
    assert progress.retention == pytest.approx(0.75)
    assert board.retention == pytest.approx(3 / 6)  # both Agains of the draft deck too


def test_an_empty_history_shows_zeros_and_no_retention(app):
    load_builtin_decks([_flashcards(n=2)])
    board = build_dashboard(make_user(), NOW)
    assert board.due_today == 0 and board.reviews_30d == 0
    assert board.retention is None and board.decks[0].mastery == 0


@pytest.mark.parametrize(
    ("zone", "now"),
    [
        # The forecast crosses the change to summer time, 8 March 2026.
        ("America/New_York", datetime(2026, 3, 1, 4, 30, tzinfo=UTC)),
        # The last 30 days cross the change back, 2 November 2025.
        ("America/New_York", datetime(2025, 11, 20, 4, 59, tzinfo=UTC)),
        ("Asia/Kathmandu", datetime(2026, 3, 10, 18, 14, tzinfo=UTC)),
    ],
)
def test_days_counted_in_sql_match_converting_each_time(app, zone, now):
    """Counting between local midnights in SQL gives the days that converting every
    time to the learner's local date gives, whatever the offset or daylight saving."""
    load_builtin_decks([_flashcards(n=40)])
    deck = get_published_deck("cards")
    user = make_user()
    user.timezone = zone
    local = ZoneInfo(zone)
    today = now.astimezone(local).date()
    midnights = [
        datetime.combine(today + timedelta(n), datetime.min.time(), tzinfo=local)
        for n in range(-30, 16)
    ]
    rng = random.Random(zone + now.isoformat())
    dues, reviews = [], []
    for n, item in enumerate(deck.items):
        if n < 10:  # right on a local midnight, or just before one
            due = midnights[30 + n] - timedelta(microseconds=n % 2)
        else:
            due = now + timedelta(minutes=rng.randrange(-3 * 1440, 16 * 1440))
        card = _card(user, item, stability=1.0, due=due)
        dues.append(due)
        for k in range(4):
            if n < 10:
                when = midnights[n * 3 + k % 2] - timedelta(microseconds=k // 2)
            else:
                when = now - timedelta(minutes=rng.randrange(-2 * 1440, 32 * 1440))
            _log(user, card, 3, when)
            reviews.append(when)
    db.session.commit()

    board = build_dashboard(user, now)

    def local_day(when):
        return when.astimezone(local).date()

    forecast = [today + timedelta(n) for n in range(14)]
    assert [d.day for d in board.forecast] == forecast
    assert [d.count for d in board.forecast] == [
        sum(1 for due in dues if max(local_day(due), today) == day) for day in forecast
    ]
    last_30 = [today - timedelta(29 - n) for n in range(30)]
    assert [d.day for d in board.reviews] == last_30
    assert [d.count for d in board.reviews] == [
        sum(1 for when in reviews if local_day(when) == day) for day in last_30
    ]


@pytest.mark.parametrize("extra_logs", [0, 500])
def test_the_dashboard_takes_a_fixed_number_of_queries(app, count_queries, extra_logs):
    load_builtin_decks([_flashcards(n=4)])
    deck = get_published_deck("cards")
    user = make_user()
    _history(user, deck, extra_logs)
    db.session.expire_all()
    with count_queries() as counter:
        build_dashboard(user, NOW)
    assert counter.count == 4  # user, days due and reviewed, decks, scores
