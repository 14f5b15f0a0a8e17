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

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session

from quiz.domain.grading import ChoiceKey, regrade
from quiz.domain.items import ItemKind
from quiz.models import Attempt, Item, Response
from quiz.models.base import utcnow
from quiz.services.study import queue_mistake_of_learners

#: Attempts whose scores are set anew in one statement (SQLite's limit on bound values).
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
            sentences.append(
                f"{_count(self.changed, 'earlier answer')} marked again for the new answer "
                f"key: {self.now_right} now right, {self.now_wrong} now wrong; "
                f"{_count(self.quizzes, 'quiz score')} worked out again."
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


def regrade_changed(
    session: Session, items: Sequence[Item], before: Mapping[int, KeyBefore]
) -> Regraded:
    """Mark again the answers to each of `items` whose marking key differs from `before`,
    inside the caller's transaction. New choices must have been flushed (they need ids)."""
    report = Regraded()
    session.flush()
    now = utcnow()
    touched: set[int] = set()
    for item in items:
        old = before.get(item.id)
        if old is None or old.marking == marking_key(item):
            continue
        if old.right != right_answers(item):
            report.questions += 1
        touched.update(_regrade_item(session, item, now, report))
    for start in range(0, len(touched), _ATTEMPTS_PER_UPDATE):
        chunk = sorted(touched)[start : start + _ATTEMPTS_PER_UPDATE]
        report.quizzes += session.execute(
            update(Attempt.__table__)
            .where(Attempt.id.in_(chunk), Attempt.submitted_at.is_not(None))
            .values(
                correct_count=select(func.count())
                .where(Response.attempt_id == Attempt.id, Response.correct)
                .scalar_subquery()
            )
        ).rowcount
    return report


_MARK_AGAIN = (
    update(Response.__table__)
    .where(Response.id == bindparam("response_id"))
    .values(correct=bindparam("mark"), regraded_at=bindparam("now"))
)


def _regrade_item(session: Session, item: Item, now, report: Regraded) -> set[int]:
    """Mark the item's answers again; the ids of the attempts whose answers changed."""
    keys = [ChoiceKey(c.id, c.correct, c.position) for c in item.choices]
    # Only this question's part of each quiz's choice order: a quiz holds every
    # question's, and a used question may have thousands of answers.
    shown = Attempt.choice_order[str(item.id)]
    rows = session.execute(
        select(
            Response.id,
            Response.attempt_id,
            Response.chosen,
            Response.correct,
            shown,
            Attempt.user_id,
            Attempt.submitted_at.is_not(None),
        )
        .join(Attempt, Attempt.id == Response.attempt_id)
        .where(Response.item_id == item.id)
    ).all()
    flips = []
    attempts: set[int] = set()
    now_missed: list[int] = []  # learners whose submitted answer became wrong
    report.answers += len(rows)
    for response_id, attempt_id, chosen, correct, shown_ids, user_id, submitted in rows:
        mark = regrade(item.kind, keys, shown_ids or [], chosen or [])
        if mark is None:
            report.kept += 1
        elif mark != correct:
            flips.append({"response_id": response_id, "mark": mark, "now": now})
            attempts.add(attempt_id)
            if mark:
                report.now_right += 1
            else:
                report.now_wrong += 1
                if submitted:
                    now_missed.append(user_id)
    if flips:
        session.execute(_MARK_AGAIN, flips)
    if now_missed:
        # As on submitting: a question answered wrong comes back as a flashcard (an open
        # quiz's mistakes are queued when it is submitted).
        queue_mistake_of_learners(session, item.id, now_missed, now)
    return attempts
