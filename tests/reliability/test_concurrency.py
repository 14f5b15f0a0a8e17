"""Many students at once on real servers: nothing fails, nothing is lost or counted twice."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from quiz.models import Attempt, Card, Choice, Response, ReviewLog, User
from tests.reliability.harness import (
    DECK_SLUG,
    ON_POSTGRES,
    QUESTION_COUNT,
    STUDENT_COUNT,
    ServerDatabase,
    Servers,
)
from tests.reliability.student import (
    StudentClient,
    StudentRun,
    answer_all,
    card_back,
    choice_ids,
    in_parallel,
    log_in,
    rating_form,
    replay,
    start_quiz,
    submit_form,
    summary,
    whole_path,
)

STUDENT_THREADS = 50
STUDY_CARDS = 3
RUN_SECONDS = 300  # a student still going after this gives up (and the test fails)


def run_students(emails: Sequence[str], bases: Sequence[str]) -> tuple[list[StudentRun], float]:
    started = time.monotonic()
    deadline = started + RUN_SECONDS
    with ThreadPoolExecutor(max_workers=STUDENT_THREADS) as pool:
        # Student n starts on server n % len(bases): both servers serve every step.
        runs = list(
            pool.map(lambda pair: whole_path(pair[1], bases, pair[0], deadline), enumerate(emails))
        )
    return runs, time.monotonic() - started


def right_choice_ids(session: Session) -> set[int]:
    return set(session.execute(select(Choice.id).where(Choice.correct.is_(True))).scalars())


def problems_in_database(database: ServerDatabase, runs: Sequence[StudentRun]) -> list[str]:
    """What the database holds that does not match what each student did."""
    problems = []
    with Session(database.engine) as session:
        user_ids = dict(
            session.execute(
                select(User.email, User.id).where(User.email.in_([r.email for r in runs]))
            ).all()
        )
        attempts = defaultdict(list)
        for attempt in session.execute(
            select(Attempt).where(Attempt.user_id.in_(user_ids.values()))
        ).scalars():
            attempts[attempt.user_id].append(attempt)
        responses = defaultdict(list)
        for response in session.execute(
            select(Response).where(
                Response.attempt_id.in_([a.id for mine in attempts.values() for a in mine])
            )
        ).scalars():
            responses[response.attempt_id].append(response)
        reviews = dict(
            session.execute(
                select(ReviewLog.user_id, func.count(ReviewLog.id))
                .where(ReviewLog.user_id.in_(user_ids.values()))
                .group_by(ReviewLog.user_id)
            ).all()
        )
        rights = right_choice_ids(session)
    for run in runs:
        user_id = user_ids[run.email]
        mine = attempts[user_id]
        if len(mine) != 1 or mine[0].id != run.attempt_id:
            problems.append(
                f"{run.email}: attempts {[a.id for a in mine]}, client saw {run.attempt_id}"
            )
            continue
        attempt = mine[0]
        if attempt.submitted_at is None:
            problems.append(f"{run.email}: attempt {attempt.id} is not submitted")
        rows = {r.item_id: r for r in responses[attempt.id]}
        if len(responses[attempt.id]) != len(attempt.item_ids) or set(rows) != set(
            attempt.item_ids
        ):
            problems.append(
                f"{run.email}: {len(responses[attempt.id])} responses for "
                f"{len(attempt.item_ids)} questions"
            )
            continue
        sent = {
            attempt.item_ids[n - 1]: choice_ids(attempt, n, places)
            for n, places in run.chosen.items()
        }
        if any(rows[item].chosen != chosen for item, chosen in sent.items()) or len(sent) != len(
            rows
        ):
            problems.append(f"{run.email}: stored answers differ from the ones sent")
        stored = sum(1 for r in rows.values() if r.correct)
        chosen_right = sum(1 for chosen in sent.values() if set(chosen) <= rights)
        if not attempt.correct_count == stored == chosen_right:
            problems.append(
                f"{run.email}: correct_count {attempt.correct_count}, responses say {stored}, "
                f"the client's choices say {chosen_right}"
            )
        if reviews.get(user_id, 0) != STUDY_CARDS:
            problems.append(f"{run.email}: {reviews.get(user_id, 0)} review-log rows")
    return problems


def assert_every_student_finished_exactly_once(
    name: str, database: ServerDatabase, servers: Servers, runs: list[StudentRun], seconds: float
) -> None:
    exchanges = [e for run in runs for e in run.exchanges]
    print("\n" + summary(name, exchanges, seconds))
    failed = [str(e) for e in exchanges if e.failed]
    stopped = [run.error for run in runs if run.error]
    assert not failed and not stopped, (
        f"{len(failed)} failed requests, e.g. {failed[:5]}; {len(stopped)} students could "
        f"not finish, e.g. {stopped[:5]}\n{servers.logs()}"
    )
    problems = problems_in_database(database, runs)
    assert not problems, f"{len(problems)} students' records are wrong, e.g. {problems[:10]}"


def test_200_students_at_once_on_one_server_each_get_one_exact_result(
    database: ServerDatabase, servers: Servers
):
    server = servers.start(workers=4)
    runs, seconds = run_students(database.emails[:STUDENT_COUNT], [server.base_url])
    assert_every_student_finished_exactly_once(
        "200 students, 1 server x 4 workers", database, servers, runs, seconds
    )


@pytest.mark.skipif(
    not ON_POSTGRES,
    reason="two servers need a shared database server: two machines cannot share an SQLite "
    "file (set QUIZ_TEST_DATABASE_URL to run it on PostgreSQL)",
)
def test_200_students_switching_server_at_every_request_each_get_one_exact_result(
    database: ServerDatabase, servers: Servers
):
    # 2 workers each: 4 in all, as in the one-server run, on this 2-core machine.
    first = servers.start(workers=2, redis=True)
    second = servers.start(workers=2, redis=True)
    runs, seconds = run_students(database.emails[:STUDENT_COUNT], [first.base_url, second.base_url])
    assert_every_student_finished_exactly_once(
        "200 students, 2 servers x 2 workers, alternating", database, servers, runs, seconds
    )
    # Both really served: each logged students in (the audit log goes to the server's log).
    logins = [s.log_path.read_text(errors="replace").count(" login user=") for s in (first, second)]
    print(f"[reliability] log-ins handled by each server: {logins}")
    assert sum(logins) == STUDENT_COUNT and min(logins) > 0


def test_a_submission_replayed_100_times_at_once_is_recorded_once(
    database: ServerDatabase, servers: Servers
):
    server = servers.start(workers=4)
    client = StudentClient(database.emails[0], [server.base_url])
    log_in(client)
    attempt_id = start_quiz(client, "all")
    chosen = answer_all(client, attempt_id)
    path, form = f"/attempts/{attempt_id}/submit", submit_form(client, attempt_id)

    def submit_again(_: int):
        return replay(server.base_url, path, form, client.cookies)

    started = time.monotonic()
    volley = in_parallel(100, submit_again)
    print("\n" + summary("100 identical submissions at once", volley, time.monotonic() - started))
    assert [(e.status, e.location) for e in volley] == [
        (302, f"/attempts/{attempt_id}/result")
    ] * 100, [str(e) for e in volley if e.status != 302][:5]

    def stored_state():
        with Session(database.engine) as session:
            attempts = (
                session.execute(select(Attempt).join(User).where(User.email == client.email))
                .scalars()
                .all()
            )
            rows = (
                session.execute(select(Response).where(Response.attempt_id == attempt_id))
                .scalars()
                .all()
            )
            queued = session.execute(
                select(func.count(Card.id)).join(User).where(User.email == client.email)
            ).scalar_one()
            return attempts, rows, queued, right_choice_ids(session)

    attempts, rows, queued, rights = stored_state()
    assert len(attempts) == 1 and attempts[0].id == attempt_id
    attempt = attempts[0]
    assert attempt.submitted_at is not None
    right = sum(1 for n, places in chosen.items() if set(choice_ids(attempt, n, places)) <= rights)
    assert attempt.correct_count == sum(1 for r in rows if r.correct) == right
    assert attempt.total == len(rows) == QUESTION_COUNT
    assert queued == QUESTION_COUNT - right, "every question missed is queued for study, once"

    # Later replays change nothing either: the first submission's time and score stand.
    again = in_parallel(20, submit_again)
    assert {e.status for e in again} == {302}
    later, _, queued_later, _ = stored_state()
    assert (later[0].submitted_at, later[0].correct_count, queued_later) == (
        attempt.submitted_at,
        attempt.correct_count,
        queued,
    )


def test_a_rating_replayed_50_times_at_once_is_logged_once(
    database: ServerDatabase, servers: Servers
):
    """For a new card (the racers insert it), a card queued by a wrong quiz answer and an
    already reviewed card (both compare-and-set on the card's version)."""
    server = servers.start(workers=4)
    with Session(database.engine) as session:
        rights = right_choice_ids(session)

    def review_logs(email: str, item_id: int) -> int:
        with Session(database.engine) as session:
            return session.execute(
                select(func.count(ReviewLog.id))
                .join(Card, ReviewLog.card_id == Card.id)
                .join(User, User.id == Card.user_id)
                .where(User.email == email, Card.item_id == item_id)
            ).scalar_one()

    def rate_50_times(client: StudentClient, action: str, fields: dict[str, str]) -> int:
        """How many review-log rows 50 identical ratings at once added."""
        item_id = int(action.split("/")[3])
        before = review_logs(client.email, item_id)
        data = {**fields, "rating": "3"}
        started = time.monotonic()
        volley = in_parallel(50, lambda _: replay(server.base_url, action, data, client.cookies))
        print(
            "\n"
            + summary(
                f"50 identical ratings of a {fields['seen']!r} card",
                volley,
                time.monotonic() - started,
            )
        )
        assert {(e.status, e.location) for e in volley} == {(302, f"/study/{DECK_SLUG}")}, [
            str(e) for e in volley
        ][:5]
        return review_logs(client.email, item_id) - before

    newcomer = StudentClient(database.emails[1], [server.base_url])
    log_in(newcomer)
    quizzer = StudentClient(database.emails[2], [server.base_url])
    log_in(quizzer)
    attempt_id = start_quiz(quizzer, "all")
    with Session(database.engine) as session:
        attempt = session.get(Attempt, attempt_id)

    answer_all(
        quizzer,
        attempt_id,
        pick=lambda ids: [i for i in ids if i not in rights][:1],
        shown=lambda number: list(attempt.choice_order[str(attempt.item_ids[number - 1])]),
    )
    quizzer.post(f"/attempts/{attempt_id}/submit", submit_form(quizzer, attempt_id))

    added = {}
    for client, version in ((newcomer, "new"), (quizzer, "queued")):
        action, fields = card_back(client)
        assert fields["seen"] == version
        added[version] = rate_50_times(client, action, fields)
        # The same card again, now reviewed: its version is the time of that review.
        item_id = int(action.split("/")[3])
        action, fields = rating_form(client, f"/study/cards/{item_id}?deck={DECK_SLUG}")
        assert fields["seen"] not in ("new", "queued")
        added[f"reviewed after {version}"] = rate_50_times(client, action, fields)

    print(f"[reliability] review-log rows added per 50 identical ratings: {added}")
    assert added["new"] == 1
    assert added == dict.fromkeys(added, 1)
