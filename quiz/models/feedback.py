"""Learners' reports of a problem with a question, for the deck's author to look at."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from quiz.models.base import Base, UTCDateTime, utcnow


class ReportReason(StrEnum):
    WRONG_KEY = "wrong_key"
    UNCLEAR = "unclear"
    TYPO = "typo"
    OTHER = "other"


class QuestionReport(Base):
    __tablename__ = "question_reports"
    __table_args__ = (
        Index("ix_question_reports_item_id_resolved_at", "item_id", "resolved_at"),
        # One open report per learner and question.
        Index(
            "uq_question_reports_open",
            "item_id",
            "user_id",
            unique=True,
            sqlite_where=text("resolved_at IS NULL"),
            postgresql_where=text("resolved_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    reason: Mapped[str] = mapped_column(String(16))
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set when the deck's author (or an admin, for a built-in deck) has dealt with it.
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
