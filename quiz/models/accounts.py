"""Accounts: who can sign in, and in which role."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, text
from sqlalchemy.orm import Mapped, mapped_column

from quiz.models.base import Base, UTCDateTime, utcnow


class Role(StrEnum):
    STUDENT = "student"
    TEACHER = "teacher"
    ADMIN = "admin"


class User(UserMixin, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(80), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default=Role.STUDENT.value)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    daily_new_limit: Mapped[int] = mapped_column(default=20, server_default="20")
    # FSRS's desired retention, one of quiz.domain.scheduling.RETENTION_CHOICES.
    desired_retention: Mapped[float] = mapped_column(default=0.9, server_default=text("0.9"))
    # When a teacher gave this student a temporary password (they forgot theirs), or an
    # operator gave one to any account; None once the owner has chosen their own. Until
    # then every page sends them to the change-password form, and the temporary password
    # expires (quiz.services.accounts.TEMPORARY_PASSWORD_DAYS).
    temporary_password_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Raised by the database (triggers on cards, see quiz.models.study) whenever one of
    # the user's flashcards appears, changes or goes: the gradebook's cached card counts
    # compare it to tell whether they still hold. Never written by the app.
    cards_version: Mapped[int] = mapped_column(default=0, server_default=text("0"))

    # The log-in session this object was loaded for (see LoginSession); Flask-Login
    # stores it in the cookie instead of the user id, so a session can be revoked.
    session_token = None

    def get_id(self) -> str | None:
        return self.session_token

    @property
    def name(self) -> str:
        return self.display_name or self.email.split("@", 1)[0]

    @property
    def must_change_password(self) -> bool:
        return self.temporary_password_at is not None

    @property
    def is_teacher(self) -> bool:
        return self.role in (Role.TEACHER, Role.ADMIN)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN


class LoginSession(Base):
    """One log-in of one user: logging out or changing the password revokes it."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
