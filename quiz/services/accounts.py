"""Signing up, signing in and creating accounts from the command line."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from quiz.extensions import db
from quiz.models import Role, User
from quiz.services import ServiceError, unit_of_work

MIN_PASSWORD = 12
MAX_PASSWORD = 128
# A well-formed hash that matches no password: checking against it when the email is
# unknown makes a failed log-in take as long as a wrong password.
_DUMMY_HASH = generate_password_hash("no account has this password, ever")


def normalise_email(email: str) -> str:
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise ServiceError(f"That email address is not valid: {exc}", field="email") from exc


def password_problem(password: str) -> str | None:
    """Why a new password is refused, or None when it is acceptable."""
    if len(password) < MIN_PASSWORD:
        return f"Use at least {MIN_PASSWORD} characters for your password."
    if len(password) > MAX_PASSWORD:
        return f"Use at most {MAX_PASSWORD} characters for your password."
    if not password.strip():
        return "A password cannot be only spaces."
    return None


def find_user_by_email(email: str) -> User | None:
    return db.session.execute(
        db.select(User).where(func.lower(User.email) == email.strip().lower())
    ).scalar_one_or_none()


def create_user(
    email: str, password: str, role: str = Role.STUDENT, display_name: str = ""
) -> User:
    """Create an account; the same rules for sign-up, the CLI and the demo accounts."""
    if role not in {r.value for r in Role}:
        raise ServiceError(f"Unknown role {role!r}: use student, teacher or admin.", field="role")
    address = normalise_email(email)
    problem = password_problem(password)
    if problem:
        raise ServiceError(problem, field="password")
    display_name = display_name.strip()
    if len(display_name) > 80:
        raise ServiceError("Keep your name under 80 characters.", field="display_name")
    if find_user_by_email(address) is not None:
        raise ServiceError("An account with that email address already exists.", field="email")
    try:
        with unit_of_work() as session:
            user = User(
                email=address,
                password_hash=generate_password_hash(password),
                role=str(role),
                display_name=display_name,
            )
            session.add(user)
    except IntegrityError as exc:  # the same address signed up a moment ago
        raise ServiceError(
            "An account with that email address already exists.", field="email"
        ) from exc
    return user


def authenticate(email: str, password: str) -> User | None:
    """The user with this email and password, or None (same answer for both failures)."""
    user = find_user_by_email(email)
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    return user if check_password_hash(user.password_hash, password) else None


def count_users() -> int:
    return db.session.execute(db.select(func.count(User.id))).scalar_one()
