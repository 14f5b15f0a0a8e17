"""A learner's scores: every submitted attempt per deck, best, latest and the chart."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func

from quiz.domain.progress import DeckScores, LineChart, ScoredAttempt, deck_scores, score_chart
from quiz.extensions import db
from quiz.models import Attempt, Deck, User


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


def deck_summaries(user: User) -> dict[int, DeckScores]:
    """Best and latest score per deck of the learner's submitted attempts, by deck id.

    Summarised by the database (window functions, on SQLite and PostgreSQL): one row per
    deck comes back, whatever the number of attempts."""
    score = case((Attempt.total > 0, Attempt.correct_count * 1.0 / Attempt.total), else_=0.0)
    per_deck = (
        db.select(
            Attempt.deck_id,
            score.label("score"),
            func.count().over(partition_by=Attempt.deck_id).label("attempts"),
            func.max(score).over(partition_by=Attempt.deck_id).label("best"),
            func.row_number()
            .over(
                partition_by=Attempt.deck_id,
                order_by=(Attempt.submitted_at.desc(), Attempt.id.desc()),
            )
            .label("newest"),
        )
        .where(Attempt.user_id == user.id, Attempt.submitted_at.is_not(None))
        .subquery()
    )
    rows = db.session.execute(
        db.select(per_deck.c.deck_id, per_deck.c.attempts, per_deck.c.best, per_deck.c.score).where(
            per_deck.c.newest == 1
        )
    ).all()
    return {
        deck_id: DeckScores(attempts=n, best=float(best), latest=float(latest))
        for deck_id, n, best, latest in rows
    }
