"""Classes: a teacher's group of students, who joined it, and the decks assigned to it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quiz.models.accounts import User
from quiz.models.base import Base, UTCDateTime, utcnow
from quiz.models.content import Deck


class SchoolClass(Base):
    __tablename__ = "classes"

    id: Mapped[int] = mapped_column(primary_key=True)
    teacher_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    join_code: Mapped[str] = mapped_column(String(16), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    teacher: Mapped[User] = relationship()

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class Enrolment(Base):
    __tablename__ = "enrolments"
    __table_args__ = (UniqueConstraint("class_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()


class Assignment(Base):
    __tablename__ = "assignments"
    __table_args__ = (UniqueConstraint("class_id", "deck_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"))
    deck_id: Mapped[int] = mapped_column(ForeignKey("decks.id"), index=True)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # highest | latest | first | average (quiz.domain.gradebook.GradingMethod)
    grading_method: Mapped[str] = mapped_column(String(16), default="highest")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    deck: Mapped[Deck] = relationship()
    school_class: Mapped[SchoolClass] = relationship()
