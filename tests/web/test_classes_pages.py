"""Classes in the browser: create, join, assign, gradebook, item analysis, access rules."""

from __future__ import annotations

from datetime import UTC, datetime

from quiz.extensions import db
from quiz.models import Assignment, Enrolment
from quiz.services import classes as cs
from quiz.services.decks import get_published_deck, load_builtin_decks
from tests.conftest import csrf_from
from tests.factories import make_user, sample_deck
from tests.services.test_classes import _attempt
from tests.web.test_student_path import login

NOW = datetime.now(UTC)


def _logout(client):
    client.post(
        "/logout", data={"csrf_token": csrf_from(client.get("/decks").get_data(as_text=True))}
    )


def test_a_teacher_creates_a_class_and_a_student_joins_with_its_code(client, app):
    load_builtin_decks([sample_deck()])
    teacher = make_user(role="teacher")
    login(client, teacher.email)
    page = client.get("/teach/classes/").get_data(as_text=True)
    response = client.post(
        "/teach/classes/", data={"csrf_token": csrf_from(page), "name": "Year 10"}
    )
    assert response.status_code == 302
    klass = db.session.execute(db.select(cs.SchoolClass)).scalar_one()
    page = client.get(response.location).get_data(as_text=True)
    assert klass.join_code in page and f"/join/{klass.join_code}" in page
    deck = get_published_deck("capitals")
    client.post(
        f"/teach/classes/{klass.id}/assign",
        data={
            "csrf_token": csrf_from(page),
            "deck": str(deck.id),
            "due_at": "2030-01-31T17:00",
            "grading_method": "highest",
        },
    )
    assert db.session.execute(db.select(Assignment)).scalar_one().deck_id == deck.id
    _logout(client)

    student = make_user()
    login(client, student.email)
    link = client.get(f"/join/{klass.join_code}")
    assert link.status_code == 200 and "Year 10" in link.get_data(as_text=True)
    assert db.session.execute(db.select(db.func.count(Enrolment.id))).scalar_one() == 0
    joined = client.post(
        "/join",
        data={
            "csrf_token": csrf_from(link.get_data(as_text=True)),
            "code": klass.join_code.lower(),
        },
    )
    assert joined.status_code == 302
    decks = client.get("/decks").get_data(as_text=True)
    assert "Your assignments" in decks and "Not started" in decks and "Year 10" in decks


def test_a_wrong_code_says_so(client, app):
    login(client, make_user().email)
    page = client.get("/join").get_data(as_text=True)
    response = client.post("/join", data={"csrf_token": csrf_from(page), "code": "ZZZZ9999"})
    assert response.status_code == 422 and "No class has that code" in response.get_data(
        as_text=True
    )


def _class_with_results():
    load_builtin_decks([sample_deck()])
    deck = get_published_deck("capitals")
    teacher = make_user(role="teacher")
    klass = cs.create_class(teacher, "Year 11")
    student = make_user()
    cs.join_class(student, klass.join_code)
    cs.assign_deck(teacher, klass, deck.id, None)
    attempt = _attempt(student, deck, 2, NOW)
    return teacher, klass, student, deck, attempt


def test_the_gradebook_shows_grades_and_links_to_a_students_answers(client, app):
    teacher, klass, student, deck, attempt = _class_with_results()
    login(client, teacher.email)
    book = client.get(f"/teach/classes/{klass.id}/gradebook").get_data(as_text=True)
    assert student.name in book and "67%" in book and "<svg" in book
    detail = client.get(f"/teach/classes/{klass.id}/students/{student.id}").get_data(as_text=True)
    assert "2/3" in detail
    answers = client.get(f"/teach/classes/{klass.id}/students/{student.id}/attempts/{attempt.id}")
    assert answers.status_code == 200 and "right answer" in answers.get_data(as_text=True)
    csv_response = client.get(f"/teach/classes/{klass.id}/gradebook.csv")
    assert csv_response.mimetype == "text/csv" and student.email in csv_response.get_data(
        as_text=True
    )
    sorted_page = client.get(f"/teach/classes/{klass.id}/gradebook?sort=name&dir=desc")
    assert sorted_page.status_code == 200
    analysis = client.get(f"/teach/classes/{klass.id}/decks/{deck.id}/analysis?attempts=all")
    text = analysis.get_data(as_text=True)
    assert analysis.status_code == 200 and "Facility" in text and "What is the capital" in text


def test_class_pages_are_closed_to_students_and_other_teachers_but_open_to_admins(client, app):
    teacher, klass, student, deck, attempt = _class_with_results()
    pages = [
        f"/teach/classes/{klass.id}",
        f"/teach/classes/{klass.id}/gradebook",
        f"/teach/classes/{klass.id}/gradebook.csv",
        f"/teach/classes/{klass.id}/students/{student.id}",
        f"/teach/classes/{klass.id}/students/{student.id}/attempts/{attempt.id}",
        f"/teach/classes/{klass.id}/decks/{deck.id}/analysis",
    ]
    login(client, student.email)
    assert all(client.get(p).status_code == 403 for p in pages)
    _logout(client)
    login(client, make_user(role="teacher").email)
    assert all(client.get(p).status_code == 404 for p in pages)
    token = csrf_from(client.get("/teach/classes/").get_data(as_text=True))
    for action in ("code", "archive", f"students/{student.id}/remove", "assign"):
        assert (
            client.post(
                f"/teach/classes/{klass.id}/{action}", data={"csrf_token": token}
            ).status_code
            == 404
        )
    assert cs.class_students(klass)[0].id == student.id
    _logout(client)
    login(client, make_user(role="admin").email)
    assert all(client.get(p).status_code == 200 for p in pages)


def test_a_student_not_in_the_class_is_a_404_for_its_teacher(client, app):
    teacher, klass, _, _, _ = _class_with_results()
    stranger = make_user()
    login(client, teacher.email)
    assert client.get(f"/teach/classes/{klass.id}/students/{stranger.id}").status_code == 404
