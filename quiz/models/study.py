"""Spaced-repetition study: one card per learner and item, and the log of every review."""

from __future__ import annotations

from datetime import datetime
from enum import IntEnum

from sqlalchemy import ForeignKey, Index, SmallInteger, UniqueConstraint, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quiz.models.base import Base, UTCDateTime, utcnow
from quiz.models.content import Item
from quiz.models.versions import version_triggers


class Suspension(IntEnum):
    """Whether a learner set a card aside (Card.suspended)."""

    NONE = 0
    # The card, with its schedule (or its place in the queue after a quiz mistake).
    SUSPENDED = 1
    # A card never studied: the row only holds it aside, and goes when it is brought
    # back, so that the card is new again and counts as neither studied nor used.
    UNSEEN = 2


class Card(Base):
    """A learner's FSRS memory state for one item (see quiz.domain.scheduling)."""

    __tablename__ = "cards"
    __table_args__ = (
        UniqueConstraint("user_id", "item_id"),
        Index("ix_cards_user_id_due", "user_id", "due"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    state: Mapped[int] = mapped_column(SmallInteger)
    step: Mapped[int | None] = mapped_column()
    stability: Mapped[float | None] = mapped_column()
    difficulty: Mapped[float | None] = mapped_column()
    due: Mapped[datetime] = mapped_column(UTCDateTime)
    last_review: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set when a new card is first shown in study; counts against the daily new-card
    # limit. Cards queued by a wrong quiz answer leave it empty: they are not "new".
    introduced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set aside by the learner ("don't show me this card"): never due, never new, kept
    # with its memory state until they bring it back (quiz.services.study.suspend_card).
    # A Suspension value.
    suspended: Mapped[int] = mapped_column(SmallInteger, default=0, server_default=text("0"))

    item: Mapped[Item] = relationship()


class ReviewLog(Base):
    __tablename__ = "review_logs"
    __table_args__ = (Index("ix_review_logs_user_id_reviewed_at", "user_id", "reviewed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("cards.id", ondelete="CASCADE"), index=True)
    # Denormalised from the card so the dashboard reads one table by learner and time.
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    rating: Mapped[int] = mapped_column(SmallInteger)
    reviewed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    duration_ms: Mapped[int | None] = mapped_column()
    # What the review changed, so that it can be undone (quiz.services.study.undo_review):
    # the card as it was before, or that the review created it (a new card's first).
    # Reviews logged before these columns existed have neither, and cannot be undone.
    card_created: Mapped[bool] = mapped_column(default=False, server_default=false())
    before_state: Mapped[int | None] = mapped_column(SmallInteger)
    before_step: Mapped[int | None] = mapped_column()
    before_stability: Mapped[float | None] = mapped_column()
    before_difficulty: Mapped[float | None] = mapped_column()
    before_due: Mapped[datetime | None] = mapped_column(UTCDateTime)
    before_last_review: Mapped[datetime | None] = mapped_column(UTCDateTime)


# The gradebook caches each student's card counts (quiz.services.classes) and compares
# two counters the database raises itself. Migration 0014.
# users.cards_version: raised when one of the user's cards appears, changes or goes (a
# review, an undo, a wrong quiz answer queueing a card, an account's deletion).
CARDS_VERSION_TRIGGERS = version_triggers(
    "cards_user", "cards", "user_id", "users", "cards_version"
)
CARDS_VERSION_TRIGGERS.install(Card.__table__)
# decks.items_version: raised when an item is retired or brought back (or a retired one
# changes), as that changes which of the deck's cards count.
ITEMS_VERSION_TRIGGERS = version_triggers(
    "items_live", "items", "deck_id", "decks", "items_version", counts="{row}.retired"
)
ITEMS_VERSION_TRIGGERS.install(Item.__table__)
