"""Classes: join codes, assignments, the gradebook and item analysis over a class."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

from quiz.extensions import db
from quiz.models import Attempt, Enrolment, Response
from quiz.services import NotFound, ServiceError, authoring
from quiz.services import classes as cs
from quiz.services.decks import DeckCard, get_published_deck, load_builtin_decks
from tests.factories import make_user, sample_deck

NOW = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)


def _setup(n_students: int = 2, n_items: int = 3):
    teacher = make_user(role="teacher")
    load_builtin_decks([sample_deck(n=n_items)])
    deck = get_published_deck("capitals")
    klass = cs.create_class(teacher, "Year 10")
    students = [make_user() for _ in range(n_students)]
    for student in students:
        cs.join_class(student, klass.join_code)
    # In the class since well before the work these tests set (NOW is in the past).
    db.session.execute(db.update(Enrolment).values(joined_at=NOW - timedelta(days=60)))
    db.session.commit()
    return teacher, deck, klass, students


def _attempt(user, deck, right: int, when: datetime) -> Attempt:
    """A submitted attempt over the deck's items with the first ``right`` answered right."""
    items = sorted(deck.items, key=lambda i: i.position)
    attempt = Attempt(
        user_id=user.id,
        deck_id=deck.id,
        item_ids=[i.id for i in items],
        choice_order={str(i.id): [c.id for c in i.choices] for i in items},
        started_at=when,
        submitted_at=when + timedelta(minutes=5),
        correct_count=right,
        total=len(items),
    )
    db.session.add(attempt)
    db.session.flush()
    for n, item in enumerate(items):
        choice = next(c for c in item.choices if c.correct == (n < right))
        db.session.add(
            Response(attempt_id=attempt.id, item_id=item.id, chosen=[choice.id], correct=n < right)
        )
    db.session.commit()
    return attempt


def _open_attempt(user, deck) -> Attempt:
    """An attempt started and not submitted: it counts nowhere until it is."""
    items = sorted(deck.items, key=lambda i: i.position)
    attempt = Attempt(
        user_id=user.id,
        deck_id=deck.id,
        item_ids=[i.id for i in items],
        choice_order={str(i.id): [c.id for c in i.choices] for i in items},
        started_at=NOW,
        total=len(items),
    )
    db.session.add(attempt)
    db.session.commit()
    return attempt


def test_a_join_code_is_eight_unambiguous_characters_and_joining_twice_is_harmless(app):
    _, _, klass, (student, _) = _setup()
    assert len(klass.join_code) == 8 and not set(klass.join_code) & set("01OIL")
    cs.join_class(student, klass.join_code.lower())
    assert [s.id for s in cs.class_students(klass)].count(student.id) == 1


def test_a_wrong_or_archived_code_is_refused_with_a_reason(app):
    _, _, klass, _ = _setup(0)
    with pytest.raises(ServiceError, match="No class has that code"):
        cs.join_class(make_user(), "NOPE1234")
    cs.set_archived(klass, True)
    with pytest.raises(ServiceError, match="archived"):
        cs.join_class(make_user(), klass.join_code)


def test_a_new_code_replaces_the_old_one(app):
    _, _, klass, _ = _setup(0)
    old = klass.join_code
    new = cs.regenerate_code(klass)
    assert new != old
    with pytest.raises(ServiceError):
        cs.join_class(make_user(), old)


def test_teachers_assign_published_own_or_built_in_decks_only(app):
    teacher, deck, klass, _ = _setup(0)
    draft = authoring.create_set(teacher, "Draft set")
    other = authoring.create_set(make_user(role="teacher"), "Someone else's")
    with pytest.raises(ServiceError):
        cs.assign_deck(teacher, klass, draft.id, None)
    with pytest.raises(ServiceError):
        cs.assign_deck(teacher, klass, other.id, None)
    assignment = cs.assign_deck(teacher, klass, deck.id, NOW, "latest")
    again = cs.assign_deck(teacher, klass, deck.id, None, "average")
    assert again.id == assignment.id and again.grading_method == "average"


def test_another_teacher_cannot_open_the_class_but_an_admin_can(app):
    _, _, klass, _ = _setup(0)
    with pytest.raises(NotFound):
        cs.get_class(make_user(role="teacher"), klass.id)
    assert cs.get_class(make_user(role="admin"), klass.id).id == klass.id


def test_student_assignments_have_a_status(app):
    teacher, deck, klass, (ada, bob) = _setup()
    load_builtin_decks([sample_deck("second", 2)])
    second = get_published_deck("second")
    cs.assign_deck(teacher, klass, deck.id, NOW - timedelta(days=1))
    cs.assign_deck(teacher, klass, second.id, NOW + timedelta(days=3))
    _attempt(ada, deck, 2, NOW - timedelta(days=2))
    statuses = {a.deck_slug: a.status for a in cs.student_assignments(ada, NOW)}
    assert statuses == {"capitals": "done", "second": "not started"}
    statuses = {a.deck_slug: a.status for a in cs.student_assignments(bob, NOW)}
    assert statuses == {"capitals": "overdue", "second": "not started"}
    assert cs.student_assignments(bob, NOW)[0].status == "overdue"  # most pressing first


def test_gradebook_figures_match_a_hand_computed_class(app):
    teacher, deck, klass, (ada, bob) = _setup()
    assignment = cs.assign_deck(teacher, klass, deck.id, None, "latest")
    _attempt(ada, deck, 1, NOW - timedelta(days=3))  # 1/3
    _attempt(ada, deck, 3, NOW - timedelta(days=2))  # 3/3
    _attempt(ada, deck, 2, NOW - timedelta(days=1))  # 2/3, the latest
    _attempt(bob, deck, 0, NOW - timedelta(days=1))  # 0/3
    book = cs.build_gradebook(klass, NOW)
    cells = {row.student.id: row.cells[assignment.id] for row in book.rows}
    assert cells[ada.id].attempts == 3
    assert cells[ada.id].best == pytest.approx(1.0)
    assert cells[ada.id].latest == pytest.approx(2 / 3)
    assert cells[ada.id].grade == pytest.approx(2 / 3)  # graded by latest
    assert cells[bob.id].grade == pytest.approx(0.0)
    (summary,) = book.summaries
    stats = summary.stats
    assert stats.average == pytest.approx(1 / 3) and stats.median == pytest.approx(1 / 3)
    assert stats.histogram[0].count == 1 and stats.histogram[6].count == 1
    by_grade = cs.build_gradebook(klass, NOW, sort=str(assignment.id), descending=True)
    assert [r.student.id for r in by_grade.rows] == [ada.id, bob.id]
    by_grade = cs.build_gradebook(klass, NOW, sort=str(assignment.id))
    assert [r.student.id for r in by_grade.rows] == [bob.id, ada.id]


def test_gradebook_csv_has_the_figures_and_neutralises_formulas(app):
    teacher, deck, klass, (ada, _) = _setup()
    ada.display_name = '=HYPERLINK("http://evil")'
    db.session.commit()
    cs.assign_deck(teacher, klass, deck.id, None)
    _attempt(ada, deck, 3, NOW)
    text = cs.gradebook_csv(klass, NOW)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["Student", "Email", "Capitals: grade (highest)"]
    assert rows[0][5] == "Capitals: attempts that count (any length)"
    ada_row = next(r for r in rows if r[1] == ada.email)
    assert ada_row[0].startswith("'=")
    assert ada_row[2] == "100.0" and ada_row[5] == "1"


def _hand_ins(klass, assignment, now) -> dict[int, str]:
    return {
        row.student.id: row.cells[assignment.id].hand_in
        for row in cs.build_gradebook(klass, now).rows
    }


def test_the_gradebook_marks_work_handed_in_late_or_missing_by_the_due_date(app):
    teacher, deck, klass, (early, late, absent) = _setup(n_students=3)
    due = NOW - timedelta(days=1)
    assignment = cs.assign_deck(teacher, klass, deck.id, due)
    _attempt(early, deck, 1, due - timedelta(hours=1))  # submitted 55 minutes before
    _attempt(late, deck, 3, due + timedelta(hours=2))
    _attempt(late, deck, 3, due - timedelta(days=9))  # a practice quiz does not count...
    db.session.execute(
        db.update(Attempt)
        .where(Attempt.user_id == late.id, Attempt.started_at < due - timedelta(days=1))
        .values(checks_answers=True)
    )
    db.session.commit()
    assert _hand_ins(klass, assignment, NOW) == {
        early.id: "on time",
        late.id: "late",  # ... so the first that counts came after the due date
        absent.id: "missing",
    }
    row = next(r for r in cs.build_gradebook(klass, NOW).rows if r.student.id == late.id)
    assert row.cells[assignment.id].grade == pytest.approx(1.0)  # late work counts


def test_missing_work_is_marked_once_the_due_date_passes_and_follows_a_new_due_date(app):
    teacher, deck, klass, (ada, bob) = _setup()
    assignment = cs.assign_deck(teacher, klass, deck.id, NOW + timedelta(hours=1))
    _attempt(ada, deck, 2, NOW + timedelta(minutes=30))  # submitted at NOW + 35 min
    before = NOW + timedelta(minutes=40)
    assert _hand_ins(klass, assignment, before) == {ada.id: "on time", bob.id: ""}
    after = NOW + timedelta(hours=1, seconds=1)  # the rows built before are not kept
    assert _hand_ins(klass, assignment, after) == {ada.id: "on time", bob.id: "missing"}
    cs.assign_deck(teacher, klass, deck.id, NOW, change=True)  # an earlier due date
    assert _hand_ins(klass, assignment, after) == {ada.id: "late", bob.id: "missing"}
    cs.assign_deck(teacher, klass, deck.id, None, change=True)  # no due date
    assert _hand_ins(klass, assignment, after) == {ada.id: "", bob.id: ""}


def test_no_work_is_missing_or_late_for_a_student_who_joined_after_the_due_date(app):
    teacher, deck, klass, (ada,) = _setup(n_students=1)
    assignment = cs.assign_deck(teacher, klass, deck.id, NOW - timedelta(days=1))
    newcomer, keen = make_user(), make_user()
    for student in (newcomer, keen):
        cs.join_class(student, klass.join_code)
    db.session.execute(
        db.update(Enrolment)
        .where(Enrolment.user_id.in_([newcomer.id, keen.id]))
        .values(joined_at=NOW - timedelta(hours=12))
    )
    db.session.commit()
    _attempt(keen, deck, 3, NOW - timedelta(hours=1))
    assert _hand_ins(klass, assignment, NOW) == {ada.id: "missing", newcomer.id: "", keen.id: ""}
    ((theirs),) = cs.student_assignments(keen, NOW)
    assert (theirs.status, theirs.late) == ("done", False)


def test_no_work_is_missing_from_a_deck_its_students_cannot_see(app):
    teacher = make_user(role="teacher")
    own = authoring.create_set(teacher, "Own set")
    authoring.save_item(own, sample_deck(n=1).items[0])
    authoring.set_published(own, True)
    klass = cs.create_class(teacher, "Year 10")
    student = make_user()
    cs.join_class(student, klass.join_code)
    db.session.execute(db.update(Enrolment).values(joined_at=NOW - timedelta(days=60)))
    db.session.commit()
    assignment = cs.assign_deck(teacher, klass, own.id, NOW - timedelta(days=1))
    assert _hand_ins(klass, assignment, NOW) == {student.id: "missing"}
    authoring.set_published(own, False)  # a draft again: its students cannot take it
    assert _hand_ins(klass, assignment, NOW) == {student.id: ""}


def test_the_gradebook_csv_says_whether_each_student_handed_in_on_time(app):
    teacher, deck, klass, (ada, bob) = _setup()
    cs.assign_deck(teacher, klass, deck.id, NOW - timedelta(days=1))
    _attempt(ada, deck, 3, NOW - timedelta(hours=1))
    rows = list(csv.reader(io.StringIO(cs.gradebook_csv(klass, NOW))))
    assert rows[0][8] == "Capitals: handed in (on time, late, missing)"
    assert {r[1]: r[8] for r in rows[1:]} == {ada.email: "late", bob.email: "missing"}


def test_a_student_sees_an_assignment_done_late_as_done_and_late(app):
    teacher, deck, klass, (ada, bob) = _setup()
    cs.assign_deck(teacher, klass, deck.id, NOW - timedelta(days=1))
    _attempt(ada, deck, 3, NOW - timedelta(hours=1))
    _attempt(bob, deck, 3, NOW - timedelta(days=2))
    ((mine),) = cs.student_assignments(ada, NOW)
    assert (mine.status, mine.late) == ("done", True)
    ((theirs),) = cs.student_assignments(bob, NOW)
    assert (theirs.status, theirs.late) == ("done", False)


def test_removing_a_student_hides_them_from_the_gradebook(app):
    teacher, deck, klass, (ada, bob) = _setup()
    cs.assign_deck(teacher, klass, deck.id, None)
    cs.remove_student(klass, ada.id)
    assert [r.student.id for r in cs.build_gradebook(klass, NOW).rows] == [bob.id]
    with pytest.raises(NotFound):
        cs.student_in_class(klass, ada.id)


def test_a_student_sees_their_classes_open_ones_first_with_their_teacher(app):
    teacher, deck, klass, (ada, _) = _setup()
    teacher.display_name = "Ms Kovalenko"
    old = cs.create_class(teacher, "A year 9 class")
    cs.join_class(ada, old.join_code)
    cs.set_archived(old, True)
    art = cs.create_class(make_user(role="teacher"), "Art")
    cs.join_class(ada, art.join_code)

    mine = cs.student_classes(ada)

    assert [m.klass.name for m in mine] == ["Art", "Year 10", "A year 9 class"]
    assert mine[1].teacher_name == "Ms Kovalenko"
    assert cs.student_classes(make_user()) == []


def test_a_student_who_leaves_a_class_leaves_its_gradebook_and_keeps_their_scores(app):
    teacher, deck, klass, (ada, bob) = _setup()
    cs.assign_deck(teacher, klass, deck.id, None)
    attempt = _attempt(ada, deck, 2, NOW)

    assert cs.leave_class(ada, klass.id).id == klass.id

    assert [r.student.id for r in cs.build_gradebook(klass, NOW).rows] == [bob.id]
    assert cs.student_assignments(ada, NOW) == []
    assert db.session.get(Attempt, attempt.id) is not None
    with pytest.raises(NotFound):
        cs.leave_class(ada, klass.id)  # not in it any more
    with pytest.raises(NotFound):
        cs.leave_class(teacher, klass.id)  # the teacher is not a member
    cs.join_class(ada, klass.join_code)
    book = cs.build_gradebook(klass, NOW)
    assert {r.student.id for r in book.rows} == {ada.id, bob.id}


def test_a_student_cannot_leave_an_archived_class_whose_gradebook_is_a_record(app):
    teacher, deck, klass, (ada, bob) = _setup()
    cs.assign_deck(teacher, klass, deck.id, None)
    cs.set_archived(klass, True)
    with pytest.raises(ServiceError, match="archived"):
        cs.leave_class(ada, klass.id)
    assert {r.student.id for r in cs.build_gradebook(klass, NOW).rows} == {ada.id, bob.id}


def test_item_analysis_over_a_class_uses_only_its_students(app):
    teacher, deck, klass, (ada, bob) = _setup()
    outsider = make_user()
    _attempt(ada, deck, 3, NOW)
    _attempt(bob, deck, 1, NOW)
    _attempt(outsider, deck, 0, NOW)
    analysis = cs.analyse_deck(deck, klass)
    assert analysis.test.n == 2
    first = analysis.items[0]
    assert first.n == 2 and first.facility == pytest.approx(1.0)  # both got item 1 right
    everyone = cs.analyse_deck(deck)
    assert everyone.test.n == 3


def _many_attempts(deck, students, per_student):
    for s in students:
        for k in range(per_student):
            _attempt(s, deck, k % 4, NOW - timedelta(hours=k))


@pytest.mark.parametrize("size", [1, 4])
def test_gradebook_and_analysis_take_a_fixed_number_of_queries(app, count_queries, size):
    teacher, deck, klass, students = _setup(n_students=2 * size)
    load_builtin_decks([sample_deck("second", 2)])
    cs.assign_deck(teacher, klass, deck.id, None)
    cs.assign_deck(teacher, klass, get_published_deck("second").id, None)
    _many_attempts(deck, students, size)
    _open_attempt(students[0], deck)
    ref = DeckCard(deck.id, deck.slug, deck.title, deck.description)  # as the analysis page has it
    db.session.expire_all()
    with count_queries() as counter:
        cs.build_gradebook(klass, NOW, per_page=size)
    # class (expired), assignments with the results check (+ roster with names), roster,
    # attempts reduced (+ open ones), the page's cards check, each student's, their cards
    assert counter.count == 7, counter.statements
    db.session.expire_all()
    with count_queries() as counter:
        cs.build_gradebook(klass, NOW, per_page=size, sort="name", descending=True)
    # the results from the cache: class, assignments with the check; the cards of
    # students not counted yet: the page's check, each student's, their cards
    assert counter.count == 5, counter.statements
    db.session.expire_all()
    with count_queries() as counter:
        cs.build_gradebook(klass, NOW, per_page=size, sort="name", descending=True)
    # all a hit: class, assignments with the check, the page's cards check
    assert counter.count == 3, counter.statements
    with count_queries() as counter:
        cs.analyse_deck(ref, klass)
    assert counter.count == 4, counter.statements  # items, check, attempts, responses
    with count_queries() as counter:
        cs.analyse_deck(ref, klass)
    assert counter.count == 2, counter.statements  # a hit: items, check
    assert db.session.execute(db.select(db.func.count(Enrolment.id))).scalar_one() == 2 * size


def test_item_analysis_reads_the_chosen_attempt_of_each_learner(app):
    _, deck, klass, (ada, _) = _setup()
    _attempt(ada, deck, 3, NOW - timedelta(days=2))  # first: all right
    _attempt(ada, deck, 0, NOW - timedelta(days=1))  # last: all wrong
    assert cs.analyse_deck(deck, klass, "first").items[0].facility == pytest.approx(1.0)
    assert cs.analyse_deck(deck, klass, "last").items[0].facility == pytest.approx(0.0)
    assert cs.analyse_deck(deck, klass, "highest").items[0].facility == pytest.approx(1.0)
    everything = cs.analyse_deck(deck, klass, "all").items[0]
    assert (everything.n, everything.facility) == (2, pytest.approx(0.5))


def test_item_analysis_and_gradebook_take_the_same_first_and_last_attempts(app):
    # Two quizzes open at once: the one started first was submitted last.
    teacher, deck, klass, (ada, _) = _setup()
    assignment = cs.assign_deck(teacher, klass, deck.id, None, "first")
    long_one = _attempt(ada, deck, 0, NOW)  # started first, all wrong ...
    long_one.submitted_at = NOW + timedelta(hours=1)  # ... and submitted last
    db.session.commit()
    _attempt(ada, deck, 3, NOW + timedelta(minutes=10))  # all right, submitted first

    cell = next(r for r in cs.build_gradebook(klass, NOW).rows if r.student.id == ada.id)
    assert cell.cells[assignment.id].grade == pytest.approx(1.0)  # first submitted
    assert cs.analyse_deck(deck, klass, "first").items[0].facility == pytest.approx(1.0)
    assert cell.cells[assignment.id].latest == pytest.approx(0.0)
    assert cs.analyse_deck(deck, klass, "last").items[0].facility == pytest.approx(0.0)


def test_the_class_counts_the_students_who_took_each_assigned_deck(app):
    teacher, deck, klass, (ada, bob) = _setup()
    load_builtin_decks([sample_deck("capitals"), sample_deck("second", 2)])
    second = get_published_deck("second")
    cs.assign_deck(teacher, klass, deck.id, None)
    cs.assign_deck(teacher, klass, second.id, None)
    _attempt(ada, deck, 1, NOW)
    _attempt(ada, deck, 2, NOW + timedelta(hours=1))  # twice: still one student
    _open_attempt(bob, deck)  # not submitted: not taken
    outsider = make_user()
    _attempt(outsider, deck, 3, NOW)  # not in the class
    assert cs.students_who_took(klass, cs.assigned_decks(klass)) == {deck.id: 1}
