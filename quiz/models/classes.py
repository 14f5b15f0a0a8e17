"""Classes: a teacher's group of students, who joined it, and the decks assigned to it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DDL, ForeignKey, String, UniqueConstraint, event, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quiz.models.accounts import User
from quiz.models.base import Base, UTCDateTime, utcnow
from quiz.models.content import Deck
from quiz.models.versions import version_triggers


class SchoolClass(Base):
    __tablename__ = "classes"

    id: Mapped[int] = mapped_column(primary_key=True)
    teacher_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    join_code: Mapped[str] = mapped_column(String(16), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Raised by the database (triggers below) whenever a student joins or leaves, or a
    # student's name or email changes: cached gradebooks and item analyses compare it
    # to tell whether their roster still holds. Never written by the app.
    roster_version: Mapped[int] = mapped_column(default=0, server_default=text("0"))

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
    # How many questions a quiz must have to count for the assignment: 0 for any length,
    # None for every question of the deck, n for at least n. A quiz of the whole deck (as
    # it was when the quiz started) counts for any of them. Shorter quizzes are practice.
    # See quiz.domain.gradebook.counts_for_assignment.
    min_questions: Mapped[int | None] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    deck: Mapped[Deck] = relationship()
    school_class: Mapped[SchoolClass] = relationship()


# classes.roster_version: raised when a student joins or leaves a class, or an enrolled
# student's name or email changes. Migration 0007.
ROSTER_VERSION_TRIGGERS = version_triggers(
    "enrolments_roster", "enrolments", "class_id", "classes", "roster_version"
)
ROSTER_VERSION_TRIGGERS.install(Enrolment.__table__)

# A rename reaches every class the user is in.
_RENAME_BUMP = (
    "UPDATE classes SET roster_version = roster_version + 1\n"
    "    WHERE id IN (SELECT class_id FROM enrolments WHERE user_id = NEW.id)"
)
SQLITE_RENAME_TRIGGER = f"""CREATE TRIGGER users_roster_update
AFTER UPDATE OF display_name, email ON users
WHEN OLD.display_name IS NOT NEW.display_name OR OLD.email IS NOT NEW.email
BEGIN
    {_RENAME_BUMP};
END"""
POSTGRESQL_RENAME_TRIGGER = (
    f"""CREATE OR REPLACE FUNCTION users_raise_roster_version() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    {_RENAME_BUMP};
    RETURN NULL;
END
$$""",
    """CREATE TRIGGER users_roster_update
AFTER UPDATE OF display_name, email ON users FOR EACH ROW
WHEN (OLD.display_name IS DISTINCT FROM NEW.display_name OR OLD.email IS DISTINCT FROM NEW.email)
EXECUTE FUNCTION users_raise_roster_version()""",
)
# After enrolments (which the trigger reads); dropped with it, the function with users.
event.listen(
    Enrolment.__table__, "after_create", DDL(SQLITE_RENAME_TRIGGER).execute_if(dialect="sqlite")
)
for _statement in POSTGRESQL_RENAME_TRIGGER:
    event.listen(
        Enrolment.__table__, "after_create", DDL(_statement).execute_if(dialect="postgresql")
    )
event.listen(
    Enrolment.__table__,
    "before_drop",
    DDL("DROP TRIGGER IF EXISTS users_roster_update").execute_if(dialect="sqlite"),
)
event.listen(
    Enrolment.__table__,
    "before_drop",
    DDL("DROP TRIGGER IF EXISTS users_roster_update ON users").execute_if(dialect="postgresql"),
)
event.listen(
    User.__table__,
    "after_drop",
    DDL("DROP FUNCTION IF EXISTS users_raise_roster_version()").execute_if(dialect="postgresql"),
)
