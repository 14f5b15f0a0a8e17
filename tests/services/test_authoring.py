"""Teachers' sets: authoring rules, deletion that keeps learners' scores, imports."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from sqlalchemy.exc import IntegrityError

from quiz.bank.formats import ImportResult, parse_upload
from quiz.domain.items import ChoiceSpec, ItemKind, ItemSpec
from quiz.extensions import db
from quiz.models import Attempt, Deck, Item
from quiz.services import NotFound, ServiceError, authoring, quizzes
from quiz.services.decks import list_published_decks
from tests.factories import make_user

GIFT = b"""// A small Moodle quiz
::capital-fr:: What is the capital of France? {=Paris ~Lyon ~Nice}

::kyiv-true:: Kyiv is the capital of Ukraine. {T}
"""


def _teacher(email=None):
    return make_user(role="teacher", email=email)


def _single(key="q1", right="Paris", *wrong):
    wrong = wrong or ("Lyon", "Nice")
    return ItemSpec(
        key,
        ItemKind.SINGLE,
        "Capital of France?",
        (ChoiceSpec(right, True), *map(ChoiceSpec, wrong)),
    )


def test_a_new_set_is_a_draft_owned_by_its_teacher_with_a_unique_slug(app):
    teacher = _teacher()
    first = authoring.create_set(teacher, "History of Europe")
    second = authoring.create_set(teacher, "History of Europe")
    assert (first.slug, second.slug) == ("history-of-europe", "history-of-europe-2")
    assert first.status == "draft" and first.owner_id == teacher.id
    assert list_published_decks() == []


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (_single("q", "Paris", "Paris"), "appears twice"),
        (ItemSpec("q", ItemKind.SINGLE, "Q?", (ChoiceSpec("a"), ChoiceSpec("b"))), "exactly one"),
        (ItemSpec("q", ItemKind.SINGLE, "Q?", (ChoiceSpec("a", True),)), "Needs 2 to 8 choices"),
        (
            ItemSpec("q", ItemKind.MULTIPLE, "Q?", (ChoiceSpec("a"), ChoiceSpec("b"))),
            "at least one",
        ),
        (ItemSpec("q", ItemKind.SINGLE, " ", (ChoiceSpec("a", True), ChoiceSpec("b"))), "empty"),
        (ItemSpec("q", ItemKind.FLASHCARD, "Front", back=""), "back of the flashcard"),
    ],
)
def test_an_invalid_item_is_refused_and_nothing_is_saved(app, spec, message):
    deck = authoring.create_set(_teacher(), "Set")
    with pytest.raises(ServiceError, match=message):
        authoring.save_item(deck, spec)
    assert db.session.execute(db.select(db.func.count(Item.id))).scalar_one() == 0


def test_items_can_be_edited_in_place_and_reordered(app):
    deck = authoring.create_set(_teacher(), "Set")
    a = authoring.save_item(deck, _single("a")).item
    b = authoring.save_item(deck, _single("b")).item
    authoring.move_item(deck, b.id, -1)
    assert [i.key for i in sorted(authoring.live_items(deck), key=lambda i: i.position)] == [
        "b",
        "a",
    ]
    edited = ItemSpec("a", ItemKind.SINGLE, "Which city is the capital?", a_choices(a))
    authoring.save_item(deck, edited, a.id)
    assert db.session.get(Item, a.id).prompt == "Which city is the capital?"


def a_choices(item):
    return tuple(ChoiceSpec(c.text, c.correct) for c in item.choices)


def test_publishing_needs_a_question_and_makes_the_set_visible_to_students(app):
    deck = authoring.create_set(_teacher(), "Set")
    with pytest.raises(ServiceError, match="at least one question"):
        authoring.set_published(deck, True)
    authoring.save_item(deck, _single())
    authoring.set_published(deck, True)
    assert [s.deck.slug for s in list_published_decks()] == ["set"]
    authoring.set_published(deck, False)
    assert list_published_decks() == []


def test_another_teacher_cannot_reach_a_set_but_an_admin_can(app):
    owner = _teacher()
    deck = authoring.create_set(owner, "Mine")
    with pytest.raises(NotFound):
        authoring.get_set(_teacher(), deck.id)
    admin = make_user(role="admin")
    assert authoring.get_set(admin, deck.id).id == deck.id
    assert [s.deck.id for s in authoring.teacher_sets(admin)] == [deck.id]
    assert authoring.teacher_sets(_teacher()) == []


def _used_set():
    deck = authoring.create_set(_teacher(), "Used")
    authoring.save_item(deck, _single())
    authoring.set_published(deck, True)
    student = make_user()
    attempt = quizzes.start_attempt(student, deck)
    quizzes.record_response(attempt, 1, [quizzes.question_page(attempt, 1).choices[0].id])
    quizzes.submit_attempt(attempt)
    return deck, student, attempt


def test_deleting_a_used_set_hides_it_but_keeps_the_scores_readable(app):
    deck, student, attempt = _used_set()
    assert authoring.set_usage(deck).learners == 1
    assert authoring.delete_set(deck) == "archived"
    assert list_published_decks() == []
    assert authoring.teacher_sets(db.session.get(type(student), deck.owner_id)) == []
    kept = quizzes.get_attempt(student, attempt.id)
    rows = quizzes.attempt_result(kept)
    assert rows[0].prompt == "Capital of France?"


def test_deleting_an_unused_set_removes_it(app):
    deck = authoring.create_set(_teacher(), "Unused")
    authoring.save_item(deck, _single())
    assert authoring.delete_set(deck) == "deleted"
    assert db.session.execute(db.select(db.func.count(Deck.id))).scalar_one() == 0
    assert db.session.execute(db.select(db.func.count(Item.id))).scalar_one() == 0


def test_deleting_an_assigned_set_nobody_used_takes_its_assignments_with_it(app):
    from quiz.models import Assignment
    from quiz.services import classes

    teacher = _teacher()
    deck = authoring.create_set(teacher, "Assigned")
    authoring.save_item(deck, _single())
    authoring.set_published(deck, True)
    for name in ("Year 9", "Year 10"):
        classes.assign_deck(teacher, classes.create_class(teacher, name), deck.id, None)
    assert authoring.set_usage(deck).classes == ["Year 10", "Year 9"]
    assert authoring.delete_set(deck) == "deleted"
    assert db.session.execute(db.select(db.func.count(Deck.id))).scalar_one() == 0
    assert db.session.execute(db.select(db.func.count(Assignment.id))).scalar_one() == 0


def test_a_set_a_learner_starts_using_while_it_is_deleted_is_hidden_instead(app, monkeypatch):
    deck = authoring.create_set(_teacher(), "Racing")
    authoring.save_item(deck, _single())
    authoring.set_published(deck, True)
    student = make_user()
    delete_unused = authoring._delete_unused_set

    def a_quiz_starts_first(target):
        # Between the check that nobody used the set and its deletion, a quiz starts.
        quizzes.start_attempt(student, target)
        return delete_unused(target)

    monkeypatch.setattr(authoring, "_delete_unused_set", a_quiz_starts_first)
    assert authoring.delete_set(deck) == "archived"
    kept = db.session.get(Deck, deck.id)
    assert kept.deleted_at is not None and not kept.is_published
    assert db.session.execute(db.select(db.func.count(Attempt.id))).scalar_one() == 1


def test_deleting_an_assigned_set_learners_used_keeps_it_in_the_gradebook(app):
    from quiz.services import classes

    deck, student, attempt = _used_set()
    teacher = db.session.get(type(student), deck.owner_id)
    klass = classes.create_class(teacher, "Year 9")
    classes.join_class(student, klass.join_code)
    classes.assign_deck(teacher, klass, deck.id, None)
    assert authoring.delete_set(deck) == "archived"
    assert [a.deck_id for a in classes.assigned_decks(klass)] == [deck.id]
    assert classes.student_assignments(student, attempt.submitted_at) == []


def test_a_used_question_keeps_its_kind_but_an_unused_one_may_change(app):
    deck, student, attempt = _used_set()
    item = deck.items[0]
    card = ItemSpec(item.key, ItemKind.FLASHCARD, "Capital of France?", back="Paris")
    with pytest.raises(ServiceError, match="its kind cannot change"):
        authoring.save_item(deck, card, item.id)
    assert db.session.get(Item, item.id).kind == "single"
    # Its text may still be mended.
    authoring.save_item(deck, _single(item.key, "Paris", "Lyon", "Nice"), item.id)

    fresh = authoring.save_item(deck, _single("q2")).item
    authoring.save_item(deck, ItemSpec("q2", ItemKind.FLASHCARD, "Front", back="Back"), fresh.id)
    assert db.session.get(Item, fresh.id).kind == "flashcard"


def test_an_import_that_changes_the_kind_of_a_used_question_imports_nothing(app):
    deck, student, attempt = _used_set()
    key = deck.items[0].key
    result = ImportResult(
        items=(
            ItemSpec(key, ItemKind.FLASHCARD, "Capital of France?", back="Paris"),
            ItemSpec("new", ItemKind.FLASHCARD, "A", back="B"),
        ),
        errors=(),
    )
    with pytest.raises(ServiceError, match=f"changes the kind of '{key}'"):
        authoring.import_items(db.session.get(type(student), deck.owner_id), result, deck)
    assert [i.kind for i in db.session.get(Deck, deck.id).items] == ["single"]


def test_deleting_an_answered_item_retires_it(app):
    deck, _, attempt = _used_set()
    item_id = deck.items[0].id
    assert authoring.delete_item(deck, item_id) == "retired"
    assert db.session.get(Item, item_id).retired is True
    assert db.session.get(Attempt, attempt.id).correct_count in (0, 1)


def test_deleting_a_question_drawn_into_an_open_quiz_retires_it_and_the_result_shows_it(app):
    deck = authoring.create_set(_teacher(), "Two questions")
    authoring.save_item(deck, _single("q1"))
    authoring.save_item(deck, _single("q2", "Berlin", "Bonn"))
    authoring.set_published(deck, True)
    student = make_user()
    attempt = quizzes.start_attempt(student, deck)
    unanswered = attempt.item_ids[1]
    quizzes.record_response(attempt, 1, [quizzes.question_page(attempt, 1).choices[0].id])

    assert authoring.delete_item(deck, unanswered) == "retired"
    quizzes.submit_attempt(attempt)
    rows = quizzes.attempt_result(quizzes.get_attempt(student, attempt.id))
    assert [r.number for r in rows] == [1, 2]
    assert len(authoring.live_items(deck)) == 1


def test_deleting_a_question_nobody_drew_removes_it(app):
    deck = authoring.create_set(_teacher(), "Unused")
    item = authoring.save_item(deck, _single()).item
    assert authoring.delete_item(deck, item.id) == "deleted"
    assert db.session.get(Item, item.id) is None


def test_importing_the_same_file_twice_adds_nothing_the_second_time(app):
    teacher = _teacher()
    first = authoring.import_items(teacher, parse_upload(GIFT, "quiz.gift", "gift"))
    assert (first.created, first.updated) == (2, 0)
    again = authoring.import_items(teacher, parse_upload(GIFT, "quiz.gift", "gift"), first.deck)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert len(authoring.live_items(first.deck)) == 2


def test_a_file_with_errors_imports_nothing(app):
    teacher = _teacher()
    result = parse_upload(GIFT + b"\nBroken question {=a ~b\n", "quiz.gift", "gift")
    assert result.errors
    with pytest.raises(ServiceError):
        authoring.import_items(teacher, result)
    assert db.session.execute(db.select(db.func.count(Deck.id))).scalar_one() == 0


@pytest.mark.parametrize("fmt", ["gift", "csv", "yaml"])
def test_export_then_import_gives_the_same_items(app, fmt):
    teacher = _teacher()
    deck = authoring.create_set(teacher, "Round trip")
    authoring.save_item(deck, _single("q1"))
    authoring.save_item(
        deck,
        ItemSpec(
            "q2",
            ItemKind.MULTIPLE,
            "Pick *two*",
            (ChoiceSpec("a", True), ChoiceSpec("b"), ChoiceSpec("c", True)),
            "why",
            "src",
        ),
    )
    content, _, filename = authoring.export_deck(deck, fmt)
    result = parse_upload(content, filename, fmt)
    assert result.errors == ()
    original = authoring.deck_spec(deck).items
    assert [(i.key, i.kind, i.prompt, i.choices) for i in result.items] == [
        (i.key, i.kind, i.prompt, i.choices) for i in original
    ]


@pytest.mark.parametrize("fmt", ["gift", "csv", "yaml"])
def test_importing_a_sets_own_export_into_it_changes_nothing(app, fmt):
    teacher = _teacher()
    deck = authoring.create_set(teacher, "Round trip")
    kept = ItemSpec(
        "q1",
        ItemKind.SINGLE,
        "Capital?",
        (ChoiceSpec("Kyiv", True), ChoiceSpec("Lviv")),
        "Since 1934.",
        "Atlas, page 3",
    )
    authoring.save_item(deck, kept)
    content, _, filename = authoring.export_deck(deck, fmt)
    report = authoring.import_items(teacher, parse_upload(content, filename, fmt), deck)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 1)
    assert _specs(deck) == [kept]


def test_importing_an_aiken_export_keeps_the_explanations_and_sources_aiken_cannot_hold(app):
    teacher = _teacher()
    aiken = b"Capital?\nA. Kyiv\nB. Lviv\nANSWER: A\n"
    deck = authoring.import_items(teacher, parse_upload(aiken, "q.txt", "aiken")).deck
    item = authoring.live_items(deck)[0]
    explained = replace(authoring.item_spec(item), explanation="Since 1934.", source="Atlas")
    authoring.save_item(deck, explained, item.id)
    content, _, filename = authoring.export_deck(deck, "aiken")
    report = authoring.import_items(teacher, parse_upload(content, filename, "aiken"), deck)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 1)
    assert _specs(deck) == [explained]


def test_a_file_that_gives_an_empty_source_column_clears_the_source(app):
    teacher = _teacher()
    deck = authoring.create_set(teacher, "Sources")
    authoring.save_item(deck, replace(_single("q1"), source="Atlas"))
    csv = (
        b"key,kind,prompt,choice_1,choice_2,choice_3,correct,source\n"
        b"q1,single,Capital of France?,Paris,Lyon,Nice,1,\n"
    )
    report = authoring.import_items(teacher, parse_upload(csv, "q.csv", "csv"), deck)
    assert report.updated == 1
    assert _specs(deck)[0].source == ""


def _specs(deck: Deck) -> list[ItemSpec]:
    items = sorted(authoring.live_items(deck), key=lambda i: (i.position, i.id))
    return [authoring.item_spec(item) for item in items]


def test_a_copy_of_a_built_in_deck_is_the_teachers_draft_with_the_same_live_questions(app):
    from tests.factories import load_sample_deck, ordering

    builtin = load_sample_deck(n=3, extra=(ordering("order", "Put in order", "a", "b", "c"),))
    teacher = _teacher()

    copy = authoring.copy_set(teacher, builtin.id).deck

    assert copy.owner_id == teacher.id and copy.status == "draft"
    assert copy.title == "Capitals (copy)" and copy.description == builtin.description
    assert copy.slug == "capitals-2"
    assert _specs(copy) == _specs(builtin)
    assert {i.id for i in copy.items}.isdisjoint({i.id for i in builtin.items})


def test_copying_leaves_the_original_and_its_learners_history_alone(app):
    from tests.factories import load_sample_deck

    builtin = load_sample_deck(n=2)
    student = make_user()
    quizzes.submit_attempt(quizzes.start_attempt(student, builtin))
    before = _specs(builtin)

    copy = authoring.copy_set(_teacher(), builtin.id).deck
    authoring.save_item(
        copy, _single("capital-france", "Paris", "Marseille", "Lyon"), copy.items[0].id
    )

    db.session.expire_all()
    assert _specs(db.session.get(Deck, builtin.id)) == before
    assert db.session.query(Attempt).filter_by(deck_id=copy.id).count() == 0


def test_a_copy_leaves_out_retired_questions_and_numbers_the_rest_from_the_top(app):
    teacher = _teacher()
    deck = authoring.create_set(teacher, "Mine")
    first = authoring.save_item(deck, _single("q1")).item
    authoring.save_item(deck, _single("q2"))
    authoring.save_item(deck, _single("q3"))
    quizzes.start_attempt(make_user(), _published(deck))  # every question is now used
    authoring.delete_item(deck, first.id)  # retired, not deleted
    assert db.session.get(Item, first.id).retired

    copy = authoring.copy_set(teacher, deck.id).deck

    assert [(i.key, i.position) for i in copy.items] == [("q2", 0), ("q3", 1)]


def _published(deck: Deck) -> Deck:
    authoring.set_published(deck, True)
    return deck


def test_a_teacher_copies_a_colleagues_published_set_but_not_a_draft_or_a_deleted_one(app):
    colleague, teacher = _teacher(), _teacher()
    draft = authoring.create_set(colleague, "Draft")
    authoring.save_item(draft, _single())
    with pytest.raises(NotFound):
        authoring.copy_set(teacher, draft.id)

    published = _published(draft)
    assert authoring.copy_set(teacher, published.id).deck.owner_id == teacher.id

    authoring.delete_set(published)
    with pytest.raises(NotFound):
        authoring.copy_set(teacher, published.id)
    with pytest.raises(NotFound):
        authoring.copy_set(teacher, 999_999)


def test_a_teacher_copies_their_own_draft_and_an_admin_copies_anyone_s(app):
    teacher = _teacher()
    draft = authoring.create_set(teacher, "Draft")
    authoring.save_item(draft, _single())
    assert authoring.copy_set(teacher, draft.id).deck.title == "Draft (copy)"
    admin = make_user(role="admin")
    assert authoring.copy_set(admin, draft.id).deck.owner_id == admin.id


def test_a_copy_of_a_set_with_the_longest_title_keeps_its_title_within_the_limit(app):
    teacher = _teacher()
    deck = authoring.create_set(teacher, "x" * 200)
    copy = authoring.copy_set(teacher, deck.id).deck
    assert len(copy.title) == 200 and copy.title.endswith("x (copy)")
    assert copy.items == []


def test_copying_a_set_takes_the_same_statements_however_many_questions_it_holds(
    app, count_queries
):
    teacher = _teacher()
    counts = []
    for size in (3, 60):
        items = [_single(f"q{n}") for n in range(size)]
        deck = authoring.import_items(teacher, ImportResult(items=items, errors=[]), title="Set")
        deck_id = deck.deck.id
        with count_queries() as counter:
            copied = authoring.copy_set(teacher, deck_id)
        assert copied.questions == size
        assert len(authoring.get_set(teacher, copied.deck.id).items) == size
        counts.append(counter.count)
    assert counts[0] == counts[1] <= 10


def test_a_new_set_takes_another_address_if_another_request_took_its_own(app, monkeypatch):
    teacher = _teacher()
    first = authoring.create_set(teacher, "Geography")
    # Another request inserted "geography" between this one's choice and its insert.
    monkeypatch.setattr(authoring, "_unique_slug", lambda title: first.slug)

    second = authoring.create_set(teacher, "Geography")
    copied = authoring.copy_set(teacher, first.id).deck
    imported = authoring.import_items(
        teacher, ImportResult(items=[_single()], errors=[]), title="Geography"
    ).deck

    slugs = [first.slug, second.slug, copied.slug, imported.slug]
    assert len(set(slugs)) == 4
    assert all(re.fullmatch(r"geography-[0-9a-f]{6}", slug) for slug in slugs[1:]), slugs


def test_a_clash_on_anything_but_the_address_is_not_retried(app, monkeypatch):
    calls = []

    def clash(slug_of):
        calls.append(slug_of)
        raise IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed: items.key"))

    with pytest.raises(IntegrityError):
        authoring._with_free_slug(clash)
    assert len(calls) == 1


def test_a_copy_counts_its_questions_and_flashcards_apart(app):
    teacher = _teacher()
    deck = authoring.create_set(teacher, "Mixed")
    authoring.save_item(deck, _single())
    authoring.save_item(deck, ItemSpec("card", ItemKind.FLASHCARD, "Front", back="Back"))
    copied = authoring.copy_set(teacher, deck.id)
    assert (copied.questions, copied.flashcards) == (1, 1)
