"""Which quizzes count for an assignment, on the teacher's and the student's pages."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from quiz.domain.items import DeckSpec
from quiz.extensions import db
from quiz.learn.forms import StartQuizForm
from quiz.services import authoring
from quiz.services import classes as cs
from quiz.services.decks import get_published_deck, load_builtin_decks
from tests.conftest import csrf_from
from tests.factories import make_user, sample_deck, single
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


def _assign(client, klass, deck, min_questions, change=False):
    page = client.get(f"/teach/classes/{klass.id}").get_data(as_text=True)
    data = {
        "csrf_token": csrf_from(page),
        "deck": str(deck.id),
        "grading_method": "highest",
        "min_questions": min_questions,
    }
    if change:
        data["change"] = "1"  # an assignment's own Change form
    return client.post(f"/teach/classes/{klass.id}/assign", data=data)


def test_the_teacher_chooses_which_quizzes_count_and_the_class_page_says_so(client, app):
    teacher, klass, deck, _ = _setup(n_items=5)
    login(client, teacher.email)
    form = client.get(f"/teach/classes/{klass.id}").get_data(as_text=True)
    assert "Quizzes that count" in form
    assert re.search(r'<option selected value="all">The whole deck</option>', form)
    assert _assign(client, klass, deck, "all").status_code == 302
    page = client.get(f"/teach/classes/{klass.id}").get_data(as_text=True)
    assert "quizzes that count: the whole deck" in page
    assert _assign(client, klass, deck, "0", change=True).status_code == 302
    assert "quizzes that count: any length" in client.get(f"/teach/classes/{klass.id}").get_data(
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
    assert "No due date · counts: the whole deck" in decks


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


def _prefilled(html: str, assignment_id: int) -> dict[str, str]:
    """The values the class page's Change form of an assignment holds, as a browser
    would send them."""
    form = html.split(f'id="due-{assignment_id}"', 1)[0].rsplit("<form", 1)[1]
    form += html.split(f'id="due-{assignment_id}"', 1)[1].split("</form>", 1)[0]
    values = {"deck": re.search(r'name="deck" value="(\d+)"', form)[1]}
    values["change"] = re.search(r'name="change" value="(\d)"', form)[1]
    values["due_at"] = re.search(r'name="due_at" value="([^"]*)"', form)[1]
    for name in ("grading_method", "min_questions"):
        select = form.split(f'name="{name}"', 1)[1].split("</select>", 1)[0]
        values[name] = re.search(r'<option value="([^"]+)" selected>', select)[1]
    return values


def test_saving_an_assignments_prefilled_form_unchanged_changes_nothing(client, app):
    teacher, klass, deck, _ = _setup()
    due = datetime(2030, 1, 31, 16, 0, tzinfo=UTC)  # 18:00 in Kyiv
    teacher.timezone = "Europe/Kyiv"
    db.session.commit()
    cs.assign_deck(teacher, klass, deck.id, due, "first", min_questions=20)
    login(client, teacher.email)
    page = client.get(f"/teach/classes/{klass.id}").get_data(as_text=True)
    (before,) = cs.assigned_decks(klass)
    values = _prefilled(page, before.id)
    assert values == {
        "change": "1",
        "deck": str(deck.id),
        "due_at": "2030-01-31T18:00",
        "grading_method": "first",
        "min_questions": "20",
    }
    response = client.post(
        f"/teach/classes/{klass.id}/assign", data={"csrf_token": csrf_from(page), **values}
    )
    assert response.status_code == 302
    assert cs.assigned_decks(klass) == [before]


def test_a_deck_unpublished_since_it_was_assigned_offers_no_change_form(client, app):
    teacher = make_user(role="teacher")
    own = authoring.create_set(teacher, "Own set")
    authoring.save_item(own, single("q", "Capital of Spain?", "Madrid", "Bilbao", "Vigo"))
    authoring.set_published(own, True)
    klass = cs.create_class(teacher, "Year 10")
    cs.assign_deck(teacher, klass, own.id, None)
    authoring.set_published(own, False)
    login(client, teacher.email)
    page = client.get(f"/teach/classes/{klass.id}").get_data(as_text=True)
    assert "Own set" in page and "Save the changes" not in page


def test_a_student_whose_class_counts_any_length_sees_no_length_marked_practice(client, app):
    load_builtin_decks([_deck_of(25)])
    deck = get_published_deck("long")
    teacher = make_user(role="teacher")
    student = make_user()
    for name, asked in (("Any", 0), ("Whole", None)):
        klass = cs.create_class(teacher, name)
        cs.join_class(student, klass.join_code)
        cs.assign_deck(teacher, klass, deck.id, None, min_questions=asked)
    login(client, student.email)
    page = client.get("/decks/long").get_data(as_text=True)
    assert "practice only" not in page
    assert "For your assignment in Whole, a quiz counts when it has all 25 questions." in page
    assert "For your assignment in Any" not in page
    assert re.search(r'<option selected value="all">All 25 questions</option>', page)


def _deck_of(n: int) -> DeckSpec:
    items = tuple(single(f"q{i}", f"Question {i}?", "Right", "Wrong", "Other") for i in range(n))
    return DeckSpec(slug="long", title="Long", description="A long deck.", items=items)


def test_the_deck_list_says_why_an_assignment_with_only_practice_is_not_done(client, app):
    teacher, klass, deck, student = _setup(n_items=5)
    cs.assign_deck(teacher, klass, deck.id, None, min_questions=None)
    _quiz(student, deck, 2, 2)
    login(client, student.email)
    decks = client.get("/decks").get_data(as_text=True)
    assert "In progress" in decks
    assert "Your quizzes so far were practice. To count, take the whole deck" in decks


def test_the_teachers_view_of_a_student_marks_practice_quizzes(client, app):
    teacher, klass, deck, student = _setup(n_items=5)
    cs.assign_deck(teacher, klass, deck.id, None, min_questions=4)
    _quiz(student, deck, 2, 2)  # too short
    _quiz(student, deck, 5, 3)  # the whole deck: counts
    _quiz(student, deck, 5, 5).checks_answers = True  # answers checked as it went
    db.session.commit()
    login(client, teacher.email)
    page = client.get(f"/teach/classes/{klass.id}/students/{student.id}").get_data(as_text=True)
    assert page.count("Practice</span>") == 2
    assert "shorter than the quizzes that count" in page
    assert "answers checked as they went" in page


def test_the_result_of_a_quiz_too_short_to_count_says_so(client, app):
    teacher, klass, deck, student = _setup(n_items=5)
    cs.assign_deck(teacher, klass, deck.id, None, min_questions=4)
    short = _quiz(student, deck, 2, 2)
    whole = _quiz(student, deck, 5, 5)
    login(client, student.email)
    page = client.get(f"/attempts/{short.id}/result").get_data(as_text=True)
    assert "too short to count for your assignment in Year 10" in page
    page = client.get(f"/attempts/{whole.id}/result").get_data(as_text=True)
    assert "too short" not in page


def _change_form(client, grading_method: str = "highest"):
    """A teacher's class with one assignment, its page as the teacher sees it, and what
    that assignment's Change form would send unchanged."""
    teacher, klass, deck, _ = _setup()
    cs.assign_deck(teacher, klass, deck.id, None, grading_method)
    login(client, teacher.email)
    page = client.get(f"/teach/classes/{klass.id}").get_data(as_text=True)
    (assignment,) = cs.assigned_decks(klass)
    return klass, assignment, page, _prefilled(page, assignment.id)


def test_saving_an_assignments_change_form_says_so_and_comes_back_to_it(client, app):
    klass, assignment, page, values = _change_form(client)
    response = client.post(
        f"/teach/classes/{klass.id}/assign",
        data={"csrf_token": csrf_from(page), **values},
    )
    assert response.location == f"/teach/classes/{klass.id}#assignment-{assignment.id}"
    assert "Changes saved for Capitals." in client.get(response.location).get_data(as_text=True)


def test_the_deck_list_tells_a_student_who_only_checked_answers_what_counts(client, app):
    teacher, klass, deck, student = _setup(n_items=5)
    cs.assign_deck(teacher, klass, deck.id, None)  # any length
    _quiz(student, deck, 2, 2).checks_answers = True
    db.session.commit()
    login(client, student.email)
    decks = client.get("/decks").get_data(as_text=True)
    assert "To count, take a quiz of any length without checking each answer" in decks


def test_the_assign_form_sends_a_teacher_to_an_assigned_decks_own_form(client, app):
    teacher, klass, deck, _ = _setup()
    cs.assign_deck(teacher, klass, deck.id, None, "first", min_questions=0)
    login(client, teacher.email)
    response = _assign(client, klass, deck, "all")
    assert response.status_code == 422
    assert "assigned to this class already" in response.get_data(as_text=True)
    assert [a.min_questions for a in cs.assigned_decks(klass)] == [0]


def test_a_refused_change_is_shown_open_in_that_assignments_form_with_what_was_typed(client, app):
    klass, assignment, page, values = _change_form(client, "first")
    values["due_at"] = "1999-06-01T09:00"
    values["grading_method"] = "latest"
    response = client.post(
        f"/teach/classes/{klass.id}/assign", data={"csrf_token": csrf_from(page), **values}
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    change = html[html.index(f'id="assignment-{assignment.id}"') :]
    assert '<details class="confirm change-assignment" open>' in change
    # Its form posts to an address that brings the answer back to it, without JavaScript.
    assert f'action="/teach/classes/{klass.id}/assign#assignment-{assignment.id}"' in change
    assert "Due (optional): Choose a due date between the years 2000 and 2100." in change
    assert 'value="1999-06-01T09:00"' in change
    due = change[change.index(f'id="due-{assignment.id}"') :].split(">", 1)[0]
    assert 'aria-invalid="true"' in due and f"change-{assignment.id}-problems" in due
    grading = change[change.index(f'id="grading-{assignment.id}"') :].split(">", 1)[0]
    assert "aria-invalid" not in grading  # only the field that was wrong
    assert '<option value="latest" selected>' in change
    assign_form = html[html.index("<h2>Assign a deck</h2>") : html.index(change[:40])]
    assert "2000 and 2100" not in assign_form  # not on the form to assign another deck
    (unchanged,) = cs.assigned_decks(klass)
    assert (unchanged.due_at, unchanged.grading_method) == (None, "first")


def test_a_change_to_an_assignment_removed_meanwhile_is_told_on_the_assign_form(client, app):
    klass, assignment, page, values = _change_form(client)
    cs.unassign(klass, assignment.id)  # in another tab
    response = client.post(
        f"/teach/classes/{klass.id}/assign", data={"csrf_token": csrf_from(page), **values}
    )
    assert response.status_code == 422
    assert "removed meanwhile" in response.get_data(as_text=True)
    assert cs.assigned_decks(klass) == []
