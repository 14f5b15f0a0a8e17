"""Faults on a running server: a worker killed mid-request, the database going away."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from quiz.models import Attempt, Response
from tests.conftest import csrf_from
from tests.reliability.harness import (
    DECK_SLUG,
    ON_POSTGRES,
    QUESTION_COUNT,
    GunicornServer,
    ServerDatabase,
    Servers,
)
from tests.reliability.student import (
    CHOICE_RE,
    Exchange,
    FlowError,
    StudentClient,
    answer_question,
    choice_ids,
    in_parallel,
    log_in,
    send,
    start_quiz,
    summary,
)

needs_postgres = pytest.mark.skipif(
    not ON_POSTGRES,
    reason="needs PostgreSQL (QUIZ_TEST_DATABASE_URL): an SQLite file cannot go away while "
    "the server keeps running, there is no connection to cut",
)

KILL_STUDENTS = 24
ANSWER_THREADS = 6
RECOVERY_SECONDS = 15


def wait_until(condition, seconds: float, step: float = 0.1) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return condition()


def test_a_worker_killed_mid_request_loses_no_acknowledged_answer(
    database: ServerDatabase, servers: Servers
):
    server = servers.start(workers=2)
    clients = [StudentClient(email, [server.base_url]) for email in database.emails[:KILL_STUDENTS]]

    def begin(client: StudentClient) -> int:
        log_in(client)
        return start_quiz(client)

    with ThreadPoolExecutor(max_workers=ANSWER_THREADS) as pool:
        attempts = list(pool.map(begin, clients))

    total = KILL_STUDENTS * QUESTION_COUNT
    lock = threading.Lock()
    answered = Counter()  # "first try" / "after a retry"
    acknowledged: list[tuple[int, int, list[int]]] = []  # attempt, question number, places
    quarter_done = threading.Event()

    def answer_everything(pair: tuple[StudentClient, int]) -> None:
        client, attempt_id = pair
        for number in range(1, QUESTION_COUNT + 1):
            try:
                chosen, _ = answer_question(client, attempt_id, number, lambda ids: ids[-1:])
                outcome = "first try"
            except FlowError:
                if client.exchanges[-1].status is not None:
                    raise  # an error page is a failure, not a lost connection
                # The connection died with the worker: send the answer once more.
                chosen, _ = answer_question(client, attempt_id, number, lambda ids: ids[-1:])
                outcome = "after a retry"
            with lock:
                acknowledged.append((attempt_id, number, chosen))
                answered[outcome] += 1
                if sum(answered.values()) >= total // 4:
                    quarter_done.set()

    killed: list[int] = []

    def kill_one_worker() -> None:
        if quarter_done.wait(timeout=120):
            victim = server.worker_pids()[0]
            os.kill(victim, signal.SIGKILL)
            killed.append(victim)

    started = time.monotonic()
    killer = threading.Thread(target=kill_one_worker)
    killer.start()
    try:
        with ThreadPoolExecutor(max_workers=ANSWER_THREADS) as pool:
            list(pool.map(answer_everything, zip(clients, attempts, strict=True)))
    finally:
        quarter_done.set()
        killer.join(timeout=130)
    seconds = time.monotonic() - started

    exchanges = [e for client in clients for e in client.exchanges]
    print("\n" + summary("answers while a worker is killed", exchanges, seconds))
    print(f"[reliability] killed worker {killed}; answers acknowledged: {dict(answered)}")
    assert killed, "the worker was never killed"
    assert not [e for e in exchanges if e.status is not None and e.status >= 500], servers.logs()
    assert len(acknowledged) == total

    with Session(database.engine) as session:
        by_id = {
            a.id: a
            for a in session.execute(select(Attempt).where(Attempt.id.in_(attempts))).scalars()
        }
        stored = {
            (r.attempt_id, r.item_id): r.chosen
            for r in session.execute(
                select(Response).where(Response.attempt_id.in_(attempts))
            ).scalars()
        }
    missing = [
        (attempt_id, number, places)
        for attempt_id, number, places in acknowledged
        if stored.get((attempt_id, by_id[attempt_id].item_ids[number - 1]))
        != choice_ids(by_id[attempt_id], number, places)
    ]
    assert not missing, f"acknowledged answers not in the database: {missing[:10]}"
    assert len(stored) == total

    # Gunicorn replaces the killed worker by itself.
    assert wait_until(
        lambda: len(server.worker_pids()) == 2 and killed[0] not in server.worker_pids(),
        RECOVERY_SECONDS,
    ), server.worker_pids()
    assert server.wait_healthy(timeout=RECOVERY_SECONDS)


def logged_in_with_a_quiz(database: ServerDatabase, server: GunicornServer):
    client = StudentClient(database.emails[0], [server.base_url])
    log_in(client)
    attempt_id = start_quiz(client)
    pages = [
        "/decks",
        f"/decks/{DECK_SLUG}",
        f"/attempts/{attempt_id}/1",
        f"/study/{DECK_SLUG}",
        "/dashboard",
        "/healthz",
    ]
    return client, attempt_id, pages


def assert_the_app_heals(server: GunicornServer, client: StudentClient, attempt_id: int):
    """Within a few seconds, with nobody restarting anything: health, a page, an answer."""
    cookies = client.cookies
    started = time.monotonic()
    assert wait_until(
        lambda: (
            send("GET", server.base_url, "/healthz", cookies).status == 200
            and send("GET", server.base_url, "/decks", cookies).status == 200
        ),
        RECOVERY_SECONDS,
        step=0.2,
    ), f"not healthy {RECOVERY_SECONDS} s later:\n{server.log_tail()}"
    print(f"[reliability] healthy again {time.monotonic() - started:.1f} s later")
    # Every worker has its connections back (two rounds over both workers).
    for _ in range(8):
        assert send("GET", server.base_url, "/decks", cookies).status == 200
    chosen, following = answer_question(client, attempt_id, 1, lambda ids: ids[:1])
    assert following == f"/attempts/{attempt_id}/2"


@needs_postgres
def test_cutting_every_database_connection_gives_200_or_503_never_500_and_heals(
    database: ServerDatabase, servers: Servers
):
    server = servers.start(workers=2)
    client, attempt_id, pages = logged_in_with_a_quiz(database, server)
    cookies = client.cookies
    for _ in range(3):  # every worker holds a pooled connection
        for path in pages:
            assert send("GET", server.base_url, path, cookies).status == 200

    requests_per_thread = 30
    cuts: list[int] = []

    def browse(thread: int) -> list[Exchange]:
        seen = []
        for n in range(requests_per_thread):
            if thread == 0 and n in (5, 15):  # cut while the others are mid-request
                cuts.append(database.terminate_connections())
            seen.append(send("GET", server.base_url, pages[(thread + n) % len(pages)], cookies))
        return seen

    started = time.monotonic()
    exchanges = [e for seen in in_parallel(4, browse) for e in seen]
    print("\n" + summary("pages while connections are cut", exchanges, time.monotonic() - started))
    statuses = Counter(e.status for e in exchanges)
    print(f"[reliability] connections cut: {cuts}; statuses: {dict(statuses)}")
    assert sum(cuts) > 0, "there was no server connection to cut"
    assert_the_app_heals(server, client, attempt_id)
    assert None not in statuses, [str(e) for e in exchanges if e.status is None]
    assert set(statuses) <= {200, 503}, [str(e) for e in exchanges if e.status not in (200, 503)]


@needs_postgres
def test_while_the_database_refuses_connections_pages_say_503_and_the_app_heals(
    database: ServerDatabase, servers: Servers
):
    server = servers.start(workers=2)
    client, attempt_id, pages = logged_in_with_a_quiz(database, server)
    cookies = client.cookies
    for path in pages:
        assert send("GET", server.base_url, path, cookies).status == 200
    answer_page = f"/attempts/{attempt_id}/1"
    page = client.get(answer_page).text
    answer = {"csrf_token": csrf_from(page), "choice": CHOICE_RE.findall(page)[:1]}

    database.allow_connections(False)
    try:
        database.terminate_connections()
        outage = [send("GET", server.base_url, path, cookies) for path in pages * 2]
        outage.append(send("POST", server.base_url, answer_page, cookies, answer))
    finally:
        database.allow_connections(True)

    statuses = Counter(e.status for e in outage)
    print(f"\n[reliability] statuses while the database refuses connections: {dict(statuses)}")
    assert_the_app_heals(server, client, attempt_id)
    assert all(e.status is not None for e in outage), [str(e) for e in outage]
    assert send("GET", server.base_url, "/healthz", cookies).status == 200
    health = [e for e in outage if e.path == "/healthz"]
    assert {e.status for e in health} == {503}
    assert set(statuses) <= {503}, [str(e) for e in outage if e.status != 503]
