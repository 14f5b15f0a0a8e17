"""Spaced repetition with FSRS (the fsrs package): card state in, next state out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import IntEnum
from functools import lru_cache

import fsrs

#: How likely a learner wants to be to still remember a card when it comes back (FSRS's
#: desired retention), as they may choose it: more means more reviews a day. Anki
#: advises the same range; past 0.97 the reviews grow much faster than what is kept.
RETENTION_CHOICES = (0.80, 0.85, 0.90, 0.93, 0.95, 0.97)
DEFAULT_RETENTION = 0.90


def chosen_retention(value: float | None) -> float:
    """A stored desired retention as the scheduler takes it: one of the choices, or the
    default for anything else (a value set by hand in the database, say)."""
    return value if value in RETENTION_CHOICES else DEFAULT_RETENTION


@lru_cache(maxsize=len(RETENTION_CHOICES))
def _scheduler(retention: float) -> fsrs.Scheduler:
    # Fuzzing off: each rating button promises when the card comes back, and keeps it.
    return fsrs.Scheduler(desired_retention=retention, enable_fuzzing=False)


#: Learning cards due within this window are shown rather than ending the session.
LEARN_AHEAD = timedelta(minutes=20)
#: A card counts as mastered once FSRS expects it to be remembered this long.
MASTERED_STABILITY_DAYS = 21.0


class Rating(IntEnum):
    AGAIN = 1
    HARD = 2
    GOOD = 3
    EASY = 4

    @property
    def label(self) -> str:
        return self.name.capitalize()


@dataclass(frozen=True)
class CardState:
    """The FSRS memory state of one learner's card, as stored in the database."""

    state: int
    step: int | None
    stability: float | None
    difficulty: float | None
    due: datetime
    last_review: datetime | None

    @classmethod
    def new(cls, now: datetime) -> CardState:
        card = fsrs.Card(due=now)
        return cls._from_fsrs(card)

    @classmethod
    def _from_fsrs(cls, card: fsrs.Card) -> CardState:
        return cls(
            state=int(card.state),
            step=card.step,
            stability=card.stability,
            difficulty=card.difficulty,
            due=card.due,
            last_review=card.last_review,
        )

    def _to_fsrs(self) -> fsrs.Card:
        return fsrs.Card(
            card_id=1,
            state=fsrs.State(self.state),
            step=self.step,
            stability=self.stability,
            difficulty=self.difficulty,
            due=self.due,
            last_review=self.last_review,
        )

    @property
    def is_learning(self) -> bool:
        return self.state in (fsrs.State.Learning, fsrs.State.Relearning)


def review(
    card: CardState, rating: Rating, now: datetime, retention: float = DEFAULT_RETENTION
) -> CardState:
    """The card's state after the learner rates it at ``now``, scheduled for the
    learner's desired retention."""
    scheduler = _scheduler(retention)
    updated, _ = scheduler.review_card(card._to_fsrs(), fsrs.Rating(int(rating)), now)
    return CardState._from_fsrs(updated)


def preview_intervals(
    card: CardState, now: datetime, retention: float = DEFAULT_RETENTION
) -> dict[Rating, timedelta]:
    """How long until the card comes back, for each rating the learner could give."""
    return {rating: review(card, rating, now, retention).due - now for rating in Rating}


def format_interval(delta: timedelta) -> str:
    """A short, human interval: "1 min", "10 min", "3 h", "4 d", "2 mo", "1.5 y"."""
    seconds = max(0, delta.total_seconds())
    minutes = seconds / 60
    if minutes < 60:
        return f"{max(1, round(minutes))} min"
    hours = minutes / 60
    if hours < 24:
        return f"{round(hours)} h"
    days = hours / 24
    if days < 30:
        return f"{round(days)} d"
    if days < 365:
        return f"{round(days / 30)} mo"
    years = days / 365
    return f"{years:.1f} y".replace(".0 y", " y")
