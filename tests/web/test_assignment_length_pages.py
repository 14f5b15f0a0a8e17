"""Which quizzes count for an assignment, on the teacher's and the student's pages."""

from __future__ import annotations

import re

import pytest

from quiz.learn.forms import StartQuizForm
from quiz.services import classes as cs
from quiz.services.decks import get_published_deck, load_builtin_decks
from tests.conftest import csrf_from
from tests.factories import make_user, sample_deck
from tests.services.test_assignment_length import _quiz
from tests.web.test_student_path import login


def _setup(n_items: int = 5):
    load_builtin_decks([sample_deck(n=n_items)])
    deck = get_published_deck("capitals")
    teacher = make_user(role="teacher")
    klass = cs.create_class(teacher, "Year 10")
    student = make_user()
    cs.join_class(student, klass.join_code)
    return teacher, klass, deck, student


def _assign(client, klass, deck, min_questions):
    page = client.get(f"/teach/classes/{klass.id}").get_data(as_text=True)
    return client.post(
        f"/teach/classes/{klass.id}/assign",
        data={
            "csrf_token": csrf_from(page),
            "deck": str(deck.id),
            "grading_method": "highest",
            "min_questions": min_questions,
        },
    )


def test_the_teacher_chooses_which_quizzes_count_and_the_class_page_says_so(client, app):
    teacher, klass, deck, _ = _setup(n_items=5)
    login(client, teacher.email)
    form = client.get(f"/teach/classes/{klass.id}").get_data(as_text=True)
    assert "Quizzes that count" in form
    assert re.search(r'<option selected value="all">All questions of the deck</option>', form)
    assert _assign(client, klass, deck, "all").status_code == 302
    page = client.get(f"/teach/classes/{klass.id}").get_data(as_text=True)
    assert "only quizzes of the whole deck count" in page
    _assign(client, klass, deck, "0")
    assert "quizzes of any length count" in client.get(f"/teach/classes/{klass.id}").get_data(
        as_text=True
    )
    assert [a.min_questions for a in cs.assigned_decks(klass)] == [0]


def test_a_length_that_is_not_offered_is_refused_and_changes_nothing(client, app):
    teacher, klass, deck, _ = _setup()
    login(client, teacher.email)
    response = _assign(client, klass, deck, "7")
    assert response.status_code == 422
    assert "Not a valid choice" in response.get_data(as_text=True)
    assert cs.assigned_decks(klass) == []


def test_the_students_deck_page_says_which_quiz_counts_and_chooses_it_first(client, app):
    teacher, klass, deck, student = _setup(n_items=5)
    cs.assign_deck(teacher, klass, deck.id, None, min_questions=None)
    login(client, student.email)
    page = client.get("/decks/capitals").get_data(as_text=True)
    assert "For your assignment in Year 10, a quiz counts when it has all 5 questions." in page
    assert re.search(r'<option selected value="all">All 5 questions</option>', page)
    decks = client.get("/decks").get_data(as_text=True)
    assert "No due date · all questions" in decks


@pytest.mark.parametrize(
    ("asked", "chosen", "marked"),
    [
        ([], "10", []),
        ([15], "20", ["10"]),
        ([20], "20", ["10"]),
        ([58], "all", ["10", "20"]),
        ([10, 20], "20", []),  # 10 counts for one of the classes: not practice only
    ],
)
def test_lengths_that_count_for_no_assignment_are_marked_as_practice(app, asked, chosen, marked):
    with app.test_request_context():
        form = StartQuizForm(meta={"csrf": False})
        form.set_lengths(58, asked)
    assert form.length.data == chosen
    practice = [value for value, label in form.length.choices if "(practice only)" in label]
    assert practice == marked
    assert form.length.choices[-1] == ("all", "All 58 questions")


def test_a_teacher_changes_an_assignment_from_its_own_prefilled_form(client, app):
    teacher, klass, deck, _ = _setup()
    cs.assign_deck(teacher, klass, deck.id, None, "first", min_questions=0)
    login(client, teacher.email)
    page = client.get(f"/teach/classes/{klass.id}").get_data(as_text=True)
    (assignment,) = cs.assigned_decks(klass)
    change = page.split(f'id="grading-{assignment.id}"', 1)[1]
    assert '<option value="first" selected>' in change
    assert '<option value="0" selected>Any length</option>' in change
    response = client.post(
        f"/teach/classes/{klass.id}/assign",
        data={
            "csrf_token": csrf_from(page),
            "deck": str(deck.id),
            "due_at": "2030-01-31T17:00",
            "grading_method": "first",
            "min_questions": "0",
        },
    )
    assert response.status_code == 302
    (changed,) = cs.assigned_decks(klass)
    assert (changed.grading_method, changed.min_questions) == ("first", 0)
    assert changed.due_at is not None


def test_the_teachers_view_of_a_student_marks_practice_quizzes(client, app):
    teacher, klass, deck, student = _setup(n_items=5)
    cs.assign_deck(teacher, klass, deck.id, None, min_questions=4)
    _quiz(student, deck, 2, 2)
    _quiz(student, deck, 5, 3)
    login(client, teacher.email)
    page = client.get(f"/teach/classes/{klass.id}/students/{student.id}").get_data(as_text=True)
    assert page.count("Practice</span>") == 1
    assert "shorter than the quizzes that count" in page
