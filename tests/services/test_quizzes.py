"""Starting, answering, submitting and reading a quiz attempt."""

from __future__ import annotations

import random

import pytest

from quiz.extensions import db
from quiz.models import Attempt, Item, Response
from quiz.services import NotFound, ServiceError, quizzes
from tests.factories import load_sample_deck, make_user, ordering


def _right_choice(page) -> int:
    item = db.session.get(Item, page.item_id)
    return next(c.id for c in item.choices if c.correct)


def _wrong_choice(page) -> int:
    item = db.session.get(Item, page.item_id)
    return next(c.id for c in item.choices if not c.correct)


def test_start_attempt_fixes_a_shuffled_order_of_questions_and_choices(app):
    deck = load_sample_deck(n=5)
    user = make_user()
    attempt = quizzes.start_attempt(user, deck, rng=random.Random(3))
    assert sorted(attempt.item_ids) == sorted(i.id for i in deck.items)
    assert attempt.total == 5
    for item in deck.items:
        assert sorted(attempt.choice_order[str(item.id)]) == sorted(c.id for c in item.choices)
    # Reading it back gives the same order: it is fixed for the attempt.
    again = quizzes.get_attempt(user, attempt.id)
    assert again.item_ids == attempt.item_ids


def test_start_attempt_with_a_length_picks_that_many_questions(app):
    deck = load_sample_deck(n=5)
    attempt = quizzes.start_attempt(make_user(), deck, length=2, rng=random.Random(1))
    assert len(attempt.item_ids) == 2 and attempt.total == 2


def test_question_page_never_carries_the_answer_key(app):
    deck = load_sample_deck()
    attempt = quizzes.start_attempt(make_user(), deck)
    page = quizzes.question_page(attempt, 1)
    assert not hasattr(page.choices[0], "correct")
    assert page.number == 1 and page.total == 3 and page.answered == 0


def test_submitting_scores_right_wrong_and_unanswered_questions(app):
    deck = load_sample_deck(n=3)
    user = make_user()
    attempt = quizzes.start_attempt(user, deck)
    quizzes.record_response(attempt, 1, [_right_choice(quizzes.question_page(attempt, 1))])
    quizzes.record_response(attempt, 2, [_wrong_choice(quizzes.question_page(attempt, 2))])
    assert quizzes.submit_attempt(attempt) is True
    assert (attempt.correct_count, attempt.total) == (1, 3)
    assert attempt.score == pytest.approx(1 / 3)
    rows = quizzes.attempt_result(attempt)
    assert [r.correct for r in rows] == [True, False, False]
    assert [r.answered for r in rows] == [True, True, False]
    assert all(r.explanation and r.source for r in rows)


@pytest.mark.parametrize("n", [2, 5])
def test_a_result_is_read_in_one_query_whatever_its_length(app, count_queries, n):
    deck = load_sample_deck(n=n)
    user = make_user()
    attempt = quizzes.start_attempt(user, deck)
    quizzes.record_response(attempt, 1, [_right_choice(quizzes.question_page(attempt, 1))])
    quizzes.submit_attempt(attempt)
    attempt = quizzes.get_attempt(user, attempt.id)
    with count_queries() as counter:
        rows = quizzes.attempt_result(attempt)
    assert counter.count == 1
    assert len(rows) == n and [r.answered for r in rows].count(True) == 1
    assert all(len(r.choices) >= 2 for r in rows)


def test_the_question_page_brings_back_the_earlier_answer_and_the_count_answered(app):
    deck = load_sample_deck(n=3)
    attempt = quizzes.start_attempt(make_user(), deck)
    first, second = quizzes.question_page(attempt, 1), quizzes.question_page(attempt, 2)
    assert first.chosen == () and first.answered == 0
    quizzes.record_response(attempt, 1, [_wrong_choice(first)])
    quizzes.record_response(attempt, 2, [_right_choice(second)])

    again = quizzes.question_page(attempt, 1)
    assert again.chosen == (_wrong_choice(first),) and again.answered == 2
    third = quizzes.question_page(attempt, 3)
    assert third.chosen == () and third.answered == 2


def test_changing_an_answer_before_submitting_keeps_one_response(app):
    deck = load_sample_deck(n=1)
    attempt = quizzes.start_attempt(make_user(), deck)
    page = quizzes.question_page(attempt, 1)
    quizzes.record_response(attempt, 1, [_wrong_choice(page)])
    quizzes.record_response(attempt, 1, [_right_choice(page)])
    responses = db.session.execute(db.select(Response)).scalars().all()
    assert len(responses) == 1 and responses[0].correct


def test_an_answer_to_an_attempt_submitted_meanwhile_is_refused_and_changes_nothing(app):
    deck = load_sample_deck(n=2)
    user = make_user()
    attempt = quizzes.start_attempt(user, deck)
    page = quizzes.question_page(attempt, 1)
    quizzes.record_response(attempt, 1, [_wrong_choice(page)])
    # This tab still holds the attempt as it was; another one submits it.
    db.session.refresh(attempt)
    db.session.expunge(attempt)
    assert quizzes.submit_attempt(quizzes.get_attempt(user, attempt.id)) is True
    assert attempt.submitted_at is None
    with pytest.raises(ServiceError, match="already been submitted"):
        quizzes.record_response(attempt, 1, [_right_choice(page)])
    with pytest.raises(ServiceError, match="already been submitted"):
        quizzes.record_response(attempt, 2, [_right_choice(quizzes.question_page(attempt, 2))])
    responses = db.session.execute(db.select(Response)).scalars().all()
    assert [(r.item_id, r.correct) for r in responses] == [(page.item_id, False)]


def test_a_second_submission_records_nothing_new(app):
    deck = load_sample_deck(n=2)
    attempt = quizzes.start_attempt(make_user(), deck)
    quizzes.record_response(attempt, 1, [_right_choice(quizzes.question_page(attempt, 1))])
    assert quizzes.submit_attempt(attempt) is True
    first = attempt.submitted_at
    assert quizzes.submit_attempt(attempt) is False
    assert attempt.submitted_at == first
    with pytest.raises(ServiceError):
        quizzes.record_response(attempt, 2, [_right_choice(quizzes.question_page(attempt, 2))])
    assert db.session.execute(db.select(db.func.count(Response.id))).scalar_one() == 1


def test_an_answer_from_another_question_is_refused(app):
    deck = load_sample_deck(n=2)
    attempt = quizzes.start_attempt(make_user(), deck)
    other = _right_choice(quizzes.question_page(attempt, 2))
    with pytest.raises(ServiceError, match="not one of this question's choices"):
        quizzes.record_response(attempt, 1, [other])
    assert db.session.execute(db.select(db.func.count(Response.id))).scalar_one() == 0


def test_ordering_questions_are_graded_on_the_order_given(app):
    item = ordering("order-1", "Put these in order.", "first", "second", "third", "fourth")
    deck = load_sample_deck(n=0, extra=(item,))
    attempt = quizzes.start_attempt(make_user(), deck)
    page = quizzes.question_page(attempt, 1)
    by_text = {c.text: c.id for c in page.choices}
    quizzes.record_response(
        attempt, 1, [by_text[t] for t in ("first", "third", "second", "fourth")]
    )
    assert db.session.execute(db.select(Response.correct)).scalar_one() is False
    quizzes.record_response(
        attempt, 1, [by_text[t] for t in ("first", "second", "third", "fourth")]
    )
    assert db.session.execute(db.select(Response.correct)).scalar_one() is True
    quizzes.submit_attempt(attempt)
    row = quizzes.attempt_result(attempt)[0]
    assert row.right_order == ("first", "second", "third", "fourth")
    assert row.learner_order == row.right_order


def test_another_learners_attempt_is_not_found(app):
    deck = load_sample_deck()
    attempt = quizzes.start_attempt(make_user(), deck)
    with pytest.raises(NotFound):
        quizzes.get_attempt(make_user(), attempt.id)


def test_a_deck_without_quiz_questions_cannot_be_started(app):
    deck = load_sample_deck(n=0)
    with pytest.raises(ServiceError, match="no quiz questions"):
        quizzes.start_attempt(make_user(), deck)
    assert db.session.execute(db.select(db.func.count(Attempt.id))).scalar_one() == 0


def test_answer_question_gives_the_shown_choices_and_says_when_it_was_the_last(app):
    deck = load_sample_deck(n=2)
    attempt = quizzes.start_attempt(make_user(), deck)
    shown = [c.id for c in quizzes.question_page(attempt, 2).choices]
    seen = []

    def read_answer(kind, choice_ids):
        seen.append((kind, choice_ids))
        return choice_ids[:1]

    assert quizzes.answer_question(attempt, 2, read_answer) is True
    assert seen == [("single", shown)]
    assert quizzes.answer_question(attempt, 1, read_answer) is False
    assert db.session.execute(db.select(db.func.count(Response.id))).scalar_one() == 2


def test_answer_question_turns_an_unreadable_answer_into_a_message_and_saves_nothing(app):
    from quiz.domain.grading import InvalidAnswer

    attempt = quizzes.start_attempt(make_user(), load_sample_deck(n=1))

    def unreadable(kind, choice_ids):
        raise InvalidAnswer("Give every entry a place in the order.")

    with pytest.raises(ServiceError, match="every entry a place") as caught:
        quizzes.answer_question(attempt, 1, unreadable)
    assert caught.value.field == "answer"
    with pytest.raises(NotFound):
        quizzes.answer_question(attempt, 2, unreadable)
    assert db.session.execute(db.select(db.func.count(Response.id))).scalar_one() == 0
