"""A learner's progress at a glance: what is due, what was done, what is mastered."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache

from sqlalchemy import Select, and_, bindparam, case, func, literal_column, or_, select, union_all

from quiz.domain.progress import DeckScores
from quiz.domain.scheduling import MASTERED_STABILITY_DAYS, Rating
from quiz.domain.study_stats import (
    BarChart,
    DayCount,
    bar_chart,
    counts_per_day,
    day_starts,
    share,
)
from quiz.models import Card, Deck, DeckStatus, Item, ReviewLog, Suspension, User
from quiz.services import fetch
from quiz.services.decks import DeckCard
from quiz.services.scores import deck_summaries
from quiz.services.study import studiable_conditions, user_zone

FORECAST_DAYS = 14
HISTORY_DAYS = 30
PUBLISHED = DeckStatus.PUBLISHED.value


@dataclass(frozen=True)
class DeckProgress:
    deck: DeckCard
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


# The statements below are built once: their values (the learner, the day boundaries)
# are parameters. Building and hashing a statement of this size takes a good part of a
# millisecond, as long as SQLite takes to run a small one.


def _day_number(column, ends: list, first: int = 0):
    """The number of the first of ``ends`` (sorted) that ``column`` is before, plus
    ``first``: a binary search written as nested CASEs, about log2(len(ends)) comparisons
    a row."""
    if len(ends) == 1:
        return literal_column(str(first))
    half = len(ends) // 2
    return case(
        (column < ends[half - 1], _day_number(column, ends[:half], first)),
        else_=_day_number(column, ends[half:], first + half),
    )


@cache
def _day_counts_statement() -> Select:
    """(day, count) rows: day 0 to 13 count the learner's cards (of live items, not
    suspended) due on each of the next local days, overdue ones on the first; day 14 to
    43 count their reviews on each of the last 30 local days. Counting in SQL spares
    converting every row to a local date in Python."""
    user_id = bindparam("user_id")
    due_ends = [bindparam(f"due_end_{n}") for n in range(FORECAST_DAYS)]
    review_ends = [bindparam(f"review_end_{n}") for n in range(HISTORY_DAYS)]
    due = (
        select(_day_number(Card.due, due_ends).label("day"))
        .join(Item, Card.item_id == Item.id)
        .join(Deck, Item.deck_id == Deck.id)
        .where(
            Card.user_id == user_id,
            Card.suspended == Suspension.NONE,
            Card.due < due_ends[-1],
            *studiable_conditions(Item, Deck),
        )
    )
    reviewed = select(
        _day_number(ReviewLog.reviewed_at, review_ends, FORECAST_DAYS).label("day")
    ).where(
        ReviewLog.user_id == user_id,
        ReviewLog.reviewed_at >= bindparam("review_start"),
        ReviewLog.reviewed_at < review_ends[-1],
    )
    days = union_all(due, reviewed).subquery()
    return select(days.c.day, func.count()).group_by(days.c.day)


@cache
def _decks_statement() -> Select:
    """Each deck with live items (its size, the learner's cards and mastered cards in
    it) or with reviews by the learner (their count, and how many were not Again)."""
    user_id = bindparam("user_id")
    live = Item.retired.is_(False)
    sizes = (
        select(Item.deck_id, func.count(Item.id).label("size"))
        .where(live)
        .group_by(Item.deck_id)
        .subquery()
    )
    not_again = case((ReviewLog.rating != int(Rating.AGAIN), 1), else_=0)
    card_reviews = (
        select(
            ReviewLog.card_id,
            func.count(ReviewLog.id).label("reviews"),
            func.sum(not_again).label("kept"),
        )
        .where(ReviewLog.user_id == user_id)
        .group_by(ReviewLog.card_id)
        .subquery()
    )
    # One pass over the learner's cards: a retired item's card no longer counts as
    # studied or mastered, but its reviews still count for its deck's retention.
    progress = (
        select(
            Item.deck_id,
            # A row that only holds a never-studied card aside is no card studied.
            func.count(Card.id).filter(live, Card.suspended != Suspension.UNSEEN).label("cards"),
            func.count(Card.id)
            .filter(live, Card.stability > MASTERED_STABILITY_DAYS)
            .label("mastered"),
            func.sum(card_reviews.c.reviews).label("reviews"),
            func.sum(card_reviews.c.kept).label("kept"),
        )
        .select_from(Card)
        .join(Item, Card.item_id == Item.id)
        .outerjoin(card_reviews, card_reviews.c.card_id == Card.id)
        .where(Card.user_id == user_id)
        .group_by(Item.deck_id)
        .subquery()
    )
    return (
        select(
            Deck.id,
            Deck.slug,
            Deck.title,
            Deck.description,
            Deck.status,
            sizes.c.size,
            progress.c.cards,
            progress.c.mastered,
            progress.c.reviews,
            progress.c.kept,
        )
        .outerjoin(sizes, sizes.c.deck_id == Deck.id)
        .outerjoin(progress, progress.c.deck_id == Deck.id)
        .where(
            or_(
                and_(Deck.status == PUBLISHED, sizes.c.size.is_not(None)),
                progress.c.reviews.is_not(None),
            )
        )
        .order_by(Deck.title, Deck.id)
    )


def build_dashboard(user: User, now: datetime) -> Dashboard:
    """Every figure in a fixed number of queries, whatever the size of the history."""
    zone = user_zone(user)
    due_days = day_starts(now, zone, 0, FORECAST_DAYS)
    review_days = day_starts(now, zone, 1 - HISTORY_DAYS, HISTORY_DAYS)
    params: dict[str, object] = {"user_id": user.id, "review_start": review_days[0]}
    params.update((f"due_end_{n}", end) for n, end in enumerate(due_days[1:]))
    params.update((f"review_end_{n}", end) for n, end in enumerate(review_days[1:]))
    counts = dict(fetch(_day_counts_statement(), **params))
    forecast = counts_per_day(due_days, counts)
    per_day = counts_per_day(review_days, counts, first=FORECAST_DAYS)

    deck_rows = fetch(_decks_statement(), user_id=user.id)
    scores = deck_summaries(user)

    decks = []
    total_reviews = total_kept = 0
    for (
        deck_id,
        slug,
        title,
        description,
        status,
        size,
        n_cards,
        n_mastered,
        n_reviews,
        kept,
    ) in deck_rows:
        n_reviews, kept = int(n_reviews or 0), int(kept or 0)  # sums: Decimal on PostgreSQL
        # Every review counts towards the overall retention, listed deck or not.
        total_reviews += n_reviews
        total_kept += kept
        if status != PUBLISHED or size is None:
            continue
        n_mastered = int(n_mastered or 0)
        decks.append(
            DeckProgress(
                deck=DeckCard(deck_id, slug, title, description or ""),
                cards=size,
                studied=n_cards or 0,
                mastered=n_mastered,
                reviews=n_reviews,
                retention=share(kept, n_reviews),
                mastery=share(n_mastered, size),
                scores=scores.get(deck_id),
            )
        )
    return Dashboard(
        due_today=forecast[0].count,
        due_tomorrow=forecast[1].count,
        forecast=forecast,
        forecast_chart=bar_chart(forecast),
        reviews=per_day,
        reviews_chart=bar_chart(per_day),
        reviews_30d=sum(d.count for d in per_day),
        retention=share(total_kept, total_reviews),
        decks=decks,
    )
