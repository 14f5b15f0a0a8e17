"""Content: decks, their items and the choices of each item."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quiz.models.base import Base, UTCDateTime, utcnow


class DeckStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class Deck(Base):
    __tablename__ = "decks"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    # NULL owner: a built-in deck from questions/, maintained by the operators.
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=DeckStatus.DRAFT.value)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # A set deleted after learners used it is kept (as a draft) so their scores stay readable.
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Raised by the database (triggers on attempts, see quiz.models.attempts) whenever a
    # submitted attempt at the deck appears, changes or goes: cached gradebooks and item
    # analyses compare it to tell whether they still hold. Never written by the app.
    results_version: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    # Raised by the database (triggers on items, see quiz.models.study) whenever one of
    # the deck's items is retired or brought back, which changes the cards that count for
    # it: the gradebook's cached card counts compare it. Never written by the app.
    items_version: Mapped[int] = mapped_column(default=0, server_default=text("0"))

    items: Mapped[list[Item]] = relationship(
        back_populates="deck", order_by="Item.position", cascade="all, delete-orphan"
    )

    @property
    def is_published(self) -> bool:
        return self.status == DeckStatus.PUBLISHED


class Item(Base):
    __tablename__ = "items"
    __table_args__ = (UniqueConstraint("deck_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    deck_id: Mapped[int] = mapped_column(ForeignKey("decks.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(16))
    prompt: Mapped[str] = mapped_column(Text)
    back: Mapped[str] = mapped_column(Text, default="")  # flashcards: the back of the card
    explanation: Mapped[str] = mapped_column(Text, default="")
    source_ref: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)
    # An item removed from its deck file is retired, not deleted: answers to it stay readable.
    retired: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # Raised whenever a correction of the answer key marks learners' answers again
    # (quiz.services.regrading): an answer graded against an older key is not stored.
    key_version: Mapped[int] = mapped_column(default=0, server_default=text("0"))

    deck: Mapped[Deck] = relationship(back_populates="items")
    choices: Mapped[list[Choice]] = relationship(
        back_populates="item", order_by="Choice.position", cascade="all, delete-orphan"
    )


class Choice(Base):
    __tablename__ = "choices"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    correct: Mapped[bool] = mapped_column(default=False)
    # For ordering items the position is the right place in the order.
    position: Mapped[int] = mapped_column(default=0)

    item: Mapped[Item] = relationship(back_populates="choices")
