"""Gradebook pages and order, and the cache behind the gradebook and the item analysis:
a cached result is used only while nothing it was computed from has changed."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import delete, update

from quiz.domain.gradebook import PageOutOfRange
from quiz.domain.items import ChoiceSpec
from quiz.extensions import db
from quiz.models import Attempt, Card, Response, User
from quiz.services import classes as cs
from quiz.services.decks import get_published_deck, load_builtin_decks
from quiz.services.quizzes import record_response, start_attempt, submit_attempt
from tests.factories import make_user, sample_deck
from tests.services.test_classes import NOW, _attempt, _setup


def _named_class(names, n_items=3):
    teacher, deck, klass, students = _setup(n_students=len(names), n_items=n_items)
    for student, name in zip(students, names, strict=True):
        student.display_name = name
    db.session.commit()
    assignment = cs.assign_deck(teacher, klass, deck.id, None)
    return teacher, deck, klass, assignment, students


def _names(book):
    return [row.student.name for row in book.rows]


def _take(user, deck, right: int):
    """Start a quiz, answer the first `right` questions right and the rest wrong."""
    attempt = start_attempt(user, deck)
    _answer(attempt, deck, right)
    return attempt


def _answer(attempt, deck, right: int):
    items = {item.id: item for item in deck.items}
    for number, item_id in enumerate(attempt.item_ids, start=1):
        choice = next(c for c in items[item_id].choices if c.correct == (number <= right))
        record_response(attempt, number, [choice.id])


# --- Pages and order -------------------------------------------------------------------


def test_pages_follow_the_order_of_the_whole_class(app):
    _, deck, klass, assignment, (a, b, c, d, e) = _named_class(["Ann", "Bea", "Cy", "Dee", "Eve"])
    _attempt(a, deck, 1, NOW)  # 1/3
    _attempt(b, deck, 3, NOW)  # 3/3
    _attempt(d, deck, 2, NOW)  # 2/3
    _attempt(e, deck, 0, NOW)  # 0/3; Cy has no grade
    pages = [cs.build_gradebook(klass, NOW, page=n, per_page=2) for n in (1, 2, 3)]
    assert [_names(p) for p in pages] == [["Ann", "Bea"], ["Cy", "Dee"], ["Eve"]]
    first, middle, last = (p.page for p in pages)
    assert (first.count, first.total, first.has_previous, first.has_next) == (3, 5, False, True)
    assert (middle.start, middle.stop, middle.has_previous, middle.has_next) == (2, 4, True, True)
    assert (last.has_previous, last.has_next) == (True, False)

    backwards = cs.build_gradebook(klass, NOW, descending=True, per_page=2)
    assert _names(backwards) == ["Eve", "Dee"]

    by_grade = [
        cs.build_gradebook(klass, NOW, sort=str(assignment.id), descending=True, page=n, per_page=2)
        for n in (1, 2, 3)
    ]
    assert [_names(p) for p in by_grade] == [["Bea", "Dee"], ["Ann", "Eve"], ["Cy"]]
    assert by_grade[1].sort == str(assignment.id) and by_grade[1].descending
    ascending = cs.build_gradebook(klass, NOW, sort=str(assignment.id), per_page=2, page=3)
    assert _names(ascending) == ["Cy"]  # no grade sorts last either way

    # The score summaries are over the whole class on every page.
    assert {p.summaries[0].stats.graded for p in pages + by_grade} == {4}


def test_students_with_the_same_name_have_a_fixed_place(app):
    *_, klass, _, students = _named_class(["Sam", "Sam", "Sam"])
    seen = [
        r.student.id
        for n in (1, 2)
        for r in cs.build_gradebook(klass, NOW, page=n, per_page=2).rows
    ]
    assert seen == sorted(s.id for s in students)


def test_an_unknown_sort_is_by_name(app):
    *_, klass, _, _ = _named_class(["Bea", "Ann"])
    for sort in ("99999", "grade", "", "²", "9" * 5000):
        book = cs.build_gradebook(klass, NOW, sort=sort)
        assert book.sort == "name" and _names(book) == ["Ann", "Bea"]


def test_a_page_that_does_not_exist_is_refused_with_the_number_of_pages(app):
    *_, klass, _, _ = _named_class(["Ann", "Bea", "Cy"])
    for number in (0, 3, 1000):
        with pytest.raises(PageOutOfRange) as refused:
            cs.build_gradebook(klass, NOW, page=number, per_page=2)
        assert refused.value.count == 2 and f"no page {number}" in str(refused.value)


def test_an_empty_class_has_one_empty_page(app):
    teacher, deck, klass, _ = _setup(n_students=0)
    cs.assign_deck(teacher, klass, deck.id, None)
    book = cs.build_gradebook(klass, NOW)
    assert book.rows == [] and book.page.count == 1 and book.summaries[0].stats.graded == 0


def test_the_csv_has_every_student_whatever_the_page_size(app, monkeypatch):
    monkeypatch.setattr(cs, "PER_PAGE", 2)
    names = ["Ann", "Bea", "Cy", "Dee", "Eve"]
    *_, klass, _, students = _named_class(names)
    rows = list(csv.reader(io.StringIO(cs.gradebook_csv(klass, NOW))))
    assert [r[0] for r in rows[1:]] == names
    assert [r[1] for r in rows[1:]] == [s.email for s in students]


# --- The cache ---------------------------------------------------------------------------


def test_an_unchanged_class_is_served_from_the_cache(app):
    _, deck, klass, _, (ann, _) = _named_class(["Ann", "Bea"])
    _attempt(ann, deck, 2, NOW)
    first = cs.build_gradebook(klass, NOW)
    again = cs.build_gradebook(klass, NOW)
    assert again.summaries[0].stats is first.summaries[0].stats
    assert cs.analyse_deck(deck, klass) is cs.analyse_deck(deck, klass)
    assert cs.analyse_deck(deck) is cs.analyse_deck(deck)
    assert cs.analyse_deck(deck, klass, "all") is not cs.analyse_deck(deck, klass, "first")


def test_a_new_submitted_attempt_shows_at_once(app):
    _, deck, klass, assignment, (ann, bea) = _named_class(["Ann", "Bea"])
    _attempt(ann, deck, 1, NOW - timedelta(days=1))
    assert cs.build_gradebook(klass, NOW).rows[0].cells[assignment.id].grade == pytest.approx(1 / 3)
    assert cs.analyse_deck(deck, klass, "all").test.n == 1
    assert cs.analyse_deck(deck, None, "all").test.n == 1

    _attempt(ann, deck, 3, NOW)
    _attempt(bea, deck, 2, NOW)
    book = cs.build_gradebook(klass, NOW)
    cell = book.rows[0].cells[assignment.id]
    assert (cell.attempts, cell.grade) == (2, pytest.approx(1.0))
    assert book.rows[1].cells[assignment.id].grade == pytest.approx(2 / 3)
    assert book.summaries[0].stats.graded == 2
    assert cs.analyse_deck(deck, klass, "all").test.n == 3
    assert cs.analyse_deck(deck, None, "all").test.n == 3


def test_an_attempt_that_was_open_counts_once_it_is_submitted(app):
    _, deck, klass, assignment, (ann, _) = _named_class(["Ann", "Bea"])
    _attempt(ann, deck, 1, NOW - timedelta(days=1))
    attempt = _take(ann, deck, 3)  # answered, not submitted: counts nowhere yet
    assert cs.build_gradebook(klass, NOW).rows[0].cells[assignment.id].attempts == 1
    assert cs.analyse_deck(deck, klass, "last").test.mean == pytest.approx(1 / 3)
    assert cs.analyse_deck(deck, None, "all").test.n == 1

    assert submit_attempt(attempt)
    cell = cs.build_gradebook(klass, NOW).rows[0].cells[assignment.id]
    assert (cell.attempts, cell.best) == (2, pytest.approx(1.0))
    assert cs.analyse_deck(deck, klass, "last").test.mean == pytest.approx(1.0)
    assert cs.analyse_deck(deck, None, "all").test.n == 2


def test_starting_or_answering_a_quiz_keeps_the_cached_results(app):
    _, deck, klass, _, (ann, bea) = _named_class(["Ann", "Bea"])
    _attempt(ann, deck, 2, NOW)
    book = cs.build_gradebook(klass, NOW)
    analysis = cs.analyse_deck(deck, klass)
    _take(bea, deck, 3)  # open: it counts nowhere until it is submitted
    assert cs.build_gradebook(klass, NOW).summaries[0].stats is book.summaries[0].stats
    assert cs.analyse_deck(deck, klass) is analysis


def test_a_submitted_attempt_written_outside_the_app_shows_at_once(app):
    # The results version is raised by the database (triggers on attempts), so an
    # attempt inserted or deleted by hand, a bulk load or a restore is seen too.
    _, deck, klass, assignment, (ann, _) = _named_class(["Ann", "Bea"])
    assert cs.build_gradebook(klass, NOW).rows[0].cells[assignment.id].attempts == 0
    assert cs.analyse_deck(deck, None, "all").test.n == 0
    attempt = _attempt(ann, deck, 3, NOW)  # a plain INSERT, not the quiz service
    assert cs.build_gradebook(klass, NOW).rows[0].cells[assignment.id].attempts == 1
    assert cs.analyse_deck(deck, None, "all").test.n == 1

    db.session.execute(delete(Response).where(Response.attempt_id == attempt.id))
    db.session.execute(delete(Attempt).where(Attempt.id == attempt.id))
    db.session.commit()
    assert cs.build_gradebook(klass, NOW).rows[0].cells[assignment.id].attempts == 0
    assert cs.analyse_deck(deck, None, "all").test.n == 0


def test_a_submission_at_another_deck_keeps_the_cached_results(app):
    _, deck, klass, _, (ann, _) = _named_class(["Ann", "Bea"])
    _attempt(ann, deck, 2, NOW)
    analysis = cs.analyse_deck(deck, klass)
    load_builtin_decks([sample_deck("other-capitals")])
    _attempt(ann, get_published_deck("other-capitals"), 1, NOW)
    assert cs.analyse_deck(deck, klass) is analysis


def test_a_removed_or_new_student_shows_at_once(app):
    _, deck, klass, _, (ann, bea) = _named_class(["Ann", "Bea"])
    _attempt(ann, deck, 3, NOW)
    _attempt(bea, deck, 0, NOW)
    assert cs.build_gradebook(klass, NOW).summaries[0].stats.graded == 2
    assert cs.analyse_deck(deck, klass).test.n == 2

    cs.remove_student(klass, ann.id)
    book = cs.build_gradebook(klass, NOW)
    assert _names(book) == ["Bea"] and book.summaries[0].stats.graded == 1
    assert cs.analyse_deck(deck, klass).test.n == 1
    assert cs.analyse_deck(deck, klass).items[0].facility == pytest.approx(0.0)

    cs.join_class(ann, klass.join_code)
    assert _names(cs.build_gradebook(klass, NOW)) == ["Ann", "Bea"]
    assert cs.analyse_deck(deck, klass).test.n == 2


def test_a_renamed_student_moves_at_once(app):
    *_, klass, _, (ann, _) = _named_class(["Ann", "Bea"])
    assert _names(cs.build_gradebook(klass, NOW)) == ["Ann", "Bea"]
    db.session.get(User, ann.id).display_name = "Zoe"
    db.session.commit()
    assert _names(cs.build_gradebook(klass, NOW)) == ["Bea", "Zoe"]


def test_a_new_email_shows_at_once(app):
    *_, klass, _, (ann, _) = _named_class(["Ann", "Bea"])
    assert cs.build_gradebook(klass, NOW).rows[0].student.email == ann.email
    db.session.get(User, ann.id).email = "ann.new@example.com"
    db.session.commit()
    assert cs.build_gradebook(klass, NOW).rows[0].student.email == "ann.new@example.com"


def test_a_student_joining_or_renamed_in_another_class_keeps_this_ones_cache(app):
    teacher, deck, klass, _, (ann, _) = _named_class(["Ann", "Bea"])
    _attempt(ann, deck, 2, NOW)
    book = cs.build_gradebook(klass, NOW)
    analysis = cs.analyse_deck(deck, klass)
    other = cs.create_class(teacher, "Year 11")
    outsider = make_user()
    cs.join_class(outsider, other.join_code)
    db.session.get(User, outsider.id).display_name = "Someone else"
    db.session.commit()
    assert cs.build_gradebook(klass, NOW).summaries[0].stats is book.summaries[0].stats
    assert cs.analyse_deck(deck, klass) is analysis


def test_a_new_grading_method_regrades_at_once(app):
    teacher, deck, klass, assignment, (ann, _) = _named_class(["Ann", "Bea"])
    _attempt(ann, deck, 3, NOW - timedelta(days=1))
    _attempt(ann, deck, 0, NOW)
    assert cs.build_gradebook(klass, NOW).rows[0].cells[assignment.id].grade == pytest.approx(1.0)
    cs.assign_deck(teacher, klass, deck.id, None, "latest")
    book = cs.build_gradebook(klass, NOW)
    assert book.rows[0].cells[assignment.id].grade == pytest.approx(0.0)
    assert book.summaries[0].stats.average == pytest.approx(0.0)


def test_an_edited_question_shows_in_the_analysis_at_once(app):
    _, deck, klass, _, (ann, _) = _named_class(["Ann", "Bea"])
    _attempt(ann, deck, 1, NOW)  # the first question right, with Paris
    first = cs.analyse_deck(deck, klass).items[0]
    assert first.prompt == "What is the capital of France?" and first.facility == 1.0

    spec = sample_deck()
    paris, lyon, *others = spec.items[0].choices
    # A new prompt, and Lyon (picked by nobody) the right answer in Paris's place.
    edited = replace(
        spec.items[0],
        prompt="Capital of France?",
        choices=(ChoiceSpec(paris.text, False), ChoiceSpec(lyon.text, True), *others),
    )
    load_builtin_decks([replace(spec, items=(edited, *spec.items[1:]))])
    item = cs.analyse_deck(deck, klass).items[0]
    assert item.prompt == "Capital of France?"
    assert [c.correct for c in item.choices][:2] == [False, True]

    load_builtin_decks([replace(spec, items=spec.items[1:])])  # the question retired
    assert [i.prompt for i in cs.analyse_deck(deck, klass).items][0] != "Capital of France?"


def _cards(user, deck, *due_in_days, stability=30.0):
    """A card of `user` for each of the deck's first items, due in so many days."""
    items = sorted(deck.items, key=lambda i: i.position)
    for days, item in zip(due_in_days, items, strict=False):
        db.session.add(
            Card(
                user_id=user.id,
                item_id=item.id,
                state=2,
                stability=stability,
                difficulty=5.0,
                due=NOW + timedelta(days=days),
                last_review=NOW - timedelta(days=10),
            )
        )
    db.session.commit()


def _cell(klass, assignment, now=NOW, row=0):
    return cs.build_gradebook(klass, now).rows[row].cells[assignment.id]


def test_cards_falling_due_are_counted_when_the_page_is_asked_for(app, count_queries):
    _, deck, klass, assignment, (ann, _) = _named_class(["Ann", "Bea"])
    _cards(ann, deck, 1, 3)
    assert _cell(klass, assignment).due_cards == 0
    with count_queries() as counter:
        later = _cell(klass, assignment, NOW + timedelta(days=2))
    assert later.due_cards == 1 and later.mastery == pytest.approx(2 / 3)
    # A card fell due since the counts were taken: Ann's cards are counted again.
    # assignments with the results check, the page's cards check, each student's, Ann's cards
    assert counter.count == 4
    with count_queries() as counter:
        again = _cell(klass, assignment, NOW + timedelta(days=2, hours=1))
    assert again.due_cards == 1
    assert counter.count == 2  # nothing fell due or changed: no card is read
    assert _cell(klass, assignment, NOW + timedelta(days=4)).due_cards == 2


def test_a_card_its_student_suspends_is_not_due_in_the_gradebook_at_once(app):
    from quiz.services import study

    _, deck, klass, assignment, (ann,) = _named_class(["Ann"])
    _cards(ann, deck, -1, -2, 5)
    assert _cell(klass, assignment).due_cards == 2
    first = sorted(deck.items, key=lambda i: i.position)[0]
    study.suspend_card(ann, first.id, NOW)
    later = _cell(klass, assignment, NOW + timedelta(minutes=1))
    assert later.due_cards == 1
    assert later.mastery == pytest.approx(3 / 3)  # what Ann knows still counts
    study.unsuspend_card(ann, first.id)
    assert _cell(klass, assignment, NOW + timedelta(minutes=2)).due_cards == 2


def test_an_unchanged_page_reads_no_cards_and_builds_no_cells(app, count_queries):
    _, deck, klass, assignment, (ann, bea) = _named_class(["Ann", "Bea"])
    _cards(ann, deck, 1)
    _cards(bea, deck, -1, 2)
    first = cs.build_gradebook(klass, NOW)
    with count_queries() as counter:
        again = cs.build_gradebook(klass, NOW + timedelta(hours=1))
    assert counter.count == 2  # assignments with the results check, the page's cards check
    assert [row.cells for row in again.rows] == [row.cells for row in first.rows]
    assert all(a.cells is b.cells for a, b in zip(again.rows, first.rows, strict=True))
    assert [row.cells[assignment.id].due_cards for row in again.rows] == [0, 1]


def test_a_review_shows_in_the_gradebook_at_once(app):
    from quiz.domain.scheduling import Rating
    from quiz.services import study

    _, deck, klass, assignment, (ann, _) = _named_class(["Ann", "Bea"])
    _cards(ann, deck, -1, 5)
    assert _cell(klass, assignment).due_cards == 1
    user = db.session.get(User, ann.id)
    due = study.next_card(user, deck, NOW)
    assert study.rate_card(user, due.item.id, Rating.GOOD, study.card_token(due.card), NOW)
    assert _cell(klass, assignment).due_cards == 0


def test_a_card_changed_outside_the_app_shows_at_once(app):
    # The cards version is raised by the database (triggers on cards), so a card
    # written by hand, a bulk load or a restore is seen too.
    _, deck, klass, assignment, (ann, _) = _named_class(["Ann", "Bea"])
    _cards(ann, deck, 5, 5, stability=2.0)
    assert _cell(klass, assignment).mastery == pytest.approx(0.0)
    db.session.execute(update(Card).where(Card.user_id == ann.id).values(stability=40.0))
    db.session.commit()
    assert _cell(klass, assignment).mastery == pytest.approx(2 / 3)
    db.session.execute(update(Card).where(Card.user_id == ann.id).values(due=NOW))
    db.session.commit()
    assert _cell(klass, assignment).due_cards == 2
    db.session.execute(delete(Card).where(Card.user_id == ann.id))
    db.session.commit()
    cell = _cell(klass, assignment)
    assert (cell.due_cards, cell.mastery) == (0, pytest.approx(0.0))


def test_another_students_review_keeps_the_counts_of_the_rest(app, count_queries):
    _, deck, klass, assignment, (ann, bea) = _named_class(["Ann", "Bea"])
    _cards(ann, deck, 1)
    _cards(bea, deck, 1)
    first = cs.build_gradebook(klass, NOW)
    db.session.execute(update(Card).where(Card.user_id == bea.id).values(due=NOW))
    db.session.commit()
    db.session.refresh(klass)  # expired by the commit
    with count_queries() as counter:
        book = cs.build_gradebook(klass, NOW)
    assert counter.count == 4  # ... then each student's cards check, and Bea's cards
    assert book.rows[0].cells is first.rows[0].cells
    assert book.rows[1].cells[assignment.id].due_cards == 1


def test_a_retired_or_restored_question_changes_the_counts_at_once(app):
    _, deck, klass, assignment, (ann, _) = _named_class(["Ann", "Bea"])
    _cards(ann, deck, -1, -1, -1, stability=40.0)
    cell = _cell(klass, assignment)
    assert (cell.due_cards, cell.mastery) == (3, pytest.approx(1.0))
    spec = sample_deck()
    load_builtin_decks([replace(spec, items=spec.items[1:])])  # the first question retired
    cell = _cell(klass, assignment)
    assert (cell.due_cards, cell.mastery) == (2, pytest.approx(1.0))  # 2 of the 2 left
    load_builtin_decks([spec])  # back again
    cell = _cell(klass, assignment)
    assert (cell.due_cards, cell.mastery) == (3, pytest.approx(1.0))


def test_a_set_its_students_can_no_longer_see_has_no_cards_due(app):
    _, deck, klass, assignment, (ann, _) = _named_class(["Ann", "Bea"])
    item = min(deck.items, key=lambda i: i.position)
    db.session.add(Card(user_id=ann.id, item_id=item.id, state=2, stability=30.0, due=NOW))
    db.session.commit()
    assert cs.build_gradebook(klass, NOW).rows[0].cells[assignment.id].due_cards == 1
    deck.status = "draft"  # unpublished: /study of it is a 404 for Ann
    db.session.commit()
    cell = cs.build_gradebook(klass, NOW).rows[0].cells[assignment.id]
    assert cell.due_cards == 0 and cell.mastery == pytest.approx(1 / 3)


def test_classes_and_decks_have_their_own_entries(app):
    teacher, deck, klass, assignment, (ann, bea) = _named_class(["Ann", "Bea"])
    other = cs.create_class(teacher, "Year 11")
    cs.join_class(bea, other.join_code)
    cs.assign_deck(teacher, other, deck.id, None)
    _attempt(ann, deck, 3, NOW)
    _attempt(bea, deck, 0, NOW)
    assert cs.analyse_deck(deck, klass).test.n == 2
    assert cs.analyse_deck(deck, other).test.n == 1
    assert _names(cs.build_gradebook(other, NOW)) == ["Bea"]
    load_builtin_decks([sample_deck("second", 2)])
    second = get_published_deck("second")
    cs.assign_deck(teacher, klass, second.id, None)
    assert len(cs.build_gradebook(klass, NOW).assignments) == 2


# --- ResultCache -------------------------------------------------------------------------


def _entry(value):
    return cs._CacheEntry(inputs=(), value=value)


def test_the_cache_drops_the_least_recently_used_entries_beyond_its_size():
    cache = cs.ResultCache(max_cells=10)
    cache.put("a", _entry("A"), 4)
    cache.put("b", _entry("B"), 4)
    assert cache.get("a").value == "A"  # now "b" is the least recently used
    cache.put("c", _entry("C"), 4)
    assert cache.get("b") is None and cache.get("a").value == "A" and cache.get("c").value == "C"
    cache.put("a", _entry("A2"), 2)  # replacing an entry frees its cells
    cache.put("d", _entry("D"), 4)
    assert [cache.get(k).value for k in ("a", "c", "d")] == ["A2", "C", "D"]


def test_the_cache_keeps_nothing_larger_than_itself():
    cache = cs.ResultCache(max_cells=10)
    cache.put("a", _entry("A"), 5)
    cache.put("huge", _entry("H"), 11)
    assert cache.get("huge") is None and cache.get("a").value == "A" and len(cache) == 1
    cache.clear()
    assert len(cache) == 0
