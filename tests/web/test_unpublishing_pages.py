"""Unpublishing a set classes have: a question first, then the classes' pages say it."""

from __future__ import annotations

import re

from quiz.extensions import db
from quiz.models import Deck
from quiz.services import authoring
from quiz.services import classes as cs
from tests.conftest import csrf_from
from tests.factories import make_user
from tests.services.test_unpublishing import _class_with, _published_set
from tests.web.test_student_path import login


def _assigned(client, students=2):
    """A published set assigned to two classes, its teacher logged in; and a student."""
    teacher = make_user(role="teacher")
    deck = _published_set(teacher, "Capitals")
    year10 = _class_with(teacher, deck, "Year 10", students=students)
    _class_with(teacher, deck, "Year 11", students=1)
    student = make_user()
    cs.join_class(student, year10.join_code)
    login(client, teacher.email)
    return deck, year10, student


def _status(deck) -> str:
    db.session.expire_all()
    return db.session.get(Deck, deck.id).status


def _student_sees(app, student, deck) -> bool:
    other = app.test_client()
    login(other, student.email)
    listed = deck.title in other.get("/decks").get_data(as_text=True)
    return listed and other.get(f"/decks/{deck.slug}").status_code == 200


def test_the_set_page_of_an_assigned_set_asks_before_it_unpublishes(client, app):
    deck, _, _ = _assigned(client)
    page = client.get(f"/teach/sets/{deck.id}").get_data(as_text=True)
    assert f'<a class="button secondary" href="/teach/sets/{deck.id}/unpublish">Unpublish…</a>' in (
        page
    )
    assert 'name="publish" value="0"' not in page  # no one-click Unpublish


def test_unpublishing_an_assigned_set_needs_confirmation_and_changes_nothing_until_then(
    client, app
):
    deck, _, student = _assigned(client)
    token = csrf_from(client.get("/teach/").get_data(as_text=True))

    # A set page read before the set was assigned still has the one-click button.
    response = client.post(
        f"/teach/sets/{deck.id}/publish", data={"csrf_token": token, "publish": "0"}
    )

    assert response.status_code == 303
    assert response.location.endswith(f"/teach/sets/{deck.id}/unpublish")
    assert _status(deck) == "published" and _student_sees(app, student, deck)
    question = client.get(response.location)
    html = question.get_data(as_text=True)
    assert question.status_code == 200 and _status(deck) == "published"
    assert "Unpublish “Capitals”?" in html
    assert "It is assigned to 2 classes:" in html
    assert re.findall(r"<li><strong>([^<]+)</strong>, (\d+) students?", html) == [
        ("Year 10", "3"),
        ("Year 11", "1"),
    ]
    assert "their students lose it at once" in html
    assert "it leaves their assignments and the list of decks" in html
    assert "the cards they have due from it stop coming up" in html
    assert "Keep it published" in html and "Unpublish the set" in html


def test_unpublishing_confirmed_takes_the_set_from_the_classes_and_says_so(client, app):
    deck, _, student = _assigned(client)
    page = client.get(f"/teach/sets/{deck.id}/unpublish").get_data(as_text=True)

    response = client.post(f"/teach/sets/{deck.id}/unpublish", data={"csrf_token": csrf_from(page)})

    assert response.status_code == 302 and response.location.endswith(f"/teach/sets/{deck.id}")
    assert _status(deck) == "draft" and not _student_sees(app, student, deck)
    landed = client.get(response.location).get_data(as_text=True)
    assert "the students of Year 10 and Year 11 no longer see this set" in landed
    assert "Draft" in landed and ">Publish</button>" in landed


def test_confirming_an_unpublish_needs_the_csrf_token(client, app):
    deck, _, student = _assigned(client)
    client.get(f"/teach/sets/{deck.id}/unpublish")
    for data in ({}, {"csrf_token": "not-a-token"}):
        assert client.post(f"/teach/sets/{deck.id}/unpublish", data=data).status_code == 400
        assert client.post(f"/teach/sets/{deck.id}/publish", data=data).status_code == 400
    assert _status(deck) == "published" and _student_sees(app, student, deck)


def test_unpublishing_a_set_assigned_to_no_class_stays_one_click(client, app):
    teacher = make_user(role="teacher")
    deck = _published_set(teacher)
    login(client, teacher.email)
    page = client.get(f"/teach/sets/{deck.id}").get_data(as_text=True)
    assert 'name="publish" value="0"' in page and "Unpublish…" not in page

    response = client.post(
        f"/teach/sets/{deck.id}/publish", data={"csrf_token": csrf_from(page), "publish": "0"}
    )

    assert response.status_code == 302 and _status(deck) == "draft"
    assert "Unpublished: students no longer see this set." in client.get(
        response.location
    ).get_data(as_text=True)


def test_the_unpublish_page_of_a_draft_goes_back_to_the_set(client, app):
    teacher = make_user(role="teacher")
    deck = authoring.create_set(teacher, "Draft")
    login(client, teacher.email)
    response = client.get(f"/teach/sets/{deck.id}/unpublish")
    assert response.status_code == 302 and response.location.endswith(f"/teach/sets/{deck.id}")
    assert "a draft already" in client.get(response.location).get_data(as_text=True)


def test_the_class_page_and_gradebook_mark_an_assignment_whose_set_is_unpublished(client, app):
    deck, year10, _ = _assigned(client)
    marker = "Unpublished: students can't see it"
    for path in (f"/teach/classes/{year10.id}", f"/teach/classes/{year10.id}/gradebook"):
        assert marker not in client.get(path).get_data(as_text=True), path

    authoring.unpublish_set(deck, confirmed=True)

    for path in (f"/teach/classes/{year10.id}", f"/teach/classes/{year10.id}/gradebook"):
        html = client.get(path).get_data(as_text=True)
        assert "Capitals" in html and marker in html, path
    gradebook = client.get(f"/teach/classes/{year10.id}/gradebook").get_data(as_text=True)
    header = re.search(r"<thead>.*</thead>", gradebook, re.S).group(0)
    assert marker in header  # on the set's column, not only under the charts
    csv_header = client.get(f"/teach/classes/{year10.id}/gradebook.csv").get_data(as_text=True)
    assert "Capitals (unpublished: students can't see it): grade" in csv_header.splitlines()[0]
