"""A practice quiz that checks each answer as it is given: the verdict and the
explanation at once, the first answer final, and never counted for an assignment."""

from __future__ import annotations

from datetime import UTC, datetime

from quiz.extensions import db
from quiz.models import Response, Role
from quiz.services import classes as cs
from quiz.services import quizzes
from quiz.services.decks import get_published_deck
from tests.conftest import csrf_from
from tests.factories import load_sample_deck, make_user
from tests.web.test_student_path import CHOICE_RE, right_choice_ids, shown_choice_ids, signup

NOW = datetime.now(UTC)


def _start_checking(client, n=3):
    load_sample_deck(n=n)
    signup(client)
    page = client.get("/decks/capitals").get_data(as_text=True)
    assert "Check each answer as I go" in page
    started = client.post(
        "/decks/capitals",
        data={"csrf_token": csrf_from(page), "length": "all", "check_answers": "y"},
    )
    return started.location


def _pick(location: str, right: bool) -> str:
    """The place on the page (1, 2, …) of a right or a wrong choice."""
    shown = shown_choice_ids(location)
    rights = set(right_choice_ids(shown))
    return str(next(n for n, cid in enumerate(shown, 1) if (cid in rights) == right))


def test_an_answer_is_checked_at_once_with_its_explanation(client, app):
    location = _start_checking(client)
    html = client.get(location).get_data(as_text=True)
    assert "Check my answer" in html
    response = client.post(
        location, data={"csrf_token": csrf_from(html), "choice": _pick(location, False)}
    )
    assert response.location == location  # the same question, now with its verdict
    checked = client.get(location).get_data(as_text=True)
    assert "✗</span> Wrong" in checked and "right answer" in checked
    assert "Next question" in checked and 'href="' + location[:-1] + '2"' in checked
    assert CHOICE_RE.search(checked) is None  # no form: the answer is final


def test_the_first_answer_stands_once_checked(client, app):
    location = _start_checking(client)
    html = client.get(location).get_data(as_text=True)
    token = csrf_from(html)
    client.post(location, data={"csrf_token": token, "choice": _pick(location, False)})
    again = client.post(location, data={"csrf_token": token, "choice": _pick(location, True)})
    assert again.location == location
    empty = client.post(location, data={"csrf_token": token})  # a stale tab, sent as is
    assert empty.location == location
    assert "that answer stands" in client.get(location).get_data(as_text=True)
    (response,) = db.session.execute(db.select(Response)).scalars()
    assert response.correct is False
    assert "✗</span> Wrong" in client.get(location).get_data(as_text=True)


def test_the_last_question_leads_to_the_review_and_the_result_says_it_was_practice(client, app):
    location = _start_checking(client, n=1)
    html = client.get(location).get_data(as_text=True)
    client.post(location, data={"csrf_token": csrf_from(html), "choice": _pick(location, True)})
    checked = client.get(location).get_data(as_text=True)
    assert "✓</span> Right" in checked and "Review and submit" in checked
    attempt_id = location.split("/")[-2]
    review = client.get(f"/attempts/{attempt_id}/review").get_data(as_text=True)
    client.post(f"/attempts/{attempt_id}/submit", data={"csrf_token": csrf_from(review)})
    result = client.get(f"/attempts/{attempt_id}/result").get_data(as_text=True)
    assert "this quiz was practice, and does not count for assignments" in result


def test_a_quiz_that_checks_its_answers_never_counts_for_an_assignment(app):
    load_sample_deck(n=3)
    deck = get_published_deck("capitals")
    teacher = make_user(role=Role.TEACHER)
    klass = cs.create_class(teacher, "Year 10")
    student = make_user()
    cs.join_class(student, klass.join_code)
    cs.assign_deck(teacher, klass, deck.id, None)  # any length counts
    attempt = quizzes.start_attempt(student, deck, checks_answers=True)
    for number, item_id in enumerate(attempt.item_ids, start=1):
        right = right_choice_ids(attempt.choice_order[str(item_id)])
        quizzes.record_response(attempt, number, right)
    quizzes.submit_attempt(attempt)
    book = cs.build_gradebook(klass, NOW, per_page=None)
    assert [cell.attempts for row in book.rows for cell in row.cells.values()] == [0]
    assert cs.students_who_took(klass, cs.assigned_decks(klass)) == {}
    (mine,) = cs.student_assignments(student, NOW)
    assert (mine.status, mine.best) == ("in progress", None)


def test_a_quiz_checked_at_the_end_shows_no_verdict_before_it_is_submitted(client, app):
    load_sample_deck(n=2)
    signup(client)
    page = client.get("/decks/capitals").get_data(as_text=True)
    location = client.post(
        "/decks/capitals", data={"csrf_token": csrf_from(page), "length": "all"}
    ).location
    html = client.get(location).get_data(as_text=True)
    moved = client.post(
        location, data={"csrf_token": csrf_from(html), "choice": _pick(location, False)}
    )
    assert moved.location.endswith("/2")
    back = client.get(location).get_data(as_text=True)
    assert "Wrong" not in back and "right answer" not in back
    assert CHOICE_RE.search(back) is not None


def test_a_checking_question_takes_three_queries_and_four_once_answered(client, app, count_queries):
    location = _start_checking(client)
    with count_queries() as counter:
        html = client.get(location).get_data(as_text=True)
    assert counter.count == 3, counter.statements  # the user, the attempt, the question
    client.post(location, data={"csrf_token": csrf_from(html), "choice": _pick(location, True)})
    with count_queries() as counter:
        client.get(location)
    assert counter.count == 4, counter.statements  # and the answer with its verdict


def test_item_analysis_leaves_out_quizzes_that_checked_their_answers(app):
    load_sample_deck(n=3)
    deck = get_published_deck("capitals")
    student = make_user()
    practice = quizzes.start_attempt(student, deck, checks_answers=True)
    for number, item_id in enumerate(practice.item_ids, start=1):
        wrong = [c for c in practice.choice_order[str(item_id)] if c not in right_choice_ids([c])]
        quizzes.record_response(practice, number, wrong[:1])
    quizzes.submit_attempt(practice)
    graded = quizzes.start_attempt(student, deck)
    for number, item_id in enumerate(graded.item_ids, start=1):
        quizzes.record_response(graded, number, right_choice_ids(graded.choice_order[str(item_id)]))
    quizzes.submit_attempt(graded)
    analysis = cs.analyse_deck(deck, which="first")
    assert analysis.test.n == 1
    assert analysis.test.mean == 1.0  # the graded quiz, not the earlier practice


def test_an_answer_to_a_question_the_quiz_has_not_is_404(client, app):
    location = _start_checking(client)
    html = client.get(location).get_data(as_text=True)
    for number in ("99", "0"):
        wrong = location.rsplit("/", 1)[0] + "/" + number
        response = client.post(wrong, data={"csrf_token": csrf_from(html), "choice": "1"})
        assert response.status_code == 404
