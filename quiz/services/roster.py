"""A teacher adds students to a class with new accounts: a list of names and addresses
becomes student accounts with temporary passwords, already in the class."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from quiz.domain.roster import Problem, parse_roster, quoted
from quiz.extensions import db
from quiz.inputs import is_time_zone
from quiz.models import Enrolment, Role, SchoolClass, User, utcnow
from quiz.services import NotFound, ServiceError, unit_of_work
from quiz.services.accounts import (
    checked_display_name,
    hash_passwords,
    normalise_email,
    temporary_password,
    temporary_password_expires,
)


class RosterRefused(ServiceError):
    """The list has problems, each naming its line; no account was created."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(" ".join(problems), field="students")
        self.problems = problems


@dataclass(frozen=True)
class NewStudent:
    name: str
    email: str
    password: str  # temporary: shown to the teacher once, and changed at the first log-in
    id: int
    expires_at: datetime  # when the temporary password stops working


def create_students(klass: SchoolClass, teacher: User, text: str) -> list[NewStudent]:
    """Student accounts for the students of a pasted list (see parse_roster), each with a
    temporary password and already in the class, in the list's order: all of them, or
    none when any line has a problem (an address that is not valid, given twice, or
    already someone's account, which joins with the class code instead: a teacher cannot
    bring an existing account, with its scores, into their class).

    The accounts take the teacher's time zone (a school's students share it) and must
    choose their own password at their first log-in, within the days a temporary password
    lasts (quiz.services.accounts.TEMPORARY_PASSWORD_DAYS)."""
    lines, problems = parse_roster(text)
    if not lines and not problems:
        raise RosterRefused(["Write one student a line: their name and email address."])
    checked: list[tuple[int, str, str]] = []  # line number, name, address
    first_line: dict[str, int] = {}
    for line in lines:
        try:
            address = normalise_email(line.email)
        except ServiceError:
            problems.append(
                Problem(
                    line.number,
                    f"Line {line.number}: {quoted(line.email)} is not a valid email address.",
                )
            )
            continue
        try:
            name = checked_display_name(line.name)
        except ServiceError:
            problems.append(
                Problem(line.number, f"Line {line.number}: keep the name to 80 characters.")
            )
            continue
        if address in first_line:
            problems.append(
                Problem(
                    line.number,
                    f"Line {line.number}: {address} is on line {first_line[address]} already.",
                )
            )
            continue
        first_line[address] = line.number
        checked.append((line.number, name, address))
    problems += _taken(klass, checked)
    if problems:
        raise RosterRefused([message for _, message in sorted(problems)])

    zone = teacher.timezone if is_time_zone(teacher.timezone) else "UTC"
    # Made and hashed before the unit of work: hashing is slow on purpose, and the
    # database's write lock is not held meanwhile.
    made = [(name, address, temporary_password()) for _, name, address in checked]
    hashes = hash_passwords([password for _, _, password in made])
    try:
        with unit_of_work() as session:
            # The class's row held to the commit (SQLite's write lock holds everything):
            # it cannot be archived or deleted between the check and the enrolments.
            archived_at = session.execute(
                select(SchoolClass.archived_at)
                .where(SchoolClass.id == klass.id)
                .with_for_update(key_share=True)
            ).one_or_none()
            if archived_at is None:
                raise NotFound("That class is gone.")
            if archived_at[0] is not None:
                raise ServiceError(f"{klass.name} is archived. Restore it to add students.")
            now = utcnow()
            users = [
                User(
                    email=address,
                    display_name=name,
                    password_hash=password_hash,
                    role=Role.STUDENT.value,
                    timezone=zone,
                    temporary_password_at=now,
                )
                for (name, address, _), password_hash in zip(made, hashes, strict=True)
            ]
            session.add_all(users)
            session.flush()
            session.add_all(Enrolment(class_id=klass.id, user_id=user.id) for user in users)
            # As the app shows them (User.name), read before the commit expires them.
            shown = [(user.name, user.id, temporary_password_expires(user)) for user in users]
    except IntegrityError as exc:  # an address signed up between the check and now
        raise RosterRefused(
            [
                "One of these addresses got an account a moment ago, so no account was "
                "created. Send the list again to see which."
            ]
        ) from exc
    return [
        NewStudent(name, address, password, user_id, expires_at)
        for (name, user_id, expires_at), (_, address, password) in zip(shown, made, strict=True)
    ]


def _taken(klass: SchoolClass, checked: list[tuple[int, str, str]]) -> list[Problem]:
    """The problems of the addresses that are already someone's account (one query)."""
    if not checked:
        return []
    in_class = (
        select(Enrolment.id)
        .where(Enrolment.class_id == klass.id, Enrolment.user_id == User.id)
        .exists()
    )
    taken = {
        email.lower(): member
        for email, member in db.session.execute(
            select(User.email, in_class).where(
                func.lower(User.email).in_([address for _, _, address in checked])
            )
        )
    }
    problems = []
    for number, _, address in checked:
        if address not in taken:
            continue
        if taken[address]:
            problems.append(Problem(number, f"Line {number}: {address} is in this class already."))
        else:
            problems.append(
                Problem(
                    number,
                    f"Line {number}: {address} has an account already. Take the line out, "
                    "and give them the class code to join with.",
                )
            )
    return problems
