"""Taking a quiz: start an attempt, answer its questions, submit it, read the result."""

from __future__ import annotations

import random
from dataclasses import dataclass

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from quiz.domain.grading import ChoiceKey, InvalidAnswer, grade, plan_attempt
from quiz.domain.items import QUIZ_KINDS, ItemKind
from quiz.extensions import db
from quiz.models import Attempt, Deck, Item, Response, User, utcnow
from quiz.services import NotFound, ServiceError, unit_of_work
from quiz.services.study import queue_mistakes

QUIZ_LENGTHS = (10, 20)


def start_attempt(
    user: User, deck: Deck, length: int | None = None, rng: random.Random | None = None
) -> Attempt:
    """A new attempt with its questions and choices shuffled once, for good."""
    items = (
        db.session.execute(
            db.select(Item)
            .where(
                Item.deck_id == deck.id,
                Item.retired.is_(False),
                Item.kind.in_([k.value for k in QUIZ_KINDS]),
            )
            .options(selectinload(Item.choices))
            .order_by(Item.position)
        )
        .scalars()
        .all()
    )
    if not items:
        raise ServiceError("This deck has no quiz questions yet.")
    if length is not None and length < 1:
        raise ServiceError("A quiz needs at least one question.")
    rng = rng or random.SystemRandom()
    item_ids, choice_order = plan_attempt(
        [(item.id, item.kind, [c.id for c in item.choices]) for item in items], length, rng
    )
    with unit_of_work() as session:
        attempt = Attempt(
            user_id=user.id,
            deck_id=deck.id,
            item_ids=item_ids,
            choice_order=choice_order,
            total=len(item_ids),
        )
        session.add(attempt)
    return attempt


def get_attempt(user: User, attempt_id: int) -> Attempt:
    """The learner's own attempt; anyone else's looks exactly like a missing one."""
    attempt = db.session.execute(
        db.select(Attempt).where(Attempt.id == attempt_id, Attempt.user_id == user.id)
    ).scalar_one_or_none()
    if attempt is None:
        raise NotFound("There is no quiz attempt at that address.")
    return attempt


def unfinished_attempt(user: User, deck: Deck) -> Attempt | None:
    return db.session.execute(
        db.select(Attempt)
        .where(
            Attempt.user_id == user.id,
            Attempt.deck_id == deck.id,
            Attempt.submitted_at.is_(None),
        )
        .order_by(Attempt.started_at.desc(), Attempt.id.desc())
        .limit(1)
    ).scalar_one_or_none()


@dataclass(frozen=True)
class ShownChoice:
    id: int
    text: str


@dataclass(frozen=True)
class QuestionPage:
    """One question as the learner sees it: no answer key in here."""

    attempt: Attempt
    number: int  # 1-based
    total: int
    item_id: int
    kind: str
    prompt: str
    choices: tuple[ShownChoice, ...]
    chosen: tuple[int, ...]  # the learner's earlier answer to this question, if any
    answered: int  # how many questions of the attempt have an answer

    @property
    def is_last(self) -> bool:
        return self.number == self.total


def _item_at(attempt: Attempt, number: int) -> Item:
    if not 1 <= number <= len(attempt.item_ids):
        raise NotFound("That question is not part of this quiz.")
    item = db.session.execute(
        db.select(Item)
        .where(Item.id == attempt.item_ids[number - 1])
        .options(selectinload(Item.choices))
    ).scalar_one()
    return item


def _answered_items(attempt: Attempt) -> dict[int, Response]:
    rows = db.session.execute(
        db.select(Response).where(Response.attempt_id == attempt.id)
    ).scalars()
    return {r.item_id: r for r in rows}


def question_page(attempt: Attempt, number: int) -> QuestionPage:
    item = _item_at(attempt, number)
    by_id = {c.id: c for c in item.choices}
    order = attempt.choice_order.get(str(item.id), [])
    choices = tuple(ShownChoice(cid, by_id[cid].text) for cid in order if cid in by_id)
    answered = _answered_items(attempt)
    earlier = answered.get(item.id)
    return QuestionPage(
        attempt=attempt,
        number=number,
        total=len(attempt.item_ids),
        item_id=item.id,
        kind=item.kind,
        prompt=item.prompt,
        choices=choices,
        chosen=tuple(earlier.chosen) if earlier else (),
        answered=len(answered),
    )


def record_response(attempt: Attempt, number: int, chosen: list[int]) -> None:
    """Save (or change) the answer to one question of an unsubmitted attempt."""
    if attempt.is_submitted:
        raise ServiceError("This quiz has already been submitted; its answers are final.")
    item = _item_at(attempt, number)
    keys = [ChoiceKey(c.id, c.correct, c.position) for c in item.choices]
    try:
        correct = grade(item.kind, keys, chosen)
    except InvalidAnswer as exc:
        raise ServiceError(str(exc), field="answer") from exc
    try:
        with unit_of_work() as session:
            response = session.execute(
                db.select(Response).where(
                    Response.attempt_id == attempt.id, Response.item_id == item.id
                )
            ).scalar_one_or_none()
            if response is None:
                session.add(
                    Response(attempt_id=attempt.id, item_id=item.id, chosen=chosen, correct=correct)
                )
            else:
                response.chosen, response.correct, response.answered_at = (
                    chosen,
                    correct,
                    utcnow(),
                )
    except IntegrityError:
        # The same answer arrived twice at once (a double click): the first one stands.
        return


def submit_attempt(attempt: Attempt) -> bool:
    """Score and close the attempt. True if this call submitted it, False if done before."""
    if attempt.is_submitted:
        return False
    now = utcnow()
    with unit_of_work() as session:
        answered = _answered_items(attempt)
        correct = sum(1 for r in answered.values() if r.correct)
        # Conditional update: of two submissions racing, exactly one matches the row.
        result = session.execute(
            update(Attempt)
            .where(Attempt.id == attempt.id, Attempt.submitted_at.is_(None))
            .values(submitted_at=now, correct_count=correct, total=len(attempt.item_ids))
            .execution_options(synchronize_session=False)
        )
        submitted = result.rowcount == 1
        if submitted:
            missed = [i for i in attempt.item_ids if not (i in answered and answered[i].correct)]
            queue_mistakes(session, attempt.user_id, missed, now)
    db.session.refresh(attempt)
    return submitted


@dataclass(frozen=True)
class ResultChoice:
    text: str
    chosen: bool
    correct: bool


@dataclass(frozen=True)
class ResultRow:
    number: int
    kind: str
    prompt: str
    answered: bool
    correct: bool
    choices: tuple[ResultChoice, ...]  # in the order the learner saw them
    learner_order: tuple[str, ...]  # ordering items: the learner's order
    right_order: tuple[str, ...]  # ordering items: the right order
    explanation: str
    source: str


def attempt_result(attempt: Attempt) -> list[ResultRow]:
    """Every question of a submitted attempt with the learner's answer and the right one."""
    if not attempt.is_submitted:
        raise ServiceError("Submit the quiz to see its result.")
    items = {
        item.id: item
        for item in db.session.execute(
            db.select(Item).where(Item.id.in_(attempt.item_ids)).options(selectinload(Item.choices))
        ).scalars()
    }
    answered = _answered_items(attempt)
    rows = []
    for number, item_id in enumerate(attempt.item_ids, start=1):
        item = items[item_id]
        by_id = {c.id: c for c in item.choices}
        response = answered.get(item_id)
        chosen = list(response.chosen) if response else []
        order = [cid for cid in attempt.choice_order.get(str(item_id), []) if cid in by_id]
        is_ordering = item.kind == ItemKind.ORDERING
        rows.append(
            ResultRow(
                number=number,
                kind=item.kind,
                prompt=item.prompt,
                answered=response is not None,
                correct=bool(response and response.correct),
                choices=tuple(
                    ResultChoice(by_id[cid].text, cid in chosen, by_id[cid].correct)
                    for cid in order
                ),
                learner_order=tuple(by_id[c].text for c in chosen if c in by_id)
                if is_ordering
                else (),
                right_order=tuple(c.text for c in sorted(item.choices, key=lambda c: c.position))
                if is_ordering
                else (),
                explanation=item.explanation,
                source=item.source_ref,
            )
        )
    return rows


def answered_numbers(attempt: Attempt) -> set[int]:
    """The 1-based numbers of the attempt's questions that have an answer."""
    answered = _answered_items(attempt)
    return {n for n, item_id in enumerate(attempt.item_ids, start=1) if item_id in answered}
