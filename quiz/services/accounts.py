"""Signing up, signing in and creating accounts from the command line."""

from __future__ import annotations

import secrets
import unicodedata
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from sqlalchemy import ScalarSelect, bindparam, case, func, select, update
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn

from quiz.extensions import db
from quiz.inputs import is_time_zone
from quiz.models import Deck, LoginSession, Role, SchoolClass, User, utcnow
from quiz.services import ServiceError, unit_of_work

MIN_PASSWORD = 12
MAX_PASSWORD = 128
# A well-formed hash that matches no password: checking against it when the email is
# unknown makes a failed log-in take as long as a wrong password.
_DUMMY_HASH = generate_password_hash("no account has this password, ever")


def hash_password(password: str) -> str:
    """Slow on purpose (scrypt; tests use a cheap method): call it before a unit of work,
    not while holding the write lock."""
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


#: Threads that hash a list of passwords at once: scrypt lets go of the interpreter's
#: lock, so a class's accounts take a fraction of the time on a machine with cores.
HASHING_THREADS = 4


def hash_passwords(passwords: Sequence[str]) -> list[str]:
    """hash_password for each of many passwords (a class's new accounts), in parallel."""
    method = current_app.config["PASSWORD_HASH_METHOD"]  # the threads have no app context
    with ThreadPoolExecutor(max_workers=HASHING_THREADS) as pool:
        return list(
            pool.map(lambda password: generate_password_hash(password, method=method), passwords)
        )


def normalise_email(email: str) -> str:
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise ServiceError(f"That email address is not valid: {exc}", field="email") from exc


def password_problem(password: str, user_inputs: tuple[str, ...] = ()) -> str | None:
    """Why a new password is refused, or None when it is acceptable."""
    if len(password) < MIN_PASSWORD:
        return f"Use at least {MIN_PASSWORD} characters for your password."
    if len(password) > MAX_PASSWORD:
        return f"Use at most {MAX_PASSWORD} characters for your password."
    if not password.strip():
        return "A password cannot be only spaces."
    # zxcvbn knows the common-password lists, keyboard walks, repeats and dates.
    if zxcvbn(password, user_inputs=list(user_inputs))["score"] < 2:
        return (
            "That password is too common or easy to guess. Try a few unrelated words "
            "or a short sentence."
        )
    return None


def find_user_by_email(email: str) -> User | None:
    return db.session.execute(
        db.select(User).where(func.lower(User.email) == email.strip().lower())
    ).scalar_one_or_none()


EMAIL_TAKEN = "An account with that email address already exists."


_NOT_SHOWN = frozenset({"Cc", "Cf", "Co", "Cs"})


def checked_display_name(name: str) -> str:
    """A name as typed, without the spaces around it; empty means "use the start of the
    email address" (User.name)."""
    # Line breaks and tabs are spaces; then characters that show nothing (zero-width
    # spaces and joiners, bidi marks) would make a blank name in a teacher's class list,
    # and control characters (an escape sequence) would rewrite an operator's terminal
    # in `flask users list`: they go, with private-use and lone surrogate code points.
    name = " ".join(name.split())
    name = "".join(ch for ch in name if unicodedata.category(ch) not in _NOT_SHOWN)
    name = " ".join(name.split())
    if len(name) > 80:
        raise ServiceError("Keep your name under 80 characters.", field="display_name")
    return name


def create_user(
    email: str,
    password: str,
    role: str = Role.STUDENT,
    display_name: str = "",
    timezone: str = "UTC",
) -> User:
    """Create an account; the same rules for sign-up, the CLI and the demo accounts."""
    if role not in {r.value for r in Role}:
        raise ServiceError(f"Unknown role {role!r}: use student, teacher or admin.", field="role")
    if not is_time_zone(timezone):
        raise ServiceError(f"Unknown time zone {timezone!r}.", field="timezone")
    address = normalise_email(email)
    problem = password_problem(password, (address, address.split("@")[0], display_name))
    if problem:
        raise ServiceError(problem, field="password")
    display_name = checked_display_name(display_name)
    if find_user_by_email(address) is not None:
        raise ServiceError(EMAIL_TAKEN, field="email")
    password_hash = hash_password(password)
    try:
        with unit_of_work() as session:
            user = User(
                email=address,
                password_hash=password_hash,
                role=str(role),
                display_name=display_name,
                timezone=timezone,
            )
            session.add(user)
    except IntegrityError as exc:  # the same address signed up a moment ago
        raise ServiceError(EMAIL_TAKEN, field="email") from exc
    return user


def authenticate(email: str, password: str) -> User | None:
    """The user with this email and password, or None (same answer for both failures)."""
    user = find_user_by_email(email)
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    return user if check_password_hash(user.password_hash, password) else None


@dataclass(frozen=True)
class AccountRow:
    email: str
    role: str
    display_name: str
    created_at: datetime
    sets: int  # live question sets it owns
    classes: int  # classes it teaches


def owned_counts(user_id) -> tuple[ScalarSelect[int], ScalarSelect[int]]:
    """How many live question sets an account owns and how many classes it teaches, as
    two scalar subqueries; `user_id` a value, or User.id to count for each row."""
    sets = (
        select(func.count(Deck.id))
        .where(Deck.owner_id == user_id, Deck.deleted_at.is_(None))
        .scalar_subquery()
    )
    classes = (
        select(func.count(SchoolClass.id))
        .where(SchoolClass.teacher_id == user_id)
        .scalar_subquery()
    )
    return sets, classes


def list_accounts(role: str | None = None) -> list[AccountRow]:
    """Every account (or those of one role), for whoever runs the service: administrators
    first, then teachers, then students, each by email address."""
    sets, classes = owned_counts(User.id)
    rank = case({Role.ADMIN.value: 0, Role.TEACHER.value: 1}, value=User.role, else_=2)
    query = select(
        User.email, User.role, User.display_name, User.created_at, sets, classes
    ).order_by(rank, User.email)
    if role is not None:
        query = query.where(User.role == role)
    return [
        AccountRow(
            email=row.email,
            role=row.role,
            display_name=row.display_name,
            created_at=row.created_at,
            sets=row[4],
            classes=row[5],
        )
        for row in db.session.execute(query)
    ]


def count_users() -> int:
    return db.session.execute(db.select(func.count(User.id))).scalar_one()


def start_session(user: User) -> str:
    """Record a new log-in and return its token (what the session cookie carries)."""
    token = secrets.token_urlsafe(32)
    with unit_of_work() as session:
        session.add(LoginSession(token=token, user_id=user.id))
    user.session_token = token
    return token


# Run on every request: built once (see quiz.services.fetch).
_USER_FOR_SESSION = (
    select(User)
    .join(LoginSession, LoginSession.user_id == User.id)
    .where(LoginSession.token == bindparam("token"), LoginSession.revoked_at.is_(None))
)


def user_for_session(token: str) -> User | None:
    """The user of a live log-in session, or None once it is revoked or unknown."""
    if not token or len(token) > 64:
        return None
    user = db.session.execute(_USER_FOR_SESSION, {"token": token}).scalar_one_or_none()
    if user is not None:
        user.session_token = token
    return user


def end_session(token: str | None) -> None:
    if not token:
        return
    with unit_of_work() as session:
        session.execute(
            update(LoginSession)
            .where(LoginSession.token == token, LoginSession.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )


def revoke_sessions(session, user_id: int, keep: str | None = None) -> None:
    """In the caller's unit of work: end every log-in of the account but `keep`."""
    query = update(LoginSession).where(
        LoginSession.user_id == user_id, LoginSession.revoked_at.is_(None)
    )
    if keep:
        query = query.where(LoginSession.token != keep)
    session.execute(query.values(revoked_at=utcnow()))


def _refuse_if_password_changed(session, user_id: int, checked_hash: str) -> None:
    """In a unit of work: hold the account's row to the commit (FOR NO KEY UPDATE on
    PostgreSQL; SQLite's write lock holds everything) and refuse if its password is no
    longer the one the request checked."""
    now_hash = session.execute(
        select(User.password_hash).where(User.id == user_id).with_for_update(key_share=True)
    ).scalar_one()
    if now_hash != checked_hash:
        raise ServiceError(
            "Your password was changed or reset a moment ago, so nothing was changed. "
            "Log in again.",
            field="current",
        )


def change_email(user: User, current_password: str, new_email: str) -> str:
    """Change one's own email address (the log-in name), after the current password;
    returns the address as stored. The account's log-ins stay: the person is the same."""
    if not check_password_hash(user.password_hash, current_password):
        raise ServiceError("Your current password is not right.", field="current")
    address = normalise_email(new_email)
    if address == user.email.lower():
        raise ServiceError("That is your email address already.", field="email")
    if find_user_by_email(address) is not None:
        raise ServiceError(EMAIL_TAKEN, field="email")
    checked_hash = user.password_hash
    try:
        with unit_of_work() as session:
            # A reset (or a change on another device) since the check ended this log-in,
            # and the address stays.
            _refuse_if_password_changed(session, user.id, checked_hash)
            session.execute(update(User).where(User.id == user.id).values(email=address))
    except IntegrityError as exc:  # taken by a sign-up a moment ago
        raise ServiceError(EMAIL_TAKEN, field="email") from exc
    return address


def change_password(user: User, current: str | None, new: str) -> None:
    """Change one's own password; every other log-in of the account ends. A temporary
    password (see temporary_password) is then no longer asked to be changed.

    `current` may be None only for an account with a temporary password: every log-in it
    has was made with that password since the reset ended all the others, so the
    session itself vouches for it."""
    if current is None:
        if not user.must_change_password:
            raise ServiceError("Enter your current password.", field="current")
    elif not check_password_hash(user.password_hash, current):
        if user.must_change_password:
            raise ServiceError(
                "That is not the temporary password you logged in with.", field="current"
            )
        raise ServiceError("Your current password is not right.", field="current")
    if user.must_change_password and check_password_hash(user.password_hash, new):
        raise ServiceError(
            "Choose a password of your own, not the temporary one.", field="password"
        )
    if new == current:
        raise ServiceError("The new password is the same as the current one.", field="password")
    problem = password_problem(new, (user.email, user.email.split("@")[0], user.display_name))
    if problem:
        raise ServiceError(problem, field="password")
    checked_hash = user.password_hash
    new_hash = hash_password(new)  # slow: another request may change the password meanwhile
    keep = user.session_token
    with unit_of_work() as session:
        # If the password changed since it was checked (a teacher's reset, a change on
        # another device), this request's session was ended with it: refuse, or the reset
        # would be undone by whoever was logged in.
        _refuse_if_password_changed(session, user.id, checked_hash)
        session.execute(
            update(User)
            .where(User.id == user.id)
            .values(password_hash=new_hash, temporary_password_at=None)
        )
        revoke_sessions(session, user.id, keep=keep)
    session.expire(user)  # the row was written past the ORM


#: A temporary password not replaced within this many days stops working: a note that
#: went astray is not a way into the account for ever.
TEMPORARY_PASSWORD_DAYS = 7


def temporary_password_expires(user: User) -> datetime | None:
    """When the account's temporary password stops working (None: it has none)."""
    given = user.temporary_password_at
    return None if given is None else given + timedelta(days=TEMPORARY_PASSWORD_DAYS)


def temporary_password_expired(user: User, now: datetime) -> bool:
    """Whether the account has a temporary password and it is too old to log in with."""
    expires = temporary_password_expires(user)
    return expires is not None and now > expires


# Letters and digits that cannot be mistaken for one another when read out or copied from
# a board: no 0 and o, no 1, l and i.
TEMPORARY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def temporary_password() -> str:
    """A random password to be read out or written down once: three groups of four
    characters ("h7kq-3mzp-w9dc"), about 59 bits."""
    return "-".join("".join(secrets.choice(TEMPORARY_ALPHABET) for _ in range(4)) for _ in range(3))


def reset_password(email: str, new: str, temporary: bool = False) -> User:
    """An operator's reset: sets the password and ends every log-in of the account. A
    temporary one must be replaced by the account's owner at their next log-in."""
    user = find_user_by_email(email)
    if user is None:
        raise ServiceError(f"No account with email {email}.", field="email")
    problem = password_problem(new, (user.email, user.email.split("@")[0], user.display_name))
    if problem:
        raise ServiceError(problem, field="password")
    new_hash = hash_password(new)
    with unit_of_work() as session:
        user.password_hash = new_hash
        user.temporary_password_at = utcnow() if temporary else None
        revoke_sessions(session, user.id)
    return user
