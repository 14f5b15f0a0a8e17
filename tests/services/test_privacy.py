"""A user's own data: the export holds all of it and nobody else's; deleting an account
removes everything it holds, and only when nothing of other people's depends on it."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from quiz.domain.scheduling import Rating
from quiz.extensions import db
from quiz.models import (
    Attempt,
    Card,
    Deck,
    Enrolment,
    LoginSession,
    QuestionReport,
    Response,
    ReviewLog,
    SchoolClass,
    User,
    utcnow,
)
from quiz.services import ServiceError, authoring, privacy, quizzes, reports, study
from quiz.services import classes as cs
from quiz.services.accounts import start_session
from tests.factories import PASSWORD, make_user, ordering
from tests.services.test_classes import NOW, _setup
from tests.services.test_regrading import FIXED_KEY, _choice, _published_set, _take


def _studied(user, when=None):
    """One card studied (the first the queue offers), rated Good."""
    when = when or utcnow() + timedelta(minutes=1)
    nxt = study.next_card(user, None, when)
    study.rate_card(user, nxt.item.id, Rating.GOOD, study.card_token(nxt.card), when)
    return nxt.item


def test_the_export_holds_the_learners_quizzes_answers_cards_and_classes(app):
    teacher, deck, (capital,) = _published_set(FIXED_KEY)
    klass = cs.create_class(teacher, "Year 10")
    student, other = make_user(), make_user()
    cs.join_class(student, klass.join_code)
    _take(student, deck, {capital.id: ["Lyon"]})
    _take(other, deck, {capital.id: ["Nice"]})
    studied = _studied(student)
    reports.report_question(student, capital.id, "unclear", "Which France?")

    data = privacy.export_account(student)

    assert data["account"]["email"] == student.email
    assert data["account"]["desired_retention"] == 0.9
    assert [c["class"] for c in data["classes_joined"]] == ["Year 10"]
    (quiz,) = data["quizzes"]
    assert (quiz["deck"], quiz["right"], quiz["questions_asked"]) == ("France", 0, 1)
    (question,) = quiz["questions"]
    assert question["question"] == "Capital of France?"
    assert question["answer"] == ["Lyon"] and question["right"] is False
    assert [c["text"] for c in question["choices"] if c["right"]] == ["Paris"]
    cards = {card["front"]: card for card in data["flashcards"]}
    assert [r["rating"] for r in cards[studied.prompt]["reviews"]] == ["good"]
    (report,) = data["reports_made"]
    assert (report["reason"], report["comment"], report["dealt_with_at"]) == (
        "unclear",
        "Which France?",
        None,
    )
    # Nothing of anyone else's, and never the password's hash.
    text = json.dumps(data)
    assert "Nice" not in [a for q in data["quizzes"] for x in q["questions"] for a in x["answer"]]
    assert other.email not in text and student.password_hash not in text


def test_a_teachers_export_lists_their_sets_and_classes(app):
    teacher, deck, _ = _published_set(FIXED_KEY)
    cs.join_class(make_user(), cs.create_class(teacher, "Year 11").join_code)
    data = privacy.export_account(teacher)
    assert data["sets_owned"] == [
        {"title": "France", "status": "published", "deleted_at": None, "questions": 1}
    ]
    assert [(c["class"], c["students"]) for c in data["classes_taught"]] == [("Year 11", 1)]


@pytest.mark.parametrize("quizzes", [1, 6])
def test_the_export_takes_a_fixed_number_of_queries(app, count_queries, quizzes):
    _, deck, (capital,) = _published_set(FIXED_KEY)
    student = make_user()
    for _ in range(quizzes):
        _take(student, deck, {capital.id: ["Paris"]})
    _studied(student)
    db.session.expire_all()
    student = db.session.get(User, student.id)
    with count_queries() as counter:
        privacy.export_account(student)
    # classes, log-ins, attempts, responses, items, choices, review logs, cards, reports,
    # sets, classes taught
    assert counter.count == 11, counter.statements


def _rows(model, **where):
    query = select(func.count()).select_from(model)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    return db.session.execute(query).scalar_one()


def test_deleting_a_learners_account_removes_everything_it_holds_and_nothing_else(app):
    teacher, deck, klass, (student, classmate) = _setup()
    assignment = cs.assign_deck(teacher, klass, deck.id, None)
    for user in (student, classmate):
        _take(user, deck, {deck.items[0].id: [deck.items[0].choices[0].text]})
        _studied(user)
    start_session(student)
    reports.report_question(student, deck.items[0].id, "typo", "A comma is missing.")
    book = cs.build_gradebook(klass, NOW)
    assert len(book.rows) == 2

    student_id = student.id
    privacy.delete_account(student, PASSWORD)

    assert db.session.get(User, student_id) is None
    for model in (Attempt, Card, ReviewLog, Enrolment, LoginSession, QuestionReport):
        assert _rows(model, user_id=student_id) == 0, model
    assert _rows(Response) == _rows(Attempt) == 1  # the classmate's quiz stays whole
    assert _rows(ReviewLog, user_id=classmate.id) == 1
    rows = cs.build_gradebook(klass, NOW).rows  # the cached gradebook follows at once
    assert [r.student.id for r in rows] == [classmate.id]
    assert rows[0].cells[assignment.id].attempts == 1


def test_a_wrong_password_deletes_nothing(app):
    student = make_user()
    with pytest.raises(ServiceError, match="not your password"):
        privacy.delete_account(student, "not the password at all")
    assert db.session.get(User, student.id) is not None


def test_an_account_others_depend_on_cannot_be_deleted_by_its_owner(app):
    teacher = make_user(role="teacher")
    assert privacy.deletion_blockers(teacher) == []
    authoring.create_set(teacher, "Draft")
    cs.create_class(teacher, "Year 9")
    blockers = privacy.deletion_blockers(teacher)
    assert len(blockers) == 2 and "1 question set" in blockers[0] and "1 class" in blockers[1]
    with pytest.raises(ServiceError, match="Nothing was deleted"):
        privacy.delete_account(teacher, PASSWORD)
    admin = make_user(role="admin")
    assert privacy.deletion_blockers(admin) == [
        "An administrator's account runs the school's service, so it is not deleted here."
    ]
    assert db.session.get(User, teacher.id) is not None


def test_the_export_of_an_open_quiz_gives_no_answer_away(app):
    wrong_order = ordering("reigns", "Put in order", "First", "Second", "Third")
    _, deck, (capital, reigns) = _published_set(FIXED_KEY, wrong_order)
    student = make_user()
    _take(student, deck, {capital.id: ["Lyon"]}, submit=False)
    (quiz,) = privacy.export_account(student)["quizzes"]
    assert quiz["right"] is None
    by_prompt = {q["question"]: q for q in quiz["questions"]}
    answered = by_prompt["Capital of France?"]
    assert answered["answer"] == ["Lyon"] and "right" not in answered
    assert all(set(choice) == {"text"} for q in quiz["questions"] for choice in q["choices"])
    assert "right_order" not in by_prompt["Put in order"]
    # A quiz that checks each answer shows the key of the questions answered, as it did.
    checking = quizzes.start_attempt(student, deck, checks_answers=True)
    number = checking.item_ids.index(capital.id) + 1
    quizzes.record_response(checking, number, [_choice(capital, "Paris")])
    quiz = privacy.export_account(student)["quizzes"][1]
    seen = {q["question"]: q for q in quiz["questions"]}
    assert seen["Capital of France?"]["right"] is True
    assert "right" not in seen["Put in order"]["choices"][0]


def test_the_export_lists_log_ins_without_their_tokens(app):
    student = make_user()
    token = start_session(student)
    data = privacy.export_account(student)
    assert len(data["log_ins"]) == 1 and data["log_ins"][0]["ended_at"] is None
    assert token not in json.dumps(data)


def test_a_teacher_whose_sets_are_all_deleted_can_go_and_the_used_ones_stay(app):
    teacher, deck, (capital,) = _published_set(FIXED_KEY)
    _take(make_user(), deck, {capital.id: ["Paris"]})
    assert "delete it first" in privacy.deletion_blockers(teacher)[0]
    assert authoring.delete_set(deck) != "deleted"  # used: kept for the learner's score
    teacher_id = teacher.id
    privacy.delete_account(teacher, PASSWORD)
    assert db.session.get(User, teacher_id) is None
    kept = db.session.get(Deck, deck.id)
    assert kept is not None and kept.owner_id is None and kept.deleted_at is not None


def test_a_leaving_teachers_sets_and_classes_go_to_a_colleague_and_then_they_can_go(app):
    teacher, deck, (capital,) = _published_set(FIXED_KEY)
    used = authoring.create_set(teacher, "Used, then deleted")
    db.session.get(Deck, used.id).deleted_at = NOW
    db.session.commit()
    klass = cs.create_class(teacher, "Year 9")
    archived = cs.create_class(teacher, "Year 8")
    cs.set_archived(archived, True)
    student = make_user()
    cs.join_class(student, klass.join_code)
    cs.assign_deck(teacher, klass, deck.id, None)
    _take(student, deck, {capital.id: ["Paris"]})
    colleague = make_user(role="teacher")

    last_changed = db.session.get(Deck, deck.id).updated_at
    moved = privacy.hand_over(teacher, colleague)

    assert (moved.sets, moved.deleted_sets, moved.classes) == (1, 1, 2)
    assert db.session.get(Deck, deck.id).updated_at == last_changed  # not "changed now"
    assert {s.deck.id for s in authoring.teacher_sets(colleague)} >= {deck.id}
    assert db.session.get(Deck, used.id).owner_id == colleague.id
    assert {c.id for c, _, _ in cs.teacher_classes(colleague)} == {klass.id, archived.id}
    assert authoring.may_edit(colleague, deck) and not authoring.may_edit(teacher, deck)
    book = cs.build_gradebook(cs.get_class(colleague, klass.id), NOW)
    assert [r.student.id for r in book.rows] == [student.id]  # results came with the class
    assert privacy.deletion_blockers(teacher) == []
    teacher_id = teacher.id
    privacy.delete_account(teacher, PASSWORD)
    assert db.session.get(User, teacher_id) is None
    assert db.session.get(Deck, deck.id).owner_id == colleague.id


@pytest.mark.parametrize("who", ["student", "self"])
def test_sets_and_classes_are_handed_over_only_to_another_teacher(app, who):
    teacher = make_user(role="teacher")
    deck = authoring.create_set(teacher, "Draft")
    klass = cs.create_class(teacher, "Year 9")
    successor = teacher if who == "self" else make_user()
    with pytest.raises(ServiceError, match="same account" if who == "self" else "a teacher"):
        privacy.hand_over(teacher, successor)
    assert db.session.get(Deck, deck.id).owner_id == teacher.id
    assert db.session.get(SchoolClass, klass.id).teacher_id == teacher.id


def test_an_operator_deletes_an_account_without_its_password_but_not_one_others_need(app):
    student, teacher = make_user(), make_user(role="teacher")
    cs.create_class(teacher, "Year 9")
    assert privacy.deletion_blockers(teacher, operator=True) == ["It teaches 1 class."]
    with pytest.raises(ServiceError, match="It teaches 1 class. Nothing was deleted."):
        privacy.delete_account_for_operator(teacher)
    student_id = student.id
    privacy.delete_account_for_operator(student)
    assert db.session.get(User, student_id) is None
    assert db.session.get(User, teacher.id) is not None


def test_an_account_with_nothing_to_hand_over_is_told_so(app):
    with pytest.raises(ServiceError, match="owns no question sets and teaches no classes"):
        privacy.hand_over(make_user(role="teacher"), make_user(role="teacher"))
