"""A GET runs its queries without a transaction (quiz.database.begin_read_only): no BEGIN
or COMMIT to send. A unit of work still gets a transaction of its own, and any other
write in a GET is refused before it reaches the database."""

from __future__ import annotations

import pytest
from sqlalchemy import event, func, insert, select

from quiz.database import WriteInReadOnlyRequest
from quiz.extensions import db
from quiz.models import User
from quiz.services import unit_of_work
from tests.conftest import csrf_from
from tests.factories import make_user, user_row
from tests.web.test_student_path import login


def _in_transaction(dbapi_connection) -> bool:
    if db.engine.dialect.name == "sqlite":
        return dbapi_connection.in_transaction
    return not dbapi_connection.autocommit  # psycopg opens one before the statement


@pytest.fixture
def statements(app):
    """(first word of the statement, whether it ran inside a transaction), in order."""
    seen: list[tuple[str, bool]] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        in_transaction = _in_transaction(conn.connection.dbapi_connection)
        seen.append((statement.split(None, 1)[0].upper(), in_transaction))

    event.listen(db.engine, "before_cursor_execute", before)
    yield seen
    event.remove(db.engine, "before_cursor_execute", before)


def _users_named(email: str) -> int:
    return db.session.scalar(select(func.count(User.id)).where(User.email == email))


def test_a_get_runs_its_queries_outside_any_transaction(client, app, statements):
    make_user(email="s@example.com")
    login(client, "s@example.com")
    statements.clear()
    assert client.get("/decks").status_code == 200
    assert [word for word, _ in statements] == ["SELECT"] * 4
    assert not any(in_transaction for _, in_transaction in statements)


def test_a_post_runs_in_a_transaction(client, app, statements):
    make_user(email="s@example.com")
    login(client, "s@example.com")
    page = client.get("/settings").get_data(as_text=True)
    statements.clear()
    response = client.post(
        "/settings",
        data={"csrf_token": csrf_from(page), "timezone": "Europe/Kyiv", "daily_new_limit": "7"},
    )
    assert response.status_code == 302
    updates = [in_transaction for word, in_transaction in statements if word == "UPDATE"]
    assert updates == [True]
    assert db.session.scalar(select(User.timezone)) == "Europe/Kyiv"


def test_a_unit_of_work_in_a_get_gets_a_transaction_and_commits(client, app, statements):
    def write_then_read():
        with unit_of_work() as session:
            session.add(User(**user_row("made-in-a-get@example.com")))
        return str(_users_named("made-in-a-get@example.com"))

    app.add_url_rule("/test-write-in-unit-of-work", view_func=write_then_read)
    response = client.get("/test-write-in-unit-of-work")

    assert response.get_data(as_text=True) == "1"
    inserts = [in_transaction for word, in_transaction in statements if word == "INSERT"]
    assert inserts == [True]
    db.session.rollback()
    assert _users_named("made-in-a-get@example.com") == 1


@pytest.mark.parametrize("how", ["orm flush", "core insert"])
def test_a_write_in_a_get_outside_a_unit_of_work_is_refused(client, app, how):
    def stray_write():
        if how == "orm flush":
            db.session.add(User(**user_row("stray@example.com")))
            db.session.flush()
        else:
            db.session.execute(insert(User).values(**user_row("stray@example.com")))
        return "written"

    app.add_url_rule("/test-stray-write", view_func=stray_write)
    with pytest.raises(WriteInReadOnlyRequest):
        client.get("/test-stray-write")
    db.session.rollback()
    assert _users_named("stray@example.com") == 0
