"""Studying cards with spaced repetition: the queue, rating a card, quiz mistakes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import (
    Insert,
    Row,
    ScalarSelect,
    Select,
    Update,
    and_,
    bindparam,
    case,
    delete,
    exists,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, joinedload, selectinload

from quiz.domain.items import ItemKind, fixed_shuffle
from quiz.domain.scheduling import (
    LEARN_AHEAD,
    RETENTION_CHOICES,
    CardState,
    Rating,
    chosen_retention,
    format_interval,
    preview_intervals,
    review,
)
from quiz.domain.study_stats import local_day_start
from quiz.extensions import db
from quiz.inputs import is_time_zone
from quiz.models import (
    Attempt,
    Card,
    Deck,
    DeckStatus,
    Item,
    Response,
    ReviewLog,
    Suspension,
    User,
)
from quiz.services import NotFound, ServiceError, unit_of_work
from quiz.services.accounts import checked_display_name

LEARNING_STATES = (1, 3)  # fsrs State.Learning, State.Relearning
MAX_DURATION_MS = 10 * 60 * 1000  # a card left open longer says nothing about recall


def user_zone(user: User) -> ZoneInfo:
    try:
        return ZoneInfo(user.timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def studiable_conditions(item, deck, deck_id=None) -> list:
    """Conditions on an item (joined with its deck; either may be an alias) for what a
    learner may study; `deck_id`, a value or a bound parameter, keeps one deck's."""
    conditions = [item.retired.is_(False), deck.status == DeckStatus.PUBLISHED.value]
    if deck_id is not None:
        conditions.append(item.deck_id == deck_id)
    return conditions


def _studiable(deck: Deck | None):
    """Conditions on Item (joined with Deck) for what a learner may study."""
    return and_(*studiable_conditions(Item, Deck, deck.id if deck is not None else None))


@dataclass(frozen=True)
class QueueCounts:
    due: int  # cards due now
    new: int  # new cards still allowed today
    learning_soon: int  # learning cards due within the learn-ahead window
    held_back: int = 0  # new cards there are, but today's limit of new cards holds back


@dataclass(frozen=True)
class NextCard:
    item: Item
    card: Card | None  # None: a new card, never studied


def _introduced_today(user: User, now: datetime) -> int:
    start = local_day_start(now, user_zone(user))
    return db.session.execute(
        select(func.count(Card.id)).where(Card.user_id == user.id, Card.introduced_at >= start)
    ).scalar_one()


def _new_items_query(user: User, deck: Deck | None):
    has_card = exists().where(Card.user_id == user.id, Card.item_id == Item.id)
    return select(Item).join(Deck, Item.deck_id == Deck.id).where(_studiable(deck), ~has_card)


def _cards_query(user: User, deck: Deck | None):
    """The learner's cards they may study: not suspended, of a live question."""
    return (
        select(Card)
        .join(Item, Card.item_id == Item.id)
        .join(Deck, Item.deck_id == Deck.id)
        .where(Card.user_id == user.id, Card.suspended == Suspension.NONE, _studiable(deck))
    )


def _queue_count_columns(by_deck: bool) -> list[ScalarSelect[int]]:
    """Due now, learning soon, introduced today and new (at most the daily limit) as
    scalar subqueries on aliases, so that they correlate with nothing and can stand in
    any SELECT. Parameters: user_id, now, soon, day_start, daily_limit (and deck_id)."""
    user_id, now, soon = bindparam("user_id"), bindparam("now"), bindparam("soon")

    def studiable(item, deck) -> list:
        return studiable_conditions(item, deck, bindparam("deck_id") if by_deck else None)

    def studiable_cards(where: Callable[[Any], list]) -> ScalarSelect[int]:
        card, item, deck = aliased(Card), aliased(Item), aliased(Deck)
        return (
            select(func.count(card.id))
            .join(item, card.item_id == item.id)
            .join(deck, item.deck_id == deck.id)
            .where(
                card.user_id == user_id,
                card.suspended == Suspension.NONE,
                *studiable(item, deck),
                *where(card),
            )
            .scalar_subquery()
        )

    # Both are ranges of the (user_id, due) index.
    due = studiable_cards(lambda card: [card.due <= now])
    learning_soon = studiable_cards(
        lambda card: [card.due > now, card.due <= soon, card.state.in_(LEARNING_STATES)]
    )
    introduced = aliased(Card)
    introduced_today = (
        select(func.count(introduced.id))
        .where(introduced.user_id == user_id, introduced.introduced_at >= bindparam("day_start"))
        .scalar_subquery()
    )
    item, deck, card = aliased(Item), aliased(Deck), aliased(Card)
    has_card = exists().where(card.user_id == user_id, card.item_id == item.id)
    # The scan stops at the daily limit; what is left of it today is taken in Python.
    new_items = (
        select(item.id)
        .join(deck, item.deck_id == deck.id)
        .where(*studiable(item, deck), ~has_card)
        .limit(bindparam("daily_limit"))
        .subquery()
    )
    new = select(func.count()).select_from(new_items).scalar_subquery()
    return [due, learning_soon, introduced_today, new]


def _queue_params(user: User, deck: Deck | None, now: datetime) -> dict[str, Any]:
    params = {
        "user_id": user.id,
        "now": now,
        "soon": now + LEARN_AHEAD,
        "day_start": local_day_start(now, user_zone(user)),
        "daily_limit": user.daily_new_limit,
    }
    if deck is not None:
        params["deck_id"] = deck.id
    return params


def _queue_counts(
    user: User, due: int, learning_soon: int, introduced: int, new: int
) -> QueueCounts:
    allowed = max(0, user.daily_new_limit - introduced)
    return QueueCounts(
        due=due,
        new=min(new, allowed),
        learning_soon=learning_soon,
        held_back=new - min(new, allowed),
    )


# Statements used on every study page are built once per shape (the learner, the times,
# the item and the deck are parameters): building and hashing a statement took longer
# than SQLite takes to run it.


@cache
def _queue_counts_statement(by_deck: bool) -> Select:
    return select(*_queue_count_columns(by_deck))


def queue_counts(user: User, deck: Deck | None, now: datetime) -> QueueCounts:
    row = db.session.execute(
        _queue_counts_statement(deck is not None), _queue_params(user, deck, now)
    ).one()
    return _queue_counts(user, *row)


def next_card(user: User, deck: Deck | None, now: datetime) -> NextCard | None:
    """Due cards first (oldest due first), then new cards up to the daily limit, then
    learning steps due within the next few minutes; None when done for today."""
    due = db.session.execute(
        _cards_query(user, deck)
        .where(Card.due <= now)
        .order_by(Card.due, Card.id)
        .limit(1)
        .options(selectinload(Card.item).selectinload(Item.choices))
    ).scalar_one_or_none()
    if due is not None:
        return NextCard(due.item, due)
    if _introduced_today(user, now) < user.daily_new_limit:
        new = db.session.execute(
            _new_items_query(user, deck)
            .order_by(Deck.title, Deck.id, Item.position, Item.id)
            .limit(1)
            .options(selectinload(Item.choices))
        ).scalar_one_or_none()
        if new is not None:
            return NextCard(new, None)
    soon = db.session.execute(
        _cards_query(user, deck)
        .where(Card.due <= now + LEARN_AHEAD, Card.state.in_(LEARNING_STATES))
        .order_by(Card.due, Card.id)
        .limit(1)
        .options(selectinload(Card.item).selectinload(Item.choices))
    ).scalar_one_or_none()
    return NextCard(soon.item, soon) if soon is not None else None


#: How far ahead a learner who is done for today may review cards early. FSRS reads an
#: early review for what it is (the card was remembered after a shorter time), so the
#: intervals that follow stay right; it only strengthens memory less than a review on
#: time would.
REVIEW_AHEAD = timedelta(days=7)


def _ahead(user: User, deck: Deck | None, now: datetime):
    """The learner's cards due within REVIEW_AHEAD, not yet due."""
    return _cards_query(user, deck).where(Card.due > now, Card.due <= now + REVIEW_AHEAD)


def next_card_ahead(user: User, deck: Deck | None, now: datetime) -> NextCard | None:
    """For a learner done for today who asks for more: the card due soonest within
    REVIEW_AHEAD."""
    card = db.session.execute(
        _ahead(user, deck, now)
        .order_by(Card.due, Card.id)
        .limit(1)
        .options(selectinload(Card.item).selectinload(Item.choices))
    ).scalar_one_or_none()
    return NextCard(card.item, card) if card is not None else None


def count_ahead(user: User, deck: Deck | None, now: datetime) -> int:
    """How many cards review ahead would offer."""
    query = _ahead(user, deck, now).with_only_columns(func.count(Card.id))
    return db.session.execute(query).scalar_one()


def next_due_after(user: User, deck: Deck | None, now: datetime) -> datetime | None:
    return db.session.execute(
        select(func.min(Card.due))
        .select_from(Card)
        .join(Item, Card.item_id == Item.id)
        .join(Deck, Item.deck_id == Deck.id)
        .where(
            Card.user_id == user.id,
            Card.suspended == Suspension.NONE,
            Card.due > now,
            _studiable(deck),
        )
    ).scalar_one()


@dataclass(frozen=True)
class CardFace:
    """What the learner sees of a card: front, then back with the rating buttons."""

    item: Item
    front: str
    back_lines: tuple[str, ...]  # the answer: right choice(s), the right order, or the back
    # What the front offers to choose from or to put in order (none for a flashcard or a
    # true/false statement), in a fixed order of the item's own: "Which of these…?"
    # cannot be answered without them.
    options: tuple[str, ...]
    ordered: bool  # back_lines is an order to follow
    explanation: str
    source: str
    seen: str  # the card's version; a rating for an older version is a duplicate
    intervals: dict[Rating, str]
    is_new: bool
    # Not due yet: studied ahead of its time (REVIEW_AHEAD), or a learning step early.
    early: bool = False
    suspended: bool = False  # set aside by the learner: no rating until brought back


def card_token(card: Card | Row | None) -> str:
    if card is None:
        return "new"
    return card.last_review.isoformat() if card.last_review else "queued"


def _card_state(card: Card | Row | None, now: datetime) -> CardState:
    if card is None:
        return CardState.new(now)
    return CardState(
        card.state, card.step, card.stability, card.difficulty, card.due, card.last_review
    )


@dataclass(frozen=True)
class CardBack:
    face: CardFace
    counts: QueueCounts
    deck_slug: str  # the card's own deck (where a suspended card is brought back)
    deck_title: str


@cache
def _card_back_statement(by_deck: bool) -> Select:
    return (
        select(Item, Card, Deck.slug, Deck.title, *_queue_count_columns(by_deck))
        .join(Deck, Item.deck_id == Deck.id)
        .outerjoin(Card, and_(Card.item_id == Item.id, Card.user_id == bindparam("user_id")))
        .where(Item.id == bindparam("item_id"), _studiable(None))
        .options(joinedload(Item.choices))
    )


def card_back(user: User, item_id: int, deck: Deck | None, now: datetime) -> CardBack:
    """The back of a card (its answer, the intervals each rating would give) and the
    counts of the learner's queue, in one query."""
    row = (
        db.session.execute(
            _card_back_statement(deck is not None),
            {"item_id": item_id, **_queue_params(user, deck, now)},
        )
        .unique()
        .one_or_none()
    )
    if row is None:
        raise NotFound("There is no card at that address.")
    item, card, slug, title, *counts = row
    return CardBack(card_face(item, card, now, user), _queue_counts(user, *counts), slug, title)


def _back_lines(item: Item) -> tuple[str, ...]:
    """A card's answer: its back, the entries in their right order, or the right
    choices."""
    if item.kind == ItemKind.FLASHCARD:
        return (item.back,)
    choices = sorted(item.choices, key=lambda c: c.position)
    if item.kind == ItemKind.ORDERING:
        return tuple(c.text for c in choices)
    return tuple(c.text for c in choices if c.correct)


def card_face(item: Item, card: Card | None, now: datetime, user: User) -> CardFace:
    """A card as the learner sees it, with when each rating would bring it back (by the
    learner's desired retention)."""
    back = _back_lines(item)
    ordered = item.kind == ItemKind.ORDERING
    options: tuple[str, ...] = ()
    if ordered:
        options = fixed_shuffle(item.key, back)
    elif item.kind not in (ItemKind.FLASHCARD, ItemKind.TRUE_FALSE):
        choices = sorted(item.choices, key=lambda c: c.position)
        options = fixed_shuffle(item.key, [c.text for c in choices])
    retention = chosen_retention(user.desired_retention)
    intervals = preview_intervals(_card_state(card, now), now, retention)
    return CardFace(
        item=item,
        front=item.prompt,
        back_lines=back,
        options=options,
        ordered=ordered,
        explanation=item.explanation,
        source=item.source_ref,
        seen=card_token(card),
        intervals={r: format_interval(d) for r, d in intervals.items()},
        is_new=card is None,
        # Beyond the learning steps shown a few minutes early anyway (LEARN_AHEAD).
        early=card is not None and card.due > now + LEARN_AHEAD,
        suspended=card is not None and card.suspended != Suspension.NONE,
    )


@cache
def _rating_target_statement() -> Select:
    """The learner's card of a studiable item, as plain columns (a NULL id: no card yet);
    no row when the item may not be studied."""
    return (
        select(
            Card.id,
            Card.state,
            Card.step,
            Card.stability,
            Card.difficulty,
            Card.due,
            Card.last_review,
            Card.suspended,
        )
        .select_from(Item)
        .join(Deck, Item.deck_id == Deck.id)
        .outerjoin(Card, and_(Card.item_id == Item.id, Card.user_id == bindparam("user_id")))
        .where(Item.id == bindparam("item_id"), _studiable(None))
    )


# The writes of a rating, on the tables (no ORM bookkeeping: nothing is loaded).
_CARDS, _REVIEW_LOGS = Card.__table__, ReviewLog.__table__
_CARD_STATE = ("state", "step", "stability", "difficulty", "due", "last_review")


@cache
def _insert_card_statement() -> Insert:
    return insert(_CARDS).returning(_CARDS.c.id)


@cache
def _update_card_statement() -> Update:
    return (
        update(_CARDS)
        .where(
            _CARDS.c.id == bindparam("card_id"),
            _CARDS.c.last_review.is_not_distinct_from(bindparam("seen_version")),
        )
        .values({name: bindparam(f"new_{name}", type_=_CARDS.c[name].type) for name in _CARD_STATE})
    )


@cache
def _insert_review_statement() -> Insert:
    return insert(_REVIEW_LOGS)


def rate_card(
    user: User,
    item_id: int,
    rating: Rating,
    seen: str,
    now: datetime,
    duration_ms: int | None = None,
) -> bool:
    """Record one review. False (and nothing written) when this exact rating was
    already recorded: a double key press, a reload or a replayed form."""
    # Everything the write needs is read before the write transaction begins: on SQLite
    # that begin ends the read transaction and expires the loaded objects (the user
    # too), and a card read inside it would compare the row with itself.
    user_id, retention = user.id, chosen_retention(user.desired_retention)
    row = db.session.execute(
        _rating_target_statement(), {"user_id": user_id, "item_id": item_id}
    ).one_or_none()
    if row is None:
        raise NotFound("There is no card at that address.")
    card = row if row.id is not None else None
    if seen != card_token(card) or (card is not None and card.suspended != Suspension.NONE):
        return False  # a duplicate, or a card set aside meanwhile (in another tab)
    state = review(_card_state(card, now), rating, now, retention)
    if duration_ms is not None:
        duration_ms = max(0, min(int(duration_ms), MAX_DURATION_MS))
    values = {
        "state": state.state,
        "step": state.step,
        "stability": state.stability,
        "difficulty": state.difficulty,
        "due": state.due,
        "last_review": state.last_review,
    }
    try:
        with unit_of_work() as session:
            if card is None:
                card_id = session.execute(
                    _insert_card_statement(),
                    {"user_id": user_id, "item_id": item_id, "introduced_at": now, **values},
                ).scalar_one()
            else:
                # Compare-and-set on the version the learner saw: of two identical
                # ratings racing, exactly one matches.
                result = session.execute(
                    _update_card_statement(),
                    {
                        "card_id": card.id,
                        "seen_version": card.last_review,
                        **{f"new_{name}": value for name, value in values.items()},
                    },
                )
                if result.rowcount != 1:
                    raise _AlreadyRated
                card_id = card.id
            session.execute(
                _insert_review_statement(),
                {
                    "card_id": card_id,
                    "user_id": user_id,
                    "rating": int(rating),
                    "reviewed_at": now,
                    "duration_ms": duration_ms,
                    # What the review changed, for undo_review.
                    "card_created": card is None,
                    **{
                        f"before_{name}": None if card is None else getattr(card, name)
                        for name in _CARD_STATE
                    },
                },
            )
    except (_AlreadyRated, IntegrityError):
        return False
    db.session.expire_all()
    return True


class _AlreadyRated(Exception):
    pass


#: How long after a rating it may be undone: long enough to notice a slip of the finger.
#: A rating from an earlier local day cannot be undone (that day's counts are kept).
UNDO_WINDOW = timedelta(minutes=30)


@dataclass(frozen=True)
class UndoableReview:
    review_id: int
    front: str
    rating: Rating
    deck_id: int


@cache
def _last_review_statement() -> Select:
    return (
        select(
            ReviewLog.id,
            ReviewLog.rating,
            ReviewLog.reviewed_at,
            ReviewLog.card_created,
            ReviewLog.card_id,
            *(getattr(ReviewLog, f"before_{name}") for name in _CARD_STATE),
            Card.last_review,
            Card.suspended,
            Card.item_id,
            Item.prompt,
            Item.deck_id,
            # Selected, not filtered on: the latest review of a card no longer studiable
            # (a retired question, an unpublished deck) is still the latest, not undone.
            case((_studiable(None), True), else_=False).label("studiable"),
        )
        .join(Card, Card.id == ReviewLog.card_id)
        .join(Item, Item.id == Card.item_id)
        .join(Deck, Deck.id == Item.deck_id)
        .where(ReviewLog.user_id == bindparam("user_id"))
        .order_by(ReviewLog.reviewed_at.desc(), ReviewLog.id.desc())
        .limit(1)
    )


def _last_review(user: User, now: datetime) -> Row | None:
    """The learner's latest review, if it can still be undone: it is their card's latest
    too, of a card they may still study, recent and of their local today, and it was
    logged with what it changed."""
    row = db.session.execute(_last_review_statement(), {"user_id": user.id}).one_or_none()
    if (
        row is None
        or not row.studiable
        or not (row.card_created or row.before_due is not None)
        or row.last_review != row.reviewed_at
        or row.suspended != Suspension.NONE  # set aside since: bring it back first
        or now - row.reviewed_at > UNDO_WINDOW
        or row.reviewed_at < local_day_start(now, user_zone(user))
    ):
        return None
    return row


def last_undoable_review(
    user: User, now: datetime, deck: Deck | None = None
) -> UndoableReview | None:
    """The rating the learner may undo now (their last one), if any; studying one deck,
    only a rating of a card of that deck."""
    row = _last_review(user, now)
    if row is None or (deck is not None and row.deck_id != deck.id):
        return None
    return UndoableReview(row.id, row.prompt, Rating(row.rating), row.deck_id)


def _missed_in_a_quiz_since(user_id: int, item_id: int, since: datetime) -> bool:
    """Whether a quiz the learner submitted since `since` drew the item and did not get
    it right (answered wrong or left out), as queue_mistakes counts a mistake."""
    recent = db.session.execute(
        select(Attempt.id, Attempt.item_ids).where(
            Attempt.user_id == user_id, Attempt.submitted_at >= since
        )
    ).all()
    drawn = [attempt_id for attempt_id, item_ids in recent if item_id in item_ids]
    if not drawn:
        return False
    right = db.session.execute(
        select(func.count()).where(
            Response.attempt_id.in_(drawn),
            Response.item_id == item_id,
            Response.correct.is_(True),
        )
    ).scalar_one()
    return right < len(drawn)


def undo_review(user: User, review_id: int, now: datetime) -> bool:
    """Undo the learner's last rating: the card goes back to what it was before (a new
    card's first rating takes the card away, so it is new again and no longer counts
    against the day's new cards), and the review leaves the log. False, with nothing
    changed, when `review_id` is not their last rating or can no longer be undone (a
    second undo, another tab that rated since, or too late)."""
    row = _last_review(user, now)  # read before the write transaction (see rate_card)
    if row is None or row.id != review_id:
        return False
    # A question answered wrong in a quiz since a new card's first rating found the card
    # there and queued nothing: taking the card away must leave it queued, as it would
    # have been.
    missed_since = row.card_created and _missed_in_a_quiz_since(
        user.id, row.item_id, row.reviewed_at
    )
    card = and_(
        _CARDS.c.id == row.card_id,
        _CARDS.c.last_review == row.reviewed_at,
        _CARDS.c.suspended == Suspension.NONE,  # not set aside meanwhile (another tab)
    )
    try:
        with unit_of_work() as session:
            session.execute(delete(_REVIEW_LOGS).where(_REVIEW_LOGS.c.id == row.id))
            if row.card_created:
                result = session.execute(delete(_CARDS).where(card))
                if result.rowcount == 1 and missed_since:
                    queue_mistakes(session, user.id, [row.item_id], now)
            else:
                before = {name: getattr(row, f"before_{name}") for name in _CARD_STATE}
                result = session.execute(update(_CARDS).where(card).values(before))
            if result.rowcount != 1:  # the card changed since: undo nothing
                raise _AlreadyRated
    except _AlreadyRated:
        return False
    db.session.expire_all()
    return True


def queue_mistakes(session, user_id: int, item_ids: Sequence[int], now: datetime) -> None:
    """Put items answered wrong in a quiz into the learner's queue, due now, unless
    they are there already. Runs inside the caller's transaction."""
    queue_pairs(session, [(user_id, item_id) for item_id in item_ids], now)


#: (learner, item) pairs queued in one statement (the databases' limits on bound values).
_PAIRS_PER_STATEMENT = 400


def queue_pairs(session, pairs: Sequence[tuple[int, int]], now: datetime) -> None:
    """New cards, due now, for the (learner, item) pairs that have none yet: queue_mistakes
    for many learners at once (quiz.services.regrading). Inside the caller's transaction."""
    wanted = list(dict.fromkeys(pairs))
    for start in range(0, len(wanted), _PAIRS_PER_STATEMENT):
        _queue_chunk(session, wanted[start : start + _PAIRS_PER_STATEMENT], now)


def _queue_chunk(session, pairs: Sequence[tuple[int, int]], now: datetime) -> None:
    users = {user_id for user_id, _ in pairs}
    items = {item_id for _, item_id in pairs}
    for _ in range(2):  # a second pass only if a study review raced the first
        existing = {
            (user_id, item_id)
            for user_id, item_id in session.execute(
                select(Card.user_id, Card.item_id).where(
                    Card.user_id.in_(users), Card.item_id.in_(items)
                )
            )
        }
        missing = [pair for pair in pairs if pair not in existing]
        if not missing:
            return
        try:
            with session.begin_nested():
                session.execute(insert(Card), [_queued_row(*pair, now) for pair in missing])
            return
        except IntegrityError:
            continue


def suspend_card(user: User, item_id: int, now: datetime) -> bool:
    """Set the learner's card of a studiable item aside ("don't show me this card"): it
    is never due and never new until they bring it back (unsuspend_card), and keeps its
    memory state. A card never studied is set aside too: a card row that was never
    introduced, so it takes nothing from today's new cards. False when it was already."""
    user_id = user.id
    with unit_of_work() as session:
        row = session.execute(
            _rating_target_statement(), {"user_id": user_id, "item_id": item_id}
        ).one_or_none()
        if row is None:
            raise NotFound("There is no card at that address.")
        if row.id is not None and row.suspended != Suspension.NONE:
            return False
        if row.id is None:
            values = {**_queued_row(user_id, item_id, now), "suspended": Suspension.UNSEEN}
            try:
                with session.begin_nested():
                    session.execute(insert(_CARDS).values(values))
                return True
            except IntegrityError:  # made a moment ago (a rating in another tab)
                pass
        mine = and_(_CARDS.c.user_id == user_id, _CARDS.c.item_id == item_id)
        session.execute(
            update(_CARDS)
            .where(mine, _CARDS.c.suspended == Suspension.NONE)
            .values(suspended=Suspension.SUSPENDED)
        )
    return True


def unsuspend_card(user: User, item_id: int) -> bool:
    """Bring a card the learner set aside back into their study: it is due as it was
    scheduled (at once, if that time has passed), or, never studied, new again. False
    when it was not set aside."""
    with unit_of_work() as session:
        mine = and_(_CARDS.c.user_id == user.id, _CARDS.c.item_id == item_id)
        # A row that only held a never-studied card aside goes: the card is new again.
        gone = session.execute(delete(_CARDS).where(mine, _CARDS.c.suspended == Suspension.UNSEEN))
        back = session.execute(
            update(_CARDS)
            .where(mine, _CARDS.c.suspended == Suspension.SUSPENDED)
            .values(suspended=Suspension.NONE)
        )
        return bool(gone.rowcount or back.rowcount)


@dataclass(frozen=True)
class SuspendedCard:
    item_id: int
    prompt: str
    answer: str  # its back, or its right answers: many prompts read alike


def suspended_cards(user: User, deck: Deck) -> list[SuspendedCard]:
    """The learner's cards of the deck they set aside, in the deck's order."""
    items = db.session.execute(
        select(Item)
        .join(Card, Card.item_id == Item.id)
        .where(
            Card.user_id == user.id,
            Card.suspended != Suspension.NONE,
            Item.deck_id == deck.id,
            Item.retired.is_(False),
        )
        .order_by(Item.position, Item.id)
        .options(selectinload(Item.choices))
    ).scalars()
    return [
        SuspendedCard(
            item.id,
            item.prompt,
            (" → " if item.kind == ItemKind.ORDERING else "; ").join(_back_lines(item)),
        )
        for item in items
    ]


def _queued_row(user_id: int, item_id: int, now: datetime) -> dict:
    fresh = CardState.new(now)
    return {
        "user_id": user_id,
        "item_id": item_id,
        "state": fresh.state,
        "step": fresh.step,
        "stability": None,
        "difficulty": None,
        "due": now,
        "last_review": None,
        "created_at": now,
        "introduced_at": None,
    }


def update_settings(
    user: User,
    timezone: str,
    daily_new_limit: int,
    display_name: str | None = None,
    desired_retention: float | None = None,
) -> None:
    """The learner's own settings; a display_name or desired_retention of None leaves it
    as it is. A new desired retention schedules each card from its next review on."""
    if display_name is not None:
        display_name = checked_display_name(display_name)
    if not is_time_zone(timezone):
        raise ServiceError(f"Unknown time zone {timezone!r}.", field="timezone")
    if not 0 <= daily_new_limit <= 500:
        raise ServiceError("Choose from 0 to 500 new cards a day.", field="daily_new_limit")
    if desired_retention is not None and desired_retention not in RETENTION_CHOICES:
        raise ServiceError("Choose how much to remember from the list.", field="desired_retention")
    with unit_of_work():
        user.timezone = timezone
        user.daily_new_limit = daily_new_limit
        if desired_retention is not None:
            user.desired_retention = desired_retention
        if display_name is not None:
            user.display_name = display_name
