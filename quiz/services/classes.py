"""Classes: enrolment by join code, assignments, the gradebook and item analysis."""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from flask import current_app
from sqlalchemy import (
    Float,
    Integer,
    and_,
    any_,
    bindparam,
    case,
    cast,
    delete,
    func,
    null,
    or_,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, selectinload

from quiz.domain import gradebook as gb
from quiz.domain import item_analysis as ia
from quiz.domain.grading import percent_tenths
from quiz.domain.items import QUIZ_KINDS
from quiz.domain.scheduling import MASTERED_STABILITY_DAYS
from quiz.domain.study_stats import BarChart, labelled_bars
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
    Role,
    SchoolClass,
    Suspension,
    User,
    utcnow,
)
from quiz.services import NotFound, ServiceError, fetch, unit_of_work
from quiz.services.accounts import hash_password, revoke_sessions, temporary_password
from quiz.services.decks import DeckCard

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


class ClassRef(NamedTuple):
    """What the gradebook and item analysis pages need of a class, without an ORM object."""

    id: int
    name: str
    join_code: str


_CLASS_REF = select(
    SchoolClass.id, SchoolClass.name, SchoolClass.join_code, SchoolClass.teacher_id
).where(SchoolClass.id == bindparam("class_id"))


def get_class_ref(user: User, class_id: int) -> ClassRef:
    """As get_class, as plain values (one small query on the hot read-only pages)."""
    rows = fetch(_CLASS_REF, class_id=class_id)
    if not rows or not (user.is_admin or rows[0].teacher_id == user.id):
        raise NotFound("There is no class at that address.")
    return ClassRef(*rows[0][:3])


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


def assign_deck(
    teacher: User,
    klass: SchoolClass,
    deck_id: int,
    due_at: datetime | None,
    method: str = gb.GradingMethod.HIGHEST,
    min_questions: int | None = 0,
    change: bool | None = None,
) -> Assignment:
    """Assign a deck to the class, or change its due date, grading method and which
    quizzes count (`min_questions`: 0 for any length, None for the whole deck, n for at
    least n questions; see Assignment.min_questions). `change` False refuses a deck the
    class has already (the "Assign a deck" form, which would reset its settings), True
    one it has not (an assignment's own form, sent after it was removed elsewhere)."""
    if method not in {m.value for m in gb.GradingMethod}:
        raise ServiceError("Choose highest, latest, first or average.", field="grading_method")
    if min_questions is not None and not 0 <= min_questions <= gb.MAX_MIN_QUESTIONS:
        raise ServiceError(
            f"A quiz can be asked to have 0 to {gb.MAX_MIN_QUESTIONS} questions.",
            field="min_questions",
        )
    if klass.is_archived:
        raise ServiceError("This class is archived: restore it to assign decks.", field="deck")
    if deck_id not in {d.id for d in assignable_decks(teacher)}:
        raise ServiceError("Choose one of your published sets or a built-in deck.", field="deck")
    with unit_of_work() as session:
        assignment = session.execute(
            select(Assignment).where(Assignment.class_id == klass.id, Assignment.deck_id == deck_id)
        ).scalar_one_or_none()
        if change is False and assignment is not None:
            raise ServiceError(
                "That deck is assigned to this class already: change it with its own "
                "Change form, under Assignments.",
                field="deck",
            )
        if change is True and assignment is None:
            raise ServiceError(
                "That assignment was removed meanwhile: assign the deck again.", field="deck"
            )
        if assignment is None:
            assignment = Assignment(class_id=klass.id, deck_id=deck_id)
            session.add(assignment)
        assignment.due_at = due_at
        assignment.grading_method = str(method)
        # null(), not None: the ORM leaves a None out of an INSERT, and the column's
        # default (0, any length) would stand in for "the whole deck".
        assignment.min_questions = null() if min_questions is None else min_questions
    return assignment


#: An attempt that can count for an assignment: one that checked each answer as it was
#: given showed the right answers along the way (Attempt.checks_answers).
_GRADED = Attempt.checks_answers.is_(False)
#: No quiz has this many questions: what "the whole deck" (min_questions None) asks of a
#: quiz that is not of the whole deck.
_NO_LENGTH_IS_ENOUGH = 2**31 - 1


def _counts_for(min_questions: dict[int, int | None]):
    """The SQL condition that a graded attempt is long enough to count for the
    assignment of its deck ({deck id: min_questions}), as gb.counts_for_assignment
    says; None when every length counts."""
    if all(n == 0 for n in min_questions.values()):
        return None
    asked = {d: _NO_LENGTH_IS_ENOUGH if n is None else n for d, n in min_questions.items()}
    return or_(Attempt.whole_deck, Attempt.total >= case(asked, value=Attempt.deck_id, else_=0))


def students_who_took(klass: SchoolClass, assigned: Sequence[AssignedDeck]) -> dict[int, int]:
    """For each deck assigned to the class (`assigned`, from assigned_decks), how many of
    its students have submitted at least one quiz on it that counts (long enough, at any
    time), as the gradebook counts them."""
    required = {a.deck_id: a.min_questions for a in assigned}
    if not required:
        return {}
    query = (
        select(Attempt.deck_id, func.count(func.distinct(Attempt.user_id)))
        .where(
            Attempt.deck_id.in_(list(required)),
            Attempt.user_id.in_(_members(klass.id)),
            Attempt.submitted_at.is_not(None),
            _GRADED,
        )
        .group_by(Attempt.deck_id)
    )
    long_enough = _counts_for(required)
    if long_enough is not None:
        query = query.where(long_enough)
    return dict(db.session.execute(query).all())


def assigned_decks(klass: SchoolClass | ClassRef) -> list[AssignedDeck]:
    """The class's assignments as plain values (soonest due first)."""
    return _assigned_decks(klass.id)


def unassign(klass: SchoolClass, assignment_id: int) -> None:
    with unit_of_work() as session:
        session.execute(
            delete(Assignment).where(
                Assignment.id == assignment_id, Assignment.class_id == klass.id
            )
        )


# --- Students -------------------------------------------------------------------------


NO_CLASS_HAS_THAT_CODE = (
    "No class has that code. Check it with your teacher (it has 8 letters and digits)."
)
ARCHIVED_CLASS = "That class is archived and takes no new students."


@dataclass(frozen=True)
class JoinLink:
    """What a join link leads to, for the student who opened it: the class to join, or
    why not (no class has the code, or it is archived), and whether they are in it."""

    klass: SchoolClass | None
    problem: str | None = None
    already_in: bool = False


def join_link(student: User, code: str) -> JoinLink:
    klass = find_class_by_code(code)
    if klass is None:
        return JoinLink(None, NO_CLASS_HAS_THAT_CODE)
    if is_enrolled(student, klass):
        return JoinLink(klass, already_in=True)
    if klass.is_archived:
        return JoinLink(None, ARCHIVED_CLASS)
    return JoinLink(klass)


def is_enrolled(student: User, klass: SchoolClass) -> bool:
    return (
        db.session.execute(
            select(Enrolment.id).where(
                Enrolment.class_id == klass.id, Enrolment.user_id == student.id
            )
        ).first()
        is not None
    )


def join_class(student: User, code: str) -> SchoolClass:
    """Enrol with a join code; joining a class twice is harmless."""
    klass = find_class_by_code(code)
    if klass is None or not normalise_code(code):
        raise ServiceError(NO_CLASS_HAS_THAT_CODE, field="code")
    if klass.is_archived:
        raise ServiceError(ARCHIVED_CLASS, field="code")
    try:
        with unit_of_work() as session:
            if not is_enrolled(student, klass):
                session.add(Enrolment(class_id=klass.id, user_id=student.id))
    except IntegrityError:
        pass  # the same join arrived twice at once
    return klass


@dataclass(frozen=True)
class Membership:
    """A class a student is in, as the student sees it."""

    klass: SchoolClass
    teacher_name: str
    joined_at: datetime


def student_classes(student: User) -> list[Membership]:
    """The classes the student is in: open ones first, each by name."""
    rows = db.session.execute(
        select(SchoolClass, User, Enrolment.joined_at)
        .join(Enrolment, Enrolment.class_id == SchoolClass.id)
        .join(User, User.id == SchoolClass.teacher_id)
        .where(Enrolment.user_id == student.id)
        .order_by(SchoolClass.archived_at.is_not(None), SchoolClass.name, SchoolClass.id)
    ).all()
    return [Membership(klass, teacher.name, joined_at) for klass, teacher, joined_at in rows]


def leave_class(student: User, class_id: int) -> SchoolClass:
    """The student leaves a class (one joined by mistake, say): its assignments leave their
    deck list and they leave its gradebook. Their attempts and cards stay theirs, and the
    gradebook shows them again if they join again. NotFound unless they are in it; an
    archived class is refused: its gradebook is a record, and it takes no one back."""
    with unit_of_work() as session:
        # The class's row is held (FOR SHARE on PostgreSQL; SQLite's write lock holds
        # everything): it cannot be archived between the check and the leaving.
        klass = session.execute(
            select(SchoolClass)
            .join(Enrolment, Enrolment.class_id == SchoolClass.id)
            .where(SchoolClass.id == class_id, Enrolment.user_id == student.id)
            .with_for_update(read=True, of=SchoolClass)
        ).scalar_one_or_none()
        if klass is None:
            raise NotFound("You are not in that class.")
        if klass.is_archived:
            raise ServiceError(
                f"{klass.name} is archived: its gradebook is kept as a record, so it can no "
                "longer be left (and it shows you nothing to do)."
            )
        session.execute(
            delete(Enrolment).where(Enrolment.class_id == klass.id, Enrolment.user_id == student.id)
        )
    return klass


def counting_lengths(student: User, deck_id: int) -> list[tuple[str, int | None]]:
    """(class name, min_questions) for each open class of the student's that assigned
    this deck (0: any length; None: the whole deck)."""
    rows = db.session.execute(
        select(SchoolClass.name, Assignment.min_questions)
        .join(Assignment, Assignment.class_id == SchoolClass.id)
        .join(Enrolment, Enrolment.class_id == SchoolClass.id)
        .where(
            Enrolment.user_id == student.id,
            Assignment.deck_id == deck_id,
            SchoolClass.archived_at.is_(None),
        )
        .order_by(SchoolClass.name)
    )
    return [(name, n) for name, n in rows]


def too_short_for(student: User, attempt: Attempt) -> list[str]:
    """The student's open classes whose assignment of the attempt's deck the (graded)
    attempt is too short to count for, by name. No query for a quiz of the whole deck,
    which counts for every assignment, or for one that checked its answers as it went,
    which counts for none and says so itself."""
    if attempt.whole_deck or attempt.checks_answers:
        return []
    return [
        name
        for name, asked in counting_lengths(student, attempt.deck_id)
        if not gb.counts_for_assignment(
            asked, total=attempt.total, whole_deck=False, checks_answers=False
        )
    ]


def find_class_by_code(code: str) -> SchoolClass | None:
    return db.session.execute(
        select(SchoolClass).where(SchoolClass.join_code == normalise_code(code))
    ).scalar_one_or_none()


@dataclass(frozen=True)
class StudentAssignment:
    deck_slug: str
    deck_title: str
    due_at: datetime | None
    class_name: str
    status: str  # not started | in progress | done | overdue
    best: float | None
    min_questions: int | None  # which quizzes count (see Assignment.min_questions)
    practised: bool = False  # submitted quizzes at the deck, none of which counts
    late: bool = False  # done, but the first quiz that counts came after the due date


_COUNTED = and_(
    Attempt.submitted_at.is_not(None),
    _GRADED,
    or_(
        Attempt.whole_deck,
        Attempt.total >= func.coalesce(Assignment.min_questions, _NO_LENGTH_IS_ENOUGH),
    ),
)
# The deck list runs it on every load: one statement, built once (quiz.services.fetch).
# Each assignment's row gathers the student's attempts at its deck: all of them for
# "started", and for "done" and "best" those submitted and long enough to count.
_STUDENT_ASSIGNMENTS = (
    select(
        Deck.slug,
        Deck.title,
        Assignment.due_at,
        SchoolClass.name,
        func.count(Attempt.id),
        func.sum(case((_COUNTED, 1), else_=0)),
        func.max(
            case(
                (and_(_COUNTED, Attempt.total > 0), Attempt.correct_count * 1.0 / Attempt.total),
                else_=None,
            )
        ),
        Assignment.min_questions,
        func.sum(case((Attempt.submitted_at.is_not(None), 1), else_=0)),
        func.min(case((_COUNTED, Attempt.submitted_at), else_=None)),
        Enrolment.joined_at,
    )
    .select_from(Assignment)
    .join(SchoolClass, SchoolClass.id == Assignment.class_id)
    .join(Enrolment, Enrolment.class_id == SchoolClass.id)
    .join(Deck, Deck.id == Assignment.deck_id)
    .outerjoin(
        Attempt,
        and_(Attempt.deck_id == Assignment.deck_id, Attempt.user_id == Enrolment.user_id),
    )
    .where(
        Enrolment.user_id == bindparam("user_id"),
        SchoolClass.archived_at.is_(None),
        Deck.status == DeckStatus.PUBLISHED.value,
    )
    .group_by(
        Assignment.id,
        Deck.slug,
        Deck.title,
        Assignment.due_at,
        SchoolClass.name,
        Assignment.min_questions,
        Enrolment.joined_at,
    )
)


def student_assignments(student: User, now: datetime) -> list[StudentAssignment]:
    """The student's assignments in active classes, the most pressing first."""
    order = {"overdue": 0, "in progress": 1, "not started": 2, "done": 3}
    result = []
    for (
        slug,
        title,
        due_at,
        class_name,
        started,
        done,
        best,
        min_questions,
        submitted,
        first_at,
        joined_at,
    ) in fetch(_STUDENT_ASSIGNMENTS, user_id=student.id):
        status = gb.assignment_status(due_at, now, started or 0, int(done or 0))
        best = None if best is None else float(best)
        result.append(
            StudentAssignment(
                slug,
                title,
                due_at,
                class_name,
                status,
                best,
                min_questions,
                practised=bool(submitted) and not done,
                late=gb.hand_in(due_at, now, first_at, joined_at) == "late",
            )
        )
    far = datetime.max.replace(tzinfo=now.tzinfo)
    result.sort(key=lambda s: (order[s.status], s.due_at or far, s.class_name))
    return result


# --- Cached results -------------------------------------------------------------------

#: Students shown on one page of the gradebook.
PER_PAGE = 50
#: What the result cache of one app (so of one gunicorn worker) may hold, in cells of
#: about 400 bytes: a cell is one student × deck of a gradebook (a class of 500 students
#: and 20 decks takes 10,000, some 4 MB), an analysis counts 8 per question and choice,
#: and a student's card counts 1 and 1 for every 4 decks. 100,000 cells is some 40 MB a
#: worker at most.
CACHE_MAX_CELLS = 100_000


class ResultCache:
    """A bounded least-recently-used store of computed gradebooks, item analyses and
    students' card counts.

    It lives in the Flask app, so each gunicorn worker holds its own copy and fills it
    on its own. Every entry carries what it was computed from (its inputs: the decks'
    results version and whatever else it was computed from), and a caller reads those
    from the database, with one cheap query, before it uses the entry: an entry is
    replaced, never served stale.
    """

    def __init__(self, max_cells: int = CACHE_MAX_CELLS) -> None:
        self.max_cells = max_cells
        self._entries: OrderedDict[Hashable, tuple[_CacheEntry, int]] = OrderedDict()
        self._cells = 0
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> _CacheEntry | None:
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            self._entries.move_to_end(key)
            return found[0]

    def put(self, key: Hashable, entry: _CacheEntry, cells: int) -> None:
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._cells -= old[1]
            if cells > self.max_cells:
                return  # larger than the whole cache: computed on every request instead
            self._entries[key] = (entry, cells)
            self._cells += cells
            while self._cells > self.max_cells:
                _, (_, dropped) = self._entries.popitem(last=False)
                self._cells -= dropped

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._cells = 0

    def get_or_compute(
        self, key: Hashable, inputs: Hashable, compute: Callable[[], tuple[Any, int]]
    ) -> Any:
        """The value stored under `key` if it was computed from the same `inputs`;
        otherwise compute() gives (value, cells), which is stored and returned."""
        entry = self.get(key)
        if entry is not None and entry.inputs == inputs:
            return entry.value
        value, cells = compute()
        self.put(key, _CacheEntry(inputs, value), cells)
        return value

    def __len__(self) -> int:
        return len(self._entries)


def result_cache() -> ResultCache:
    """The current app's cache (each worker process has its own app, so its own cache)."""
    cache = current_app.extensions.get("quiz.class_results")
    if cache is None:
        cache = current_app.extensions.setdefault("quiz.class_results", ResultCache())
    return cache


@dataclass(frozen=True)
class _CacheEntry:
    inputs: Hashable  # what the value was computed from, read live (as _read_versions)
    value: Any


# The sum of the decks' results_version: the database raises a deck's version whenever a
# submitted attempt at it appears, changes or goes (triggers, quiz.models.attempts), and
# never lowers it, so any such change at any of the decks changes the sum. One indexed
# read of a few deck rows, whatever the number of attempts.
_RESULTS_VERSION = (
    select(func.coalesce(func.sum(Deck.results_version), 0))
    .where(Deck.id.in_(bindparam("deck_ids", expanding=True)))
    .scalar_subquery()
)
_ROSTER_VERSION = (
    select(SchoolClass.roster_version)
    .where(SchoolClass.id == bindparam("class_id"))
    .scalar_subquery()
)
# Built once: the check of an analysis over every learner. A class's analysis and its
# gradebook read the roster version with it, in their own first query
# (_CLASS_ANALYSIS_CHECK, _ASSIGNED_DECKS_AND_VERSIONS).
_DECKS_CHECK = select(_RESULTS_VERSION)


def _read_versions(deck_ids: Sequence[int]) -> tuple[int, None]:
    """One query: the results version of the decks (their submitted attempts), and no
    roster version (the shape of a class's versions, (results, roster)).

    Read them before what a result is computed from: a change in between then makes
    the next request recompute once instead of being missed.
    """
    (row,) = fetch(_DECKS_CHECK, deck_ids=list(deck_ids))
    return int(row[0]), None


# --- Gradebook ------------------------------------------------------------------------


@dataclass(frozen=True)
class AssignedDeck:
    """An assignment as the gradebook shows it (plain values, read in one query)."""

    id: int
    deck_id: int
    title: str
    due_at: datetime | None
    grading_method: str
    size: int  # live items in the deck (the denominator of mastery)
    min_questions: int | None  # which quizzes count (see Assignment.min_questions)
    # Why the class's students cannot see the deck: "unpublished" (a draft again since it
    # was assigned) or "deleted"; None when they can.
    hidden: str | None = None


@dataclass(frozen=True)
class StudentInfo:
    id: int
    name: str
    email: str
    joined_at: datetime | None = None  # when they joined the class


CardCounts = dict[int, tuple[int, int]]  # deck id -> (mastered, due) of a student's cards


class Cell(NamedTuple):
    # A tuple, not a dataclass: a page builds a thousand of them.
    attempts: int
    best: float | None
    latest: float | None
    grade: float | None  # by the assignment's grading method
    mastery: float | None
    due_cards: int
    hand_in: str  # against the due date: "", "on time", "late", "missing" (gb.hand_in)


@dataclass(frozen=True)
class GradebookRow:
    student: StudentInfo
    cells: dict[int, Cell]  # by assignment id, in the order of Gradebook.assignments


@dataclass(frozen=True)
class ScoreStats:
    """The distribution of one assignment's grades over every student of the class."""

    histogram: list[gb.Bin]
    chart: BarChart
    average: float | None
    median: float | None
    graded: int


@dataclass(frozen=True)
class DeckSummary:
    assignment: AssignedDeck
    stats: ScoreStats


@dataclass(frozen=True)
class Gradebook:
    klass: SchoolClass | ClassRef
    assignments: list[AssignedDeck]
    rows: list[GradebookRow]  # the students of this page, in order
    summaries: list[DeckSummary]  # over every student of the class
    page: gb.Page
    sort: str  # "name" or an assignment id
    descending: bool


@dataclass(frozen=True)
class _ClassResults:
    """What a gradebook shows of the whole class, cached (see _class_results): the
    roster, each student's attempts at each deck reduced, the grades and their
    distributions, and the orders of the students asked for so far."""

    students: dict[int, StudentInfo]
    summaries: dict[tuple[int, int], gb.AttemptSummary]  # by (student id, deck id)
    grades: dict[int, dict[int, float]]  # assignment id -> student id -> grade
    stats: dict[int, ScoreStats]  # by assignment id
    orders: dict[tuple[str, bool], list[int]] = field(default_factory=dict)
    # The cells of the students' rows as last built, for each set of columns (the
    # assignments as the page shows them), by student id: (the card counts they were
    # built from, the cells). See build_gradebook.
    cells: dict[Hashable, dict[int, tuple[CardCounts, dict[int, Cell]]]] = field(
        default_factory=dict
    )

    def order(self, sort: str, descending: bool) -> list[int]:
        """Student ids by name, or by the grade in assignment `sort` (worked out once)."""
        key = (sort, descending)
        if key not in self.orders:
            self.orders[key] = gb.order_students(
                [(s.id, s.name) for s in self.students.values()],
                None if sort == "name" else self.grades[int(sort)],
                descending,
            )
        return self.orders[key]


_NO_RESULTS = _ClassResults({}, {}, {}, {})

_ASSIGNED_DECKS = (
    select(
        Assignment.id,
        Assignment.deck_id,
        Deck.title,
        Assignment.due_at,
        Assignment.grading_method,
        select(func.count(Item.id))
        .where(Item.deck_id == Assignment.deck_id, Item.retired.is_(False))
        .correlate(Assignment)
        .scalar_subquery(),
        Assignment.min_questions,
        Deck.status,
        Deck.deleted_at,
    )
    .join(Deck, Deck.id == Assignment.deck_id)
    .where(Assignment.class_id == bindparam("class_id"))
    .order_by(Assignment.due_at.is_(None), Assignment.due_at, Assignment.id)
)
_ROSTER = (
    select(User.id, User.display_name, User.email, Enrolment.joined_at)
    .join(Enrolment, Enrolment.user_id == User.id)
    .where(Enrolment.class_id == bindparam("class_id"))
)


def _assigned_decks(class_id: int) -> list[AssignedDeck]:
    return [
        AssignedDeck(*values, hidden=_hidden_because(status, deleted_at))
        for *values, status, deleted_at in fetch(_ASSIGNED_DECKS, class_id=class_id)
    ]


# The gradebook's first query: the assignments, and with each (the same on every row) the
# versions its cached results are checked against: the results version of the decks
# assigned to the class and its roster version. One round trip on every load.
# Aliases: the subquery is over every deck assigned to the class, not correlated to the
# row's own assignment and deck.
_class_deck, _class_assignment = aliased(Deck), aliased(Assignment)
_ASSIGNED_DECKS_AND_VERSIONS = _ASSIGNED_DECKS.add_columns(
    select(func.coalesce(func.sum(_class_deck.results_version), 0))
    .where(
        _class_deck.id.in_(
            select(_class_assignment.deck_id).where(
                _class_assignment.class_id == bindparam("class_id")
            )
        )
    )
    .scalar_subquery(),
    _ROSTER_VERSION,
)


def _assigned_decks_and_versions(
    class_id: int,
) -> tuple[list[AssignedDeck], tuple[int, int | None]]:
    """The class's assignments, and the versions of its results (None when it has none)."""
    assignments, versions = [], (0, None)
    for *values, status, deleted_at, results, roster in fetch(
        _ASSIGNED_DECKS_AND_VERSIONS, class_id=class_id
    ):
        assignments.append(AssignedDeck(*values, hidden=_hidden_because(status, deleted_at)))
        versions = (int(results), int(roster))
    return assignments, versions


def _hidden_because(status: str, deleted_at: datetime | None) -> str | None:
    """Why students cannot see a deck assigned to their class, as AssignedDeck.hidden."""
    if deleted_at is not None:
        return "deleted"
    return None if status == DeckStatus.PUBLISHED.value else "unpublished"


def _roster(class_id: int) -> list[StudentInfo]:
    # The same name as User.name, without building hundreds of ORM objects.
    return [
        StudentInfo(uid, name or email.split("@", 1)[0], email, joined_at)
        for uid, name, email, joined_at in fetch(_ROSTER, class_id=class_id)
    ]


def _members(class_id: int):
    return select(Enrolment.user_id).where(Enrolment.class_id == class_id)


def _attempt_summaries(
    class_id: int, required: dict[int, int | None]
) -> dict[tuple[int, int], gb.AttemptSummary]:
    """Each student's submitted attempts at each deck ({deck id: the assignment's
    min_questions}) that count for its assignment, reduced by the database (count, best,
    average, the first and latest by submission time then id, with a window function, and
    when the first was submitted) in one statement."""
    score = case((Attempt.total > 0, cast(Attempt.correct_count, Float) / Attempt.total), else_=0.0)
    cell = (Attempt.user_id, Attempt.deck_id)
    # One window (the same partition, order and frame), so the rows are sorted once:
    # the first attempt is number 1 and the latest is number n.
    in_order = (Attempt.submitted_at, Attempt.id)
    ranked = (
        select(
            Attempt.id,
            Attempt.user_id,
            Attempt.deck_id,
            Attempt.submitted_at,
            score.label("score"),
            func.row_number()
            .over(partition_by=cell, order_by=in_order, rows=(None, None))
            .label("nth"),
            func.count().over(partition_by=cell, order_by=in_order, rows=(None, None)).label("n"),
        )
        .where(
            Attempt.user_id.in_(_members(class_id)),
            Attempt.deck_id.in_(sorted(required)),
            Attempt.submitted_at.is_not(None),
            _GRADED,
            *[c for c in [_counts_for(required)] if c is not None],
        )
        .subquery()
    )
    rows = db.session.execute(
        select(
            ranked.c.user_id,
            ranked.c.deck_id,
            func.count(),
            func.max(ranked.c.score),
            func.avg(ranked.c.score),
            func.max(case((ranked.c.nth == 1, ranked.c.score))),
            func.max(case((ranked.c.nth == ranked.c.n, ranked.c.score))),
            func.min(ranked.c.submitted_at),
        ).group_by(ranked.c.user_id, ranked.c.deck_id)
    )
    return {
        (user_id, deck_id): gb.AttemptSummary(
            count, float(best), float(latest), float(first), float(average), first_at
        )
        for user_id, deck_id, count, best, average, first, latest, first_at in rows
    }


def _score_stats(grades: list[float]) -> ScoreStats:
    histogram = gb.histogram(grades)
    return ScoreStats(
        histogram=histogram,
        chart=labelled_bars(
            [(f"{round(b.low * 100)}–{round(b.high * 100)}%", b.count) for b in histogram],
            width=300,
            height=100,
        ),
        average=gb.mean(grades),
        median=gb.median(grades),
        graded=len(grades),
    )


def _class_results(
    class_id: int, assignments: Sequence[AssignedDeck], versions: tuple[int, int | None]
) -> _ClassResults:
    """The class's results from the cache when no submitted attempt at the assigned decks
    has appeared or changed since, and the roster (with every name) and the assignments
    (with their grading methods and the questions a quiz needs to count) are the same;
    otherwise computed and cached. `versions` as _read_versions gives them, read with the
    assignments, before anything the results are computed from."""
    required = {a.deck_id: a.min_questions for a in assignments}
    deck_ids = sorted(required)
    inputs = (
        versions,
        tuple((a.id, a.deck_id, a.grading_method, a.min_questions) for a in assignments),
    )

    def compute() -> tuple[_ClassResults, int]:
        students = {s.id: s for s in _roster(class_id)}
        summaries = _attempt_summaries(class_id, required) if deck_ids else {}
        grades: dict[int, dict[int, float]] = {}
        for a in assignments:
            method = gb.GradingMethod(a.grading_method)
            grades[a.id] = {
                student_id: summary.grade(method)
                for student_id in students
                if (summary := summaries.get((student_id, a.deck_id))) is not None
            }
        stats = {a.id: _score_stats(list(grades[a.id].values())) for a in assignments}
        cells = max(1, len(students) * len(assignments))
        return _ClassResults(students, summaries, grades, stats), cells

    return result_cache().get_or_compute(("gradebook", class_id), inputs, compute)


def _cards_statement(students):
    # count() FILTER rather than sum(CASE ...): the gradebook page runs this on every
    # load, and SQLite takes nearly twice as long over the CASE (with bound 1 and 0).
    return (
        select(
            Card.user_id,
            Item.deck_id,
            func.count().filter(Card.stability > MASTERED_STABILITY_DAYS),
            # A card its student set aside (suspended) is never due.
            func.count().filter(Card.due <= bindparam("now"), Card.suspended == Suspension.NONE),
            # When the next of these cards falls due: the counts hold until then.
            func.min(Card.due).filter(
                Card.due > bindparam("now"), Card.suspended == Suspension.NONE
            ),
        )
        .join(Item, Item.id == Card.item_id)
        .where(
            Card.user_id.in_(students),
            Item.deck_id.in_(bindparam("deck_ids", expanding=True)),
            Item.retired.is_(False),
        )
        .group_by(Card.user_id, Item.deck_id)
    )


def _one_of(column, name: str, postgresql: bool):
    """`column` is one of the ids in the parameter `name`. On PostgreSQL as one array
    (= ANY): an IN list of 50 ids costs a page some 0.6 ms more, there, to write out and
    bind every time."""
    if postgresql:
        return column == any_(bindparam(name, type_=ARRAY(Integer)))
    return column.in_(bindparam(name, expanding=True))


_PAGE_CARDS = _cards_statement(bindparam("student_ids", expanding=True))
_CLASS_CARDS = _cards_statement(
    select(Enrolment.user_id).where(Enrolment.class_id == bindparam("class_id"))
)
# What the counts of a student's cards in some decks were computed from: the student's
# cards version (raised by the database whenever one of their cards appears, changes or
# goes) and the decks' items version (raised when an item is retired or brought back).
# Triggers in quiz.models.study. One indexed read for the whole page.
_CARD_VERSIONS = {
    postgresql: select(
        User.id,
        User.cards_version,
        select(func.coalesce(func.sum(Deck.items_version), 0))
        .where(_one_of(Deck.id, "deck_ids", postgresql))
        .scalar_subquery(),
    ).where(_one_of(User.id, "student_ids", postgresql))
    for postgresql in (False, True)
}


# The same sums for a whole page: as versions are only ever raised, equal sums over the
# same students mean that none of them changed. One row, whatever the page's size.
_PAGE_CARD_VERSIONS = {
    postgresql: select(
        func.coalesce(func.sum(User.cards_version), 0),
        func.count(),
        select(func.coalesce(func.sum(Deck.items_version), 0))
        .where(_one_of(Deck.id, "deck_ids", postgresql))
        .scalar_subquery(),
    ).where(_one_of(User.id, "student_ids", postgresql))
    for postgresql in (False, True)
}


@dataclass(frozen=True)
class _CountedCards:
    """Card counts (a student's by deck, or a page's by student) as they were at
    `counted_at`; they hold until `next_due`, when the first card not yet due then falls
    due (None: no such card)."""

    counts: dict
    counted_at: datetime
    next_due: datetime | None

    def hold_at(self, now: datetime) -> bool:
        return self.counted_at <= now and (self.next_due is None or now < self.next_due)


def _card_counts(
    class_id: int, student_ids: Sequence[int] | None, deck_ids: Sequence[int], now: datetime
) -> dict[int, CardCounts]:
    """(mastered, due now) cards per deck, for each student: they change with every
    review and with the clock. None for student_ids means every student of the class,
    counted live (the CSV).

    A page's counts come from the cache while none of its students' cards and none of
    the decks' items have changed and no card has fallen due since they were counted:
    one query of one row. Otherwise each student's counts come from the cache on the
    same terms, and the students that changed are counted again (two queries more)."""
    if student_ids is None:
        rows = fetch(_CLASS_CARDS, class_id=class_id, deck_ids=list(deck_ids), now=now)
        counts: dict[int, CardCounts] = defaultdict(dict)
        for user_id, deck_id, mastered, due, _ in rows:
            counts[user_id][deck_id] = (int(mastered or 0), int(due or 0))
        return counts
    cache, ids, decks = result_cache(), tuple(student_ids), tuple(deck_ids)
    postgresql = db.session.connection().dialect.name == "postgresql"
    ((cards_versions, students, items_version),) = fetch(
        _PAGE_CARD_VERSIONS[postgresql], student_ids=list(ids), deck_ids=list(decks)
    )
    inputs = (int(cards_versions), int(students), int(items_version))
    page = cache.get(("cards of a page", ids, decks))
    if page is not None and page.inputs == inputs and page.value.hold_at(now):
        return page.value.counts
    each = _students_card_counts(ids, decks, now, postgresql)
    upcoming = [c.next_due for c in each.values() if c.next_due is not None]
    counted = _CountedCards(
        {user_id: c.counts for user_id, c in each.items()}, now, min(upcoming, default=None)
    )
    cache.put(("cards of a page", ids, decks), _CacheEntry(inputs, counted), 1 + len(ids) // 8)
    return counted.counts


def _students_card_counts(
    ids: tuple[int, ...], decks: tuple[int, ...], now: datetime, postgresql: bool
) -> dict[int, _CountedCards]:
    """Each student's counts by deck: from the cache, or counted again for those whose
    cards or decks changed, or whose next card fell due, since they were counted."""
    cache = result_cache()
    versions = fetch(_CARD_VERSIONS[postgresql], student_ids=list(ids), deck_ids=list(decks))
    found: dict[int, _CountedCards] = {}
    missing: dict[int, Hashable] = {}
    for user_id, cards_version, items_version in versions:
        inputs = (cards_version, items_version)
        entry = cache.get(("cards", user_id, decks))
        if entry is not None and entry.inputs == inputs and entry.value.hold_at(now):
            found[user_id] = entry.value
        else:
            missing[user_id] = inputs
    if missing:
        counts: dict[int, CardCounts] = defaultdict(dict)
        next_due: dict[int, datetime] = {}
        rows = fetch(_PAGE_CARDS, student_ids=list(missing), deck_ids=list(decks), now=now)
        for user_id, deck_id, mastered, due, upcoming in rows:
            counts[user_id][deck_id] = (int(mastered or 0), int(due or 0))
            if upcoming is not None and (user_id not in next_due or upcoming < next_due[user_id]):
                next_due[user_id] = upcoming
        for user_id, inputs in missing.items():
            value = _CountedCards(counts.get(user_id, {}), now, next_due.get(user_id))
            cache.put(("cards", user_id, decks), _CacheEntry(inputs, value), 1 + len(decks) // 4)
            found[user_id] = value
    return found


def build_gradebook(
    klass: SchoolClass | ClassRef,
    now: datetime,
    *,
    sort: str = "name",
    descending: bool = False,
    page: int = 1,
    per_page: int | None = PER_PAGE,
) -> Gradebook:
    """One page of students × assigned decks, sorted over the whole class, with score
    summaries over the whole class; per_page=None gives every student on one page.

    A fixed number of queries whatever the class size: the attempts are reduced in SQL
    and cached (see _class_results); the shown students' card counts are cached too, and
    counted again for a student whose cards changed or fell due (see _card_counts).
    Raises gb.PageOutOfRange for a page that does not exist.
    """
    assignments, versions = _assigned_decks_and_versions(klass.id)
    results = _class_results(klass.id, assignments, versions) if assignments else _NO_RESULTS
    sort = gb.sort_key(sort)
    if sort != "name" and int(sort) not in results.grades:
        sort = "name"
    order = results.order(sort, descending)
    shown = gb.paginate(len(order), per_page or max(1, len(order)), page)
    shown_ids = order[shown.start : shown.stop]
    deck_ids = sorted({a.deck_id for a in assignments})
    cards: dict[int, CardCounts] = {}
    if shown_ids and deck_ids:
        cards = _card_counts(klass.id, None if per_page is None else shown_ids, deck_ids, now)
    # A student's cells are a pure function of the cached results, the columns and the
    # student's card counts, which come back as the same object while they hold: rows
    # built for an earlier load of the page are used again (a page has a thousand cells).
    # A column holds whether its due date has passed, the one thing of `now` the cells
    # depend on ("missing"): the rows are built again once, when it passes.
    columns = tuple(
        (
            a.id,
            a.deck_id,
            a.size,
            a.hidden is not None,
            a.due_at,
            a.due_at is not None and now > a.due_at,
        )
        for a in assignments
    )
    built = results.cells.get(columns)
    if built is None:  # the first load, or the assignments changed: older rows are not shown again
        results.cells.clear()
        built = results.cells[columns] = {}
    rows = []
    for student_id in shown_ids:
        counts = cards.get(student_id, _NO_CARDS)
        known = built.get(student_id)
        if known is not None and known[0] is counts:
            cells = known[1]
        else:
            cells = _row_cells(results, student_id, counts, columns, now)
            built[student_id] = (counts, cells)
        rows.append(GradebookRow(results.students[student_id], cells))
    summaries = [DeckSummary(a, results.stats.get(a.id) or _score_stats([])) for a in assignments]
    return Gradebook(klass, assignments, rows, summaries, shown, sort, descending)


_NO_CARDS: CardCounts = {}


def _row_cells(
    results: _ClassResults, student_id: int, counts: CardCounts, columns, now: datetime
) -> dict[int, Cell]:
    """A student's cell for each column (assignment id, deck id, live items, hidden, due
    date, whether it has passed)."""
    cells = {}
    joined_at = results.students[student_id].joined_at
    for assignment_id, deck_id, size, hidden, due_at, _ in columns:
        summary = results.summaries.get((student_id, deck_id))
        n_mastered, n_due = counts.get(deck_id, (0, 0))
        if hidden:  # its students cannot see it: no card of it is due, no work missing
            n_due, due_at = 0, None
        mastery = n_mastered / size if size else None
        if summary is None:
            hand = gb.hand_in(due_at, now, None, joined_at)
            cells[assignment_id] = Cell(0, None, None, None, mastery, n_due, hand)
        else:
            cells[assignment_id] = Cell(
                summary.attempts,
                summary.best,
                summary.latest,
                results.grades[assignment_id][student_id],
                mastery,
                n_due,
                gb.hand_in(due_at, now, summary.first_at, joined_at),
            )
    return cells


def gradebook_csv(klass: SchoolClass | ClassRef, now: datetime) -> str:
    """Every student of the class (by name), whatever page the teacher was looking at."""
    book = build_gradebook(klass, now, per_page=None)
    header = ["Student", "Email"]
    for a in book.assignments:
        title = f"{a.title} ({a.hidden}: students can't see it)" if a.hidden else a.title
        header += [
            f"{title}: grade ({a.grading_method})",
            f"{title}: best",
            f"{title}: latest",
            f"{title}: attempts that count ({_counted_quizzes(a.min_questions)})",
            f"{title}: mastery",
            f"{title}: cards due",
            f"{title}: handed in (on time, late, missing)",
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
                cell.hand_in,
            ]
        rows.append(line)
    return gb.gradebook_csv(header, rows)


def _counted_quizzes(min_questions: int | None) -> str:
    """Which quizzes count for an assignment, in a CSV column's few words."""
    if min_questions is None:
        return "the whole deck"
    if min_questions == 0:
        return "any length"
    return f"{min_questions}+ questions or the whole deck"


def _pct(value: float | None) -> object:
    return "" if value is None else percent_tenths(value)


def student_in_class(klass: SchoolClass, student_id: int) -> User:
    student = db.session.execute(
        select(User)
        .join(Enrolment, Enrolment.user_id == User.id)
        .where(Enrolment.class_id == klass.id, User.id == student_id)
    ).scalar_one_or_none()
    if student is None:
        raise NotFound("That student is not in this class.")
    return student


def reset_student_password(klass: SchoolClass, student_id: int) -> tuple[User, str]:
    """A student of the class forgot their password: give them a temporary one, which the
    teacher passes on in person. Every log-in of the account ends, and the student must
    choose their own password when they next log in.

    Only a student's account: anyone can join a class with its code, and a colleague who
    joined must not have their account taken over this way. An archived class's
    students are no longer the teacher's to manage. NotFound unless the student is in
    the class."""
    password = temporary_password()
    password_hash = hash_password(password)  # before the unit of work: it is slow
    with unit_of_work() as session:
        # The student's and the class's rows are held (FOR NO KEY UPDATE on PostgreSQL,
        # which lets the student's own quizzes and log-ins go on; SQLite's
        # write lock holds everything): neither a leaving (which holds the class's row)
        # nor an archiving can slip between the checks and the write.
        row = session.execute(
            select(User, SchoolClass.archived_at)
            .join(Enrolment, Enrolment.user_id == User.id)
            .join(SchoolClass, SchoolClass.id == Enrolment.class_id)
            .where(Enrolment.class_id == klass.id, User.id == student_id)
            .with_for_update(of=(User, SchoolClass), key_share=True)
        ).first()
        if row is None:
            raise NotFound("That student is not in this class.")
        student, archived_at = row
        if archived_at is not None:
            raise ServiceError(
                f"{klass.name} is archived. Restore it to reset the passwords of its students."
            )
        if student.role != Role.STUDENT:
            raise ServiceError(
                f"{student.name}'s account is not a student's, so it cannot be reset from a "
                "class. Ask whoever runs this site to reset it."
            )
        student.password_hash = password_hash
        student.temporary_password_at = utcnow()
        revoke_sessions(session, student.id)
    return student, password


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


class StudentAttempt(NamedTuple):
    attempt: Attempt
    counts: bool  # for the class's assignment of its deck (gb.counts_for_assignment)


def student_record(klass: SchoolClass, student: User) -> list[StudentAttempt]:
    """The student's submitted quizzes at the class's decks, newest first, each with
    whether it counts for the class's assignment or was practice."""
    asked = {a.deck_id: a.min_questions for a in _assigned_decks(klass.id)}
    return [
        StudentAttempt(
            attempt,
            gb.counts_for_assignment(
                asked.get(attempt.deck_id, 0),
                total=attempt.total,
                whole_deck=attempt.whole_deck,
                checks_answers=attempt.checks_answers,
            ),
        )
        for attempt in student_attempts(klass, student)
    ]


def class_attempt(klass: SchoolClass, student: User, attempt_id: int) -> Attempt:
    for attempt in student_attempts(klass, student):
        if attempt.id == attempt_id:
            return attempt
    raise NotFound("There is no such attempt in this class.")


# --- Item analysis --------------------------------------------------------------------


_ITEM_INFOS = (
    select(Item.id, Item.prompt, Item.kind, Choice.id, Choice.text, Choice.correct)
    .outerjoin(Choice, Choice.item_id == Item.id)
    .where(
        Item.deck_id == bindparam("deck_id"),
        Item.retired.is_(False),
        Item.kind.in_(sorted(k.value for k in QUIZ_KINDS)),
    )
    .order_by(Item.position, Item.id, Choice.position, Choice.id)
)


def _item_infos(deck_id: int) -> tuple[ia.ItemInfo, ...]:
    """The deck's quiz questions and their choices, in order, as plain values (one query).

    Read on every request: the cached analysis is keyed by them, so an edited prompt,
    choice or right answer, or an added or retired question, is never shown stale.
    """
    rows = fetch(_ITEM_INFOS, deck_id=deck_id)
    items: dict[int, tuple[str, str, list[ia.ChoiceInfo]]] = {}
    for item_id, prompt, kind, choice_id, text, correct in rows:
        _, _, choices = items.setdefault(item_id, (prompt, kind, []))
        if choice_id is not None:
            choices.append(ia.ChoiceInfo(choice_id, text, bool(correct)))
    return tuple(
        ia.ItemInfo(item_id, prompt, kind, tuple(choices))
        for item_id, (prompt, kind, choices) in items.items()
    )


def analyse_deck(
    deck: Deck | DeckCard,
    klass: SchoolClass | ClassRef | None = None,
    which: ia.Which = "first",
) -> ia.Analysis:
    """Moodle-style item statistics for a deck over the students of a class (or every
    learner), in a fixed number of queries whatever the number of attempts.

    The result is cached per worker (see ResultCache) with what it depends on: the
    questions and choices (read live, compared whole), the class's roster version, the
    attempts selection, and the deck's results version. A hit costs two small queries;
    a miss reads the attempts.
    """
    infos = _item_infos(deck.id)
    class_id = None if klass is None else klass.id
    if class_id is None:
        versions, asked = _read_versions([deck.id]), 0
    else:
        # A class's analysis leaves out the quizzes too short for its assignment of the
        # deck, as its gradebook does: its min_questions comes with the versions.
        results, roster, raw = fetch(_CLASS_ANALYSIS_CHECK, deck_ids=[deck.id], class_id=class_id)[
            0
        ]
        versions, asked = (int(results), int(roster)), _asked_from(raw)
    inputs = (versions, infos, asked)

    def compute() -> tuple[ia.Analysis, int]:
        cells = 8 * (1 + sum(1 + len(info.choices) for info in infos))
        return _analyse(deck.id, class_id, which, infos, asked), cells

    return result_cache().get_or_compute(("analysis", deck.id, class_id, which), inputs, compute)


# The class's assignment of the deck: its min_questions, -1 for "the whole deck" (NULL),
# and NULL when the deck is not assigned to the class (every quiz then counts).
_WHOLE_DECK = -1
_CLASS_ANALYSIS_CHECK = select(
    _RESULTS_VERSION,
    _ROSTER_VERSION,
    select(func.coalesce(Assignment.min_questions, _WHOLE_DECK))
    .where(
        Assignment.class_id == bindparam("class_id"),
        Assignment.deck_id.in_(bindparam("deck_ids", expanding=True)),
    )
    .scalar_subquery(),
)


def _asked_from(raw: int | None) -> int | None:
    """min_questions from _CLASS_ANALYSIS_CHECK's third column."""
    if raw is None:
        return 0
    return None if raw == _WHOLE_DECK else int(raw)


def _analyse(
    deck_id: int,
    class_id: int | None,
    which: ia.Which,
    infos: Sequence[ia.ItemInfo],
    asked: int | None = 0,
) -> ia.Analysis:
    attempts_q = select(
        Attempt.id,
        Attempt.user_id,
        Attempt.submitted_at,
        Attempt.item_ids,
        Attempt.correct_count,
        Attempt.total,
    ).where(Attempt.deck_id == deck_id, Attempt.submitted_at.is_not(None), _GRADED)
    if class_id is not None:
        attempts_q = attempts_q.where(Attempt.user_id.in_(_members(class_id)))
    long_enough = _counts_for({deck_id: asked})
    if long_enough is not None:
        attempts_q = attempts_q.where(long_enough)
    rows = list(db.session.execute(attempts_q))
    if which != "all":
        # Choose the attempts first (an attempt's score is stored with it), so that only
        # their responses are read: one per learner instead of every attempt ever made.
        light = [
            ia.AttemptRecord(r.id, r.user_id, r.submitted_at, {0: r.correct_count / r.total}, {})
            for r in rows
            if r.total
        ]
        keep = {record.attempt_id for record in ia.select_attempts(light, which)}
        rows = [r for r in rows if r.id in keep]
    attempts = [(r.id, r.user_id, r.submitted_at, r.item_ids) for r in rows]
    responses: dict[int, dict[int, tuple[bool, tuple[int, ...]]]] = defaultdict(dict)
    if attempts:
        response_q = select(
            Response.attempt_id, Response.item_id, Response.correct, Response.chosen
        )
        if which != "all" and len(attempts) <= MAX_IN_LIST:
            response_q = response_q.where(Response.attempt_id.in_([a[0] for a in attempts]))
        else:
            response_q = response_q.join(Attempt, Attempt.id == Response.attempt_id).where(
                Attempt.deck_id == deck_id, Attempt.submitted_at.is_not(None), _GRADED
            )
            if class_id is not None:
                response_q = response_q.where(Attempt.user_id.in_(_members(class_id)))
        wanted = {a[0] for a in attempts}
        for attempt_id, item_id, correct, chosen in db.session.execute(response_q):
            if attempt_id in wanted:
                responses[attempt_id][item_id] = (correct, tuple(chosen))
    records = []
    for attempt_id, user_id, submitted_at, item_ids in attempts:
        answered = responses.get(attempt_id, {})
        records.append(
            ia.AttemptRecord(
                attempt_id=attempt_id,
                user_id=user_id,
                submitted_at=submitted_at,
                item_scores={i: 1.0 if answered.get(i, (False, ()))[0] else 0.0 for i in item_ids},
                choices={i: answered.get(i, (False, ()))[1] for i in item_ids},
            )
        )
    return ia.analyse(records, infos, which)


_ASSIGNED_DECK = (
    select(Deck.id, Deck.slug, Deck.title, Deck.description, Deck.owner_id, Deck.deleted_at)
    .join(Assignment, Assignment.deck_id == Deck.id)
    .where(Assignment.class_id == bindparam("class_id"), Deck.id == bindparam("deck_id"))
)


def assigned_deck(klass: SchoolClass | ClassRef, deck_id: int) -> DeckCard:
    """What the analysis page shows of a deck assigned to the class."""
    rows = fetch(_ASSIGNED_DECK, class_id=klass.id, deck_id=deck_id)
    if not rows:
        raise NotFound("That deck is not assigned to this class.")
    return DeckCard(*rows[0])
