"""Loading the built-in decks: idempotent, updated in place, all or nothing."""

from __future__ import annotations

import dataclasses
import json

from quiz.domain.items import ChoiceSpec, DeckSpec
from quiz.extensions import db
from quiz.models import Choice, Deck, Item
from quiz.services import quizzes
from quiz.services.decks import export_decks_json, list_published_decks, load_builtin_decks
from tests.factories import make_user, ordering, sample_deck


def _snapshot() -> list[tuple]:
    rows = db.session.execute(
        db.select(Item.id, Item.key, Item.prompt, Choice.id, Choice.text, Choice.correct)
        .join(Choice, Choice.item_id == Item.id)
        .order_by(Item.id, Choice.id)
    ).all()
    return [tuple(r) for r in rows]


def test_loading_twice_changes_nothing(app):
    first = load_builtin_decks([sample_deck()])
    assert first.decks_created == ["capitals"] and first.items_created == 3
    before = _snapshot()
    second = load_builtin_decks([sample_deck()])
    assert not second.changed
    assert _snapshot() == before


def test_an_edited_item_is_updated_in_place_and_keeps_its_history(app):
    load_builtin_decks([sample_deck(n=1)])
    deck = db.session.execute(db.select(Deck)).scalar_one()
    user = make_user()
    attempt = quizzes.start_attempt(user, deck)
    page = quizzes.question_page(attempt, 1)
    quizzes.record_response(attempt, 1, [page.choices[0].id])
    quizzes.submit_attempt(attempt)
    item_id = deck.items[0].id

    spec = sample_deck(n=1)
    edited = dataclasses.replace(spec.items[0], prompt="Which city is the capital of France?")
    report = load_builtin_decks([dataclasses.replace(spec, items=(edited,))])

    assert report.items_updated == 1 and report.items_created == 0
    item = db.session.get(Item, item_id)
    assert item.prompt == "Which city is the capital of France?"
    assert quizzes.attempt_result(attempt)[0].prompt == item.prompt


def test_a_changed_choice_keeps_the_ids_of_the_unchanged_ones(app):
    load_builtin_decks([sample_deck(n=1)])
    before = {c.text: c.id for c in db.session.execute(db.select(Choice)).scalars()}
    spec = sample_deck(n=1)
    item = spec.items[0]
    choices = (*item.choices[:3], ChoiceSpec("Marseille"))
    load_builtin_decks(
        [dataclasses.replace(spec, items=(dataclasses.replace(item, choices=choices),))]
    )
    after = {c.text: c.id for c in db.session.execute(db.select(Choice)).scalars()}
    assert "Lille" not in after and "Marseille" in after
    for text in ("Paris", "Lyon", "Nice"):
        assert after[text] == before[text]


def test_an_item_dropped_from_the_file_is_retired_not_deleted(app):
    load_builtin_decks([sample_deck(n=3)])
    report = load_builtin_decks([sample_deck(n=2)])
    assert report.items_retired == 1
    retired = db.session.execute(db.select(Item).where(Item.retired.is_(True))).scalars().all()
    assert [i.key for i in retired] == ["capital-spain"]
    summary = list_published_decks()[0]
    assert summary.question_count == 2


def test_export_json_has_the_documented_shape(app):
    spec = sample_deck(n=1)
    extra = ordering("order", "Order these.", "a", "b", "c")
    load_builtin_decks([DeckSpec(spec.slug, spec.title, spec.description, spec.items + (extra,))])
    data = json.loads(json.dumps(export_decks_json()))
    assert [d["slug"] for d in data] == ["capitals"]
    first, second = data[0]["items"]
    assert set(first) == {"key", "kind", "prompt", "choices", "explanation", "source"}
    assert first["choices"][0] == {"text": "Paris", "correct": True}
    assert second["answer_order"] == ["a", "b", "c"]


def test_a_deck_search_keeps_the_decks_holding_every_word_in_title_or_description(app):
    load_builtin_decks([sample_deck("capitals"), sample_deck("rivers", 2)])

    def titles(search: str) -> list[str]:
        # sample_deck's description is "The <slug> deck."
        return [d.deck.title for d in list_published_decks(search)]

    assert titles("") == ["Capitals", "Rivers"]
    assert titles("CAPITALS") == ["Capitals"]
    assert titles("the deck") == ["Capitals", "Rivers"]  # both words, from the description
    assert titles("rivers capitals") == []  # every word must be found in one deck
    assert titles("   ") == ["Capitals", "Rivers"]
    assert titles("capit") == ["Capitals"]  # the start of a word finds it
    assert titles("apitals") == []  # ... but not its middle
    assert titles("rivers!") == ["Rivers"]  # punctuation is not a word
    assert titles("%") == titles("'") == []  # ... and signs alone match no deck
