"""Classes: enrolment by join code, assignments, the gradebook and item analysis."""

from __future__ import annotations

import secrets
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from quiz.domain import gradebook as gb
from quiz.domain import item_analysis as ia
from quiz.domain.items import QUIZ_KINDS
from quiz.domain.scheduling import MASTERED_STABILITY_DAYS
from quiz.domain.study_stats import BarChart, labelled_bars
from quiz.extensions import db
from quiz.models import (
    Assignment,
    Attempt,
    Card,
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

# No 0/O, 1/I/L: a code read aloud in a classroom should survive being copied.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
#: Bound parameters in one IN list, well under SQLite's and PostgreSQL's limits.
MAX_IN_LIST = 20_000


def new_join_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


# --- Classes (teacher side) ------------------------------------------------------------


def create_class(teacher: User, name: str) -> SchoolClass:
    name = name.strip()
    if not name:
        raise ServiceError("Give the class a name.", field="name")
    if len(name) > 120:
        raise ServiceError("Keep the name under 120 characters.", field="name")
    with unit_of_work() as session:
        klass = SchoolClass(teacher_id=teacher.id, name=name, join_code=new_join_code())
        session.add(klass)
    return klass


def teacher_classes(user: User) -> list[tuple[SchoolClass, int, int]]:
    """(class, students, assignments) for the teacher's classes; an admin sees all."""
    students = (
        select(func.count(Enrolment.id))
        .where(Enrolment.class_id == SchoolClass.id)
        .scalar_subquery()
    )
    assigned = (
        select(func.count(Assignment.id))
        .where(Assignment.class_id == SchoolClass.id)
        .scalar_subquery()
    )
    query = select(SchoolClass, students, assigned).order_by(
        SchoolClass.archived_at.is_not(None), SchoolClass.name, SchoolClass.id
    )
    if not user.is_admin:
        query = query.where(SchoolClass.teacher_id == user.id)
    return [tuple(row) for row in db.session.execute(query).all()]


def get_class(user: User, class_id: int) -> SchoolClass:
    """A class the user teaches (or any, for an admin); otherwise NotFound."""
    klass = db.session.get(SchoolClass, class_id)
    if klass is None or not (user.is_admin or klass.teacher_id == user.id):
        raise NotFound("There is no class at that address.")
    return klass


def regenerate_code(klass: SchoolClass) -> str:
    with unit_of_work():
        klass.join_code = new_join_code()
    return klass.join_code


def set_archived(klass: SchoolClass, archived: bool) -> None:
    with unit_of_work():
        klass.archived_at = utcnow() if archived else None


def class_students(klass: SchoolClass) -> list[User]:
    return list(
        db.session.execute(
            select(User)
            .join(Enrolment, Enrolment.user_id == User.id)
            .where(Enrolment.class_id == klass.id)
            .order_by(User.display_name, User.email)
        ).scalars()
    )


def remove_student(klass: SchoolClass, student_id: int) -> None:
    with unit_of_work() as session:
        session.execute(
            delete(Enrolment).where(Enrolment.class_id == klass.id, Enrolment.user_id == student_id)
        )


def assignable_decks(teacher: User) -> list[Deck]:
    """Published decks a teacher may assign: their own and the built-in ones."""
    query = (
        select(Deck)
        .where(Deck.status == DeckStatus.PUBLISHED.value, Deck.deleted_at.is_(None))
        .order_by(Deck.title)
    )
    if not teacher.is_admin:
        query = query.where(Deck.owner_id.is_(None) | (Deck.owner_id == teacher.id))
    return list(db.session.execute(query).scalars())


def class_assignments(klass: SchoolClass) -> list[Assignment]:
    return list(
        db.session.execute(
            select(Assignment)
            .where(Assignment.class_id == klass.id)
            .options(selectinload(Assignment.deck))
            .order_by(Assignment.due_at.is_(None), Assignment.due_at, Assignment.id)
        ).scalars()
    )


def assign_deck(
    teacher: User,
    klass: SchoolClass,
    deck_id: int,
    due_at: datetime | None,
    method: str = gb.GradingMethod.HIGHEST,
) -> Assignment:
    """Assign a deck to the class, or change its due date and grading method."""
    if method not in {m.value for m in gb.GradingMethod}:
        raise ServiceError("Choose highest, latest, first or average.", field="grading_method")
    if deck_id not in {d.id for d in assignable_decks(teacher)}:
        raise ServiceError("Choose one of your published sets or a built-in deck.", field="deck")
    with unit_of_work() as session:
        assignment = session.execute(
            select(Assignment).where(Assignment.class_id == klass.id, Assignment.deck_id == deck_id)
        ).scalar_one_or_none()
        if assignment is None:
            assignment = Assignment(class_id=klass.id, deck_id=deck_id)
            session.add(assignment)
        assignment.due_at = due_at
        assignment.grading_method = str(method)
    return assignment


def unassign(klass: SchoolClass, assignment_id: int) -> None:
    with unit_of_work() as session:
        session.execute(
            delete(Assignment).where(
                Assignment.id == assignment_id, Assignment.class_id == klass.id
            )
        )


# --- Students -------------------------------------------------------------------------


def join_class(student: User, code: str) -> SchoolClass:
    """Enrol with a join code; joining a class twice is harmless."""
    normal = normalise_code(code)
    klass = db.session.execute(
        select(SchoolClass).where(SchoolClass.join_code == normal)
    ).scalar_one_or_none()
    if klass is None or not normal:
        raise ServiceError(
            "No class has that code. Check it with your teacher (it has 8 letters and digits).",
            field="code",
        )
    if klass.is_archived:
        raise ServiceError("That class is archived and takes no new students.", field="code")
    try:
        with unit_of_work() as session:
            exists = session.execute(
                select(Enrolment.id).where(
                    Enrolment.class_id == klass.id, Enrolment.user_id == student.id
                )
            ).first()
            if not exists:
                session.add(Enrolment(class_id=klass.id, user_id=student.id))
    except IntegrityError:
        pass  # the same join arrived twice at once
    return klass


def find_class_by_code(code: str) -> SchoolClass | None:
    return db.session.execute(
        select(SchoolClass).where(SchoolClass.join_code == normalise_code(code))
    ).scalar_one_or_none()


@dataclass(frozen=True)
class StudentAssignment:
    assignment: Assignment
    class_name: str
    status: str  # not started | in progress | done | overdue
    best: float | None


def student_assignments(student: User, now: datetime) -> list[StudentAssignment]:
    """The student's assignments in active classes, the most pressing first."""
    rows = db.session.execute(
        select(Assignment, SchoolClass.name)
        .join(SchoolClass, SchoolClass.id == Assignment.class_id)
        .join(Enrolment, Enrolment.class_id == SchoolClass.id)
        .join(Deck, Deck.id == Assignment.deck_id)
        .where(
            Enrolment.user_id == student.id,
            SchoolClass.archived_at.is_(None),
            Deck.status == DeckStatus.PUBLISHED.value,
        )
        .options(selectinload(Assignment.deck))
    ).all()
    deck_ids = {a.deck_id for a, _ in rows}
    stats: dict[int, tuple[int, int, float | None]] = {}
    if deck_ids:
        submitted = case((Attempt.submitted_at.is_not(None), 1), else_=0)
        score = case(
            (
                and_(Attempt.submitted_at.is_not(None), Attempt.total > 0),
                Attempt.correct_count * 1.0 / Attempt.total,
            ),
            else_=None,
        )
        for deck_id, started, done, best in db.session.execute(
            select(Attempt.deck_id, func.count(Attempt.id), func.sum(submitted), func.max(score))
            .where(Attempt.user_id == student.id, Attempt.deck_id.in_(deck_ids))
            .group_by(Attempt.deck_id)
        ):
            stats[deck_id] = (started, int(done or 0), best)
    order = {"overdue": 0, "in progress": 1, "not started": 2, "done": 3}
    result = []
    for assignment, class_name in rows:
        started, done, best = stats.get(assignment.deck_id, (0, 0, None))
        status = gb.assignment_status(assignment.due_at, now, started, done)
        result.append(StudentAssignment(assignment, class_name, status, best))
    far = datetime.max.replace(tzinfo=now.tzinfo)
    result.sort(key=lambda s: (order[s.status], s.assignment.due_at or far, s.class_name))
    return result


# --- Gradebook ------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    attempts: int
    best: float | None
    latest: float | None
    grade: float | None  # by the assignment's grading method
    mastery: float | None
    due_cards: int


@dataclass(frozen=True)
class GradebookRow:
    student: User
    cells: dict[int, Cell]  # by assignment id


@dataclass(frozen=True)
class DeckSummary:
    assignment: Assignment
    histogram: list[gb.Bin]
    chart: BarChart
    average: float | None
    median: float | None
    graded: int


@dataclass(frozen=True)
class Gradebook:
    klass: SchoolClass
    assignments: list[Assignment]
    rows: list[GradebookRow]
    summaries: list[DeckSummary]


def build_gradebook(klass: SchoolClass, now: datetime) -> Gradebook:
    """Students × assigned decks, in a fixed number of queries whatever the class size."""
    assignments = class_assignments(klass)
    students = class_students(klass)
    deck_ids = [a.deck_id for a in assignments]
    student_ids = [s.id for s in students]
    by_cell: dict[tuple[int, int], list[tuple[datetime, int, float]]] = defaultdict(list)
    cards: dict[tuple[int, int], tuple[int, int]] = {}
    sizes: dict[int, int] = {}
    if deck_ids and student_ids:
        in_class = select(Enrolment.user_id).where(Enrolment.class_id == klass.id)
        for user_id, deck_id, attempt_id, submitted_at, correct, total in db.session.execute(
            select(
                Attempt.user_id,
                Attempt.deck_id,
                Attempt.id,
                Attempt.submitted_at,
                Attempt.correct_count,
                Attempt.total,
            ).where(
                Attempt.user_id.in_(in_class),
                Attempt.deck_id.in_(deck_ids),
                Attempt.submitted_at.is_not(None),
            )
        ):
            by_cell[(user_id, deck_id)].append(
                (submitted_at, attempt_id, correct / total if total else 0.0)
            )
        mastered = case((Card.stability > MASTERED_STABILITY_DAYS, 1), else_=0)
        due = case((Card.due <= now, 1), else_=0)
        for user_id, deck_id, n_mastered, n_due in db.session.execute(
            select(Card.user_id, Item.deck_id, func.sum(mastered), func.sum(due))
            .join(Item, Item.id == Card.item_id)
            .where(
                Card.user_id.in_(in_class),
                Item.deck_id.in_(deck_ids),
                Item.retired.is_(False),
            )
            .group_by(Card.user_id, Item.deck_id)
        ):
            cards[(user_id, deck_id)] = (int(n_mastered or 0), int(n_due or 0))
        sizes = dict(
            db.session.execute(
                select(Item.deck_id, func.count(Item.id))
                .where(Item.deck_id.in_(deck_ids), Item.retired.is_(False))
                .group_by(Item.deck_id)
            ).all()
        )
    rows = []
    graded: dict[int, list[float]] = defaultdict(list)
    for student in students:
        cells = {}
        for a in assignments:
            scores = by_cell.get((student.id, a.deck_id), [])
            grade = gb.grade(scores, gb.GradingMethod(a.grading_method))
            if grade is not None:
                graded[a.id].append(grade)
            n_mastered, n_due = cards.get((student.id, a.deck_id), (0, 0))
            size = sizes.get(a.deck_id, 0)
            cells[a.id] = Cell(
                attempts=len(scores),
                best=gb.grade(scores, gb.GradingMethod.HIGHEST),
                latest=gb.grade(scores, gb.GradingMethod.LATEST),
                grade=grade,
                mastery=n_mastered / size if size else None,
                due_cards=n_due,
            )
        rows.append(GradebookRow(student, cells))
    summaries = [
        DeckSummary(
            assignment=a,
            histogram=gb.histogram(graded[a.id]),
            chart=labelled_bars(
                [
                    (f"{round(b.low * 100)}–{round(b.high * 100)}%", b.count)
                    for b in gb.histogram(graded[a.id])
                ],
                width=300,
                height=100,
            ),
            average=gb.mean(graded[a.id]),
            median=gb.median(graded[a.id]),
            graded=len(graded[a.id]),
        )
        for a in assignments
    ]
    return Gradebook(klass, assignments, rows, summaries)


def sort_rows(book: Gradebook, key: str, descending: bool) -> list[GradebookRow]:
    """Sort by student name, or by the grade in one assignment (no grade sorts last)."""
    if key.isdigit() and int(key) in {a.id for a in book.assignments}:
        aid = int(key)
        graded = [r for r in book.rows if r.cells[aid].grade is not None]
        ungraded = [r for r in book.rows if r.cells[aid].grade is None]
        graded.sort(key=lambda r: r.cells[aid].grade, reverse=descending)
        return graded + ungraded
    return sorted(book.rows, key=lambda r: r.student.name.lower(), reverse=descending)


def gradebook_csv(book: Gradebook) -> str:
    header = ["Student", "Email"]
    for a in book.assignments:
        title = a.deck.title
        header += [
            f"{title}: grade ({a.grading_method})",
            f"{title}: best",
            f"{title}: latest",
            f"{title}: attempts",
            f"{title}: mastery",
            f"{title}: cards due",
        ]
    rows = []
    for row in book.rows:
        line: list[object] = [row.student.name, row.student.email]
        for a in book.assignments:
            cell = row.cells[a.id]
            line += [
                _pct(cell.grade),
                _pct(cell.best),
                _pct(cell.latest),
                cell.attempts,
                _pct(cell.mastery),
                cell.due_cards,
            ]
        rows.append(line)
    return gb.gradebook_csv(header, rows)


def _pct(value: float | None) -> object:
    return "" if value is None else round(value * 100, 1)


def student_in_class(klass: SchoolClass, student_id: int) -> User:
    student = db.session.execute(
        select(User)
        .join(Enrolment, Enrolment.user_id == User.id)
        .where(Enrolment.class_id == klass.id, User.id == student_id)
    ).scalar_one_or_none()
    if student is None:
        raise NotFound("That student is not in this class.")
    return student


def student_attempts(klass: SchoolClass, student: User) -> list[Attempt]:
    deck_ids = select(Assignment.deck_id).where(Assignment.class_id == klass.id)
    return list(
        db.session.execute(
            select(Attempt)
            .where(
                Attempt.user_id == student.id,
                Attempt.deck_id.in_(deck_ids),
                Attempt.submitted_at.is_not(None),
            )
            .options(selectinload(Attempt.deck))
            .order_by(Attempt.submitted_at.desc())
        ).scalars()
    )


def class_attempt(klass: SchoolClass, student: User, attempt_id: int) -> Attempt:
    for attempt in student_attempts(klass, student):
        if attempt.id == attempt_id:
            return attempt
    raise NotFound("There is no such attempt in this class.")


# --- Item analysis --------------------------------------------------------------------


def analyse_deck(deck: Deck, user_ids_query=None, which: ia.Which = "first") -> ia.Analysis:
    """Moodle-style item statistics for a deck over the given learners (or everyone),
    in a fixed number of queries whatever the number of attempts."""
    attempts_q = select(
        Attempt.id,
        Attempt.user_id,
        Attempt.started_at,
        Attempt.item_ids,
        Attempt.correct_count,
        Attempt.total,
    ).where(Attempt.deck_id == deck.id, Attempt.submitted_at.is_not(None))
    if user_ids_query is not None:
        attempts_q = attempts_q.where(Attempt.user_id.in_(user_ids_query))
    rows = db.session.execute(attempts_q).all()
    if which != "all":
        # Choose the attempts first (an attempt's score is stored with it), so that only
        # their responses are read: one per learner instead of every attempt ever made.
        light = [
            ia.AttemptRecord(r.id, r.user_id, r.started_at, {0: r.correct_count / r.total}, {})
            for r in rows
            if r.total
        ]
        keep = {record.attempt_id for record in ia.select_attempts(light, which)}
        rows = [r for r in rows if r.id in keep]
    attempts = [(r.id, r.user_id, r.started_at, r.item_ids) for r in rows]
    responses: dict[int, dict[int, tuple[bool, tuple[int, ...]]]] = defaultdict(dict)
    if attempts:
        response_q = select(
            Response.attempt_id, Response.item_id, Response.correct, Response.chosen
        )
        if which != "all" and len(attempts) <= MAX_IN_LIST:
            response_q = response_q.where(Response.attempt_id.in_([a[0] for a in attempts]))
        else:
            response_q = response_q.join(Attempt, Attempt.id == Response.attempt_id).where(
                Attempt.deck_id == deck.id, Attempt.submitted_at.is_not(None)
            )
            if user_ids_query is not None:
                response_q = response_q.where(Attempt.user_id.in_(user_ids_query))
        wanted = {a[0] for a in attempts}
        for attempt_id, item_id, correct, chosen in db.session.execute(response_q):
            if attempt_id in wanted:
                responses[attempt_id][item_id] = (correct, tuple(chosen))
    records = []
    for attempt_id, user_id, started_at, item_ids in attempts:
        answered = responses.get(attempt_id, {})
        records.append(
            ia.AttemptRecord(
                attempt_id=attempt_id,
                user_id=user_id,
                started_at=started_at,
                item_scores={i: 1.0 if answered.get(i, (False, ()))[0] else 0.0 for i in item_ids},
                choices={i: answered.get(i, (False, ()))[1] for i in item_ids},
            )
        )
    items = db.session.execute(
        select(Item)
        .where(
            Item.deck_id == deck.id,
            Item.retired.is_(False),
            Item.kind.in_([k.value for k in QUIZ_KINDS]),
        )
        .options(selectinload(Item.choices))
        .order_by(Item.position, Item.id)
    ).scalars()
    infos = [
        ia.ItemInfo(
            item_id=item.id,
            prompt=item.prompt,
            kind=item.kind,
            choices=tuple(ia.ChoiceInfo(c.id, c.text, c.correct) for c in item.choices),
        )
        for item in items
    ]
    return ia.analyse(records, infos, which)


def class_members(klass: SchoolClass):
    return select(Enrolment.user_id).where(Enrolment.class_id == klass.id)


def assigned_deck(klass: SchoolClass, deck_id: int) -> Deck:
    deck = db.session.execute(
        select(Deck)
        .join(Assignment, Assignment.deck_id == Deck.id)
        .where(Assignment.class_id == klass.id, Deck.id == deck_id)
    ).scalar_one_or_none()
    if deck is None:
        raise NotFound("That deck is not assigned to this class.")
    return deck
