"""Teachers' question sets: create, edit, reorder, publish, import and delete."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import TypeVar

from sqlalchemy import delete, exists, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from quiz.bank.formats import ImportResult, item_problems, slugify
from quiz.domain.items import QUIZ_KINDS, ChoiceSpec, DeckSpec, ItemKind, ItemSpec
from quiz.domain.paper import PaperTest, paper_test
from quiz.extensions import db
from quiz.models import (
    Assignment,
    Attempt,
    Card,
    Choice,
    Deck,
    DeckStatus,
    Enrolment,
    Item,
    Response,
    SchoolClass,
    User,
    utcnow,
)
from quiz.services import NotFound, ServiceError, unit_of_work
from quiz.services.decks import DeckCard, item_columns, sync_item
from quiz.services.regrading import (
    Regraded,
    keys_before,
    lock_for_correction,
    regrade_changed,
)

T = TypeVar("T")


@dataclass(frozen=True)
class SetSummary:
    deck: Deck
    items: int
    owner_email: str | None


def _visible_to(user: User):
    conditions = [Deck.deleted_at.is_(None)]
    if not user.is_admin:
        conditions.append(Deck.owner_id == user.id)
    return conditions


def teacher_sets(user: User) -> list[SetSummary]:
    """The teacher's own sets (an admin sees every set), newest change first."""
    rows = db.session.execute(
        select(Deck, func.count(Item.id), User.email)
        .outerjoin(Item, (Item.deck_id == Deck.id) & Item.retired.is_(False))
        .outerjoin(User, User.id == Deck.owner_id)
        .where(*_visible_to(user))
        .group_by(Deck.id, User.email)
        .order_by(Deck.updated_at.desc(), Deck.id.desc())
    ).all()
    return [SetSummary(deck, n, email) for deck, n, email in rows]


def may_edit(user: User, deck: Deck | DeckCard) -> bool:
    """Whether get_set gives the user this deck: their own set, or any for an admin."""
    return deck.deleted_at is None and (user.is_admin or deck.owner_id == user.id)


def get_set(user: User, deck_id: int) -> Deck:
    """A set the user may edit: their own, or any for an admin; otherwise NotFound."""
    deck = db.session.execute(
        select(Deck)
        .where(Deck.id == deck_id, *_visible_to(user))
        .options(selectinload(Deck.items).selectinload(Item.choices))
    ).scalar_one_or_none()
    if deck is None:
        raise NotFound("There is no question set at that address.")
    return deck


def live_items(deck: Deck) -> list[Item]:
    """The set's items that are not retired, in the set's order."""
    return sorted(
        (item for item in deck.items if not item.retired), key=lambda i: (i.position, i.id)
    )


def paper_test_of(deck: Deck) -> PaperTest:
    """The set's quiz questions as a paper test, lettered alike at every printing."""
    return paper_test([item_spec(item) for item in live_items(deck)])


def _unique_slug(title: str) -> str:
    base = slugify(title)[:60] or "set"
    taken = set(db.session.execute(select(Deck.slug).where(Deck.slug.like(f"{base}%"))).scalars())
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def _check_title(title: str) -> str:
    title = title.strip()
    if not title:
        raise ServiceError("Give the set a title.", field="title")
    if len(title) > 200:
        raise ServiceError("Keep the title under 200 characters.", field="title")
    return title


def create_set(owner: User, title: str, description: str = "") -> Deck:
    title = _check_title(title)

    def write(slug_of: Callable[[str], str]) -> Deck:
        with unit_of_work() as session:
            deck = _add_draft_set(session, owner, slug_of(title), title, description.strip())
        return deck

    return _with_free_slug(write)


def update_set(deck: Deck, title: str, description: str) -> None:
    title = _check_title(title)
    with unit_of_work():
        deck.title, deck.description = title, description.strip()


def set_published(deck: Deck, published: bool) -> None:
    """Publish the set, or make it a draft again whoever it is assigned to (the pages
    unpublish with unpublish_set, which asks first when classes would lose it)."""
    if published and not live_items(deck):
        raise ServiceError("Add at least one question before you publish the set.")
    with unit_of_work():
        deck.status = (DeckStatus.PUBLISHED if published else DeckStatus.DRAFT).value
        deck.updated_at = utcnow()


@dataclass(frozen=True)
class AssignedClass:
    """A class a set is assigned to, as the pages that warn about it name it."""

    id: int
    name: str
    students: int
    archived: bool  # its students see none of its assignments already


def assigned_classes(deck: Deck) -> list[AssignedClass]:
    """The classes the set is assigned to, by name, each with its number of students."""
    rows = db.session.execute(
        select(
            SchoolClass.id,
            SchoolClass.name,
            func.count(Enrolment.id),
            SchoolClass.archived_at.is_not(None),
        )
        .join(Assignment, Assignment.class_id == SchoolClass.id)
        .outerjoin(Enrolment, Enrolment.class_id == SchoolClass.id)
        .where(Assignment.deck_id == deck.id)
        .group_by(SchoolClass.id, SchoolClass.name, SchoolClass.archived_at)
        .order_by(SchoolClass.name, SchoolClass.id)
    ).all()
    return [
        AssignedClass(class_id, name, students, bool(archived))
        for class_id, name, students, archived in rows
    ]


class UnpublishNeedsConfirmation(ServiceError):
    """The set is assigned to classes whose students would lose it at once: the teacher
    is asked first. Nothing was changed."""

    def __init__(self, classes: list[AssignedClass]) -> None:
        super().__init__(
            f"This set is assigned to {len(classes)} class{'es' if len(classes) != 1 else ''}:"
            " confirm that their students lose it."
        )
        self.classes = classes


def unpublish_set(deck: Deck, *, confirmed: bool) -> list[AssignedClass]:
    """Make a published set a draft again: it leaves the list of decks and the
    assignments of every class it is assigned to, whose students can no longer open it
    or study its cards (their scores stay). A set assigned to a class is unpublished only
    `confirmed`; otherwise UnpublishNeedsConfirmation, and nothing changes. The classes
    that lost it come back, so the teacher can be told."""
    with unit_of_work():
        # Read in the write's transaction: an assignment made meanwhile is seen.
        classes = assigned_classes(deck)
        if classes and not confirmed:
            raise UnpublishNeedsConfirmation(classes)
        deck.status = DeckStatus.DRAFT.value
        deck.updated_at = utcnow()
    return classes


COPY_SUFFIX = " (copy)"


@dataclass(frozen=True)
class Copied:
    deck: Deck
    questions: int  # quiz questions
    flashcards: int


def copy_set(owner: User, deck_id: int) -> Copied:
    """A new draft set of the owner's holding the live questions of a deck they may read:
    any published deck (a built-in one or a colleague's), or one of their own sets (any set
    for an admin). The questions keep their keys, so a later export of the original can
    still be imported over the copy by key; the copy shares no history with the original.
    Items and choices are inserted in bulk: a set may hold thousands."""
    conditions = [Deck.id == deck_id, Deck.deleted_at.is_(None)]
    if not owner.is_admin:
        conditions.append((Deck.status == DeckStatus.PUBLISHED.value) | (Deck.owner_id == owner.id))

    def write(slug_of: Callable[[str], str]) -> Copied:
        with unit_of_work() as session:
            # Read inside the transaction, the deck's row held (FOR SHARE on PostgreSQL;
            # SQLite's write lock holds everything): it cannot go or be unpublished
            # between the check and the copy.
            source = session.execute(
                select(Deck)
                .where(*conditions)
                .with_for_update(read=True)
                .options(selectinload(Deck.items).selectinload(Item.choices))
            ).scalar_one_or_none()
            if source is None:
                raise NotFound("There is no deck at that address to copy.")
            specs = [item_spec(item) for item in live_items(source)]
            title = source.title[: 200 - len(COPY_SUFFIX)].rstrip() + COPY_SUFFIX
            copy = _add_draft_set(session, owner, slug_of(source.title), title, source.description)
            _insert_items(session, copy, specs)
        questions = sum(spec.kind in QUIZ_KINDS for spec in specs)
        return Copied(copy, questions, len(specs) - questions)

    return _with_free_slug(write)


def _add_draft_set(session, owner: User, slug: str, title: str, description: str = "") -> Deck:
    """A new, empty draft set of the owner's, flushed so that it has its id."""
    deck = Deck(
        slug=slug,
        title=title,
        description=description,
        owner_id=owner.id,
        status=DeckStatus.DRAFT.value,
    )
    session.add(deck)
    session.flush()
    return deck


def _insert_items(session, deck: Deck, specs: Sequence[ItemSpec]) -> None:
    """Add the items to a new deck in bulk: the items, their ids (by key, unique in a
    deck), then their choices. (RETURNING in parameter order would insert row by row on
    SQLite.)"""
    if not specs:
        return
    session.execute(
        insert(Item),
        [
            {"deck_id": deck.id, "key": spec.key, **item_columns(spec, position)}
            for position, spec in enumerate(specs)
        ],
    )
    item_ids = dict(session.execute(select(Item.key, Item.id).where(Item.deck_id == deck.id)).all())
    choices = [
        {
            "item_id": item_ids[spec.key],
            "text": choice.text,
            "correct": choice.correct,
            "position": n,
        }
        for spec in specs
        for n, choice in enumerate(spec.choices)
    ]
    if choices:
        session.execute(insert(Choice), choices)


#: How many times a new set is written again after another request took the address it
#: chose, between the choice and the insert (PostgreSQL; on SQLite the write lock
#: serialises them). The retries take a random suffix: a class of teachers copying one
#: deck at the same moment would otherwise all pick the next number again, together.
SLUG_RETRIES = 5


def _with_free_slug(write: Callable[[Callable[[str], str]], T]) -> T:
    """Run ``write`` (a unit of work that adds a deck under a slug it gets from the given
    function); if the slug was taken meanwhile, again with a random one."""
    slug_of = _unique_slug
    for attempt in range(SLUG_RETRIES):
        try:
            return write(slug_of)
        except IntegrityError as exc:
            db.session.rollback()
            if "slug" not in str(exc.orig) or attempt == SLUG_RETRIES - 1:
                raise
            slug_of = _random_slug
    raise AssertionError("unreachable")  # pragma: no cover


def _random_slug(title: str) -> str:
    return f"{slugify(title)[:60] or 'set'}-{secrets.token_hex(3)}"


def new_item_key(deck: Deck) -> str:
    taken = {item.key for item in deck.items}
    while True:
        key = f"item-{secrets.token_hex(4)}"
        if key not in taken:
            return key


@dataclass(frozen=True)
class Saved:
    item: Item
    regraded: Regraded  # what a corrected answer key changed in learners' results


def save_item(
    deck: Deck, spec: ItemSpec, item_id: int | None = None, row_ids: Sequence[int | None] = ()
) -> Saved:
    """Add a new item at the end of the set, or update one in place (its history stays).

    `row_ids` are, for each of the spec's choices, the stored choice its row in the
    editor showed (None for a row added): an edited text stays the same choice, so
    learners' answers keep pointing at it. A changed answer key marks learners' earlier
    answers again (quiz.services.regrading)."""
    problems = item_problems(spec)
    if problems:
        raise ServiceError(_sentence(problems))
    if item_id is not None:
        item = item_of(deck, item_id)
        if item.kind != spec.kind.value and item_is_used(deck, item.id):
            raise ServiceError(
                "Learners have already answered, studied or drawn this question into a quiz, "
                "so its kind cannot change: their answers would no longer fit it. Add a new "
                "question of the kind you want, and delete this one (it is then retired, "
                "and their results keep it).",
                field="kind",
            )
    with unit_of_work() as session:
        if item_id is None:
            position = max((i.position for i in deck.items), default=-1) + 1
            item = Item(key=spec.key, kind=spec.kind.value, prompt=spec.prompt)
            deck.items.append(item)
            before = {}
        else:
            item = item_of(deck, item_id)
            if lock_for_correction(session, [(item, spec)]):
                item = item_of(deck, item_id)  # read again, after the lock
            position = item.position
            before = keys_before([item])
        sync_item(item, spec, position, row_ids)
        deck.updated_at = utcnow()
        regraded = regrade_changed(session, [item], before)
    return Saved(item, regraded)


def _sentence(problems: Sequence[str]) -> str:
    text = "; ".join(problems)
    return text[0].upper() + text[1:] + "."


def item_of(deck: Deck, item_id: int) -> Item:
    """A live item of the set; NotFound for any other id."""
    for item in deck.items:
        if item.id == item_id and not item.retired:
            return item
    raise NotFound("That question is not in this set.")


def item_spec(item: Item) -> ItemSpec:
    choices = sorted(item.choices, key=lambda c: c.position)
    return ItemSpec(
        key=item.key,
        kind=ItemKind(item.kind),
        prompt=item.prompt,
        choices=tuple(ChoiceSpec(c.text, c.correct) for c in choices),
        explanation=item.explanation,
        source=item.source_ref,
        back=item.back,
    )


def choice_ids(item: Item) -> list[int]:
    """The item's choice ids in the order item_spec gives its choices."""
    return [c.id for c in sorted(item.choices, key=lambda c: c.position)]


def move_item(deck: Deck, item_id: int, step: int) -> None:
    """Move an item one place up (step -1) or down (+1) among the set's live items."""
    items = live_items(deck)
    item = item_of(deck, item_id)
    index = items.index(item)
    target = index + step
    if not 0 <= target < len(items):
        return
    items[index], items[target] = items[target], items[index]
    with unit_of_work():
        for position, each in enumerate(items):
            each.position = position
        deck.updated_at = utcnow()


def item_is_used(deck: Deck, item_id: int) -> bool:
    """Whether learners answered or studied the item, or drew it into a quiz (open or
    submitted, answered or not): its result page lists every question it drew."""
    return item_id in used_items(deck, [item_id])


def used_items(deck: Deck, item_ids: Sequence[int]) -> set[int]:
    """Which of the deck's items learners answered, studied or drew into a quiz: two
    queries, however many items are asked about."""
    wanted = set(item_ids)
    if not wanted:
        return set()
    answered = select(Response.item_id).where(Response.item_id.in_(wanted))
    studied = select(Card.item_id).where(Card.item_id.in_(wanted))
    used = set(db.session.execute(answered.union(studied)).scalars())
    if wanted - used:
        # item_ids is a JSON list: read this deck's attempts once (a teacher's rare action).
        for (ids,) in db.session.execute(
            select(Attempt.item_ids).where(Attempt.deck_id == deck.id)
        ):
            used.update(wanted.intersection(ids))
    return used


def delete_item(deck: Deck, item_id: int) -> str:
    """Delete an item; one that learners have answered, studied or drawn into a quiz is
    retired instead."""
    item = item_of(deck, item_id)
    with unit_of_work() as session:
        if item_is_used(deck, item.id):
            item.retired = True
            outcome = "retired"
        else:
            session.delete(item)
            outcome = "deleted"
        deck.updated_at = utcnow()
    return outcome


@dataclass(frozen=True)
class Usage:
    attempts: int
    learners: int
    classes: list[str] = field(default_factory=list)  # names of classes it is assigned to


def set_usage(deck: Deck) -> Usage:
    attempts, learners = db.session.execute(
        select(func.count(Attempt.id), func.count(func.distinct(Attempt.user_id))).where(
            Attempt.deck_id == deck.id
        )
    ).one()
    studied = db.session.execute(
        select(func.count(func.distinct(Card.user_id)))
        .join(Item, Card.item_id == Item.id)
        .where(Item.deck_id == deck.id)
    ).scalar_one()
    classes = [c.name for c in assigned_classes(deck)]
    return Usage(attempts=attempts, learners=max(learners, studied), classes=classes)


def delete_set(deck: Deck) -> str:
    """Delete a set. One that learners used is hidden instead, so their scores stay, and
    it stays in the gradebooks of the classes it is assigned to; any other goes with
    its assignments, which hold no results."""
    used = db.session.execute(
        select(
            exists().where(Attempt.deck_id == deck.id)
            | exists().where(Card.item_id == Item.id, Item.deck_id == deck.id)
        )
    ).scalar()
    if not used:
        try:
            return _delete_unused_set(deck)
        except IntegrityError:
            # A learner started a quiz or studied a card after the check: their row now
            # holds the set, so it is hidden as a used set is.
            db.session.rollback()
    with unit_of_work():
        deck.status = DeckStatus.DRAFT.value
        deck.deleted_at = utcnow()
    return "archived"


def _delete_unused_set(deck: Deck) -> str:
    with unit_of_work() as session:
        session.execute(delete(Assignment).where(Assignment.deck_id == deck.id))
        session.execute(
            delete(Choice).where(Choice.item_id.in_(select(Item.id).where(Item.deck_id == deck.id)))
        )
        session.execute(delete(Item).where(Item.deck_id == deck.id))
        session.execute(delete(Deck).where(Deck.id == deck.id))
        # Its loaded items and choices are gone from the database too: forget them all,
        # so that the session does not delete them a second time.
        session.expunge(deck)
    return "deleted"


@dataclass
class ImportReport:
    deck: Deck
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[str] = field(default_factory=list)
    regraded: Regraded = field(default_factory=Regraded)


def import_items(
    owner: User, result: ImportResult, deck: Deck | None = None, title: str | None = None
) -> ImportReport:
    """Add the items of a parsed file to a set (a new one when none is given).

    Items are matched by key, so importing the same file again updates in place and
    adds nothing twice. A file with any error imports nothing.
    """
    if result.errors:
        raise ServiceError("The file has errors; nothing was imported.")
    if not result.items:
        raise ServiceError("The file has no questions to import.")
    if deck is None:
        return _import_into_a_new_set(owner, result, title)
    _refuse_kind_changes(deck, result)
    with unit_of_work() as session:
        # Every item with its choices, in one query; read again after a lock on those
        # whose key the file may change (see regrading.lock_for_correction).
        read = select(Item).where(Item.deck_id == deck.id).options(selectinload(Item.choices))
        by_key = {item.key: item for item in session.execute(read).scalars()}
        pairs = [(by_key[spec.key], spec) for spec in result.items if spec.key in by_key]
        if lock_for_correction(session, pairs):
            session.execute(read).all()
        report = ImportReport(deck=deck)
        by_key = {item.key: item for item in deck.items}
        before = keys_before(by_key[s.key] for s in result.items if s.key in by_key)
        position = max((i.position for i in deck.items), default=-1)
        for spec in result.items:
            item = by_key.get(spec.key)
            if item is not None:
                spec = _keep_unsaid(spec, item, result.unsaid)
            if item is None:
                position += 1
                item = Item(key=spec.key, kind=spec.kind.value, prompt=spec.prompt)
                deck.items.append(item)
                sync_item(item, spec, position)
                report.created += 1
            elif sync_item(item, spec, item.position):
                report.updated += 1
            else:
                report.unchanged += 1
        deck.updated_at = utcnow()
        report.regraded = regrade_changed(session, deck.items, before)
    return report


def _keep_unsaid(spec: ItemSpec, item: Item, unsaid: frozenset[str]) -> ItemSpec:
    """The spec with the stored explanation and source where the file said nothing of
    them (see ImportResult.unsaid): a set exported as GIFT or Aiken and imported again
    keeps them."""
    kept: dict[str, str] = {}
    if "explanation" in unsaid and not spec.explanation:
        kept["explanation"] = item.explanation
    if "source" in unsaid and not spec.source:
        kept["source"] = item.source_ref
    return replace(spec, **kept) if kept else spec


def _import_into_a_new_set(owner: User, result: ImportResult, title: str | None) -> ImportReport:
    name = _check_title(title or result.title or "Imported questions")

    def write(slug_of: Callable[[str], str]) -> ImportReport:
        with unit_of_work() as session:
            deck = _add_draft_set(session, owner, slug_of(name), name)
            _insert_items(session, deck, result.items)
        return ImportReport(deck=deck, created=len(result.items))

    return _with_free_slug(write)


def _refuse_kind_changes(deck: Deck, result: ImportResult) -> None:
    """An import may not change the kind of a question learners used: their answers would
    no longer fit it (the same rule as the editor's)."""
    by_key = {item.key: item for item in deck.items}
    lines = result.item_lines or (None,) * len(result.items)
    changes = [
        (spec.key, line, item.id)
        for spec, line in zip(result.items, lines, strict=True)
        if (item := by_key.get(spec.key)) is not None and item.kind != spec.kind.value
    ]
    used = used_items(deck, [item_id for _, _, item_id in changes])
    refused = [(key, line) for key, line, item_id in changes if item_id in used]
    if not refused:
        return
    shown = [f"{key!r}" + (f" (line {line})" if line else "") for key, line in refused[:10]]
    more = f" and {len(refused) - 10} more" if len(refused) > 10 else ""
    raise ServiceError(
        "Nothing was imported: the file changes the kind of "
        + ", ".join(shown)
        + more
        + ", which learners have already used, and their answers would no longer fit. "
        "Give those questions new keys in the file, so that they are added as new questions."
    )


def deck_spec(deck: Deck) -> DeckSpec:
    """A stored deck as plain data, for the export formats."""
    items = sorted((i for i in deck.items if not i.retired), key=lambda i: (i.position, i.id))
    return DeckSpec(deck.slug, deck.title, deck.description, tuple(item_spec(i) for i in items))


def deck_by_slug_with_items(slug: str) -> Deck:
    deck = db.session.execute(
        select(Deck)
        .where(Deck.slug == slug, Deck.deleted_at.is_(None))
        .options(selectinload(Deck.items).selectinload(Item.choices))
    ).scalar_one_or_none()
    if deck is None:
        raise NotFound(f"No deck with slug: {slug}")
    return deck


EXPORT_FORMATS = {
    "gift": ("text/plain; charset=utf-8", "gift.txt"),
    "aiken": ("text/plain; charset=utf-8", "aiken.txt"),
    "csv": ("text/csv; charset=utf-8", "csv"),
    "yaml": ("application/yaml; charset=utf-8", "yaml"),
    "json": ("application/json; charset=utf-8", "json"),
    "apkg": ("application/octet-stream", "apkg"),
}


def export_deck(deck: Deck, fmt: str) -> tuple[bytes, str, str]:
    """The deck in one interchange format: (content, media type, file name)."""
    import io
    import json

    from quiz.bank.aiken import write_aiken
    from quiz.bank.apkg import write_apkg
    from quiz.bank.csv_format import write_csv
    from quiz.bank.deck_yaml import dump_deck_yaml
    from quiz.bank.gift import write_gift
    from quiz.services.decks import export_decks_json

    if fmt not in EXPORT_FORMATS:
        raise ServiceError(f"Unknown export format {fmt!r}: use " + ", ".join(EXPORT_FORMATS))
    mimetype, extension = EXPORT_FORMATS[fmt]
    spec = deck_spec(deck)
    if fmt == "apkg":
        buffer = io.BytesIO()
        write_apkg(spec, buffer)
        content = buffer.getvalue()
    elif fmt == "json":
        content = json.dumps(export_decks_json([deck.slug]), ensure_ascii=False, indent=2).encode()
    else:
        writer = {
            "gift": write_gift,
            "aiken": write_aiken,
            "csv": write_csv,
            "yaml": dump_deck_yaml,
        }
        content = writer[fmt](spec).encode("utf-8")
    return content, mimetype, f"{deck.slug}.{extension}"
