"""Marking learners' earlier answers again when a teacher corrects a question's answer key.

A question is edited in place, so its result pages, its gradebook and its item analysis
show its current key: an answer marked against the old one would contradict them. Every
edit, import or deck load that changes a used question's key therefore marks its answers
again in the same transaction, and sets the scores of the quizzes they belong to anew
(which raises their decks' results_version: the class caches follow). An answer given
when the question had other choices cannot be marked against the new ones and keeps its
mark (quiz.domain.grading.regrade).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import JSON, String, bindparam, cast, func, literal, select, type_coerce, update
from sqlalchemy.orm import Session

from quiz.domain.grading import ChoiceKey, regrade
from quiz.domain.items import ItemKind, ItemSpec
from quiz.models import Attempt, Item, Response
from quiz.models.base import utcnow
from quiz.services.study import queue_pairs

#: Attempts whose scores are set anew in one statement (the databases' limits on bound
#: values).
_ATTEMPTS_PER_UPDATE = 500


@dataclass
class Regraded:
    """What marking answers again changed, over one or more questions."""

    now_right: int = 0
    now_wrong: int = 0
    answers: int = 0  # answers looked at
    kept: int = 0  # given when the question had other choices: their mark stays
    quizzes: int = 0  # submitted quizzes whose score was set anew
    questions: int = 0  # questions whose right answers changed

    @property
    def changed(self) -> int:
        return self.now_right + self.now_wrong

    def summary(self) -> str:
        """What a teacher is told after the edit; "" when no earlier answer was concerned."""
        sentences = []
        if self.changed:
            scores = f"; {_count(self.quizzes, 'quiz score')} recalculated" if self.quizzes else ""
            sentences.append(
                f"The new answer key changed the mark of "
                f"{_count(self.changed, 'earlier answer')}: {self.now_right} now right, "
                f"{self.now_wrong} now wrong{scores}."
            )
        elif self.questions and self.answers > self.kept:
            sentences.append("The answer key changed, but no earlier answer changed its mark.")
        if self.kept and (self.questions or self.changed):
            one = self.kept == 1
            sentences.append(
                f"{_count(self.kept, 'answer')} given when the question had other choices "
                f"{'keeps its' if one else 'keep their'} mark."
            )
        return " ".join(sentences)

    def __iadd__(self, other: Regraded) -> Regraded:
        for name in ("now_right", "now_wrong", "answers", "kept", "quizzes", "questions"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        return self


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def marking_key(item: Item) -> tuple:
    """What marking an answer to the item depends on: its choices and which are right
    (for ordering items, the right order)."""
    choices = sorted(item.choices, key=lambda c: (c.position, c.id or 0))
    if item.kind == ItemKind.ORDERING:
        right = tuple(c.id for c in choices)
    else:
        right = tuple(sorted(c.id for c in choices if c.correct))
    return item.kind, frozenset(c.id for c in choices), right


def right_answers(item: Item) -> tuple:
    """The texts the item counts right (in order, for ordering items): what a teacher
    means by its answer key."""
    choices = sorted(item.choices, key=lambda c: (c.position, c.id or 0))
    if item.kind == ItemKind.ORDERING:
        return tuple(c.text for c in choices)
    return tuple(sorted(c.text for c in choices if c.correct))


@dataclass(frozen=True)
class KeyBefore:
    marking: tuple
    right: tuple


def keys_before(items: Iterable[Item]) -> dict[int, KeyBefore]:
    """The items' keys before an edit, to compare with after it (see regrade_changed)."""
    return {item.id: KeyBefore(marking_key(item), right_answers(item)) for item in items}


def _key_may_change(item: Item, spec: ItemSpec) -> bool:
    """Whether saving `spec` over `item` may change how its answers are marked: not when
    its kind and its choices (texts, ticks, order) stay as they are."""
    current = [(c.text, c.correct) for c in sorted(item.choices, key=lambda c: c.position)]
    wanted = [(c.text, c.correct) for c in spec.choices]
    return item.kind != spec.kind.value or current != wanted


def lock_for_correction(session: Session, pairs: Iterable[tuple[Item, ItemSpec]]) -> bool:
    """Lock, first thing in a transaction that saves these specs over these items, what
    marking their answers again writes, in the one order all writers take their locks:
    questions, then quizzes, then decks (a submission locks its quiz, then its trigger
    the deck; an answer locks the question, then the quiz). Only the questions whose key
    may change are locked: most saves and deck loads change none.

    On PostgreSQL: the questions FOR UPDATE, so that an answer being stored waits and
    then finds its key's version raised (quizzes.answer_question); and the open quizzes
    that answered them, so that a submission waits and then counts the new marks
    (quizzes.submit_attempt). SQLite's write lock already holds everything.

    True when something was locked: objects read before are then expired, as what the
    correction compares with must be read after the lock (the caller reads again)."""
    item_ids = sorted(item.id for item, spec in pairs if _key_may_change(item, spec))
    if not item_ids or session.get_bind().dialect.name != "postgresql":
        return False
    session.execute(
        select(Item.id).where(Item.id.in_(item_ids)).order_by(Item.id).with_for_update()
    ).all()
    answered = select(Response.attempt_id).where(Response.item_id.in_(item_ids))
    session.execute(
        select(Attempt.id)
        .where(Attempt.submitted_at.is_(None), Attempt.id.in_(answered))
        .order_by(Attempt.id)
        .with_for_update()
    ).all()
    session.expire_all()
    return True


def regrade_changed(
    session: Session, items: Sequence[Item], before: Mapping[int, KeyBefore]
) -> Regraded:
    """Mark again the answers to each of `items` whose marking key differs from `before`,
    inside the caller's transaction, which took lock_for_correction first and read
    `before` after it: a fixed number of statements, however many questions and
    answers."""
    report = Regraded()
    session.flush()  # new choices get their ids
    changed = [
        item for item in items if item.id in before and before[item.id].marking != marking_key(item)
    ]
    if not changed:
        return report
    report.questions = sum(1 for i in changed if before[i.id].right != right_answers(i))
    item_ids = [item.id for item in changed]
    # In SQL, not from the value read: two corrections one after the other each raise
    # it (an answer graded between them must not pass). One statement for them all.
    session.execute(
        update(Item)
        .where(Item.id.in_(item_ids))
        .values(key_version=Item.key_version + 1)
        .execution_options(synchronize_session=False)
    )
    for item in changed:
        session.expire(item, ["key_version"])
    dialect = session.get_bind().dialect.name
    rows = session.execute(
        select(
            Response.id,
            Response.item_id,
            Response.attempt_id,
            Response.chosen,
            Response.correct,
            Response.shown,
            _drawn_choices(dialect),
            Attempt.user_id,
            Attempt.submitted_at.is_not(None),
        )
        .join(Attempt, Attempt.id == Response.attempt_id)
        .where(Response.item_id.in_(item_ids))
    ).all()
    keys = {
        item.id: (item.kind, [ChoiceKey(c.id, c.correct, c.position) for c in item.choices])
        for item in changed
    }
    now = utcnow()
    flips = []
    touched: set[int] = set()
    now_missed: list[tuple[int, int]] = []  # (learner, item) of submitted answers now wrong
    report.answers = len(rows)
    for row in rows:
        response_id, item_id, attempt_id, chosen, correct, shown, drawn, user_id, submitted = row
        kind, choice_keys = keys[item_id]
        mark = regrade(kind, choice_keys, shown or drawn or [], chosen or [])
        if mark is None:
            report.kept += 1
        elif mark != correct:
            flips.append({"response_id": response_id, "mark": mark, "now": now})
            touched.add(attempt_id)
            if mark:
                report.now_right += 1
            else:
                report.now_wrong += 1
                if submitted:
                    now_missed.append((user_id, item_id))
    if flips:
        session.execute(_MARK_AGAIN, flips)
    # As on submitting: a question answered wrong comes back as a flashcard (an open
    # quiz's mistakes are queued when it is submitted).
    queue_pairs(session, now_missed, now)
    ordered = sorted(touched)
    for start in range(0, len(ordered), _ATTEMPTS_PER_UPDATE):
        report.quizzes += session.execute(
            update(Attempt.__table__)
            .where(
                Attempt.id.in_(ordered[start : start + _ATTEMPTS_PER_UPDATE]),
                Attempt.submitted_at.is_not(None),
            )
            .values(
                correct_count=select(func.count())
                .where(Response.attempt_id == Attempt.id, Response.correct)
                .scalar_subquery()
            )
        ).rowcount
    return report


def _drawn_choices(dialect: str):
    """The choice ids the answer's quiz showed for its question: that question's entry in
    the quiz's choice_order (a JSON object keyed by item id), read in SQL, as a quiz
    holds every question's and a question may have thousands of answers."""
    key = cast(Response.item_id, String)
    if dialect == "postgresql":
        return type_coerce(Attempt.choice_order.op("->")(key), JSON)
    path = literal('$."') + key + literal('"')
    return type_coerce(func.json_extract(Attempt.choice_order, path), JSON)


_MARK_AGAIN = (
    update(Response.__table__)
    .where(Response.id == bindparam("response_id"))
    .values(correct=bindparam("mark"), regraded_at=bindparam("now"))
)
