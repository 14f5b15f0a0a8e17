"""Unpublishing a set: asked first when classes would lose it, and marked where it stays."""

from __future__ import annotations

import pytest

from quiz.extensions import db
from quiz.models import Deck
from quiz.services import authoring, quizzes
from quiz.services import classes as cs
from quiz.services.decks import list_published_decks
from tests.factories import make_user
from tests.services.test_authoring import _single


def _published_set(teacher, title="Capitals"):
    deck = authoring.create_set(teacher, title)
    authoring.save_item(deck, _single())
    authoring.set_published(deck, True)
    return deck


def _class_with(teacher, deck, name, students=0):
    klass = cs.create_class(teacher, name)
    for _ in range(students):
        cs.join_class(make_user(), klass.join_code)
    cs.assign_deck(teacher, klass, deck.id, None)
    return klass


def test_unpublishing_an_assigned_set_unconfirmed_names_its_classes_and_changes_nothing(app):
    teacher = make_user(role="teacher")
    deck = _published_set(teacher)
    _class_with(teacher, deck, "Year 11", students=1)
    _class_with(teacher, deck, "Year 10", students=2)

    with pytest.raises(authoring.UnpublishNeedsConfirmation) as refused:
        authoring.unpublish_set(deck, confirmed=False)

    assert [(c.name, c.students, c.archived) for c in refused.value.classes] == [
        ("Year 10", 2, False),
        ("Year 11", 1, False),
    ]
    assert "assigned to 2 classes" in refused.value.message
    db.session.expire_all()
    assert db.session.get(Deck, deck.id).status == "published"
    assert [s.deck.id for s in list_published_decks()] == [deck.id]


def test_unpublishing_an_assigned_set_confirmed_makes_it_a_draft_and_names_the_classes(app):
    teacher = make_user(role="teacher")
    deck = _published_set(teacher)
    klass = _class_with(teacher, deck, "Year 10", students=1)
    cs.set_archived(klass, True)

    lost = authoring.unpublish_set(deck, confirmed=True)

    assert [(c.name, c.students, c.archived) for c in lost] == [("Year 10", 1, True)]
    assert db.session.get(Deck, deck.id).status == "draft"
    assert list_published_decks() == []


def test_unpublishing_a_set_assigned_to_no_class_needs_no_confirmation(app):
    deck = _published_set(make_user(role="teacher"))
    assert authoring.unpublish_set(deck, confirmed=False) == []
    assert db.session.get(Deck, deck.id).status == "draft"


def test_the_delete_page_counts_the_same_classes_as_the_unpublish_question(app):
    teacher = make_user(role="teacher")
    deck = _published_set(teacher)
    _class_with(teacher, deck, "B class", students=3)
    _class_with(teacher, deck, "A class")
    assert authoring.set_usage(deck).classes == ["A class", "B class"]
    assert [c.name for c in authoring.assigned_classes(deck)] == ["A class", "B class"]


def test_an_assignment_tells_why_its_students_cannot_see_its_deck(app):
    teacher = make_user(role="teacher")
    shown, unpublished, deleted = (
        _published_set(teacher, title) for title in ("Shown", "Unpublished", "Deleted")
    )
    klass = cs.create_class(teacher, "Year 10")
    for deck in (shown, unpublished, deleted):
        cs.assign_deck(teacher, klass, deck.id, None)
    authoring.unpublish_set(unpublished, confirmed=True)
    authoring.delete_set(deleted)  # unused: it goes with its assignments
    used = _published_set(teacher, "Deleted but used")
    cs.assign_deck(teacher, klass, used.id, None)
    quizzes.submit_attempt(quizzes.start_attempt(make_user(), used))
    authoring.delete_set(used)  # used: hidden, and kept in the gradebook

    assert {a.title: a.hidden for a in cs.assigned_decks(klass)} == {
        "Shown": None,
        "Unpublished": "unpublished",
        "Deleted but used": "deleted",
    }
