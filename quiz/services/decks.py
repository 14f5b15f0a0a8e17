"""Decks: loading the built-in bank, listing what a learner may take, exporting."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func
from sqlalchemy.orm import Session, selectinload

from quiz.domain.grading import continued_choices
from quiz.domain.items import QUIZ_KINDS, DeckSpec, ItemKind, ItemSpec
from quiz.extensions import db
from quiz.models import Choice, Deck, DeckStatus, Item
from quiz.services import NotFound, fetch, unit_of_work
from quiz.services.regrading import (
    Regraded,
    keys_before,
    lock_for_correction,
    regrade_changed,
)


@dataclass
class LoadReport:
    decks_created: list[str] = field(default_factory=list)
    decks_updated: list[str] = field(default_factory=list)
    items_created: int = 0
    items_updated: int = 0
    items_retired: int = 0
    regraded: Regraded = field(default_factory=Regraded)

    @property
    def changed(self) -> bool:
        return bool(
            self.decks_created
            or self.decks_updated
            or self.items_created
            or self.items_updated
            or self.items_retired
        )


def _sync_choices(item: Item, spec: ItemSpec, row_ids: Sequence[int | None] = ()) -> bool:
    """Make the item's choices match the spec, keeping the id of each choice the spec
    continues (see continued_choices; `row_ids`, from the editor, are the stored choice
    each row showed), so that learners' answers keep pointing at what they picked.
    Without them (an import, a load of the built-in decks) a choice's row is its place:
    a file that fixes a typo in its second choice continues the second choice."""
    existing = {c.id: c for c in item.choices if c.id is not None}
    if not row_ids:
        row_ids = [c.id for c in item.choices]  # in their order (Item.choices)
    rows = list(row_ids) + [None] * (len(spec.choices) - len(row_ids))
    continues = continued_choices(
        {cid: (c.text, c.correct) for cid, c in existing.items()},
        [(c.text, c.correct, row) for c, row in zip(spec.choices, rows, strict=False)],
    )
    wanted = []
    changed = len(existing) != len(item.choices)  # unsaved choices are replaced
    for position, (choice_spec, cid) in enumerate(zip(spec.choices, continues, strict=True)):
        choice = existing.pop(cid) if cid is not None else None
        if choice is None:
            choice = Choice(text=choice_spec.text, correct=choice_spec.correct, position=position)
            changed = True
        elif (choice.text, choice.correct, choice.position) != (
            choice_spec.text,
            choice_spec.correct,
            position,
        ):
            choice.text, choice.correct, choice.position = (
                choice_spec.text,
                choice_spec.correct,
                position,
            )
            changed = True
        wanted.append(choice)
    if existing:
        changed = True
    if changed:
        item.choices = wanted
    return changed


def item_columns(spec: ItemSpec, position: int) -> dict[str, object]:
    """An item's columns as the spec gives them (all but its deck and key)."""
    return {
        "kind": spec.kind.value,
        "prompt": spec.prompt,
        "back": spec.back,
        "explanation": spec.explanation,
        "source_ref": spec.source,
        "position": position,
        "retired": False,
    }


def sync_item(
    item: Item, spec: ItemSpec, position: int, row_ids: Sequence[int | None] = ()
) -> bool:
    """Make a stored item match its spec; whether anything changed."""
    changed = False
    for name, value in item_columns(spec, position).items():
        if getattr(item, name) != value:
            setattr(item, name, value)
            changed = True
    return _sync_choices(item, spec, row_ids) or changed


def sync_deck_items(
    session: Session, deck: Deck, specs: Sequence[ItemSpec], report: LoadReport
) -> None:
    """Update a deck's items in place by key: history stays attached to each key, and a
    corrected answer key marks learners' answers again."""
    by_key = {item.key: item for item in deck.items}
    before = keys_before(by_key.values())
    for position, spec in enumerate(specs):
        item = by_key.pop(spec.key, None)
        if item is None:
            item = Item(key=spec.key, kind=spec.kind.value, prompt=spec.prompt)
            deck.items.append(item)
            sync_item(item, spec, position)
            report.items_created += 1
        elif sync_item(item, spec, position):
            report.items_updated += 1
    for item in by_key.values():
        if not item.retired:
            item.retired = True
            report.items_retired += 1
    report.regraded += regrade_changed(session, deck.items, before)


def load_builtin_decks(specs: Sequence[DeckSpec]) -> LoadReport:
    """Create or update the built-in decks; all of them load, or none does."""
    report = LoadReport()
    with unit_of_work() as session:
        slugs = [spec.slug for spec in specs]

        def read() -> dict[str, Deck]:
            return {
                deck.slug: deck
                for deck in session.execute(
                    db.select(Deck)
                    .where(Deck.slug.in_(slugs))
                    .options(selectinload(Deck.items).selectinload(Item.choices))
                ).scalars()
            }

        existing = read()
        pairs = []
        for spec in specs:
            wanted = {item_spec.key: item_spec for item_spec in spec.items}
            for item in existing[spec.slug].items if spec.slug in existing else ():
                if item.key in wanted:
                    pairs.append((item, wanted[item.key]))
        if lock_for_correction(session, pairs):
            existing = read()  # again, after the lock
        for spec in specs:
            deck = existing.get(spec.slug)
            if deck is None:
                deck = Deck(
                    slug=spec.slug,
                    title=spec.title,
                    description=spec.description,
                    status=DeckStatus.PUBLISHED.value,
                    items=[],
                )
                session.add(deck)
                report.decks_created.append(spec.slug)
            elif (deck.title, deck.description) != (spec.title, spec.description):
                deck.title, deck.description = spec.title, spec.description
                report.decks_updated.append(spec.slug)
            sync_deck_items(session, deck, spec.items, report)
    return report


@dataclass(frozen=True)
class DeckCard:
    """What a list of decks shows of each one."""

    id: int
    slug: str
    title: str
    description: str
    # Read only where it is needed (whether the viewer may edit the deck).
    owner_id: int | None = None
    deleted_at: datetime | None = None


@dataclass(frozen=True)
class DeckSummary:
    deck: DeckCard
    question_count: int
    card_count: int


_LIVE_ITEM = db.and_(Item.deck_id == Deck.id, Item.retired.is_(False))
# Every signed-in page load of the deck list runs it: built once (quiz.services.fetch).
_PUBLISHED_DECKS = (
    db.select(
        Deck.id,
        Deck.slug,
        Deck.title,
        Deck.description,
        func.count(Item.id).filter(Item.kind.in_([k.value for k in QUIZ_KINDS])),
        func.count(Item.id),
    )
    .outerjoin(Item, _LIVE_ITEM)
    .where(Deck.status == DeckStatus.PUBLISHED.value)
    .group_by(Deck.id)
    .order_by(Deck.title)
)


def list_published_decks(search: str = "") -> list[DeckSummary]:
    """Every published deck with its number of quiz questions and flashcards (one query).

    With ``search``, only the decks whose title or description has, for every word of
    it, a word that starts with it, ignoring case: "russ demands" finds "What Russia
    wants" by its description, and "war" does not find "toward". A search of signs alone
    ("%") finds nothing, as no word is made of them."""
    decks = [
        DeckSummary(DeckCard(deck_id, slug, title, description or ""), questions, cards)
        for deck_id, slug, title, description, questions, cards in fetch(_PUBLISHED_DECKS)
    ]
    if not search.strip():
        return decks
    wanted = _WORD.findall(search.casefold())
    if not wanted:  # only signs ("%", "'"): no deck has such a word
        return []
    return [
        summary
        for summary in decks
        if _starts_words(wanted, f"{summary.deck.title} {summary.deck.description}")
    ]


_WORD = re.compile(r"\w+")


def _starts_words(wanted: list[str], text: str) -> bool:
    words = _WORD.findall(text.casefold())
    return all(any(word.startswith(prefix) for word in words) for prefix in wanted)


def get_published_deck(slug: str) -> Deck:
    deck = db.session.execute(
        db.select(Deck).where(Deck.slug == slug, Deck.status == DeckStatus.PUBLISHED.value)
    ).scalar_one_or_none()
    if deck is None:
        raise NotFound("There is no deck at that address.")
    return deck


def count_quiz_items(deck: Deck) -> int:
    return db.session.execute(
        db.select(func.count(Item.id)).where(
            Item.deck_id == deck.id,
            Item.retired.is_(False),
            Item.kind.in_([k.value for k in QUIZ_KINDS]),
        )
    ).scalar_one()


def export_decks_json(slugs: Sequence[str] = ()) -> list[dict]:
    """The decks (all when no slug is named) in the JSON interchange shape."""
    query = (
        db.select(Deck)
        .order_by(Deck.slug)
        .options(selectinload(Deck.items).selectinload(Item.choices))
    )
    if slugs:
        query = query.where(Deck.slug.in_(slugs))
    decks = db.session.execute(query).scalars().all()
    missing = set(slugs) - {d.slug for d in decks}
    if missing:
        raise NotFound("No deck with slug: " + ", ".join(sorted(missing)))
    return [
        {
            "slug": deck.slug,
            "title": deck.title,
            "items": [_item_json(item) for item in deck.items if not item.retired],
        }
        for deck in decks
    ]


def _item_json(item: Item) -> dict:
    data: dict = {
        "key": item.key,
        "kind": item.kind,
        "prompt": item.prompt,
        "choices": [{"text": c.text, "correct": c.correct} for c in item.choices],
        "explanation": item.explanation,
        "source": item.source_ref,
    }
    if item.kind == ItemKind.ORDERING:
        data["answer_order"] = [c.text for c in sorted(item.choices, key=lambda c: c.position)]
    if item.kind == ItemKind.FLASHCARD:
        data["front"] = item.prompt
        data["back"] = item.back
    return data
