"""Shared fixtures: an app on a clean database per test (SQLite, or PostgreSQL in CI)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import g
from flask.testing import FlaskClient
from sqlalchemy import create_engine

from quiz import create_app
from quiz.database import in_read_only
from quiz.extensions import db
from quiz.models import Base

TEST_DATABASE_URL = os.environ.get("QUIZ_TEST_DATABASE_URL")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One schema for the whole run; each test empties the tables it used."""
    url = TEST_DATABASE_URL or f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    engine = create_engine(url)
    Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)
    engine.dispose()
    yield url


class FreshContextClient(FlaskClient):
    """Requests share the test's app context (pytest-flask keeps one pushed), so start
    each one as a real server would: an empty ``g`` (Flask-Login caches the user there),
    a session that re-reads the database and is in no transaction (what the test did
    before is committed), and end it as the server would (a read-only GET is ended)."""

    def open(self, *args, **kwargs):
        g.__dict__.clear()
        if db.session().in_transaction():
            db.session.commit()
        db.session.expire_all()
        response = super().open(*args, **kwargs)
        g.__dict__.clear()
        if in_read_only(db.session()):
            db.session.commit()
        db.session.expire_all()
        return response


@pytest.fixture
def app(database_url: str, tmp_path: Path):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SERVER_NAME": "localhost",
            "INSTANCE_PATH": str(tmp_path / "instance"),
            # Hashing cost is not under test here; scrypt would dominate the suite's time.
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        }
    )
    app.test_client_class = FreshContextClient
    with app.app_context():
        yield app
        db.session.remove()
        with db.engine.begin() as conn:
            for table in reversed(Base.metadata.sorted_tables):
                conn.execute(table.delete())
        db.engine.dispose()


CSRF_RE = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"'
)


def csrf_from(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "no CSRF token in the page"
    return match.group(1) or match.group(2)


class QueryCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany) -> None:
        # Transaction control is not a query (and only SQLite sends BEGIN as SQL).
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "PRAGMA")):
            self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app):
    """Count the SQL statements run inside ``with count_queries() as counter:``."""
    from contextlib import contextmanager

    from sqlalchemy import event

    @contextmanager
    def counting():
        counter = QueryCounter()
        event.listen(db.engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            event.remove(db.engine, "before_cursor_execute", counter)

    return counting
