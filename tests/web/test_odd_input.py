"""Odd numbers in addresses and forms get a clear answer, never a 500."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from quiz.extensions import db
from quiz.models import Assignment, Deck, Item, ReviewLog, SchoolClass, User
from quiz.services import classes as cs
from quiz.services.decks import get_published_deck, load_builtin_decks
from tests.conftest import csrf_from
from tests.factories import make_user, sample_deck
from tests.services.test_study import _flashcards
from tests.web.test_student_path import login
from tests.web.test_study_pages import _logged_in, _show_answer_link
from tests.web.test_teach import _as, _item_data, _new_set, _token

HUGE = "9" * 25  # far more than a 64-bit id column holds


@pytest.mark.parametrize(
    "path",
    [
        f"/attempts/{HUGE}/1",
        f"/attempts/1/{HUGE}",
        f"/study/cards/{HUGE}",
        f"/teach/sets/{HUGE}",
        f"/teach/classes/{HUGE}",
        f"/teach/classes/1/students/{HUGE}",
    ],
)
def test_an_id_too_large_for_the_database_is_a_404(client, app, path):
    make_user(role="teacher", email="t@example.com")
    login(client, "t@example.com")
    assert client.get(path).status_code == 404


def test_a_rating_with_an_odd_shown_at_time_is_recorded_without_a_duration(client, app):
    load_builtin_decks([_flashcards(n=2)])
    _logged_in(client)
    back = client.get(_show_answer_link(client.get("/study/cards").get_data(as_text=True)))
    page = back.get_data(as_text=True)
    fields = dict(re.findall(r'name="(seen|shown_at|deck)" type="hidden" value="([^"]*)"', page))
    rate_url = re.search(r'action="([^"]+/rate)"', page).group(1)
    for shown_at in ("²", "9" * 30):
        fields.update(csrf_token=csrf_from(page), rating="3", shown_at=shown_at)
        assert client.post(rate_url, data=fields).status_code == 302
    log = db.session.execute(db.select(ReviewLog)).scalar_one()  # the second is a repeat
    assert log.rating == 3 and log.duration_ms is None


def test_removing_a_choice_row_by_an_odd_number_removes_nothing(client, app):
    _as(client)
    deck_id = _new_set(client)
    token = _token(client, f"/teach/sets/{deck_id}/items/new")
    typed = _item_data(token, prompt="Typed", **{"choices-0-text": "first"})
    for odd in ("²", HUGE):
        page = client.post(f"/teach/sets/{deck_id}/items/new", data={**typed, "remove_choice": odd})
        assert page.status_code == 200 and 'value="first"' in page.get_data(as_text=True)
    assert db.session.execute(db.select(db.func.count(Item.id))).scalar_one() == 0


@pytest.mark.parametrize("due", ["9999-12-31T23:59", "0001-01-01T00:00"])
def test_a_due_date_at_the_edge_of_the_calendar_is_refused(client, app, due):
    load_builtin_decks([sample_deck()])
    deck = get_published_deck("capitals")
    teacher = make_user(role="teacher")
    teacher.timezone = "Asia/Tokyo"
    db.session.commit()
    klass = cs.create_class(teacher, "Year 11")
    login(client, teacher.email)
    page = client.get(f"/teach/classes/{klass.id}").get_data(as_text=True)
    response = client.post(
        f"/teach/classes/{klass.id}/assign",
        data={"csrf_token": csrf_from(page), "deck": deck.id, "due_at": due},
    )
    assert response.status_code in (200, 422)
    assert "between the years 2000 and 2100" in response.get_data(as_text=True)
    assert db.session.execute(db.select(db.func.count(Assignment.id))).scalar_one() == 0


def test_a_due_date_stored_at_the_edge_of_the_calendar_still_shows(client, app):
    # Made before due dates were checked: the deck list must still open, east of UTC.
    load_builtin_decks([sample_deck()])
    deck = get_published_deck("capitals")
    teacher = make_user(role="teacher")
    klass = cs.create_class(teacher, "Year 11")
    cs.assign_deck(teacher, klass, deck.id, datetime(9999, 12, 31, 23, 59, tzinfo=UTC))
    student = make_user()
    cs.join_class(student, klass.join_code)
    db.session.get(User, student.id).timezone = "Pacific/Kiritimati"
    db.session.commit()
    login(client, student.email)
    page = client.get("/decks")
    assert page.status_code == 200
    assert "31 Dec 9999, 23:59 UTC" in page.get_data(as_text=True)


def test_a_nul_character_in_a_form_is_refused_with_a_message_and_saves_nothing(client, app):
    make_user(role="teacher", email="t@example.com")
    login(client, "t@example.com")
    page = client.get("/teach/classes/").get_data(as_text=True)
    response = client.post(
        "/teach/classes/", data={"csrf_token": csrf_from(page), "name": "A\x00B"}
    )
    assert response.status_code == 400
    assert "NUL character" in response.get_data(as_text=True)
    assert db.session.execute(db.select(db.func.count(SchoolClass.id))).scalar_one() == 0
    assert client.get("/decks?q=a%00b").status_code == 400


def _multipart_import(
    client, title: bytes, gift: bytes = b"::q:: Capital of France? {=Paris ~Lyon}"
):
    token = _token(client, "/teach/import")
    parts = [
        (b'name="csrf_token"', token.encode()),
        (b'name="format"', b"gift"),
        (b'name="target"', b"new"),
        (b'name="title"', title),
        (b'name="file"; filename="q.gift"', gift),
    ]
    body = b"".join(
        b"--BOUNDARY\r\nContent-Disposition: form-data; " + head + b"\r\n\r\n" + value + b"\r\n"
        for head, value in parts
    )
    return client.post(
        "/teach/import",
        data=body + b"--BOUNDARY--\r\n",
        content_type="multipart/form-data; boundary=BOUNDARY",
    )


def test_a_multipart_form_field_that_is_not_utf8_is_refused_and_imports_nothing(client, app):
    _as(client)
    response = _multipart_import(client, b"Bad \xff\xfe title")
    assert response.status_code == 400
    assert "not valid text (not UTF-8)" in response.get_data(as_text=True)
    # Nor does a real "�" elsewhere in the body (here in the file) let the title through.
    gift = "::q:: Odd \ufffd sign? {=Yes ~No}".encode()
    assert _multipart_import(client, b"Bad \xff title", gift).status_code == 400
    assert db.session.execute(db.select(db.func.count(Item.id))).scalar_one() == 0
    # A replacement character typed on purpose is text like any other.
    assert _multipart_import(client, "Odd \ufffd title".encode()).status_code == 302
    assert db.session.execute(db.select(Deck.title)).scalar_one() == "Odd \ufffd title"


@pytest.mark.parametrize("path", ["/decks/%00", "/decks/a%00b", "/study/%00", "/join/%00"])
def test_a_nul_character_in_the_address_is_refused_with_a_message(client, app, path):
    # PostgreSQL refuses NUL in a text parameter: the slug or code must not reach it.
    login(client, make_user().email)
    response = client.get(path)
    assert response.status_code == 400
    assert "held a NUL character" in response.get_data(as_text=True)


def test_a_form_or_query_that_is_not_utf8_is_refused_and_saves_nothing(client, app):
    make_user(role="teacher", email="t@example.com")
    login(client, "t@example.com")
    token = csrf_from(client.get("/teach/classes/").get_data(as_text=True))
    body = f"csrf_token={token}&name=Bad%FF%FEname%ED%A0%80".encode()
    response = client.post(
        "/teach/classes/", data=body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    assert "not valid text (not UTF-8)" in response.get_data(as_text=True)
    assert db.session.execute(db.select(db.func.count(SchoolClass.id))).scalar_one() == 0
    assert client.get("/decks?q=%FF").status_code == 400
    # Text that is UTF-8, percent signs included, goes through as typed.
    body = f"csrf_token={token}&name=Caf%C3%A9+100%25".encode()
    client.post("/teach/classes/", data=body, content_type="application/x-www-form-urlencoded")
    assert db.session.execute(db.select(SchoolClass.name)).scalar_one() == "Café 100%"


def test_a_multipart_form_of_too_many_parts_is_refused_before_its_fields_are_read(client, app):
    limit = app.config["MAX_FORM_PARTS"]
    parts = b"".join(
        b'--B\r\nContent-Disposition: form-data; name="f%d"\r\n\r\n%s\r\n'
        % (n, b"\xff" if n == limit else b"x")  # only the part past the limit is not UTF-8
        for n in range(limit + 1)
    )
    response = client.post(
        "/login", data=parts + b"--B--\r\n", content_type="multipart/form-data; boundary=B"
    )
    # werkzeug's limit answers (413): the UTF-8 check stops reading parts there.
    assert response.status_code == 413
