"""How a request's transaction ends (quiz.database.end_request): one that only read is
committed, so that psycopg keeps its prepared statements; anything else is rolled back.
The read-only part of a GET, which runs outside a transaction, is only closed."""

from __future__ import annotations

import pytest
from sqlalchemy import event, func, insert, select, text

from quiz.database import begin_read_only, end_request
from quiz.extensions import db
from quiz.models import User
from tests.factories import make_user, user_row


@pytest.fixture
def endings(app):
    """The ways transactions ended ("commit" / "rollback"), in order."""
    seen: list[str] = []

    def on_commit(conn):
        seen.append("commit")

    def on_rollback(conn):
        seen.append("rollback")

    event.listen(db.engine, "commit", on_commit)
    event.listen(db.engine, "rollback", on_rollback)
    yield seen
    event.remove(db.engine, "commit", on_commit)
    event.remove(db.engine, "rollback", on_rollback)


def _users() -> int:
    count = db.session.scalar(select(func.count(User.id)))
    db.session.rollback()
    return count


def test_a_request_that_only_read_ends_with_a_commit(app, endings):
    make_user()
    endings.clear()
    db.session.execute(select(User.email)).all()
    end_request(db.session(), failed=False)
    assert endings == ["commit"]
    assert not db.session().in_transaction()


def test_a_failed_request_is_rolled_back_even_if_it_only_read(app, endings):
    db.session.execute(select(User.email)).all()
    end_request(db.session(), failed=True)
    assert endings == ["rollback"]


def test_orm_changes_that_no_service_committed_are_discarded(app, endings):
    db.session.execute(select(User.email)).all()  # as loading the current user does
    db.session.add(User(**user_row("pending@example.com")))
    end_request(db.session(), failed=False)
    assert endings == ["rollback"]
    assert _users() == 0


def test_flushed_orm_changes_that_no_service_committed_are_discarded(app, endings):
    db.session.add(User(**user_row("flushed@example.com")))
    db.session.flush()
    end_request(db.session(), failed=False)
    assert endings == ["rollback"]
    assert _users() == 0


def test_a_core_write_outside_a_unit_of_work_is_discarded(app, endings):
    db.session.execute(insert(User).values(**user_row("core@example.com")))
    end_request(db.session(), failed=False)
    assert endings == ["rollback"]
    assert _users() == 0


def test_a_read_after_a_committed_write_is_committed(app, endings):
    make_user()  # commits through its service
    endings.clear()
    db.session.execute(select(User.email)).all()
    end_request(db.session(), failed=False)
    assert endings == ["commit"]
    assert _users() == 1


def test_a_request_that_never_touched_the_database_ends_nothing(app, endings):
    end_request(db.session(), failed=False)
    assert endings == []


def test_postgresql_keeps_prepared_statements_across_read_only_requests(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("prepared statements are psycopg's (PostgreSQL only)")
    query = select(User.email).where(User.id == -1)
    for _ in range(6):  # psycopg prepares a statement at its 5th run on a connection
        db.session.execute(query).all()
        end_request(db.session(), failed=False)
    prepared = db.session.execute(
        text("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE '%users.email%'")
    ).scalar_one()
    end_request(db.session(), failed=False)
    assert prepared >= 1


def test_a_get_that_only_read_outside_a_transaction_is_closed_without_a_commit(app, endings):
    make_user()
    endings.clear()
    begin_read_only(db.session())
    db.session.execute(select(User.email)).all()
    end_request(db.session(), failed=False)
    assert "commit" not in endings
    assert not db.session().in_transaction()


def test_orm_changes_in_a_read_only_get_are_discarded(app):
    begin_read_only(db.session())
    db.session.add(User(**user_row("unsaved@example.com")))
    end_request(db.session(), failed=False)
    assert _users() == 0


def test_postgresql_keeps_prepared_statements_across_read_only_gets(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("prepared statements are psycopg's (PostgreSQL only)")
    query = select(User.email).where(User.id == -2)
    for _ in range(6):  # psycopg prepares a statement at its 5th run on a connection
        begin_read_only(db.session())
        db.session.execute(query).all()
        end_request(db.session(), failed=False)
    begin_read_only(db.session())
    prepared = db.session.execute(
        text("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE '%users.id = %'")
    ).scalar_one()
    end_request(db.session(), failed=False)
    assert prepared >= 1
