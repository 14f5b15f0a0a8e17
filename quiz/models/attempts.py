"""Quiz attempts and the response to each question in them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DDL, JSON, ForeignKey, Index, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quiz.models.base import Base, UTCDateTime, utcnow
from quiz.models.content import Deck


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

    attempt: Mapped[Attempt] = relationship(back_populates="responses")


# --- decks.results_version -----------------------------------------------------------
# The database itself raises decks.results_version when a submitted attempt is inserted,
# updated or deleted, or an open one is submitted, whoever writes it (the app, a bulk
# load, a restore). Starting or answering a quiz (an open attempt) leaves it alone, and
# so do responses: those of a submitted attempt never change. Created with the tables
# here and by migration 0006; an SQLite table rebuild of attempts (a batch migration)
# drops its triggers, so such a migration must create them again.

SQLITE_RESULTS_TRIGGERS = (
    """CREATE TRIGGER attempts_results_insert AFTER INSERT ON attempts
WHEN NEW.submitted_at IS NOT NULL
BEGIN
    UPDATE decks SET results_version = results_version + 1 WHERE id = NEW.deck_id;
END""",
    """CREATE TRIGGER attempts_results_update AFTER UPDATE ON attempts
WHEN OLD.submitted_at IS NOT NULL OR NEW.submitted_at IS NOT NULL
BEGIN
    UPDATE decks SET results_version = results_version + 1
    WHERE id IN (OLD.deck_id, NEW.deck_id);
END""",
    """CREATE TRIGGER attempts_results_delete AFTER DELETE ON attempts
WHEN OLD.submitted_at IS NOT NULL
BEGIN
    UPDATE decks SET results_version = results_version + 1 WHERE id = OLD.deck_id;
END""",
)

POSTGRESQL_RESULTS_TRIGGERS = (
    """CREATE OR REPLACE FUNCTION attempts_raise_results_version() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE decks SET results_version = results_version + 1 WHERE id = NEW.deck_id;
    ELSIF TG_OP = 'UPDATE' THEN
        UPDATE decks SET results_version = results_version + 1
        WHERE id IN (OLD.deck_id, NEW.deck_id);
    ELSE
        UPDATE decks SET results_version = results_version + 1 WHERE id = OLD.deck_id;
    END IF;
    RETURN NULL;
END
$$""",
    """CREATE TRIGGER attempts_results_insert AFTER INSERT ON attempts FOR EACH ROW
WHEN (NEW.submitted_at IS NOT NULL) EXECUTE FUNCTION attempts_raise_results_version()""",
    """CREATE TRIGGER attempts_results_update AFTER UPDATE ON attempts FOR EACH ROW
WHEN (OLD.submitted_at IS NOT NULL OR NEW.submitted_at IS NOT NULL)
EXECUTE FUNCTION attempts_raise_results_version()""",
    """CREATE TRIGGER attempts_results_delete AFTER DELETE ON attempts FOR EACH ROW
WHEN (OLD.submitted_at IS NOT NULL) EXECUTE FUNCTION attempts_raise_results_version()""",
)

for _statement in SQLITE_RESULTS_TRIGGERS:
    event.listen(Attempt.__table__, "after_create", DDL(_statement).execute_if(dialect="sqlite"))
for _statement in POSTGRESQL_RESULTS_TRIGGERS:
    event.listen(
        Attempt.__table__, "after_create", DDL(_statement).execute_if(dialect="postgresql")
    )
event.listen(
    Attempt.__table__,
    "after_drop",
    DDL("DROP FUNCTION IF EXISTS attempts_raise_results_version()").execute_if(
        dialect="postgresql"
    ),
)
