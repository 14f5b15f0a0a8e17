"""A corrected answer key marks learners' earlier answers again: in the teacher's editor,
in an import and in a load of the built-in decks; scores, gradebooks and flashcards
follow, and an answer given to another form of the question keeps its mark."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import select

from quiz.bank.formats import parse_upload
from quiz.domain.items import ChoiceSpec, ItemKind, ItemSpec
from quiz.extensions import db
from quiz.models import Attempt, Card, Item, Response
from quiz.services import authoring, quizzes
from quiz.services import classes as cs
from quiz.services.decks import get_published_deck, load_builtin_decks
from tests.factories import make_user, ordering, sample_deck
from tests.services.test_classes import NOW

WRONG_KEY = ItemSpec(
    "capital",
    ItemKind.SINGLE,
    "Capital of France?",
    (ChoiceSpec("Lyon", True), ChoiceSpec("Paris"), ChoiceSpec("Nice")),
)
FIXED_KEY = replace(
    WRONG_KEY, choices=(ChoiceSpec("Lyon"), ChoiceSpec("Paris", True), ChoiceSpec("Nice"))
)
OTHER = ItemSpec(
    "river", ItemKind.SINGLE, "River of Paris?", (ChoiceSpec("Seine", True), ChoiceSpec("Rhine"))
)


def _published_set(*specs):
    teacher = make_user(role="teacher")
    deck = authoring.create_set(teacher, "France")
    items = [authoring.save_item(deck, spec).item for spec in specs]
    authoring.set_published(deck, True)
    return teacher, deck, items


def _choice(item, text) -> int:
    return next(c.id for c in item.choices if c.text == text)


def _take(student, deck, answers: dict[int, list[str]], submit=True) -> Attempt:
    """A quiz over the whole deck, answering item id -> choice texts."""
    attempt = quizzes.start_attempt(student, deck)
    items = {item.id: item for item in deck.items}
    for number, item_id in enumerate(attempt.item_ids, start=1):
        if item_id in answers:
            chosen = [_choice(items[item_id], text) for text in answers[item_id]]
            quizzes.record_response(attempt, number, chosen)
    if submit:
        quizzes.submit_attempt(attempt)
    return attempt


def _row(attempt, item_id):
    db.session.expire_all()
    attempt = db.session.get(Attempt, attempt.id)
    (row,) = [r for r in quizzes.attempt_result(attempt) if r.prompt == _prompt(item_id)]
    return row


def _prompt(item_id):
    return db.session.get(Item, item_id).prompt


def _imported_gift(gift: bytes):
    """A teacher's published set of one question, imported from GIFT."""
    teacher = make_user(role="teacher")
    deck = authoring.import_items(teacher, parse_upload(gift, "q.gift", "gift")).deck
    authoring.set_published(deck, True)
    (item,) = deck.items
    return teacher, deck, item


def _import_again(teacher, deck, gift: bytes):
    return authoring.import_items(teacher, parse_upload(gift, "q.gift", "gift"), deck)


def _score(attempt) -> int:
    db.session.expire_all()
    return db.session.get(Attempt, attempt.id).correct_count


def _edit(deck, item, spec):
    """Save `spec` over `item` as the editor does: each row names the choice it showed."""
    return authoring.save_item(deck, spec, item.id, authoring.choice_ids(item))


def test_correcting_the_key_marks_earlier_answers_again_and_scores_follow(app):
    _, deck, (capital, river) = _published_set(WRONG_KEY, OTHER)
    lucky, unlucky = make_user(), make_user()
    a = _take(lucky, deck, {capital.id: ["Lyon"], river.id: ["Seine"]})
    b = _take(unlucky, deck, {capital.id: ["Paris"], river.id: ["Seine"]})
    assert (_score(a), _score(b)) == (2, 1)

    report = _edit(deck, capital, FIXED_KEY).regraded

    assert (report.now_right, report.now_wrong, report.quizzes, report.kept) == (1, 1, 2, 0)
    assert (_score(a), _score(b)) == (1, 2)
    right_now, wrong_now = _row(b, capital.id), _row(a, capital.id)
    assert right_now.correct and right_now.regraded_at is not None
    assert not wrong_now.correct and wrong_now.regraded_at is not None
    # The other question's answers were not touched.
    assert _row(a, river.id).regraded_at is None
    assert report.summary() == (
        "The new answer key changed the mark of 2 earlier answers: 1 now right, 1 now wrong; "
        "2 quiz scores recalculated."
    )


def test_an_answer_marked_wrong_again_comes_back_as_a_flashcard(app):
    _, deck, (capital, river) = _published_set(WRONG_KEY, OTHER)
    student = make_user()
    _take(student, deck, {capital.id: ["Lyon"], river.id: ["Seine"]})
    cards = select(Card.item_id).where(Card.user_id == student.id)
    assert list(db.session.execute(cards).scalars()) == []

    _edit(deck, capital, FIXED_KEY)

    assert list(db.session.execute(cards).scalars()) == [capital.id]


def test_a_typo_fixed_in_a_choice_keeps_it_the_learners_pick_and_their_mark(app):
    _, deck, (capital,) = _published_set(FIXED_KEY)
    attempt = _take(make_user(), deck, {capital.id: ["Paris"]})
    typo = replace(
        FIXED_KEY, choices=(ChoiceSpec("Lyon"), ChoiceSpec("Paris.", True), ChoiceSpec("Nice"))
    )
    report = _edit(deck, capital, typo).regraded
    assert report.answers == 0 and report.summary() == ""  # the key is the same choice
    row = _row(attempt, capital.id)
    assert [c.text for c in row.choices if c.chosen] == ["Paris."]
    assert row.correct and row.regraded_at is None and not row.picked_a_removed_choice


def test_a_row_edited_and_ticked_differently_is_a_new_choice(app):
    _, deck, (capital,) = _published_set(WRONG_KEY)
    attempt = _take(make_user(), deck, {capital.id: ["Nice"]})
    # "Nice" becomes "Nice." and right: no longer a typo fixed, but another answer.
    edited = replace(
        WRONG_KEY, choices=(ChoiceSpec("Lyon"), ChoiceSpec("Paris"), ChoiceSpec("Nice.", True))
    )
    report = _edit(deck, capital, edited).regraded
    assert (report.changed, report.kept) == (0, 1)
    assert _row(attempt, capital.id).picked_a_removed_choice


def test_a_choice_written_over_with_another_answer_is_a_new_choice(app):
    _, deck, (capital,) = _published_set(WRONG_KEY)
    attempt = _take(make_user(), deck, {capital.id: ["Lyon"]})
    # Row 1 ("Lyon") now says "Paris", and is the right one: not the choice they picked.
    rewritten = replace(
        WRONG_KEY, choices=(ChoiceSpec("Paris", True), ChoiceSpec("Marseille"), ChoiceSpec("Nice"))
    )
    report = _edit(deck, capital, rewritten).regraded
    # "Lyon" is gone: the answer was to another question, and keeps its mark.
    assert (report.changed, report.kept, report.questions) == (0, 1, 1)
    assert report.summary() == "1 answer given when the question had other choices keeps its mark."
    row = _row(attempt, capital.id)
    assert row.correct and row.picked_a_removed_choice
    assert not any(c.chosen for c in row.choices)
    assert {c.text for c in row.choices} == {"Paris", "Marseille", "Nice"}


def test_an_answer_given_before_a_choice_was_added_keeps_its_mark(app):
    _, deck, (capital,) = _published_set(WRONG_KEY)
    attempt = _take(make_user(), deck, {capital.id: ["Lyon"]})
    added = replace(FIXED_KEY, choices=(*FIXED_KEY.choices, ChoiceSpec("Lille")))
    report = _edit(deck, capital, added).regraded
    assert (report.changed, report.kept) == (0, 1)
    row = _row(attempt, capital.id)
    assert row.correct and row.regraded_at is None
    # Its result shows the choice added since, after the ones the learner saw, and why
    # the mark is not the current key's.
    assert [c.text for c in row.choices][-1] == "Lille"
    assert row.kept_an_earlier_mark and not row.picked_a_removed_choice


def test_an_answer_given_after_a_choice_was_added_is_marked_again(app):
    _, deck, (capital,) = _published_set(WRONG_KEY)
    student = make_user()
    attempt = quizzes.start_attempt(student, deck)
    _edit(deck, capital, replace(WRONG_KEY, choices=(*WRONG_KEY.choices, ChoiceSpec("Lille"))))
    capital = db.session.get(Item, capital.id)
    # The learner sees four choices and picks Paris: wrong, by the key of the moment.
    quizzes.record_response(attempt, 1, [_choice(capital, "Paris")])
    quizzes.submit_attempt(quizzes.get_attempt(student, attempt.id))
    assert _score(attempt) == 0
    # What it was given to is kept with the answer; the quiz's draw stays as it was.
    response = db.session.execute(select(Response)).scalar_one()
    assert response.shown and len(response.shown) == 4
    assert len(db.session.get(Attempt, attempt.id).choice_order[str(capital.id)]) == 3
    fixed = replace(FIXED_KEY, choices=(*FIXED_KEY.choices, ChoiceSpec("Lille")))
    report = _edit(deck, capital, fixed).regraded
    assert (report.now_right, report.kept) == (1, 0)
    assert _score(attempt) == 1


def test_each_correction_raises_the_keys_version(app):
    _, deck, (capital,) = _published_set(WRONG_KEY)
    _edit(deck, capital, FIXED_KEY)
    _edit(deck, db.session.get(Item, capital.id), WRONG_KEY)
    db.session.expire_all()
    assert db.session.get(Item, capital.id).key_version == 2


def test_removing_a_choice_nobody_picked_still_marks_the_answer_again(app):
    _, deck, (capital,) = _published_set(WRONG_KEY)
    attempt = _take(make_user(), deck, {capital.id: ["Paris"]})
    # "Lyon" goes, and the key moves to "Paris", in one save.
    fewer = replace(WRONG_KEY, choices=(ChoiceSpec("Paris", True), ChoiceSpec("Nice")))
    report = _edit(deck, capital, fewer).regraded
    assert (report.now_right, report.kept) == (1, 0)
    row = _row(attempt, capital.id)
    assert row.correct and not row.kept_an_earlier_mark


def test_a_year_changed_in_a_choice_makes_it_another_choice(app):
    wrong_year = ItemSpec(
        "independence",
        ItemKind.SINGLE,
        "When did Ukraine declare independence?",
        (ChoiceSpec("1994", True), ChoiceSpec("2004")),
    )
    _, deck, (item,) = _published_set(wrong_year)
    attempt = _take(make_user(), deck, {item.id: ["1994"]})
    fixed = replace(wrong_year, choices=(ChoiceSpec("1991", True), ChoiceSpec("2004")))
    report = _edit(deck, item, fixed).regraded
    assert report.kept == 1  # they picked 1994, which is no longer a choice
    row = _row(attempt, item.id)
    assert row.picked_a_removed_choice and not any(c.chosen for c in row.choices)


def test_a_new_answer_after_a_re_marking_is_marked_as_given(app):
    _, deck, (capital,) = _published_set(WRONG_KEY)
    student = make_user()
    attempt = _take(student, deck, {capital.id: ["Paris"]}, submit=False)
    _edit(deck, capital, FIXED_KEY)
    quizzes.record_response(attempt, 1, [_choice(capital, "Nice")])
    quizzes.submit_attempt(quizzes.get_attempt(student, attempt.id))
    row = _row(attempt, capital.id)
    assert not row.correct and row.regraded_at is None


def test_an_answer_graded_just_before_a_correction_is_graded_again(app):
    """The correction lands between the grading of an answer and its storing."""
    teacher, deck, (capital,) = _published_set(WRONG_KEY)
    student = make_user()
    attempt = quizzes.start_attempt(student, deck)
    paris = _choice(capital, "Paris")
    corrections = []

    def answer(_kind, _choice_ids):
        if not corrections:  # the teacher saves, once, as the learner's answer is graded
            corrections.append(_edit(deck, db.session.get(Item, capital.id), FIXED_KEY))
        return [paris]

    quizzes.answer_question(attempt, 1, answer)
    assert corrections[0].regraded.answers == 0  # it was not stored yet
    quizzes.submit_attempt(quizzes.get_attempt(student, attempt.id))
    assert _score(attempt) == 1 and _row(attempt, capital.id).correct


def test_a_practice_quiz_is_marked_again_and_keeps_checking_its_first_answer(app):
    _, deck, (capital,) = _published_set(WRONG_KEY)
    student = make_user()
    attempt = quizzes.start_attempt(student, deck, checks_answers=True)
    quizzes.record_response(attempt, 1, [_choice(capital, "Paris")])
    assert quizzes.checked_answer(quizzes.get_attempt(student, attempt.id), 1).correct is False
    report = _edit(deck, capital, FIXED_KEY).regraded
    assert report.now_right == 1
    row = quizzes.checked_answer(quizzes.get_attempt(student, attempt.id), 1)
    assert row.correct and row.regraded_at is not None


def test_multiple_answer_and_true_false_questions_are_marked_again(app):
    several = ItemSpec(
        "rivers",
        ItemKind.MULTIPLE,
        "Which rivers flow through France?",
        (ChoiceSpec("Seine", True), ChoiceSpec("Loire"), ChoiceSpec("Danube")),
    )
    statement = ItemSpec(
        "true-false",
        ItemKind.TRUE_FALSE,
        "Paris is the capital of France.",
        (ChoiceSpec("True"), ChoiceSpec("False", True)),
    )
    _, deck, (rivers, truth) = _published_set(several, statement)
    attempt = _take(make_user(), deck, {rivers.id: ["Seine", "Loire"], truth.id: ["True"]})
    assert _score(attempt) == 0
    fixed_several = replace(
        several, choices=(ChoiceSpec("Seine", True), ChoiceSpec("Loire", True), several.choices[2])
    )
    fixed_statement = replace(statement, choices=(ChoiceSpec("True", True), ChoiceSpec("False")))
    _edit(deck, rivers, fixed_several)
    _edit(deck, truth, fixed_statement)
    assert _score(attempt) == 2


def test_an_open_quizs_answer_marked_wrong_again_waits_for_its_submission_to_be_queued(app):
    _, deck, (capital,) = _published_set(WRONG_KEY)
    student = make_user()
    attempt = _take(student, deck, {capital.id: ["Lyon"]}, submit=False)
    report = _edit(deck, capital, FIXED_KEY).regraded
    assert report.now_wrong == 1
    cards = select(Card.item_id).where(Card.user_id == student.id)
    assert list(db.session.execute(cards).scalars()) == []
    quizzes.submit_attempt(quizzes.get_attempt(student, attempt.id))
    assert list(db.session.execute(cards).scalars()) == [capital.id]


def test_a_correction_that_changes_no_mark_says_so(app):
    _, deck, (capital,) = _published_set(WRONG_KEY)
    _take(make_user(), deck, {capital.id: ["Nice"]})
    report = _edit(deck, capital, FIXED_KEY).regraded
    assert report.summary() == "The answer key changed, but no earlier answer changed its mark."


def test_the_item_analysis_follows_a_corrected_key(app):
    _, deck, (capital, river) = _published_set(WRONG_KEY, OTHER)
    for city in ("Paris", "Paris", "Lyon"):
        _take(make_user(), deck, {capital.id: [city], river.id: ["Seine"]})

    def facility():
        (stats,) = [s for s in cs.analyse_deck(deck, None, "all").items if s.item_id == capital.id]
        return stats.facility

    assert facility() == pytest.approx(1 / 3)
    _edit(deck, capital, FIXED_KEY)
    assert facility() == pytest.approx(2 / 3)


def test_a_corrected_order_marks_ordering_answers_again(app):
    wrong = ordering("reigns", "Put in order", "Second", "First", "Third")
    _, deck, (item,) = _published_set(wrong)
    attempt = _take(make_user(), deck, {item.id: ["Second", "First", "Third"]})
    assert _score(attempt) == 1
    fixed = ordering("reigns", "Put in order", "First", "Second", "Third")
    report = _edit(deck, item, fixed).regraded
    assert (report.now_wrong, report.quizzes) == (1, 1)
    assert _score(attempt) == 0
    assert _row(attempt, item.id).learner_order == ("Second", "First", "Third")


def test_an_open_quiz_is_marked_again_and_its_score_follows_on_submitting(app):
    _, deck, (capital,) = _published_set(WRONG_KEY)
    student = make_user()
    attempt = _take(student, deck, {capital.id: ["Paris"]}, submit=False)
    report = _edit(deck, capital, FIXED_KEY).regraded
    assert (report.now_right, report.quizzes) == (1, 0)  # no score yet to work out
    quizzes.submit_attempt(quizzes.get_attempt(student, attempt.id))
    assert _score(attempt) == 1


def test_a_question_page_shows_a_choice_added_after_the_quiz_began(app):
    short = ordering("reigns", "Put in order", "First", "Second", "Third")
    _, deck, (item,) = _published_set(short)
    student = make_user()
    attempt = quizzes.start_attempt(student, deck)
    _edit(deck, item, ordering("reigns", "Put in order", "First", "Second", "Third", "Fourth"))
    page = quizzes.question_page(quizzes.get_attempt(student, attempt.id), 1)
    assert [c.text for c in page.choices][-1] == "Fourth"
    # and the question can be answered whole, with every entry it has now
    item = db.session.get(Item, item.id)
    in_order = [_choice(item, t) for t in ("First", "Second", "Third", "Fourth")]
    quizzes.record_response(attempt, 1, in_order)
    quizzes.submit_attempt(quizzes.get_attempt(student, attempt.id))
    assert _score(attempt) == 1


def test_the_gradebook_follows_a_corrected_key_at_once(app):
    teacher, deck, (capital, river) = _published_set(WRONG_KEY, OTHER)
    klass = cs.create_class(teacher, "Year 10")
    student = make_user()
    cs.join_class(student, klass.join_code)
    assignment = cs.assign_deck(teacher, klass, deck.id, None)
    _take(student, deck, {capital.id: ["Lyon"], river.id: ["Seine"]})
    assert cs.build_gradebook(klass, NOW).rows[0].cells[assignment.id].grade == pytest.approx(1)

    _edit(deck, capital, FIXED_KEY)

    grade = cs.build_gradebook(klass, NOW).rows[0].cells[assignment.id].grade
    assert grade == pytest.approx(0.5)


def test_moving_a_choice_or_rewording_the_prompt_marks_nothing_again(app):
    _, deck, (capital,) = _published_set(FIXED_KEY)
    _take(make_user(), deck, {capital.id: ["Paris"]})
    moved = replace(
        FIXED_KEY,
        prompt="Which city is the capital of France?",
        choices=(ChoiceSpec("Paris", True), ChoiceSpec("Nice"), ChoiceSpec("Lyon")),
    )
    report = _edit(deck, capital, moved).regraded
    assert report.answers == 0 and report.summary() == ""


def test_an_import_that_corrects_a_key_marks_answers_again(app):
    teacher, deck, item = _imported_gift(b"::capital:: Capital of France? {=Lyon ~Paris ~Nice}\n")
    attempt = _take(make_user(), deck, {item.id: ["Paris"]})
    fixed = b"::capital:: Capital of France? {~Lyon =Paris ~Nice}\n"
    report = _import_again(teacher, deck, fixed)
    assert (report.updated, report.regraded.now_right) == (1, 1)
    assert _score(attempt) == 1


def test_an_import_that_fixes_a_typo_in_a_choice_keeps_it_the_learners_pick(app):
    teacher, deck, item = _imported_gift(
        b"::capital:: Capital of France? {~Marsielle =Paris ~Nice}\n"
    )
    picked = _choice(item, "Marsielle")
    attempt = _take(make_user(), deck, {item.id: ["Marsielle"]})
    # The same file again, the typo fixed and one more choice: the fixed choice is the
    # one the learner picked (the same id); the new one is new.
    fixed = b"::capital:: Capital of France? {~Marseille =Paris ~Nice ~Lille}\n"
    report = _import_again(teacher, deck, fixed)
    assert report.updated == 1 and report.regraded.summary() == ""
    assert _choice(item, "Marseille") == picked
    row = _row(attempt, item.id)
    assert [c.text for c in row.choices if c.chosen] == ["Marseille"]
    assert not row.correct and not row.picked_a_removed_choice


def test_an_import_that_puts_another_answer_in_a_choices_place_makes_a_new_choice(app):
    teacher, deck, item = _imported_gift(
        b"::year:: Ukraine declared independence in {=1991 ~1994 ~1989}\n"
    )
    attempt = _take(make_user(), deck, {item.id: ["1994"]})
    other = b"::year:: Ukraine declared independence in {=1991 ~1996 ~1989}\n"
    _import_again(teacher, deck, other)
    row = _row(attempt, item.id)
    assert row.picked_a_removed_choice and not any(c.chosen for c in row.choices)


def test_loading_a_built_in_deck_with_a_typo_fixed_in_a_choice_keeps_the_learners_pick(app):
    spec = sample_deck(n=1)
    load_builtin_decks([spec])
    (item,) = get_published_deck("capitals").items
    wrong = next(c for c in item.choices if not c.correct)
    picked, text = wrong.id, wrong.text
    attempt = _take(make_user(), get_published_deck("capitals"), {item.id: [text]})
    (item_spec,) = spec.items
    fixed = text + "."  # punctuation only
    choices = tuple(replace(c, text=fixed) if c.text == text else c for c in item_spec.choices)
    load_builtin_decks([replace(spec, items=(replace(item_spec, choices=choices),))])
    db.session.expire_all()
    assert _choice(db.session.get(Item, item.id), fixed) == picked
    row = _row(attempt, item.id)
    assert [c.text for c in row.choices if c.chosen] == [fixed]


def test_loading_a_built_in_deck_with_a_corrected_key_marks_answers_again(app):
    spec = sample_deck(n=2)
    load_builtin_decks([spec])
    deck = get_published_deck("capitals")
    first = min(deck.items, key=lambda i: i.position)
    right = next(c.text for c in first.choices if c.correct)
    attempt = _take(make_user(), deck, {first.id: [right]})
    wrong = next(c.text for c in first.choices if not c.correct)
    item_spec = spec.items[0]
    corrected = replace(
        item_spec,
        choices=tuple(ChoiceSpec(c.text, c.text == wrong) for c in item_spec.choices),
    )
    report = load_builtin_decks([replace(spec, items=(corrected, *spec.items[1:]))])
    assert (report.regraded.now_wrong, report.regraded.quizzes) == (1, 1)
    assert _score(attempt) == 0


def test_a_row_naming_another_questions_choice_is_a_new_choice(app):
    _, deck, (capital, river) = _published_set(FIXED_KEY, OTHER)
    _take(make_user(), deck, {river.id: ["Seine"]})
    seine = _choice(river, "Seine")
    # A tampered editor row claims the other question's choice, with a text close to
    # it: it is not taken over.
    tampered = replace(FIXED_KEY, choices=(ChoiceSpec("Seine."), *FIXED_KEY.choices))
    authoring.save_item(deck, tampered, capital.id, [seine, None, None, None])
    assert db.session.get(Item, river.id).choices[0].text == "Seine"
    assert seine not in authoring.choice_ids(db.session.get(Item, capital.id))
    responses = db.session.execute(select(Response.correct)).scalars().all()
    assert responses == [True]


@pytest.mark.parametrize("questions", [2, 8])
def test_marking_again_takes_a_fixed_number_of_statements(app, count_queries, questions):
    from quiz.services.regrading import keys_before, regrade_changed

    specs = [replace(WRONG_KEY, key=f"q{n}", prompt=f"Question {n}?") for n in range(questions)]
    _, deck, items = _published_set(*specs)
    for _ in range(3):
        _take(make_user(), deck, {item.id: ["Lyon"] for item in items})
    db.session.expire_all()
    items = db.session.execute(select(Item).where(Item.deck_id == deck.id)).scalars().all()
    before = keys_before(items)
    for item in items:  # every key corrected, as an import would
        for choice in item.choices:
            choice.correct = choice.text == "Paris"
    db.session.flush()
    with count_queries() as counter:
        report = regrade_changed(db.session, items, before)
    db.session.commit()
    assert report.now_wrong == 3 * questions
    # the keys' versions raised, the answers read, marked again, their cards looked for and
    # queued (in a savepoint), the scores set anew: the same for 2 questions as for 8
    assert counter.count == 8, counter.statements
