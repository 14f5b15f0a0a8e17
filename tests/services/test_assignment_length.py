"""An assignment says how many questions a quiz must have to count: shorter quizzes
are practice, left out of the gradebook, the class's counts and the student's status."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from quiz.domain import gradebook as gb
from quiz.extensions import db
from quiz.models import Attempt, Item
from quiz.services import ServiceError, quizzes
from quiz.services import classes as cs
from quiz.services.decks import get_published_deck, load_builtin_decks
from tests.factories import make_user, sample_deck
from tests.services.test_classes import _setup

NOW = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)


def _quiz(user, deck, length: int, right: int, when: datetime = NOW) -> Attempt:
    """A submitted quiz of `length` of the deck's live questions, `right` of them right
    (of the whole deck when it takes them all)."""
    items = [i for i in sorted(deck.items, key=lambda i: i.position) if not i.retired]
    asked = items[:length]
    attempt = Attempt(
        user_id=user.id,
        deck_id=deck.id,
        item_ids=[i.id for i in asked],
        choice_order={str(i.id): [c.id for c in i.choices] for i in asked},
        started_at=when,
        submitted_at=when + timedelta(minutes=5),
        correct_count=right,
        total=length,
        whole_deck=length == len(items),
    )
    db.session.add(attempt)
    db.session.commit()
    return attempt


def _cell(teacher, klass, student):
    book = cs.build_gradebook(klass, NOW, per_page=None)
    (row,) = [r for r in book.rows if r.student.id == student.id]
    (cell,) = row.cells.values()
    return cell


def _grow(deck, n_items: int):
    """The teacher adds questions: the deck file now has n_items."""
    load_builtin_decks([sample_deck(n=n_items)])
    db.session.expire_all()
    return get_published_deck("capitals")


def test_all_questions_is_stored_as_the_whole_deck_not_a_number(app):
    teacher, deck, klass, _ = _setup(n_items=5)
    assignment = cs.assign_deck(teacher, klass, deck.id, None, min_questions=None)
    assert assignment.min_questions is None
    (assigned,) = cs.assigned_decks(klass)
    assert assigned.min_questions is None


def test_a_quiz_shorter_than_required_is_practice_and_left_out_of_the_gradebook(app):
    teacher, deck, klass, (ada, bob) = _setup(n_items=5)
    cs.assign_deck(teacher, klass, deck.id, None, min_questions=4)
    _quiz(ada, deck, 2, 2)  # 100%, but practice
    _quiz(ada, deck, 5, 3)  # 60%: counts
    _quiz(bob, deck, 3, 3)  # practice only
    ada_cell = _cell(teacher, klass, ada)
    assert (ada_cell.attempts, ada_cell.best) == (1, 0.6)
    assert _cell(teacher, klass, bob).attempts == 0
    assert cs.students_who_took(klass, cs.assigned_decks(klass)) == {deck.id: 1}


def test_any_length_counts_every_quiz_as_before(app):
    teacher, deck, klass, (ada, _) = _setup(n_items=5)
    cs.assign_deck(teacher, klass, deck.id, None)  # min_questions=0
    _quiz(ada, deck, 1, 1)
    assert _cell(teacher, klass, ada).best == 1.0


def test_a_quiz_of_the_whole_deck_counts_even_when_the_deck_has_fewer_questions(app):
    teacher, deck, klass, (ada, _) = _setup(n_items=5)
    cs.assign_deck(teacher, klass, deck.id, None, min_questions=20)
    _quiz(ada, deck, 5, 4)
    assert _cell(teacher, klass, ada).best == 0.8


def test_a_quiz_that_counted_still_counts_after_the_deck_grows(app):
    teacher, deck, klass, (ada, bob) = _setup(n_items=4)
    cs.assign_deck(teacher, klass, deck.id, None, min_questions=None)  # the whole deck
    _quiz(ada, deck, 4, 3)  # all 4 questions the deck had then
    deck = _grow(deck, 5)
    _quiz(bob, deck, 4, 4)  # 4 of the 5 it has now: not the whole deck
    assert _cell(teacher, klass, ada).best == 0.75
    assert _cell(teacher, klass, bob).attempts == 0
    (mine,) = cs.student_assignments(ada, NOW)
    assert mine.status == "done"


def test_the_whole_deck_counts_when_questions_were_retired(app):
    teacher, deck, klass, (ada, _) = _setup(n_items=5)
    cs.assign_deck(teacher, klass, deck.id, None, min_questions=None)
    for item in sorted(deck.items, key=lambda i: i.position)[3:]:
        db.session.get(Item, item.id).retired = True
    db.session.commit()
    _quiz(ada, deck, 3, 3)  # the three left: the whole deck now
    assert _cell(teacher, klass, ada).best == 1.0


def test_changing_the_requirement_changes_the_cached_gradebook(app):
    teacher, deck, klass, (ada, _) = _setup(n_items=5)
    cs.assign_deck(teacher, klass, deck.id, None, min_questions=0)
    _quiz(ada, deck, 2, 2)
    assert _cell(teacher, klass, ada).attempts == 1
    cs.assign_deck(teacher, klass, deck.id, None, min_questions=None)
    assert _cell(teacher, klass, ada).attempts == 0


def test_the_students_assignment_is_done_only_with_a_quiz_that_counts(app):
    teacher, deck, klass, (ada, _) = _setup(n_items=5)
    cs.assign_deck(teacher, klass, deck.id, None, min_questions=4)
    _quiz(ada, deck, 2, 2)
    (mine,) = cs.student_assignments(ada, NOW)
    assert (mine.status, mine.best, mine.min_questions) == ("in progress", None, 4)
    assert mine.practised  # the deck list says why it is not done
    _quiz(ada, deck, 5, 4)
    (mine,) = cs.student_assignments(ada, NOW)
    assert (mine.status, mine.best, mine.practised) == ("done", 0.8, False)


def test_a_student_is_told_the_length_that_counts_in_each_open_class(app):
    teacher, deck, klass, (ada, _) = _setup(n_items=5)
    other = cs.create_class(teacher, "Chess club")
    third = cs.create_class(teacher, "Debating")
    for extra in (other, third):
        cs.join_class(ada, extra.join_code)
    cs.assign_deck(teacher, klass, deck.id, None, min_questions=4)
    cs.assign_deck(teacher, other, deck.id, None, min_questions=0)
    cs.assign_deck(teacher, third, deck.id, None, min_questions=None)
    assert cs.counting_lengths(ada, deck.id) == [
        ("Chess club", 0),
        ("Debating", None),
        ("Year 10", 4),
    ]
    cs.set_archived(klass, True)
    assert cs.counting_lengths(ada, deck.id) == [("Chess club", 0), ("Debating", None)]


@pytest.mark.parametrize("bad", [-1, 10_001])
def test_an_impossible_length_is_refused(app, bad):
    teacher, deck, klass, _ = _setup(n_items=5)
    with pytest.raises(ServiceError) as info:
        cs.assign_deck(teacher, klass, deck.id, None, min_questions=bad)
    assert info.value.field == "min_questions"
    assert cs.assigned_decks(klass) == []


@pytest.mark.parametrize(
    ("asked", "said"),
    [(None, "the whole deck"), (0, "any length"), (10, "10+ questions or the whole deck")],
)
def test_the_gradebook_csv_says_which_quizzes_its_attempts_count(app, asked, said):
    teacher, deck, klass, _ = _setup(n_items=5)
    cs.assign_deck(teacher, klass, deck.id, None, min_questions=asked)
    header = cs.gradebook_csv(klass, NOW).splitlines()[0]
    assert f"Capitals: attempts that count ({said})" in header


def test_a_class_item_analysis_leaves_out_quizzes_too_short_to_count(app):
    teacher, deck, klass, (ada, bob) = _setup(n_items=5)
    cs.assign_deck(teacher, klass, deck.id, None, min_questions=4)
    _quiz(ada, deck, 2, 0)  # practice
    _quiz(bob, deck, 5, 5)
    assert cs.analyse_deck(deck, klass, "all").test.n == 1
    cs.assign_deck(teacher, klass, deck.id, None, min_questions=0)  # now every quiz counts
    assert cs.analyse_deck(deck, klass, "all").test.n == 2
    assert cs.analyse_deck(deck, None, "all").test.n == 2  # every learner: no assignment


def test_a_quiz_of_every_question_is_marked_whole_deck_and_a_shorter_one_not(app):
    load_builtin_decks([sample_deck(n=5)])
    deck = get_published_deck("capitals")
    student = make_user()
    assert quizzes.start_attempt(student, deck).whole_deck
    assert quizzes.start_attempt(student, deck, 5).whole_deck
    assert not quizzes.start_attempt(student, deck, 4).whole_deck


def test_the_assign_form_refuses_a_deck_assigned_already_and_a_change_to_a_removed_one(app):
    teacher, deck, klass, _ = _setup(n_items=5)
    cs.assign_deck(teacher, klass, deck.id, None, "first", min_questions=20, change=False)
    with pytest.raises(ServiceError, match="assigned to this class already"):
        cs.assign_deck(teacher, klass, deck.id, None, change=False)
    (kept,) = cs.assigned_decks(klass)
    assert (kept.grading_method, kept.min_questions) == ("first", 20)
    cs.unassign(klass, kept.id)
    with pytest.raises(ServiceError, match="removed meanwhile"):
        cs.assign_deck(teacher, klass, deck.id, None, change=True)
    assert cs.assigned_decks(klass) == []


@pytest.mark.parametrize("asked", [0, None, 3])
def test_every_query_counts_the_quizzes_the_domain_rule_counts(app, asked):
    # The rule is written once in Python (gb.counts_for_assignment) and again in SQL for
    # the gradebook, the class's counts, the students' status and the item analysis.
    teacher, deck, klass, students = _setup(n_students=4, n_items=5)
    cs.assign_deck(teacher, klass, deck.id, None, min_questions=asked)
    kinds = [(5, False), (2, False), (4, False), (5, True), (3, False), (1, True)]
    counted: dict[int, int] = {}
    for n, student in enumerate(students):
        for length, checks in kinds[n : n + 3]:
            attempt = _quiz(student, deck, length, 1)
            attempt.checks_answers = checks
            db.session.commit()
            counts = gb.counts_for_assignment(
                asked, total=length, whole_deck=length == 5, checks_answers=checks
            )
            counted[student.id] = counted.get(student.id, 0) + counts
    book = cs.build_gradebook(klass, NOW, per_page=None)
    cells = {row.student.id: next(iter(row.cells.values())).attempts for row in book.rows}
    assert cells == counted
    took = sum(1 for n in counted.values() if n)
    assert cs.students_who_took(klass, cs.assigned_decks(klass)).get(deck.id, 0) == took
    for student in students:
        (mine,) = cs.student_assignments(student, NOW)
        assert (mine.status == "done") == bool(counted[student.id])
    assert cs.analyse_deck(deck, klass, "all").test.n == sum(counted.values())
