"""Quiz attempts and the response to each question in them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quiz.models.base import Base, UTCDateTime, utcnow
from quiz.models.content import Deck
from quiz.models.versions import version_triggers


class Attempt(Base):
    __tablename__ = "attempts"
    __table_args__ = (Index("ix_attempts_user_id_deck_id", "user_id", "deck_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    deck_id: Mapped[int] = mapped_column(ForeignKey("decks.id"), index=True)
    # The order of the questions, and of each question's choices, fixed for this attempt.
    item_ids: Mapped[list] = mapped_column(JSON)
    choice_order: Mapped[dict] = mapped_column(JSON)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    correct_count: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    # Practice with each answer checked as soon as it is given (and then final), with its
    # explanation: the learner sees right answers along the way, so such a quiz never
    # counts for an assignment.
    checks_answers: Mapped[bool] = mapped_column(default=False, server_default=false())
    # The quiz had every quiz question of its deck when it started: it counts for every
    # assignment of the deck, whatever its length (unless it checked its answers as it
    # went); see quiz.domain.gradebook.counts_for_assignment.
    whole_deck: Mapped[bool] = mapped_column(default=False, server_default=false())

    deck: Mapped[Deck] = relationship()
    responses: Mapped[list[Response]] = relationship(
        back_populates="attempt", cascade="all, delete-orphan"
    )

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None

    @property
    def score(self) -> float:
        """The share of questions answered right, 0.0 to 1.0."""
        return self.correct_count / self.total if self.total else 0.0


class Response(Base):
    __tablename__ = "responses"
    __table_args__ = (UniqueConstraint("attempt_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    # Choice ids picked; for ordering items, every choice id in the order the learner gave.
    chosen: Mapped[list] = mapped_column(JSON)
    correct: Mapped[bool] = mapped_column(default=False)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When `correct` last changed because a teacher corrected the question's answer key
    # (quiz.services.regrading); NULL for a mark given when the answer was.
    regraded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The choice ids the answer was given to, in the order shown, when they differ from
    # those the attempt drew (a teacher added a choice since); NULL: the attempt's
    # choice_order. A corrected key marks the answer against what it was given to.
    shown: Mapped[list | None] = mapped_column(JSON(none_as_null=True))

    attempt: Mapped[Attempt] = relationship(back_populates="responses")


# decks.results_version: raised when a submitted attempt is inserted, updated or deleted,
# or an open one is submitted. Starting or answering a quiz (an open attempt) leaves it
# alone, and so do responses: those of a submitted attempt change only when a corrected
# key marks them again, which also sets the attempt's score anew. Migration 0006.
RESULTS_VERSION_TRIGGERS = version_triggers(
    "attempts_results",
    "attempts",
    "deck_id",
    "decks",
    "results_version",
    counts="{row}.submitted_at IS NOT NULL",
)
RESULTS_VERSION_TRIGGERS.install(Attempt.__table__)
