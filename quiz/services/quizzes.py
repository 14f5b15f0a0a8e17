"""Taking a quiz: start an attempt, answer its questions, submit it, read the result."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import NamedTuple

from sqlalchemy import and_, bindparam, func, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import joinedload, selectinload

from quiz.domain.grading import ChoiceKey, InvalidAnswer, grade, plan_attempt, regrade
from quiz.domain.items import QUIZ_KINDS, ItemKind
from quiz.extensions import db
from quiz.models import Attempt, Choice, Deck, Item, Response, User, utcnow
from quiz.services import NotFound, ServiceError, fetch, unit_of_work
from quiz.services.study import queue_mistakes

QUIZ_LENGTHS = (10, 20)


def start_attempt(
    user: User,
    deck: Deck,
    length: int | None = None,
    rng: random.Random | None = None,
    checks_answers: bool = False,
) -> Attempt:
    """A new attempt with its questions and choices shuffled once, for good. One that
    `checks_answers` shows each answer's verdict as soon as it is given (see
    Attempt.checks_answers)."""
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
            checks_answers=checks_answers,
            whole_deck=len(item_ids) == len(items),
        )
        session.add(attempt)
    return attempt


# The statements of the quiz pages, built once (see quiz.services.fetch).
_OWN_ATTEMPT = (
    db.select(Attempt)
    .where(Attempt.id == bindparam("attempt_id"), Attempt.user_id == bindparam("user_id"))
    .options(joinedload(Attempt.deck))
)
_QUESTION = (
    db.select(
        Item.kind,
        Item.prompt,
        Choice.id,
        Choice.text,
        Choice.correct,
        Choice.position,
        Item.key_version,
    )
    .outerjoin(Choice, Choice.item_id == Item.id)
    .where(Item.id == bindparam("item_id"))
    .order_by(Choice.position, Choice.id)
)
# The question page in one statement: the question's rows as above, each also carrying
# the learner's earlier answer to it (or NULL) and how many questions they have answered.
_QUESTION_PAGE = _QUESTION.add_columns(
    db.select(Response.chosen)
    .where(Response.attempt_id == bindparam("attempt_id"), Response.item_id == Item.id)
    .scalar_subquery(),
    db.select(func.count())
    .select_from(Response)
    .where(Response.attempt_id == bindparam("attempt_id"))
    .scalar_subquery(),
)
_ANSWERS = db.select(Response.item_id, Response.chosen, Response.correct).where(
    Response.attempt_id == bindparam("attempt_id")
)
# The result page in one statement: each question with each of its choices (in their
# right order) and the learner's answer to it, if any.
_RESULT = (
    db.select(
        Item.id,
        Item.kind,
        Item.prompt,
        Item.explanation,
        Item.source_ref,
        Choice.id,
        Choice.text,
        Choice.correct,
        Response.chosen,
        Response.correct,
        Response.regraded_at,
        Item.retired,
        Response.shown,
    )
    .outerjoin(Choice, Choice.item_id == Item.id)
    .outerjoin(
        Response,
        and_(Response.item_id == Item.id, Response.attempt_id == bindparam("attempt_id")),
    )
    .where(Item.id.in_(bindparam("item_ids", expanding=True)))
    .order_by(Item.id, Choice.position, Choice.id)
)


def get_attempt(user: User, attempt_id: int) -> Attempt:
    """The learner's own attempt; anyone else's looks exactly like a missing one."""
    attempt = db.session.execute(
        _OWN_ATTEMPT, {"attempt_id": attempt_id, "user_id": user.id}
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


@dataclass(frozen=True)
class _Question:
    """One question of an attempt with its answer key: it never leaves this module."""

    item_id: int
    kind: str
    prompt: str
    choices: tuple[tuple[int, str, bool, int], ...]  # (id, text, correct, position)
    key_version: int = 0  # see Item.key_version

    @property
    def keys(self) -> list[ChoiceKey]:
        return [ChoiceKey(cid, correct, position) for cid, _, correct, position in self.choices]


def _item_id_at(attempt: Attempt, number: int) -> int:
    """The item id of the attempt's question number `number` (1-based)."""
    if not 1 <= number <= len(attempt.item_ids):
        raise NotFound("That question is not part of this quiz.")
    return attempt.item_ids[number - 1]


def _question_from(item_id: int, rows: list) -> _Question:
    """The question in the rows of _QUESTION (or of _QUESTION_PAGE, which starts alike)."""
    if not rows:
        raise NotFound("That question is not part of this quiz.")
    choices = tuple((r[2], r[3], r[4], r[5]) for r in rows if r[2] is not None)
    return _Question(item_id, rows[0][0], rows[0][1], choices, rows[0][6])


def _question_at(attempt: Attempt, number: int) -> _Question:
    """The attempt's question number `number` (1-based), in one query of plain columns."""
    item_id = _item_id_at(attempt, number)
    return _question_from(item_id, fetch(_QUESTION, item_id=item_id))


def _answers(attempt_id: int) -> dict[int, tuple[list[int], bool]]:
    """The attempt's answers so far: item id -> (chosen choice ids, whether right)."""
    rows = fetch(_ANSWERS, attempt_id=attempt_id)
    return {item_id: (chosen, correct) for item_id, chosen, correct in rows}


def _shown_choices(attempt: Attempt, question: _Question) -> tuple[ShownChoice, ...]:
    """The question's choices in the order this attempt shows them."""
    texts = {cid: text for cid, text, _, _ in question.choices}
    order = in_attempt_order(attempt, question.item_id, list(texts))
    return tuple(ShownChoice(cid, texts[cid]) for cid in order)


def in_attempt_order(attempt: Attempt, item_id: int, choice_ids: list[int]) -> list[int]:
    """The question's current choices (`choice_ids`, in stored order) in the order the
    attempt drew them; a choice a teacher added since comes last, so that the question
    can still be answered whole."""
    current = set(choice_ids)
    drawn = [cid for cid in attempt.choice_order.get(str(item_id), []) if cid in current]
    seen = set(drawn)
    return drawn + [cid for cid in choice_ids if cid not in seen]


def question_page(attempt: Attempt, number: int) -> QuestionPage:
    """What the page of question `number` shows: the question, its choices in this
    attempt's order, the learner's earlier answer to it and how many they have answered;
    all in one query."""
    item_id = _item_id_at(attempt, number)
    rows = fetch(_QUESTION_PAGE, item_id=item_id, attempt_id=attempt.id)
    question = _question_from(item_id, rows)
    earlier, answered = rows[0][7], rows[0][8]
    return QuestionPage(
        attempt=attempt,
        number=number,
        total=len(attempt.item_ids),
        item_id=question.item_id,
        kind=question.kind,
        prompt=question.prompt,
        choices=_shown_choices(attempt, question),
        chosen=tuple(earlier or ()),
        answered=answered,
    )


class AlreadySubmitted(ServiceError):
    """The attempt was submitted (perhaps in another tab): its answers are final."""

    def __init__(self) -> None:
        super().__init__("This quiz has already been submitted; its answers are final.")


#: How many times an answer is graded again when a corrected key overtakes it.
_GRADING_TRIES = 3


def answer_question(
    attempt: Attempt, number: int, read_answer: Callable[[str, list[int]], list[int]]
) -> bool:
    """Grade and save the learner's answer to question `number` of an unsubmitted attempt,
    reading the question once. `read_answer(kind, choice_ids)` turns what the learner
    sent into the chosen choice ids (the choices in the order the attempt shows them); it
    may raise InvalidAnswer. Returns whether this was the attempt's last question.

    The answer is stored only if the question's key is still the one it was graded
    against (Item.key_version, checked in the insert itself): a teacher's correction
    that lands in between has it graded again, as its re-marking cannot see it."""
    if attempt.is_submitted:
        raise AlreadySubmitted
    # Read now: the unit of work expires the attempt.
    attempt_id = attempt.id
    checks_answers = attempt.checks_answers
    drawn = attempt.choice_order
    is_last = number == len(attempt.item_ids)
    for _ in range(_GRADING_TRIES):
        question = _question_at(attempt, number)
        shown = [c.id for c in _shown_choices(attempt, question)]
        try:
            chosen = read_answer(question.kind, shown)
            correct = grade(question.kind, question.keys, chosen)
        except InvalidAnswer as exc:
            raise ServiceError(str(exc), field="answer") from exc
        with unit_of_work() as session:
            dialect = session.get_bind().dialect.name
            statement = _first_response(dialect) if checks_answers else _upsert_response(dialect)
            saved = session.execute(
                statement,
                {
                    "attempt_id": attempt_id,
                    "item_id": question.item_id,
                    "key_version": question.key_version,
                    "chosen": chosen,
                    "correct": correct,
                    "answered_at": utcnow(),
                    # What a later correction of the key marks the answer against, when
                    # it is not what the quiz drew (a choice added since it began).
                    "shown": None if shown == drawn.get(str(question.item_id)) else shown,
                },
            ).scalar_one_or_none()
        if saved is not None:
            return is_last
        submitted_at, answered, key_version = fetch(
            _REFUSED, attempt_id=attempt_id, item_id=question.item_id
        )[0]
        if submitted_at is not None:
            raise AlreadySubmitted  # submitted since it was read (another tab, a double click)
        if key_version == question.key_version and checks_answers and answered:
            return is_last  # already answered, and checked: the first answer stands
        # The key was corrected since the question was read: grade the answer again.
    raise ServiceError(
        "This question is being corrected by its author right now: answer it again in a moment.",
        field="answer",
    )


def record_response(attempt: Attempt, number: int, chosen: list[int]) -> None:
    """Save (or change) the answer to one question of an unsubmitted attempt: the choice
    ids themselves, not a form to read them from."""
    answer_question(attempt, number, lambda _kind, _choice_ids: chosen)


# Why an answer was not stored: the attempt was submitted, the question answered already
# (a quiz that checks each answer keeps the first), or its key corrected meanwhile.
_REFUSED = db.select(
    Attempt.submitted_at,
    db.select(Response.id)
    .where(Response.attempt_id == Attempt.id, Response.item_id == bindparam("item_id"))
    .exists(),
    db.select(Item.key_version).where(Item.id == bindparam("item_id")).scalar_subquery(),
).where(Attempt.id == bindparam("attempt_id"))


def _still_open_response():
    """The row a response is inserted from: only while the attempt is not submitted and
    the question's key is the one the answer was graded against.

    On PostgreSQL both rows are locked FOR KEY SHARE, the lock the foreign keys take
    anyway, so answers never wait for one another nor for an edit of the question's
    text. A submission (which locks its attempt FOR UPDATE) or a correction of the key
    (which locks the question FOR UPDATE) in progress is waited for, and the rows are
    then read again: the attempt submitted, or the key's version raised, stores nothing.
    The question's row comes first, as in every writer (see quiz.services.regrading)."""
    columns = Response.__table__.c
    return (
        db.select(
            Attempt.id,
            Item.id,
            bindparam("chosen", type_=columns.chosen.type),
            bindparam("correct"),
            bindparam("answered_at", type_=columns.answered_at.type),
            bindparam("shown", type_=columns.shown.type),
        )
        .select_from(Item)
        .join(Attempt, Attempt.id == bindparam("attempt_id"))  # one row of each
        .where(
            Item.id == bindparam("item_id"),
            Item.key_version == bindparam("key_version"),
            Attempt.submitted_at.is_(None),
        )
        .with_for_update(read=True, key_share=True)
    )


_RESPONSE_COLUMNS = ["attempt_id", "item_id", "chosen", "correct", "answered_at", "shown"]


@cache
def _first_response(dialect: str):
    """For an attempt that checks each answer: the first answer to a question stands, as
    its verdict has been shown; a later one (a double click) writes nothing."""
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    responses = Response.__table__
    statement = insert(responses).from_select(_RESPONSE_COLUMNS, _still_open_response())
    return statement.on_conflict_do_nothing(
        index_elements=[responses.c.attempt_id, responses.c.item_id]
    ).returning(responses.c.id)


@cache
def _upsert_response(dialect: str):
    """One statement whether it is the first answer or a changed one, and whatever arrives
    at the same moment (a double click): the last answer stands. It writes nothing once
    the attempt is submitted: the row is read in the statement, and on PostgreSQL locked
    (FOR SHARE) so that a submission waits for it, or it for the submission (SQLite
    writes one transaction at a time). Built once per dialect."""
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    responses = Response.__table__  # a Core insert: from a select, not ORM objects
    columns = responses.c
    statement = insert(responses).from_select(_RESPONSE_COLUMNS, _still_open_response())
    return statement.on_conflict_do_update(
        index_elements=[columns.attempt_id, columns.item_id],
        set_={
            "chosen": statement.excluded.chosen,
            "correct": statement.excluded.correct,
            "answered_at": statement.excluded.answered_at,
            "regraded_at": None,  # a new answer, marked as it is given
            "shown": statement.excluded.shown,
        },
    ).returning(columns.id)


def submit_attempt(attempt: Attempt) -> bool:
    """Score and close the attempt. True if this call submitted it, False if done before."""
    if attempt.is_submitted:
        return False
    attempt_id, user_id, item_ids = attempt.id, attempt.user_id, list(attempt.item_ids)
    now = utcnow()
    with unit_of_work() as session:
        if session.get_bind().dialect.name == "postgresql":
            # Its questions first (FOR KEY SHARE, the lock the flashcards queued below
            # take on them anyway), as every writer takes questions, then quizzes, then
            # decks (see regrading.lock_for_correction): a correction holding one is
            # waited for here, before this quiz and its deck are locked; otherwise it
            # would wait for them while this waited for the question (a deadlock).
            session.execute(
                db.select(Item.id)
                .where(Item.id.in_(item_ids))
                .order_by(Item.id)
                .with_for_update(read=True, key_share=True)
            ).all()
        # Held to the commit, and taken before the answers are read: a correction of a
        # key re-marking this quiz's answers at the same moment (it locks the open
        # quizzes it touches, see regrading.lock_for_correction) is waited for, so the
        # score counts its marks; an answer being stored is waited for too.
        session.execute(
            db.select(Attempt.id).where(Attempt.id == attempt_id).with_for_update()
        ).first()
        answered = _answers(attempt_id)
        correct = sum(1 for _, right in answered.values() if right)
        # Conditional update: of two submissions racing, exactly one matches the row.
        result = session.execute(
            update(Attempt)
            .where(Attempt.id == attempt_id, Attempt.submitted_at.is_(None))
            .values(submitted_at=now, correct_count=correct, total=len(item_ids))
            .execution_options(synchronize_session=False)
        )
        submitted = result.rowcount == 1
        if submitted:
            missed = [i for i in item_ids if not (i in answered and answered[i][1])]
            queue_mistakes(session, user_id, missed, now)
    db.session.refresh(attempt)
    return submitted


@dataclass(frozen=True)
class ResultChoice:
    text: str
    chosen: bool
    correct: bool


class _ResultChoiceRow(NamedTuple):
    id: int
    text: str
    correct: bool


@dataclass(frozen=True)
class ResultRow:
    number: int
    item_id: int
    kind: str
    prompt: str
    answered: bool
    correct: bool
    choices: tuple[ResultChoice, ...]  # in the order the learner saw them
    learner_order: tuple[str, ...]  # ordering items: the learner's order
    right_order: tuple[str, ...]  # ordering items: the right order
    explanation: str
    source: str
    # When a corrected answer key changed this answer's mark (None: marked as given).
    regraded_at: datetime | None = None
    # The answer picked a choice the teacher has since removed or rewritten beyond
    # recognition: it is not among the choices shown, and keeps the mark it was given.
    picked_a_removed_choice: bool = False
    # The question's choices changed after the answer was given, so that it keeps a mark
    # the current key would not give it (or could not: see grading.regrade).
    kept_an_earlier_mark: bool = False
    retired: bool = False  # removed from its deck since


def attempt_result(attempt: Attempt) -> list[ResultRow]:
    """Every question of a submitted attempt with the learner's answer and the right one.

    One query of plain columns: a result page shows up to hundreds of texts, and ORM
    objects for each would cost more than the page.
    """
    if not attempt.is_submitted:
        raise ServiceError("Submit the quiz to see its result.")
    return _result_rows(attempt, list(enumerate(attempt.item_ids, start=1)))


def checked_answer(attempt: Attempt, number: int) -> ResultRow | None:
    """For an attempt that checks each answer: question `number` with the learner's
    answer, the right one and the explanation, once it is answered (None before, and
    always for an attempt that checks its answers at the end)."""
    item_id = _item_id_at(attempt, number)
    if not attempt.checks_answers:
        return None
    (row,) = _result_rows(attempt, [(number, item_id)])
    return row if row.answered else None


class _Answer(NamedTuple):
    chosen: list[int]
    correct: bool
    regraded_at: datetime | None
    shown: list[int] | None  # see Response.shown


def _result_rows(attempt: Attempt, numbered: list[tuple[int, int]]) -> list[ResultRow]:
    """(number, item id) questions of the attempt as result rows, in one query."""
    item_ids = [item_id for _, item_id in numbered]
    items: dict[int, tuple] = {}
    choices: dict[int, list[_ResultChoiceRow]] = {}
    answered: dict[int, _Answer] = {}
    for row in fetch(_RESULT, item_ids=item_ids, attempt_id=attempt.id):
        (item_id, kind, prompt, explanation, source, cid, text, right) = row[:8]
        (chosen, correct, regraded_at, retired, shown) = row[8:]
        if item_id not in items:
            items[item_id] = (kind, prompt, explanation, source, retired)
            choices[item_id] = []
            if chosen is not None:
                answered[item_id] = _Answer(chosen, correct, regraded_at, shown)
        if cid is not None:
            choices[item_id].append(_ResultChoiceRow(cid, text, right))
    rows = []
    for number, item_id in numbered:
        kind, prompt, explanation, source, retired = items[item_id]
        item_choices = choices[item_id]
        by_id = {c.id: c for c in item_choices}
        answer = answered.get(item_id)
        chosen = list(answer.chosen) if answer else []
        order = in_attempt_order(attempt, item_id, [c.id for c in item_choices])
        is_ordering = kind == ItemKind.ORDERING
        removed = any(c not in by_id for c in chosen)
        kept = False
        if answer is not None and not removed:
            # Would the current key give it its mark? Not when the question changed.
            keys = [ChoiceKey(c.id, c.correct, n) for n, c in enumerate(item_choices)]
            shown = answer.shown or attempt.choice_order.get(str(item_id), [])
            kept = regrade(kind, keys, shown, chosen) != answer.correct
        rows.append(
            ResultRow(
                number=number,
                item_id=item_id,
                kind=kind,
                prompt=prompt,
                answered=answer is not None,
                correct=bool(answer and answer.correct),
                choices=tuple(
                    ResultChoice(by_id[cid].text, cid in chosen, by_id[cid].correct)
                    for cid in order
                ),
                learner_order=tuple(by_id[c].text for c in chosen if c in by_id)
                if is_ordering
                else (),
                right_order=tuple(c.text for c in item_choices) if is_ordering else (),
                explanation=explanation,
                source=source,
                regraded_at=answer.regraded_at if answer else None,
                picked_a_removed_choice=removed,
                kept_an_earlier_mark=kept,
                retired=retired,
            )
        )
    return rows


def answered_numbers(attempt: Attempt) -> set[int]:
    """The 1-based numbers of the attempt's questions that have an answer."""
    answered = _answers(attempt.id)
    return {n for n, item_id in enumerate(attempt.item_ids, start=1) if item_id in answered}
