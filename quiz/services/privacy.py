"""A user's own data: a copy of all of it to download, and deleting the account with it;
and what an operator does to an account (hand its work over, change its role)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from werkzeug.security import check_password_hash

from quiz.domain.items import ItemKind
from quiz.extensions import db
from quiz.models import (
    Attempt,
    Card,
    Choice,
    Deck,
    Enrolment,
    Item,
    LoginSession,
    QuestionReport,
    Response,
    ReviewLog,
    Role,
    SchoolClass,
    Suspension,
    User,
    utcnow,
)
from quiz.services import ServiceError, unit_of_work
from quiz.services.accounts import owned_counts
from quiz.services.quizzes import in_attempt_order

#: The export's format: raised when a field changes meaning or goes.
EXPORT_VERSION = 1

_RATINGS = {1: "again", 2: "hard", 3: "good", 4: "easy"}
_CARD_STATES = {0: "new", 1: "learning", 2: "review", 3: "relearning"}


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def export_account(user: User) -> dict[str, Any]:
    """Everything the service holds about the user, as plain JSON data: the account, its
    log-ins, the classes joined, every quiz with every question (as it reads now, its
    choices in the order the quiz showed them) and every answer, every flashcard with
    its reviews, the reports made about questions, and a teacher's sets and classes.
    Never the password's hash or a log-in's token, nor anyone else's data, nor the answer
    key of a question the learner has not yet seen answered. A fixed number of queries,
    however much there is."""
    return {
        "format": "quizcards-account-export",
        "version": EXPORT_VERSION,
        "exported_at": _when(utcnow()),
        "account": {
            "email": user.email,
            "name": user.display_name,
            "role": user.role,
            "time_zone": user.timezone,
            "daily_new_cards": user.daily_new_limit,
            "desired_retention": user.desired_retention,
            "created_at": _when(user.created_at),
        },
        "classes_joined": [
            {
                "class": name,
                "teacher": teacher_name or teacher_email.split("@", 1)[0],
                "joined_at": _when(joined_at),
            }
            for name, teacher_name, teacher_email, joined_at in db.session.execute(
                select(SchoolClass.name, User.display_name, User.email, Enrolment.joined_at)
                .join(Enrolment, Enrolment.class_id == SchoolClass.id)
                .join(User, User.id == SchoolClass.teacher_id)
                .where(Enrolment.user_id == user.id)
                .order_by(Enrolment.joined_at, SchoolClass.id)
            )
        ],
        "log_ins": [
            {"at": _when(created_at), "ended_at": _when(revoked_at)}
            for created_at, revoked_at in db.session.execute(
                select(LoginSession.created_at, LoginSession.revoked_at)
                .where(LoginSession.user_id == user.id)
                .order_by(LoginSession.created_at, LoginSession.id)
            )
        ],
        "quizzes": _quizzes(user),
        "flashcards": _flashcards(user),
        "reports_made": [
            {
                "question": prompt,
                "reason": reason,
                "comment": comment,
                "made_at": _when(created_at),
                "dealt_with_at": _when(resolved_at),
            }
            for prompt, reason, comment, created_at, resolved_at in db.session.execute(
                select(
                    Item.prompt,
                    QuestionReport.reason,
                    QuestionReport.comment,
                    QuestionReport.created_at,
                    QuestionReport.resolved_at,
                )
                .join(Item, Item.id == QuestionReport.item_id)
                .where(QuestionReport.user_id == user.id)
                .order_by(QuestionReport.created_at, QuestionReport.id)
            )
        ],
        "sets_owned": [
            {
                "title": title,
                "status": status,
                "deleted_at": _when(deleted_at),
                "questions": questions,
            }
            for title, status, deleted_at, questions in db.session.execute(
                select(Deck.title, Deck.status, Deck.deleted_at, func.count(Item.id))
                .outerjoin(Item, (Item.deck_id == Deck.id) & Item.retired.is_(False))
                .where(Deck.owner_id == user.id)
                .group_by(Deck.id)
                .order_by(Deck.created_at, Deck.id)
            )
        ],
        "classes_taught": [
            {"class": name, "created_at": _when(created_at), "students": students}
            for name, created_at, students in db.session.execute(
                select(SchoolClass.name, SchoolClass.created_at, func.count(Enrolment.id))
                .outerjoin(Enrolment, Enrolment.class_id == SchoolClass.id)
                .where(SchoolClass.teacher_id == user.id)
                .group_by(SchoolClass.id)
                .order_by(SchoolClass.created_at, SchoolClass.id)
            )
        ],
    }


def _quizzes(user: User) -> list[dict[str, Any]]:
    attempts = db.session.execute(
        select(Attempt, Deck.title)
        .join(Deck, Deck.id == Attempt.deck_id)
        .where(Attempt.user_id == user.id)
        .order_by(Attempt.started_at, Attempt.id)
    ).all()
    answers: dict[tuple[int, int], Response] = {
        (r.attempt_id, r.item_id): r
        for r in db.session.execute(
            select(Response).join(Attempt).where(Attempt.user_id == user.id)
        ).scalars()
    }
    item_ids = {i for attempt, _ in attempts for i in attempt.item_ids}
    items, choices = _items_with_choices(item_ids)
    quizzes = []
    for attempt, title in attempts:
        questions = []
        for item_id in attempt.item_ids:
            item = items.get(item_id)
            if item is None:  # deleted from its set before it was ever answered
                continue
            response = answers.get((attempt.id, item_id))
            questions.append(_question(attempt, item, choices[item_id], response))
        quizzes.append(
            {
                "deck": title,
                "started_at": _when(attempt.started_at),
                "submitted_at": _when(attempt.submitted_at),
                "right": attempt.correct_count if attempt.submitted_at else None,
                "questions_asked": attempt.total,
                "whole_deck": attempt.whole_deck,
                "practice_checking_each_answer": attempt.checks_answers,
                "questions": questions,
            }
        )
    return quizzes


def _question(
    attempt: Attempt,
    item: Item,
    item_choices: list[tuple[int, str, bool]],
    response: Response | None,
) -> dict[str, Any]:
    """One question of a quiz as it reads now, its choices in the order the quiz showed
    them. Whether an answer or a choice is right is given only where the learner has
    seen it: a submitted quiz, or a question answered in one that checks each answer;
    an open quiz's file must not give its answers away."""
    texts = {cid: text for cid, text, _ in item_choices}
    right = {cid: correct for cid, _, correct in item_choices}
    shown = in_attempt_order(attempt, item.id, [cid for cid, _, _ in item_choices])
    revealed = attempt.submitted_at is not None or (attempt.checks_answers and response is not None)
    chosen = list(response.chosen) if response else []
    question: dict[str, Any] = {
        "question": item.prompt,
        "kind": item.kind,
        "choices": [
            {"text": texts[cid], "right": right[cid]} if revealed else {"text": texts[cid]}
            for cid in shown
        ],
        # Texts in the order picked (for ordering questions, the order given); a choice
        # removed since is left out.
        "answer": [texts[cid] for cid in chosen if cid in texts],
        "answered_at": _when(response.answered_at) if response else None,
    }
    if revealed:
        question["right"] = bool(response and response.correct)
        question["marked_again_at"] = _when(response.regraded_at) if response else None
        if item.kind == ItemKind.ORDERING:
            question["right_order"] = [text for _, text, _ in item_choices]
    return question


def _items_with_choices(
    item_ids: set[int],
) -> tuple[dict[int, Item], dict[int, list[tuple[int, str, bool]]]]:
    """Items by id and their choices in their right order: two queries."""
    if not item_ids:
        return {}, {}
    items = {
        item.id: item
        for item in db.session.execute(select(Item).where(Item.id.in_(item_ids))).scalars()
    }
    choices: dict[int, list[tuple[int, str, bool]]] = defaultdict(list)
    for item_id, cid, text, right in db.session.execute(
        select(Choice.item_id, Choice.id, Choice.text, Choice.correct)
        .where(Choice.item_id.in_(item_ids))
        .order_by(Choice.item_id, Choice.position, Choice.id)
    ):
        choices[item_id].append((cid, text, right))
    return items, choices


def _flashcards(user: User) -> list[dict[str, Any]]:
    reviews: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for log in db.session.execute(
        select(ReviewLog)
        .where(ReviewLog.user_id == user.id)
        .order_by(ReviewLog.reviewed_at, ReviewLog.id)
    ).scalars():
        reviews[log.card_id].append(
            {
                "rating": _RATINGS.get(log.rating, log.rating),
                "reviewed_at": _when(log.reviewed_at),
                "answer_shown_for_ms": log.duration_ms,
                # What the review changed, kept so that it can be undone.
                "card_before": None
                if log.before_state is None and not log.card_created
                else {
                    "new_card": log.card_created,
                    "state": _CARD_STATES.get(log.before_state, log.before_state),
                    "step": log.before_step,
                    "stability_days": log.before_stability,
                    "difficulty": log.before_difficulty,
                    "due": _when(log.before_due),
                    "last_review": _when(log.before_last_review),
                },
            }
        )
    return [
        {
            "deck": title,
            "front": prompt,
            "state": _CARD_STATES.get(card.state, card.state),
            "learning_step": card.step,
            "created_at": _when(card.created_at),
            "first_studied_at": _when(card.introduced_at),
            "due": _when(card.due),
            "last_review": _when(card.last_review),
            "suspended": card.suspended != Suspension.NONE,
            "stability_days": card.stability,
            "difficulty": card.difficulty,
            "reviews": reviews.get(card.id, []),
        }
        for card, prompt, title in db.session.execute(
            select(Card, Item.prompt, Deck.title)
            .join(Item, Item.id == Card.item_id)
            .join(Deck, Deck.id == Item.deck_id)
            .where(Card.user_id == user.id)
            .order_by(Deck.title, Item.position, Card.id)
        )
    ]


def deletion_blockers(user: User, operator: bool = False) -> list[str]:
    """Why the account cannot be deleted (nothing: it can), told to its owner or, with
    `operator`, to whoever runs the service. Other people's work depends on a teacher's
    sets and classes, and an administrator's account is the school's."""
    if user.is_admin:
        if operator:
            return ["It is an administrator's account, which runs the school's service."]
        return ["An administrator's account runs the school's service, so it is not deleted here."]
    sets, classes = _sets_and_classes(db.session, user.id)
    sets_text = f"{sets} question set{'s' if sets != 1 else ''}"
    classes_text = f"{classes} class{'es' if classes != 1 else ''}"
    blockers = []
    if operator:
        if sets:
            blockers.append(f"It owns {sets_text}.")
        if classes:
            blockers.append(f"It teaches {classes_text}.")
        return blockers
    if sets:
        blockers.append(
            f"You own {sets_text}: delete {'them' if sets != 1 else 'it'} first (a set that "
            "learners used is kept for their scores, without your name), or have "
            f"{'them' if sets != 1 else 'it'} handed over to a colleague."
        )
    if classes:
        blockers.append(
            f"You teach {classes_text}, whose students and results would be left without a teacher."
        )
    return blockers


def _sets_and_classes(session, user_id: int) -> tuple[int, int]:
    """How many live question sets the account owns and how many classes it teaches."""
    sets, classes = session.execute(select(*owned_counts(user_id))).one()
    return sets, classes


def with_article(role: str) -> str:
    """The role with its article: "a teacher", "an admin"."""
    return f"{'an' if role[0] in 'aeiou' else 'a'} {role}"


def change_role(user: User, role: str) -> str:
    """An operator's change of an account's role (a teacher who signed up as a student,
    an administrator who steps down); the account's log-ins carry on in the new role.
    Returns the role it had, which is `role` when nothing changed. An account that owns
    question sets or teaches classes does not become a student's, since other people's
    work depends on them: they are handed over first (hand_over)."""
    if role not in {r.value for r in Role}:
        raise ServiceError(f"Unknown role {role!r}: use student, teacher or admin.", field="role")
    user_id, email = user.id, user.email
    with unit_of_work() as session:
        # Held to the commit: a set or class made just before is counted below. One being
        # made at this very moment waits for the commit (its insert checks the owner's
        # row) and is then made all the same, as the role was read before: the operator
        # sees it in `users list` and hands it over, or gives the role back.
        before = session.execute(
            select(User.role).where(User.id == user_id).with_for_update()
        ).scalar_one_or_none()
        if before is None:
            raise ServiceError(f"{email} was deleted a moment ago: nothing changed.")
        if before == role:
            return before
        if role == Role.STUDENT:
            sets, classes = _sets_and_classes(session, user_id)
            owned = []
            if sets:
                owned.append(f"owns {sets} question set{'s' if sets != 1 else ''}")
            if classes:
                owned.append(f"teaches {classes} class{'es' if classes != 1 else ''}")
            if owned:
                raise ServiceError(
                    f"{email} stays {with_article(before)}: it {' and '.join(owned)}, which a "
                    "student's account cannot keep. Hand them over first: "
                    "flask --app quiz users hand-over EMAIL COLLEAGUE."
                )
        session.execute(
            update(User).where(User.id == user_id).values(role=role),
            execution_options={"synchronize_session": False},
        )
    db.session.expire(user)
    return before


@dataclass(frozen=True)
class HandedOver:
    sets: int  # live ones: those the successor sees in their list
    deleted_sets: int  # deleted, and kept for learners' scores
    classes: int


def hand_over(user: User, successor: User) -> HandedOver:
    """Give a teacher's question sets and classes to a colleague, as when a teacher
    leaves the school: every set (those deleted but kept for learners' scores included)
    and every class (archived ones included), with their assignments, results and
    reports, is the successor's from now on. Nothing else changes (a set's "last
    changed" date stays). The account can then be deleted."""
    if successor.id == user.id:
        raise ServiceError("That is the same account: choose the colleague who takes over.")
    user_id, email, successor_email = user.id, user.email, successor.email
    with unit_of_work() as session:
        # Both accounts held to the commit, in one order: neither can be deleted meanwhile
        # (_delete holds its own row), and a set or class the leaving teacher makes
        # meanwhile waits, then is left with them (and blocks their deletion).
        held = session.execute(
            select(User.id, User.role)
            .where(User.id.in_((user_id, successor.id)))
            .order_by(User.id)
            .with_for_update()
        ).all()
        roles = {row.id: row.role for row in held}
        if user_id not in roles:
            raise ServiceError(f"{email} was deleted a moment ago: nothing changed.")
        if successor.id not in roles:
            raise ServiceError(f"{successor_email} was deleted a moment ago: nothing changed.")
        if roles[successor.id] not in (Role.TEACHER, Role.ADMIN):
            raise ServiceError(
                f"{successor_email} is a student's account: sets and classes go to a teacher."
            )
        quietly = {"synchronize_session": False}
        deleted_sets = session.execute(
            select(func.count(Deck.id)).where(
                Deck.owner_id == user_id, Deck.deleted_at.is_not(None)
            )
        ).scalar_one()
        sets = session.execute(
            # Its updated_at kept: onupdate would make every set look changed just now.
            update(Deck)
            .where(Deck.owner_id == user_id)
            .values(owner_id=successor.id, updated_at=Deck.updated_at),
            execution_options=quietly,
        ).rowcount
        classes = session.execute(
            update(SchoolClass)
            .where(SchoolClass.teacher_id == user_id)
            .values(teacher_id=successor.id),
            execution_options=quietly,
        ).rowcount
        if not sets and not classes:
            raise ServiceError(f"{email} owns no question sets and teaches no classes.")
    return HandedOver(sets=sets - deleted_sets, deleted_sets=deleted_sets, classes=classes)


def delete_account(user: User, password: str) -> None:
    """Delete the account and everything it holds: quizzes and answers, flashcards and
    reviews, class memberships and log-ins. The password is asked again, so that a
    session left open on a shared computer cannot do it. The gradebooks and analyses of
    the user's classes follow at once (the deletions raise their version counters)."""
    if not check_password_hash(user.password_hash, password or ""):
        raise ServiceError("That is not your password: nothing was deleted.", field="password")
    blockers = deletion_blockers(user)
    if blockers:
        raise ServiceError(" ".join(blockers) + " Nothing was deleted.")
    _delete(user)


def delete_account_for_operator(user: User) -> None:
    """delete_account, by whoever runs the service (no password): for an account whose
    owner cannot log in any more, or asked for it to go."""
    blockers = deletion_blockers(user, operator=True)
    if blockers:
        raise ServiceError(" ".join(blockers) + " Nothing was deleted.")
    _delete(user)


def _delete(user: User) -> None:
    user_id = user.id
    quietly = {"synchronize_session": False}  # nothing of this user's is used after
    with unit_of_work() as session:
        # Held to the commit (SQLite's write lock holds everything): a set, a class, a
        # quiz or a card made meanwhile waits, and then finds the account gone.
        session.execute(select(User.id).where(User.id == user_id).with_for_update())
        if deletion_blockers(user):  # made, or handed over to it, meanwhile
            raise ServiceError(
                "A question set or a class became this account's a moment ago: nothing was deleted."
            )
        attempts = select(Attempt.id).where(Attempt.user_id == user_id)
        for statement in (
            delete(ReviewLog).where(ReviewLog.user_id == user_id),
            delete(Card).where(Card.user_id == user_id),
            delete(Response).where(Response.attempt_id.in_(attempts)),
            delete(Attempt).where(Attempt.user_id == user_id),
            delete(Enrolment).where(Enrolment.user_id == user_id),
            delete(QuestionReport).where(QuestionReport.user_id == user_id),
            # Sets deleted earlier but kept for learners' scores stay, without an owner.
            update(Deck)
            .where(Deck.owner_id == user_id)
            .values(owner_id=None, updated_at=Deck.updated_at),
            delete(LoginSession).where(LoginSession.user_id == user_id),
            delete(User).where(User.id == user_id),
        ):
            session.execute(statement, execution_options=quietly)
