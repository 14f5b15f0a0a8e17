"""Learners report a problem with a question; the deck's author reads and resolves it."""

from __future__ import annotations

from dataclasses import replace

import pytest

from quiz.models import ReportReason
from quiz.services import NotFound, ServiceError, authoring, reports
from tests.factories import make_user
from tests.services.test_regrading import FIXED_KEY, OTHER, _published_set, _take


def test_a_learners_report_reaches_the_decks_author_without_their_name(app):
    _, deck, (capital, river) = _published_set(FIXED_KEY, OTHER)
    student = make_user()
    reports.report_question(student, capital.id, "wrong_key", "  It is Lyon, surely.  ")
    (report,) = reports.open_reports(deck)
    assert (report.item_id, report.prompt) == (capital.id, "Capital of France?")
    assert report.reason == "The answer marked right is wrong"
    assert report.comment == "It is Lyon, surely." and not report.retired
    assert not hasattr(report, "user_id")
    assert reports.open_report_counts([deck.id]) == {deck.id: 1}
    assert reports.report_target(student, capital.id).already_reported
    assert not reports.report_target(student, river.id).already_reported


def test_a_second_open_report_of_the_same_question_is_refused_until_it_is_resolved(app):
    _, deck, (capital,) = _published_set(FIXED_KEY)
    student = make_user()
    reports.report_question(student, capital.id, "typo", "")
    with pytest.raises(ServiceError, match="already reported"):
        reports.report_question(student, capital.id, "unclear", "")
    (report,) = reports.open_reports(deck)
    reports.resolve_report(deck, report.id)
    reports.resolve_report(deck, report.id)  # again: nothing changes
    assert reports.open_reports(deck) == []
    reports.report_question(student, capital.id, "unclear", "")
    assert len(reports.open_reports(deck)) == 1


def test_a_learner_reports_only_questions_they_could_see(app):
    teacher = make_user(role="teacher")
    draft = authoring.create_set(teacher, "Draft")
    hidden = authoring.save_item(draft, FIXED_KEY).item
    student = make_user()
    with pytest.raises(NotFound):
        reports.report_question(student, hidden.id, "typo", "")
    with pytest.raises(NotFound):
        reports.report_target(student, 10_000)
    # A question they answered stays reportable after its set is unpublished.
    _, deck, (capital,) = _published_set(FIXED_KEY)
    _take(student, deck, {capital.id: ["Paris"]})
    authoring.set_published(deck, False)
    reports.report_question(student, capital.id, "typo", "")
    with pytest.raises(NotFound):
        reports.report_question(make_user(), capital.id, "typo", "")


@pytest.mark.parametrize(
    ("reason", "comment", "message"),
    [
        ("nonsense", "", "Choose what is wrong"),
        (ReportReason.OTHER.value, "   ", "Say in a few words"),
        ("typo", "x" * 1001, "under 1000 characters"),
    ],
)
def test_a_report_that_says_too_little_or_too_much_is_refused(app, reason, comment, message):
    _, deck, (capital,) = _published_set(FIXED_KEY)
    with pytest.raises(ServiceError, match=message):
        reports.report_question(make_user(), capital.id, reason, comment)
    assert reports.open_reports(deck) == []


def test_a_report_about_another_set_cannot_be_resolved_through_this_one(app):
    teacher, deck, (capital,) = _published_set(FIXED_KEY)
    other = authoring.create_set(teacher, "Another")
    reports.report_question(make_user(), capital.id, "typo", "")
    (report,) = reports.open_reports(deck)
    with pytest.raises(NotFound):
        reports.resolve_report(other, report.id)
    assert len(reports.open_reports(deck)) == 1


def test_a_report_of_a_question_removed_since_says_so(app):
    _, deck, (capital, river) = _published_set(FIXED_KEY, OTHER)
    student = make_user()
    _take(student, deck, {capital.id: ["Paris"]})
    reports.report_question(student, capital.id, "typo", "")
    assert authoring.delete_item(deck, capital.id) == "retired"
    (report,) = reports.open_reports(deck)
    assert report.retired


def test_a_second_open_report_racing_the_first_is_refused_by_the_database(app):
    from quiz.extensions import db
    from quiz.models import QuestionReport

    _, deck, (capital,) = _published_set(FIXED_KEY)
    student = make_user()
    # As if another tab's report had been stored a moment ago.
    db.session.add(QuestionReport(item_id=capital.id, user_id=student.id, reason="typo"))
    db.session.commit()
    with pytest.raises(ServiceError, match="already reported"):
        reports.report_question(student, capital.id, "unclear", "")
    assert len(reports.open_reports(deck)) == 1


def test_nobody_reports_a_question_of_a_deleted_set(app):
    _, deck, (capital,) = _published_set(FIXED_KEY)
    student = make_user()
    _take(student, deck, {capital.id: ["Paris"]})
    authoring.delete_set(deck)
    with pytest.raises(NotFound):
        reports.report_target(student, capital.id)


def test_of_a_set_unpublished_since_a_learner_reports_only_what_they_answered(app):
    _, deck, (capital, river) = _published_set(FIXED_KEY, OTHER)
    student = make_user()
    _take(student, deck, {capital.id: ["Paris"]})  # river left unanswered
    authoring.set_published(deck, False)
    added = authoring.save_item(deck, replace(OTHER, key="new", prompt="Next week's test?"))
    assert reports.report_target(student, capital.id).prompt == "Capital of France?"
    # river, missed, came back as a flashcard they study: theirs to report too
    assert reports.report_target(student, river.id).prompt == "River of Paris?"
    with pytest.raises(NotFound):  # a question added to the draft is not theirs to read
        reports.report_target(student, added.item.id)
