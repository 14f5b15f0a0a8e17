"""An assignment says how many questions a quiz must have to count: shorter quizzes
are practice, left out of the gradebook, the class's counts and the student's status."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from quiz.extensions import db
from quiz.models import Attempt, Item
from quiz.services import ServiceError
from quiz.services import classes as cs
from quiz.services.decks import get_published_deck, load_builtin_decks
from tests.factories import make_user, sample_deck

NOW = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)


def _class_and_deck(n_items: int = 5, n_students: int = 2):
    teacher = make_user(role="teacher")
    load_builtin_decks([sample_deck(n=n_items)])
    deck = get_published_deck("capitals")
    klass = cs.create_class(teacher, "Year 10")
    students = [make_user() for _ in range(n_students)]
    for student in students:
        cs.join_class(student, klass.join_code)
    return teacher, klass, deck, students


def _quiz(user, deck, length: int, right: int, when: datetime = NOW) -> Attempt:
    """A submitted quiz of `length` of the deck's questions, `right` of them right."""
    items = sorted(deck.items, key=lambda i: i.position)[:length]
    attempt = Attempt(
        user_id=user.id,
        deck_id=deck.id,
        item_ids=[i.id for i in items],
        choice_order={str(i.id): [c.id for c in i.choices] for i in items},
        started_at=when,
        submitted_at=when + timedelta(minutes=5),
        correct_count=right,
        total=length,
    )
    db.session.add(attempt)
    db.session.commit()
    return attempt


def _cell(teacher, klass, student):
    book = cs.build_gradebook(klass, NOW, per_page=None)
    (row,) = [r for r in book.rows if r.student.id == student.id]
    (cell,) = row.cells.values()
    return cell


def test_all_questions_stores_the_decks_quiz_questions_when_assigned(app):
    teacher, klass, deck, _ = _class_and_deck(n_items=5)
    assignment = cs.assign_deck(teacher, klass, deck.id, None, min_questions=None)
    assert assignment.min_questions == 5
    (assigned,) = cs.assigned_decks(klass)
    assert (assigned.required, assigned.questions) == (5, 5)


def test_a_quiz_shorter_than_required_is_practice_and_left_out_of_the_gradebook(app):
    teacher, klass, deck, (ada, bob) = _class_and_deck(n_items=5)
    cs.assign_deck(teacher, klass, deck.id, None, min_questions=4)
    _quiz(ada, deck, 2, 2)  # 100%, but practice
    _quiz(ada, deck, 5, 3)  # 60%: counts
    _quiz(bob, deck, 3, 3)  # practice only
    ada_cell = _cell(teacher, klass, ada)
    assert (ada_cell.attempts, ada_cell.best) == (1, 0.6)
    assert _cell(teacher, klass, bob).attempts == 0
    assert cs.students_who_took(klass, cs.assigned_decks(klass)) == {deck.id: 1}


def test_any_length_counts_every_quiz_as_before(app):
    teacher, klass, deck, (ada, _) = _class_and_deck(n_items=5)
    cs.assign_deck(teacher, klass, deck.id, None)  # min_questions=0
    _quiz(ada, deck, 1, 1)
    assert _cell(teacher, klass, ada).best == 1.0


def test_the_requirement_is_capped_at_the_questions_the_deck_has_now(app):
    teacher, klass, deck, (ada, _) = _class_and_deck(n_items=5)
    cs.assign_deck(teacher, klass, deck.id, None, min_questions=20)
    _quiz(ada, deck, 5, 4)
    (assigned,) = cs.assigned_decks(klass)
    assert (assigned.min_questions, assigned.required) == (20, 5)
    assert _cell(teacher, klass, ada).best == 0.8
    # Two questions retired: a quiz of the three left is the whole deck, and counts.
    items = sorted(deck.items, key=lambda i: i.position)
    for item in items[3:]:
        db.session.get(Item, item.id).retired = True
    db.session.commit()
    _quiz(make_user(), deck, 3, 3)
    (assigned,) = cs.assigned_decks(klass)
    assert assigned.required == 3


def test_changing_the_requirement_changes_the_cached_gradebook(app):
    teacher, klass, deck, (ada, _) = _class_and_deck(n_items=5)
    cs.assign_deck(teacher, klass, deck.id, None, min_questions=0)
    _quiz(ada, deck, 2, 2)
    assert _cell(teacher, klass, ada).attempts == 1
    cs.assign_deck(teacher, klass, deck.id, None, min_questions=5)
    assert _cell(teacher, klass, ada).attempts == 0


def test_the_students_assignment_is_done_only_with_a_quiz_that_counts(app):
    teacher, klass, deck, (ada, _) = _class_and_deck(n_items=5)
    cs.assign_deck(teacher, klass, deck.id, None, min_questions=4)
    _quiz(ada, deck, 2, 2)
    (mine,) = cs.student_assignments(ada, NOW)
    assert (mine.status, mine.best, mine.required, mine.questions) == ("in progress", None, 4, 5)
    _quiz(ada, deck, 5, 4)
    (mine,) = cs.student_assignments(ada, NOW)
    assert (mine.status, mine.best) == ("done", 0.8)


def test_a_student_is_told_the_length_that_counts_in_each_open_class(app):
    teacher, klass, deck, (ada, _) = _class_and_deck(n_items=5)
    other = cs.create_class(teacher, "Chess club")
    cs.join_class(ada, other.join_code)
    cs.assign_deck(teacher, klass, deck.id, None, min_questions=4)
    cs.assign_deck(teacher, other, deck.id, None, min_questions=0)
    assert cs.counting_lengths(ada, deck.id) == [("Year 10", 4)]
    cs.set_archived(klass, True)
    assert cs.counting_lengths(ada, deck.id) == []


@pytest.mark.parametrize("bad", [-1, 10_001])
def test_an_impossible_length_is_refused(app, bad):
    teacher, klass, deck, _ = _class_and_deck()
    with pytest.raises(ServiceError) as info:
        cs.assign_deck(teacher, klass, deck.id, None, min_questions=bad)
    assert info.value.field == "min_questions"
    assert cs.assigned_decks(klass) == []
