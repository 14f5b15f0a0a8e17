"""Every built-in deck loads, reloads without change, and every quiz can be taken."""

from __future__ import annotations

from pathlib import Path

from quiz.bank.deck_yaml import read_bank
from quiz.domain.items import ItemKind
from quiz.extensions import db
from quiz.models import Choice, Item
from quiz.services import quizzes
from quiz.services.decks import (
    export_decks_json,
    get_published_deck,
    list_published_decks,
    load_builtin_decks,
)
from tests.factories import make_user

QUESTIONS = Path(__file__).resolve().parents[2] / "questions"


def _load():
    decks, errors = read_bank(QUESTIONS)
    assert errors == []
    return decks, load_builtin_decks(decks)


def _right_answer(item: Item) -> list[int]:
    if item.kind == ItemKind.ORDERING:
        return [c.id for c in sorted(item.choices, key=lambda c: c.position)]
    return [c.id for c in item.choices if c.correct]


def test_the_bank_loads_and_a_second_load_changes_nothing(app):
    specs, first = _load()
    assert len(first.decks_created) == len(specs)
    assert first.items_created == sum(len(d.items) for d in specs)
    _, second = _load()
    assert not second.changed


def test_every_built_in_quiz_can_be_taken_and_scored_in_full(app):
    _load()
    user = make_user()
    for summary in list_published_decks():
        deck = get_published_deck(summary.deck.slug)
        attempt = quizzes.start_attempt(user, deck)
        items = {
            i.id: i
            for i in db.session.execute(db.select(Item).where(Item.id.in_(attempt.item_ids)))
            .scalars()
            .all()
        }
        for number, item_id in enumerate(attempt.item_ids, start=1):
            answer = _right_answer(items[item_id])
            if number % 2:
                quizzes.record_response(attempt, number, answer)
        assert quizzes.submit_attempt(attempt)
        expected = (len(attempt.item_ids) + 1) // 2
        assert attempt.correct_count == expected, summary.deck.slug
        assert all(row.explanation and row.source for row in quizzes.attempt_result(attempt))


def test_export_carries_every_kind_with_its_extra_fields(app):
    _load()
    items = [item for deck in export_decks_json() for item in deck["items"]]
    kinds = {item["kind"] for item in items}
    assert {"single", "multiple", "true_false", "ordering", "flashcard"} <= kinds
    for item in items:
        if item["kind"] == "ordering":
            assert len(item["answer_order"]) >= 3
        if item["kind"] == "flashcard":
            assert item["front"] == item["prompt"] and item["back"]
    assert db.session.execute(db.select(db.func.count(Choice.id))).scalar_one() > 0
