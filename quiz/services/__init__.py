"""Use cases: each one owns its transaction and either commits whole or changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Executable, Row
from sqlalchemy.orm import Session

from quiz.database import IMMEDIATE, in_read_only
from quiz.extensions import db


class ServiceError(Exception):
    """A use case refused its input; the message is meant for the user."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(ServiceError):
    """The thing does not exist, or the user may not see it (the two look the same)."""

    def __init__(self, message: str = "Not found.") -> None:
        super().__init__(message)


@contextmanager
def unit_of_work() -> Iterator[Session]:
    """Commit everything done inside, or roll all of it back on any error.

    On SQLite the transaction takes the write lock when it begins (BEGIN IMMEDIATE), so
    what it reads stays true until it commits, even with other workers writing. In a GET,
    which reads without a transaction (quiz.database.begin_read_only), this is where one
    starts.
    """
    session = db.session
    sqlite = session.get_bind().dialect.name == "sqlite"
    if session().in_transaction() and (sqlite or in_read_only(session())):
        # End what the request has read so far (reads only: nothing is lost); the write
        # transaction below starts fresh, with the write lock on SQLite.
        session.commit()
    if sqlite:
        session.connection(execution_options={IMMEDIATE: True})
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise


def fetch(statement: Executable, **params: object) -> list[Row]:
    """The rows of a select of plain columns, run on the session's connection (in its
    transaction). For hot pages the statement is built once at import time with
    `bindparam`s: building a select costs more than running a small one, and so does the
    ORM's execution path, which plain columns do not need."""
    return db.session.connection().execute(statement, params).all()
