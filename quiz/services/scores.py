"""A learner's scores: every submitted attempt per deck, best, latest and the chart."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, case, func

from quiz.domain.progress import DeckScores, LineChart, ScoredAttempt, deck_scores, score_chart
from quiz.extensions import db
from quiz.models import Attempt, Deck, User
from quiz.services import fetch


@dataclass(frozen=True)
class DeckHistory:
    deck: Deck
    attempts: list[Attempt]  # newest first
    summary: DeckScores
    chart: LineChart


def learner_history(user: User, deck_id: int | None = None) -> list[DeckHistory]:
    """The learner's submitted attempts grouped by deck (two queries whatever the count)."""
    query = (
        db.select(Attempt)
        .where(Attempt.user_id == user.id, Attempt.submitted_at.is_not(None))
        .order_by(Attempt.submitted_at, Attempt.id)
    )
    if deck_id is not None:
        query = query.where(Attempt.deck_id == deck_id)
    attempts = db.session.execute(query).scalars().all()
    by_deck: dict[int, list[Attempt]] = {}
    for attempt in attempts:
        by_deck.setdefault(attempt.deck_id, []).append(attempt)
    if not by_deck:
        return []
    decks = {
        d.id: d for d in db.session.execute(db.select(Deck).where(Deck.id.in_(by_deck))).scalars()
    }
    histories = []
    for did, rows in by_deck.items():
        scored = [ScoredAttempt(a.id, a.deck_id, a.submitted_at, a.score) for a in rows]
        chart = score_chart([(a.submitted_at.strftime("%d %b %Y"), a.score) for a in rows])
        histories.append(DeckHistory(decks[did], rows[::-1], deck_scores(scored), chart))
    histories.sort(key=lambda h: h.deck.title)
    return histories


_SCORE = case((Attempt.total > 0, Attempt.correct_count * 1.0 / Attempt.total), else_=0.0)
_PER_DECK = (
    db.select(
        Attempt.deck_id,
        _SCORE.label("score"),
        func.count().over(partition_by=Attempt.deck_id).label("attempts"),
        func.max(_SCORE).over(partition_by=Attempt.deck_id).label("best"),
        func.row_number()
        .over(
            partition_by=Attempt.deck_id,
            order_by=(Attempt.submitted_at.desc(), Attempt.id.desc()),
        )
        .label("newest"),
    )
    .where(Attempt.user_id == bindparam("user_id"), Attempt.submitted_at.is_not(None))
    .subquery()
)
# Built once: the deck list and the dashboard run it on every load (quiz.services.fetch).
_DECK_SUMMARIES = db.select(
    _PER_DECK.c.deck_id, _PER_DECK.c.attempts, _PER_DECK.c.best, _PER_DECK.c.score
).where(_PER_DECK.c.newest == 1)


def deck_summaries(user: User) -> dict[int, DeckScores]:
    """Best and latest score per deck of the learner's submitted attempts, by deck id.

    Summarised by the database (window functions, on SQLite and PostgreSQL): one row per
    deck comes back, whatever the number of attempts."""
    return {
        deck_id: DeckScores(attempts=n, best=float(best), latest=float(latest))
        for deck_id, n, best, latest in fetch(_DECK_SUMMARIES, user_id=user.id)
    }
