"""Learners report a problem with a question; the deck's author reads and resolves them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, exists, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from quiz.extensions import db
from quiz.models import (
    Attempt,
    Card,
    Deck,
    DeckStatus,
    Item,
    QuestionReport,
    ReportReason,
    Response,
    User,
    utcnow,
)
from quiz.services import NotFound, ServiceError, unit_of_work
from quiz.services.quizzes import ResultRow

REASON_LABELS = {
    ReportReason.WRONG_KEY: "The answer marked right is wrong",
    ReportReason.UNCLEAR: "The question is unclear, or more than one answer fits",
    ReportReason.TYPO: "A typo or a mistake in the wording",
    ReportReason.OTHER: "Something else",
}
MAX_COMMENT = 1000


def _seen_by(user_id: int):
    """Items the learner may report: any of a published deck, and of one unpublished
    since, those they answered or study (not the others: a draft's new questions are
    its author's until published); never one of a deleted deck, whose author no longer
    reads its reports."""
    deck = aliased(Deck)  # the outer query may join Deck itself
    return and_(
        exists().where(deck.id == Item.deck_id, deck.deleted_at.is_(None)),
        or_(
            exists().where(deck.id == Item.deck_id, deck.status == DeckStatus.PUBLISHED.value),
            exists().where(
                Response.item_id == Item.id,
                Response.attempt_id == Attempt.id,
                Attempt.user_id == user_id,
            ),
            exists().where(Card.item_id == Item.id, Card.user_id == user_id),
        ),
    )


@dataclass(frozen=True)
class ReportTarget:
    item_id: int
    prompt: str
    deck_title: str
    already_reported: bool  # the learner has an open report about it


def report_target(user: User, item_id: int) -> ReportTarget:
    """The question the learner is about to report (NotFound unless they may), in one
    query."""
    row = db.session.execute(
        select(
            Item.id,
            Item.prompt,
            Deck.title,
            exists().where(
                QuestionReport.item_id == Item.id,
                QuestionReport.user_id == user.id,
                QuestionReport.resolved_at.is_(None),
            ),
        )
        .join(Deck, Deck.id == Item.deck_id)
        .where(Item.id == item_id, Item.retired.is_(False), _seen_by(user.id))
    ).first()
    if row is None:
        raise NotFound("There is no question at that address.")
    return ReportTarget(*row)


def offered_on_result(attempt: Attempt, rows: Iterable[ResultRow]) -> set[int]:
    """The questions of the learner's result that offer a report: those report_target
    accepts, told without a query (a deck deleted since offers none; a question retired
    since, none; a deck unpublished since, only the questions answered)."""
    if attempt.deck.deleted_at is not None:
        return set()
    published = attempt.deck.is_published
    return {row.item_id for row in rows if not row.retired and (published or row.answered)}


def report_question(user: User, item_id: int, reason: str, comment: str) -> None:
    """Record the learner's report of a problem with a question they have seen."""
    if reason not in {r.value for r in ReportReason}:
        raise ServiceError("Choose what is wrong with the question.", field="reason")
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise ServiceError(
            f"Keep the comment under {MAX_COMMENT} characters (it has {len(comment)}).",
            field="comment",
        )
    if reason == ReportReason.OTHER and not comment:
        raise ServiceError("Say in a few words what is wrong.", field="comment")
    user_id = user.id
    with unit_of_work() as session:
        found = session.execute(
            select(Item.id).where(Item.id == item_id, Item.retired.is_(False), _seen_by(user_id))
        ).scalar_one_or_none()
        if found is None:
            raise NotFound("There is no question at that address.")
        try:
            # A unique index allows one open report per learner and question: a second
            # one (a double click, another tab) is refused there.
            with session.begin_nested():
                session.add(
                    QuestionReport(item_id=item_id, user_id=user_id, reason=reason, comment=comment)
                )
        except IntegrityError:
            raise ServiceError(
                "You have already reported this question; its author will see your report."
            ) from None


@dataclass(frozen=True)
class OpenReport:
    id: int
    item_id: int
    prompt: str
    reason: str  # its label
    comment: str
    created_at: datetime
    retired: bool  # the question has left the set since


def open_reports(deck: Deck) -> list[OpenReport]:
    """The deck's unresolved reports, oldest first, without who made them: a deck's
    author need not be the learner's teacher."""
    rows = db.session.execute(
        select(
            QuestionReport.id,
            Item.id,
            Item.prompt,
            QuestionReport.reason,
            QuestionReport.comment,
            QuestionReport.created_at,
            Item.retired,
        )
        .join(Item, Item.id == QuestionReport.item_id)
        .where(Item.deck_id == deck.id, QuestionReport.resolved_at.is_(None))
        .order_by(QuestionReport.created_at, QuestionReport.id)
    ).all()
    return [
        OpenReport(rid, item_id, prompt, REASON_LABELS.get(reason, reason), comment, at, retired)
        for rid, item_id, prompt, reason, comment, at, retired in rows
    ]


def open_report_counts(deck_ids: Sequence[int]) -> dict[int, int]:
    """Open reports per deck (one query)."""
    if not deck_ids:
        return {}
    return dict(
        db.session.execute(
            select(Item.deck_id, func.count(QuestionReport.id))
            .join(Item, Item.id == QuestionReport.item_id)
            .where(Item.deck_id.in_(list(deck_ids)), QuestionReport.resolved_at.is_(None))
            .group_by(Item.deck_id)
        ).all()
    )


def open_reports_in_sets_of(user: User) -> int:
    """The open reports about the questions of the user's own live sets (one query): the
    teacher's start page tells them, as the list of sets does set by set."""
    return db.session.execute(
        select(func.count(QuestionReport.id))
        .join(Item, Item.id == QuestionReport.item_id)
        .join(Deck, Deck.id == Item.deck_id)
        .where(
            Deck.owner_id == user.id,
            Deck.deleted_at.is_(None),
            QuestionReport.resolved_at.is_(None),
        )
    ).scalar_one()


def resolve_report(deck: Deck, report_id: int) -> None:
    """Mark one of the deck's reports resolved (again: nothing changes)."""
    with unit_of_work() as session:
        result = session.execute(
            update(QuestionReport)
            .where(
                QuestionReport.id == report_id,
                QuestionReport.item_id.in_(select(Item.id).where(Item.deck_id == deck.id)),
                QuestionReport.resolved_at.is_(None),
            )
            .values(resolved_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        if result.rowcount == 0:
            known = session.execute(
                select(QuestionReport.id)
                .join(Item, Item.id == QuestionReport.item_id)
                .where(QuestionReport.id == report_id, Item.deck_id == deck.id)
            ).first()
            if known is None:
                raise NotFound("There is no such report about this set.")
