"""A teacher's correction of an answer key racing a learner's answer or submission, on
PostgreSQL: each interleaving is set up exactly (each side in its own thread, session and
connection, held at a chosen statement until the other has reached a chosen point) and
must end without a deadlock, every stored mark the final key's, every score its marks."""

from __future__ import annotations

import re
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import pytest
from sqlalchemy import create_engine, event, select, text
from sqlalchemy.pool import NullPool

from quiz.bank.formats import parse_upload
from quiz.domain.grading import ChoiceKey, grade
from quiz.domain.items import ChoiceSpec
from quiz.extensions import db
from quiz.models import Attempt, Deck, Item, Response, User
from quiz.services import authoring, quizzes
from tests.factories import make_user
from tests.reliability.harness import ON_POSTGRES
from tests.services.test_regrading import FIXED_KEY, OTHER, WRONG_KEY, _choice, _published_set

pytestmark = pytest.mark.skipif(
    not ON_POSTGRES,
    reason="needs PostgreSQL (QUIZ_TEST_DATABASE_URL): these races are between row locks "
    "that SQLite does not have (its one write lock runs the two sides one after the other)",
)

#: The longest any one step may take: a side held up longer is hung, and the test fails.
STEP_SECONDS = 5.0
#: A lock waited for longer fails the statement (a hang fails fast, never blocks the run);
#: a deadlock is found sooner (PostgreSQL's deadlock_timeout, 1 s by default).
LOCK_TIMEOUT = "3s"

THIRD_KEY = replace(
    WRONG_KEY, choices=(ChoiceSpec("Lyon"), ChoiceSpec("Paris"), ChoiceSpec("Nice", True))
)
RIVER_WRONG = replace(OTHER, choices=(ChoiceSpec("Seine"), ChoiceSpec("Rhine", True)))
CAPITAL_FIXED_GIFT = b"::capital:: Capital of France? {~Lyon =Paris ~Nice}\n"
BOTH_FIXED_GIFT = CAPITAL_FIXED_GIFT + b"\n::river:: River of Paris? {=Seine ~Rhine}\n"

# Where the sides are held, told apart by their SQL (statements every version runs).
KEY_RAISE = re.compile(r"^\s*UPDATE items SET .*\bkey_version\b", re.S)
ATTEMPT_LOCK = re.compile(r"^\s*SELECT attempts\.id\s+FROM attempts\b.*\bFOR UPDATE\s*$", re.S)
SUBMITTED = re.compile(r"^\s*UPDATE attempts SET submitted_at\b", re.S)


@dataclass
class Pause:
    """Holds one side at one point until the test lets it go."""

    side: str
    where: str  # "after": once a matching statement ran; "after_last": before the first
    # statement (or the commit) after one or more matching ones; "commit": before COMMIT
    pattern: re.Pattern | None = None
    reached: threading.Event = field(default_factory=threading.Event)
    go: threading.Event = field(default_factory=threading.Event)
    armed: bool = False

    def hold(self) -> None:
        self.reached.set()
        if not self.go.wait(STEP_SECONDS):
            raise TimeoutError(f"{self.side} held at {self.where} {self.pattern} and never let go")

    def wait_reached(self) -> None:
        assert self.reached.wait(STEP_SECONDS), (
            f"{self.side} never reached {self.where} {self.pattern and self.pattern.pattern}"
        )

    def release(self) -> None:
        self.go.set()


class Side:
    """One party to a race: `work` run in its own thread, app context, session and
    connection."""

    def __init__(self, app, name: str, work: Callable[[], object]) -> None:
        self.app, self.name, self.work = app, name, work
        self.result: object = None
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name=name, daemon=True)

    def _run(self) -> None:
        try:
            with self.app.app_context():
                self.result = self.work()
        except BaseException as exc:  # reported by finish(), in the test's thread
            self.error = exc

    def finish(self) -> object:
        self.thread.join(STEP_SECONDS + 3)
        assert not self.thread.is_alive(), f"{self.name} hung"
        if self.error is not None:
            raise AssertionError(f"{self.name} failed: {self.error!r}") from self.error
        return self.result


class Race:
    """The sides of one interleaving, and the pauses that set it up."""

    def __init__(self, app) -> None:
        self.app = app
        self.engine = db.engine
        self.sides: dict[str, Side] = {}
        self.pids: dict[str, int] = {}
        self.pauses: list[Pause] = []
        self.graded: Counter[str] = Counter()  # answers graded, by side
        # Watches the sides' backends from outside: no pool, no listeners, no transaction.
        self.monitor = create_engine(
            self.engine.url, poolclass=NullPool, isolation_level="AUTOCOMMIT"
        ).connect()
        event.listen(self.engine, "before_cursor_execute", self._before)
        event.listen(self.engine, "after_cursor_execute", self._after)
        event.listen(self.engine, "commit", self._commit)

    def pause(self, side: str, where: str, pattern: re.Pattern | None = None) -> Pause:
        pause = Pause(side, where, pattern)
        self.pauses.append(pause)
        return pause

    def start(self, name: str, work: Callable[[], object]) -> Side:
        side = self.sides[name] = Side(self.app, name, work)
        side.thread.start()
        return side

    def wait_until_waiting_for_a_lock(self, name: str) -> None:
        """Until the side's statement waits for a row another side holds (or the side is
        done, or held at a pause: then the interleaving is not the one meant, and the
        outcome the test checks says so)."""
        side = self.sides[name]
        deadline = time.monotonic() + STEP_SECONDS
        while time.monotonic() < deadline:
            pid = self.pids.get(name)
            if pid is not None:
                waiting = self.monitor.execute(
                    text("SELECT wait_event_type FROM pg_stat_activity WHERE pid = :pid"),
                    {"pid": pid},
                ).scalar()
                if waiting == "Lock":
                    return
            held = any(
                p.side == name and p.reached.is_set() and not p.go.is_set() for p in self.pauses
            )
            if held or not side.thread.is_alive():
                return
            time.sleep(0.01)
        raise AssertionError(f"{name} neither waited for a lock nor finished: hung")

    def close(self) -> None:
        for pause in self.pauses:
            pause.release()
        for side in self.sides.values():
            side.thread.join(STEP_SECONDS + 3)
        event.remove(self.engine, "before_cursor_execute", self._before)
        event.remove(self.engine, "after_cursor_execute", self._after)
        event.remove(self.engine, "commit", self._commit)
        self.monitor.close()
        self.monitor.engine.dispose()

    # The engine's events, in the sides' threads.

    def _mine(self) -> list[Pause]:
        name = threading.current_thread().name
        return [p for p in self.pauses if p.side == name and not p.reached.is_set()]

    def _before(self, conn, cursor, statement, parameters, context, executemany) -> None:
        name = threading.current_thread().name
        if name in self.sides:
            self.pids[name] = conn.connection.dbapi_connection.info.backend_pid
        for pause in self._mine():
            if pause.where == "after_last" and pause.armed and not pause.pattern.search(statement):
                pause.hold()

    def _after(self, conn, cursor, statement, parameters, context, executemany) -> None:
        for pause in self._mine():
            if pause.pattern is not None and pause.pattern.search(statement):
                if pause.where == "after":
                    pause.hold()
                elif pause.where == "after_last":
                    pause.armed = True

    def _commit(self, conn) -> None:
        for pause in self._mine():
            if pause.where == "commit" or (pause.where == "after_last" and pause.armed):
                pause.hold()


@pytest.fixture
def race(app, monkeypatch):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL")

    @event.listens_for(db.engine, "connect")
    def lock_timeout(dbapi_connection, record):
        with dbapi_connection.cursor() as cursor:
            cursor.execute(f"SET lock_timeout = '{LOCK_TIMEOUT}'")
        dbapi_connection.commit()

    db.engine.dispose()  # every connection from here on has the timeout
    racing = Race(app)

    def counted_grade(*args, **kwargs):
        racing.graded[threading.current_thread().name] += 1
        return grade(*args, **kwargs)

    monkeypatch.setattr(quizzes, "grade", counted_grade)
    try:
        yield racing
    finally:
        racing.close()
        event.remove(db.engine, "connect", lock_timeout)


# What the sides do, each in its own session: objects are read again by id.


def edit(item_id: int, spec) -> Callable[[], object]:
    def work():
        item = db.session.get(Item, item_id)
        deck = db.session.get(Deck, item.deck_id)
        return authoring.save_item(deck, spec, item_id, authoring.choice_ids(item)).regraded

    return work


def import_file(deck_id: int, gift: bytes) -> Callable[[], object]:
    def work():
        deck = db.session.get(Deck, deck_id)
        owner = db.session.get(User, deck.owner_id)
        result = parse_upload(gift, "corrected.gift", "gift")
        return authoring.import_items(owner, result, deck).regraded

    return work


CORRECTIONS = {
    "editor": lambda capital, deck_id: edit(capital.id, FIXED_KEY),
    "import": lambda capital, deck_id: import_file(deck_id, CAPITAL_FIXED_GIFT),
}


def answer(attempt_id: int, item_id: int, choice: str) -> Callable[[], object]:
    def work():
        attempt = db.session.get(Attempt, attempt_id)
        chosen = [_choice(db.session.get(Item, item_id), choice)]
        return quizzes.record_response(attempt, attempt.item_ids.index(item_id) + 1, chosen)

    return work


def submit(attempt_id: int) -> Callable[[], object]:
    return lambda: quizzes.submit_attempt(db.session.get(Attempt, attempt_id))


# Set-up and checks, in the test's own session.


def open_quiz(*specs, answers: dict[str, str] | None = None):
    """A published set of `specs`, and a learner's open quiz over all of it with
    `answers` (question key -> choice text) given."""
    _, deck, items = _published_set(*specs)
    attempt = quizzes.start_attempt(make_user(), deck)
    by_key = {item.key: item for item in items}
    for key, choice in (answers or {}).items():
        item = by_key[key]
        number = attempt.item_ids.index(item.id) + 1
        quizzes.record_response(attempt, number, [_choice(item, choice)])
    db.session.commit()  # the test's session holds nothing while the sides run
    return deck, by_key, attempt.id


def stored(attempt_id: int) -> dict[int, Response]:
    db.session.expire_all()
    rows = db.session.execute(select(Response).where(Response.attempt_id == attempt_id))
    return {r.item_id: r for r in rows.scalars()}


def key_version(item: Item) -> int:
    db.session.expire_all()
    return db.session.get(Item, item.id).key_version


def assert_marks_follow_the_final_key(attempt_id: int) -> dict[int, Response]:
    """Every stored mark is the one the question's current key gives the answer; a
    submitted quiz's score counts them."""
    responses = stored(attempt_id)
    for item_id, response in responses.items():
        item = db.session.get(Item, item_id)
        keys = [ChoiceKey(c.id, c.correct, c.position) for c in item.choices]
        assert response.correct == grade(item.kind, keys, response.chosen), (
            f"{item.key}: stored mark {response.correct} is not the current key's"
        )
    attempt = db.session.get(Attempt, attempt_id)
    if attempt.submitted_at is not None:
        assert attempt.correct_count == sum(r.correct for r in responses.values())
    return responses


# An answer stored while a correction is flushed but not committed.


def _answer_during_a_flushed_correction(race, attempt_id, item, choice, correction):
    held = race.pause("correction", "after_last", KEY_RAISE)
    corrector = race.start("correction", correction)
    held.wait_reached()  # the keys' versions are raised, nothing is committed
    learner = race.start("answer", answer(attempt_id, item.id, choice))
    race.wait_until_waiting_for_a_lock("answer")
    held.release()
    learner.finish()
    return corrector.finish()


def test_an_answer_saved_while_a_correction_is_flushed_is_graded_again_under_the_new_key(race):
    _, items, attempt_id = open_quiz(WRONG_KEY, OTHER)
    capital = items["capital"]
    _answer_during_a_flushed_correction(
        race, attempt_id, capital, "Paris", edit(capital.id, FIXED_KEY)
    )
    responses = assert_marks_follow_the_final_key(attempt_id)
    assert responses[capital.id].correct
    assert race.graded["answer"] == 2  # graded against the old key, stored nothing, again
    assert key_version(capital) == 1


def test_a_learner_changing_an_answer_during_a_correction_neither_deadlocks_nor_keeps_the_old_mark(
    race,
):
    _, items, attempt_id = open_quiz(WRONG_KEY, OTHER, answers={"capital": "Lyon"})
    capital = items["capital"]
    _answer_during_a_flushed_correction(
        race, attempt_id, capital, "Paris", edit(capital.id, FIXED_KEY)
    )
    responses = assert_marks_follow_the_final_key(attempt_id)
    assert responses[capital.id].chosen == [_choice(capital, "Paris")]
    assert responses[capital.id].correct
    assert race.graded["answer"] == 2
    assert key_version(capital) == 1


def test_answering_the_second_question_of_a_two_question_import_correction_does_not_deadlock(
    race,
):
    deck, items, attempt_id = open_quiz(WRONG_KEY, RIVER_WRONG, answers={"capital": "Paris"})
    capital, river = items["capital"], items["river"]
    report = _answer_during_a_flushed_correction(
        race, attempt_id, river, "Seine", import_file(deck.id, BOTH_FIXED_GIFT)
    )
    responses = assert_marks_follow_the_final_key(attempt_id)
    assert responses[capital.id].correct and responses[river.id].correct
    assert report.now_right == 1  # the earlier answer; the new one was graded again
    assert race.graded["answer"] == 2
    assert (key_version(capital), key_version(river)) == (1, 1)


# An answer stored but not committed when a correction starts.


@pytest.mark.parametrize("how", sorted(CORRECTIONS))
def test_an_answer_not_yet_committed_when_a_correction_starts_is_marked_again_by_it(race, how):
    deck, items, attempt_id = open_quiz(WRONG_KEY, OTHER)
    capital = items["capital"]
    held = race.pause("answer", "commit")
    learner = race.start("answer", answer(attempt_id, capital.id, "Paris"))
    held.wait_reached()  # inserted, wrong under the old key, not committed
    corrector = race.start("correction", CORRECTIONS[how](capital, deck.id))
    race.wait_until_waiting_for_a_lock("correction")
    held.release()
    learner.finish()
    report = corrector.finish()
    responses = assert_marks_follow_the_final_key(attempt_id)
    assert responses[capital.id].correct and responses[capital.id].regraded_at is not None
    assert report.now_right == 1
    assert race.graded["answer"] == 1
    assert key_version(capital) == 1


# A submission and a correction of a question of its quiz.


def _submit_while_a_correction_waits(race, attempt_id, correction, held_after=ATTEMPT_LOCK):
    held = race.pause("submission", "after", held_after)
    submitter = race.start("submission", submit(attempt_id))
    held.wait_reached()
    corrector = race.start("correction", correction)
    race.wait_until_waiting_for_a_lock("correction")
    held.release()
    submitted = submitter.finish()
    corrector.finish()
    return submitted


@pytest.mark.parametrize("how", sorted(CORRECTIONS))
def test_a_submission_racing_a_correction_of_its_quiz_does_not_deadlock_and_counts_new_marks(
    race, how
):
    # Both answers right under the old key: the submission queues no flashcard.
    deck, items, attempt_id = open_quiz(
        WRONG_KEY, OTHER, answers={"capital": "Lyon", "river": "Seine"}
    )
    capital = items["capital"]
    assert _submit_while_a_correction_waits(race, attempt_id, CORRECTIONS[how](capital, deck.id))
    responses = assert_marks_follow_the_final_key(attempt_id)
    assert not responses[capital.id].correct
    assert db.session.get(Attempt, attempt_id).correct_count == 1
    assert key_version(capital) == 1


@pytest.mark.parametrize("how", sorted(CORRECTIONS))
def test_a_submission_queueing_the_corrected_question_as_a_mistake_does_not_deadlock(race, how):
    # Wrong under the old key when submitted: the submission puts it in the learner's
    # flashcards, a row that points at the question the correction holds.
    deck, items, attempt_id = open_quiz(
        WRONG_KEY, OTHER, answers={"capital": "Paris", "river": "Seine"}
    )
    capital = items["capital"]
    assert _submit_while_a_correction_waits(race, attempt_id, CORRECTIONS[how](capital, deck.id))
    responses = assert_marks_follow_the_final_key(attempt_id)
    assert responses[capital.id].correct
    assert db.session.get(Attempt, attempt_id).correct_count == 2
    assert key_version(capital) == 1


def test_a_submission_leaving_the_corrected_question_unanswered_does_not_deadlock_on_the_deck(
    race,
):
    # The quiz did not answer the question, so the correction does not lock it: the two
    # meet at the deck's row (the submission's trigger, the correction's updated_at).
    deck, items, attempt_id = open_quiz(WRONG_KEY, OTHER, answers={"river": "Seine"})
    capital = items["capital"]
    assert _submit_while_a_correction_waits(
        race, attempt_id, edit(capital.id, FIXED_KEY), held_after=SUBMITTED
    )
    assert_marks_follow_the_final_key(attempt_id)
    assert db.session.get(Attempt, attempt_id).correct_count == 1
    assert key_version(capital) == 1


@pytest.mark.parametrize("how", sorted(CORRECTIONS))
def test_a_submission_during_a_flushed_correction_waits_for_it_and_counts_its_new_marks(race, how):
    deck, items, attempt_id = open_quiz(
        WRONG_KEY, OTHER, answers={"capital": "Lyon", "river": "Seine"}
    )
    capital = items["capital"]
    held = race.pause("correction", "after_last", KEY_RAISE)
    corrector = race.start("correction", CORRECTIONS[how](capital, deck.id))
    held.wait_reached()
    submitter = race.start("submission", submit(attempt_id))
    race.wait_until_waiting_for_a_lock("submission")
    held.release()
    assert submitter.finish()
    corrector.finish()
    responses = assert_marks_follow_the_final_key(attempt_id)
    assert not responses[capital.id].correct
    assert db.session.get(Attempt, attempt_id).correct_count == 1


# Two corrections one after the other.


def test_two_corrections_in_a_row_each_raise_the_key_version_and_an_answer_between_is_graded_again(
    race,
):
    _, items, attempt_id = open_quiz(WRONG_KEY, OTHER)
    capital = items["capital"]
    first_held = race.pause("first", "commit")
    second_held = race.pause("second", "commit")
    first = race.start("first", edit(capital.id, FIXED_KEY))
    first_held.wait_reached()
    second = race.start("second", edit(capital.id, THIRD_KEY))
    race.wait_until_waiting_for_a_lock("second")  # it has read the question
    first_held.release()
    first.finish()
    second_held.wait_reached()  # the second correction is flushed, not committed
    # Graded against the first correction's key (Paris right), stored after the second
    # (Nice right) commits: only a version raised twice tells the two apart.
    learner = race.start("answer", answer(attempt_id, capital.id, "Paris"))
    race.wait_until_waiting_for_a_lock("answer")
    second_held.release()
    second.finish()
    learner.finish()
    # Raised by each correction; the answer (Paris) marked under the final key (Nice).
    assert (key_version(capital), stored(attempt_id)[capital.id].correct) == (2, False)
    assert race.graded["answer"] == 2
    assert_marks_follow_the_final_key(attempt_id)
