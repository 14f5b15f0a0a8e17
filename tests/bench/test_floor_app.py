"""The bench's floor (tests/bench/floor_app.py) must do what it claims every logged-in
page must do, or its ratio would be a floor of nothing: check the app's log-in in the
database on every request, and check a form's CSRF token before it writes."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import create_engine, func, select

from quiz.extensions import db
from tests.bench import floor_app
from tests.conftest import csrf_from
from tests.factories import make_user
from tests.web.test_student_path import login

READS = ("/floor/orm/3000", "/floor/core/3000")
WRITES = ("/floor/write", "/floor/write-core")


@pytest.fixture
def floor(app, database_url):
    floor_app.create_table(database_url)
    served = floor_app.create_floor_app(database_url, app.config["SECRET_KEY"])
    yield served
    # The tests' own sessions hold locks on users, which dropping the table's foreign key
    # waits for (on PostgreSQL).
    db.session.remove()
    with served.app_context():
        floor_app.db.session.remove()
        floor_app.db.engine.dispose()
    engine = create_engine(database_url)
    try:
        floor_app.FloorWrite.__table__.drop(engine)
    finally:
        engine.dispose()


def _with_cookie_of(logged_in, floor):
    """A client of the floor carrying the app's session cookie, as the bench's do."""
    client = floor.test_client()
    client.set_cookie("session", logged_in.get_cookie("session").value)
    return client


def _writes(floor) -> int:
    with floor.app_context():
        return floor_app.db.session.scalar(select(func.count(floor_app.FloorWrite.id)))


def test_the_floor_reads_the_live_log_in_of_the_apps_cookie(client, app, floor):
    user = make_user()
    login(client, user.email)
    visitor = _with_cookie_of(client, floor)
    for path in READS:
        page = visitor.get(path)
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        assert f"<title>{user.display_name}</title>" in html
        assert len(html) == pytest.approx(3000, abs=200)
    assert visitor.get("/floor/nodb/3000").status_code == 200


def test_the_floor_writes_only_with_the_forms_csrf_token(client, app, floor):
    login(client, make_user().email)
    visitor = _with_cookie_of(client, floor)
    token = csrf_from(visitor.get(READS[0]).get_data(as_text=True))
    assert visitor.post("/floor/write", data={}).status_code == 400
    assert _writes(floor) == 0
    assert visitor.post("/floor/write-core", data={}).status_code == 400
    assert _writes(floor) == 0
    for path in WRITES:
        assert visitor.post(path, data={"csrf_token": token}).status_code == 303
    assert _writes(floor) == 2


def test_a_log_in_ended_by_logging_out_opens_nothing_on_the_floor(client, app, floor):
    login(client, make_user().email)
    visitor = _with_cookie_of(client, floor)
    token = csrf_from(visitor.get(READS[0]).get_data(as_text=True))
    page = client.get("/settings").get_data(as_text=True)
    assert re.search(r'action="/logout"', page)
    client.post("/logout", data={"csrf_token": csrf_from(page)})
    for path in READS:
        assert visitor.get(path).status_code == 401
    for path in WRITES:
        assert visitor.post(path, data={"csrf_token": token}).status_code == 401
    assert _writes(floor) == 0


def test_the_floor_opens_nothing_without_a_log_in(floor):
    visitor = floor.test_client()
    for path in (*READS, "/floor/nodb/3000"):
        assert visitor.get(path).status_code == 401
