"""A learner's progress at a glance: what is due, what was done, what is mastered."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, func, select

from quiz.domain.progress import DeckScores
from quiz.domain.scheduling import MASTERED_STABILITY_DAYS, Rating
from quiz.domain.study_stats import (
    BarChart,
    DayCount,
    bar_chart,
    due_forecast,
    local_day_start,
    reviews_per_day,
    share,
)
from quiz.extensions import db
from quiz.models import Card, Deck, DeckStatus, Item, ReviewLog, User
from quiz.services.scores import deck_summaries
from quiz.services.study import user_zone


@dataclass(frozen=True)
class DeckProgress:
    deck: Deck
    cards: int  # items in the deck
    studied: int  # of those, cards the learner has
    mastered: int  # of those, cards with stability over the mastery threshold
    reviews: int
    retention: float | None  # share of reviews not rated Again
    mastery: float | None  # mastered / cards
    scores: DeckScores | None


@dataclass(frozen=True)
class Dashboard:
    due_today: int
    due_tomorrow: int
    forecast: list[DayCount]
    forecast_chart: BarChart
    reviews: list[DayCount]
    reviews_chart: BarChart
    reviews_30d: int
    retention: float | None
    decks: list[DeckProgress]


def build_dashboard(user: User, now: datetime) -> Dashboard:
    """Every figure in a fixed number of queries, whatever the size of the history."""
    zone = user_zone(user)
    today = local_day_start(now, zone)
    live = (Item.retired.is_(False), Deck.status == DeckStatus.PUBLISHED.value)

    due_times = db.session.execute(
        select(Card.due)
        .join(Item, Card.item_id == Item.id)
        .join(Deck, Item.deck_id == Deck.id)
        .where(Card.user_id == user.id, Card.due < today + timedelta(days=14), *live)
    ).scalars()
    forecast = due_forecast(due_times, now, zone)

    review_times = db.session.execute(
        select(ReviewLog.reviewed_at).where(
            ReviewLog.user_id == user.id, ReviewLog.reviewed_at >= today - timedelta(days=29)
        )
    ).scalars()
    per_day = reviews_per_day(review_times, now, zone)

    not_again = case((ReviewLog.rating != int(Rating.AGAIN), 1), else_=0)
    retention_rows = db.session.execute(
        select(Item.deck_id, func.count(ReviewLog.id), func.sum(not_again))
        .select_from(ReviewLog)
        .join(Card, ReviewLog.card_id == Card.id)
        .join(Item, Card.item_id == Item.id)
        .where(ReviewLog.user_id == user.id)
        .group_by(Item.deck_id)
    ).all()
    retention = {deck_id: (int(n), int(kept or 0)) for deck_id, n, kept in retention_rows}

    mastered_flag = case((Card.stability > MASTERED_STABILITY_DAYS, 1), else_=0)
    card_rows = db.session.execute(
        select(Item.deck_id, func.count(Card.id), func.sum(mastered_flag))
        .select_from(Card)
        .join(Item, Card.item_id == Item.id)
        .where(Card.user_id == user.id, Item.retired.is_(False))
        .group_by(Item.deck_id)
    ).all()
    studied = {deck_id: (int(n), int(m or 0)) for deck_id, n, m in card_rows}

    deck_rows = db.session.execute(
        select(Deck, func.count(Item.id))
        .join(Item, Item.deck_id == Deck.id)
        .where(*live)
        .group_by(Deck.id)
        .order_by(Deck.title)
    ).all()
    scores = deck_summaries(user)

    decks = []
    for deck, size in deck_rows:
        n_reviews, kept = retention.get(deck.id, (0, 0))
        n_cards, n_mastered = studied.get(deck.id, (0, 0))
        decks.append(
            DeckProgress(
                deck=deck,
                cards=size,
                studied=n_cards,
                mastered=n_mastered,
                reviews=n_reviews,
                retention=share(kept, n_reviews),
                mastery=share(n_mastered, size),
                scores=scores.get(deck.id),
            )
        )
    total_reviews = sum(n for n, _ in retention.values())
    return Dashboard(
        due_today=forecast[0].count,
        due_tomorrow=forecast[1].count,
        forecast=forecast,
        forecast_chart=bar_chart(forecast),
        reviews=per_day,
        reviews_chart=bar_chart(per_day),
        reviews_30d=sum(d.count for d in per_day),
        retention=share(sum(k for _, k in retention.values()), total_reviews),
        decks=decks,
    )
