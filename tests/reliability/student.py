"""A simulated student: one requests.Session walking the app the way a browser does."""

from __future__ import annotations

import html
import re
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import requests

from tests.conftest import csrf_from
from tests.reliability.harness import DECK_SLUG, HOST, PASSWORD

# A choice is named by its place on the page (1, 2, …), not by its id.
CHOICE_RE = re.compile(r'name="choice" id="choice-(\d+)"')
SHOW_ANSWER_RE = re.compile(r'id="show-answer"[^>]*?href="([^"]+)"', re.S)
RATE_ACTION_RE = re.compile(r'action="(/study/cards/\d+/rate)"')
INPUT_RE = re.compile(r"<input\b[^>]*>", re.S)
ATTRIBUTE_RE = re.compile(r'([\w-]+)="([^"]*)"')
ATTEMPT_RE = re.compile(r"^/attempts/(\d+)/(\d+)$")
MAX_QUESTIONS = 50  # a bound on the answering loop, far above any quiz length here


class FlowError(Exception):
    """The student could not go on: an error, or a page that was not the expected one."""


@dataclass(frozen=True)
class Exchange:
    method: str
    path: str
    status: int | None  # None: no response at all (connection error, timeout)
    error: str | None
    seconds: float
    location: str | None = None  # where a redirect pointed

    @property
    def failed(self) -> bool:
        return self.status is None or self.status >= 500

    def __str__(self) -> str:
        return f"{self.method} {self.path} -> {self.status or self.error}"


def new_session() -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # never through a proxy: the servers are on 127.0.0.1
    return session


def location_path(response: requests.Response) -> str:
    parts = urlsplit(response.headers.get("Location", ""))
    assert parts.hostname in (None, HOST), parts
    return parts.path + (f"?{parts.query}" if parts.query else "")


def hidden_fields(page: str) -> dict[str, str]:
    fields = {}
    for tag in INPUT_RE.findall(page):
        attributes = {k: html.unescape(v) for k, v in ATTRIBUTE_RE.findall(tag)}
        if attributes.get("type") == "hidden" and "name" in attributes:
            fields[attributes["name"]] = attributes.get("value", "")
    return fields


class StudentClient:
    """Sends each request to the next of ``bases`` in turn and records every exchange."""

    def __init__(
        self,
        email: str,
        bases: Sequence[str],
        first: int = 0,
        timeout: float = 60,
        deadline: float | None = None,
    ):
        self.email = email
        self.bases = list(bases)
        self.turn = first
        self.timeout = timeout
        self.deadline = deadline  # time.monotonic() after which the student gives up
        self.session = new_session()
        self.exchanges: list[Exchange] = []

    def request(
        self, method: str, path: str, data: dict | None = None, expect: Sequence[int] = (200,)
    ) -> requests.Response:
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise FlowError(f"{method} {path}: out of time, not sent")
        base = self.bases[self.turn % len(self.bases)]
        self.turn += 1
        started = time.monotonic()
        try:
            response = self.session.request(
                method, base + path, data=data, allow_redirects=False, timeout=self.timeout
            )
        except requests.RequestException as exc:
            self.exchanges.append(
                Exchange(method, path, None, type(exc).__name__, time.monotonic() - started)
            )
            raise FlowError(f"{method} {path}: {type(exc).__name__}: {exc}") from exc
        self.exchanges.append(
            Exchange(method, path, response.status_code, None, time.monotonic() - started)
        )
        if response.status_code not in expect:
            raise FlowError(f"{method} {path}: {response.status_code}, expected {tuple(expect)}")
        return response

    def get(self, path: str, expect: Sequence[int] = (200,)) -> requests.Response:
        return self.request("GET", path, expect=expect)

    def post(self, path: str, data: dict, expect: Sequence[int] = (302,)) -> requests.Response:
        return self.request("POST", path, data=data, expect=expect)

    @property
    def cookies(self) -> dict[str, str]:
        return self.session.cookies.get_dict()


@dataclass
class StudentRun:
    """What one student did, as the client saw it."""

    email: str
    attempt_id: int | None = None
    chosen: dict[int, list[int]] = field(default_factory=dict)  # question number → places
    rated_items: list[int] = field(default_factory=list)
    exchanges: list[Exchange] = field(default_factory=list)
    error: str | None = None


def first_choice(places: list[int]) -> list[int]:
    return places[:1]


def choice_ids(attempt, number: int, places: Sequence[int]) -> list[int]:
    """The ids of the choices at these places (1, 2, …) on the page of question `number`
    of an attempt (an Attempt row): the page shows them in the attempt's fixed order."""
    order = attempt.choice_order[str(attempt.item_ids[number - 1])]
    return [order[place - 1] for place in places]


def log_in(client: StudentClient, password: str = PASSWORD) -> None:
    token = csrf_from(client.get("/login").text)
    response = client.post(
        "/login", {"csrf_token": token, "email": client.email, "password": password}
    )
    if not location_path(response).startswith("/decks"):
        raise FlowError(f"log-in went to {location_path(response)}")


def start_quiz(client: StudentClient, length: str = "all") -> int:
    page = client.get(f"/decks/{DECK_SLUG}").text
    response = client.post(f"/decks/{DECK_SLUG}", {"csrf_token": csrf_from(page), "length": length})
    match = ATTEMPT_RE.match(location_path(response))
    if not match or match.group(2) != "1":
        raise FlowError(f"starting the quiz went to {location_path(response)}")
    return int(match.group(1))


def answer_question(
    client: StudentClient,
    attempt_id: int,
    number: int,
    pick: Callable[[list[int]], list[int]],
    shown: Callable[[int], list[int]] | None = None,
) -> tuple[list[int], str]:
    """Answer one question: what was chosen, and where the app sent the student next.

    `pick` gets the places of the question's choices (1, 2, …) and returns the chosen
    places. With `shown(number)`, the choice ids in the order the page shows them (read
    from the database by the test), `pick` gets and returns ids instead."""
    path = f"/attempts/{attempt_id}/{number}"
    page = client.get(path).text
    places = [int(x) for x in CHOICE_RE.findall(page)]
    if not places:
        raise FlowError(f"no choices on {path}")
    if shown is None:
        chosen = sent = pick(places)
    else:
        ids = shown(number)
        if len(ids) != len(places):
            raise FlowError(f"{len(places)} choices on {path}, {len(ids)} in the attempt")
        chosen = pick(ids)
        sent = [ids.index(c) + 1 for c in chosen]
    response = client.post(path, {"csrf_token": csrf_from(page), "choice": [str(p) for p in sent]})
    return chosen, location_path(response)


def answer_all(
    client: StudentClient,
    attempt_id: int,
    pick: Callable[[list[int]], list[int]] = first_choice,
    shown: Callable[[int], list[int]] | None = None,
) -> dict[int, list[int]]:
    """Answer every question (see answer_question): question number → what was chosen."""
    chosen = {}
    number = 1
    for _ in range(MAX_QUESTIONS):
        chosen[number], following = answer_question(client, attempt_id, number, pick, shown)
        if following == f"/attempts/{attempt_id}/review":
            return chosen
        if following != f"/attempts/{attempt_id}/{number + 1}":
            raise FlowError(f"after question {number} the app went to {following}")
        number += 1
    raise FlowError(f"more than {MAX_QUESTIONS} questions")


def submit_form(client: StudentClient, attempt_id: int) -> dict[str, str]:
    """The submit form's fields, read from the review page."""
    return {"csrf_token": csrf_from(client.get(f"/attempts/{attempt_id}/review").text)}


def submit(client: StudentClient, attempt_id: int) -> None:
    response = client.post(f"/attempts/{attempt_id}/submit", submit_form(client, attempt_id))
    if location_path(response) != f"/attempts/{attempt_id}/result":
        raise FlowError(f"submitting went to {location_path(response)}")


def card_back(client: StudentClient) -> tuple[str, dict[str, str]]:
    """Open the next card of the drill deck and show its answer: the rating form."""
    front = client.get(f"/study/{DECK_SLUG}").text
    link = SHOW_ANSWER_RE.search(front)
    if not link:
        raise FlowError("no card to study (no Show answer link)")
    return rating_form(client, html.unescape(link.group(1)))


def rating_form(client: StudentClient, back_path: str) -> tuple[str, dict[str, str]]:
    back = client.get(back_path).text
    action = RATE_ACTION_RE.search(back)
    if not action:
        raise FlowError(f"no rating form on {back_path}")
    return action.group(1), hidden_fields(back)


def study(client: StudentClient, cards: int = 3, rating: int = 3) -> list[int]:
    rated = []
    for _ in range(cards):
        action, fields = card_back(client)
        response = client.post(action, {**fields, "rating": str(rating)})
        if not location_path(response).startswith("/study/"):
            raise FlowError(f"rating went to {location_path(response)}")
        rated.append(int(action.split("/")[3]))
    return rated


def whole_path(
    email: str, bases: Sequence[str], first: int = 0, deadline: float | None = None
) -> StudentRun:
    """Log in, take the whole quiz picking the first choice, submit, study 3 cards."""
    client = StudentClient(email, bases, first, deadline=deadline)
    run = StudentRun(email, exchanges=client.exchanges)
    try:
        log_in(client)
        run.attempt_id = start_quiz(client, "all")
        run.chosen = answer_all(client, run.attempt_id)
        submit(client, run.attempt_id)
        client.get(f"/attempts/{run.attempt_id}/result")
        run.rated_items = study(client, cards=3)
    except (FlowError, AssertionError) as exc:
        run.error = f"{email}: {exc}"
    finally:
        client.session.close()
    return run


def in_parallel(count: int, action: Callable[[int], object], timeout: float = 60) -> list:
    """Run action(0..count-1) on count threads released at the same instant."""
    barrier = threading.Barrier(count, timeout=timeout)

    def task(index: int):
        barrier.wait()
        return action(index)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(task, range(count), timeout=timeout * 2))


def send(
    method: str, base: str, path: str, cookies: dict[str, str], data: dict | None = None
) -> Exchange:
    """One request on a fresh connection with a copy of a student's cookies: a second tab,
    or a browser sending the same form again."""
    session = new_session()
    started = time.monotonic()
    try:
        response = session.request(
            method, base + path, data=data, cookies=cookies, allow_redirects=False, timeout=60
        )
    except requests.RequestException as exc:
        return Exchange(method, path, None, type(exc).__name__, time.monotonic() - started)
    finally:
        session.close()
    return Exchange(
        method,
        path,
        response.status_code,
        None,
        time.monotonic() - started,
        location_path(response) if response.is_redirect else None,
    )


def replay(base: str, path: str, data: dict, cookies: dict[str, str]) -> Exchange:
    return send("POST", base, path, cookies, data)


def summary(name: str, exchanges: Sequence[Exchange], seconds: float) -> str:
    failures = sum(1 for e in exchanges if e.failed)
    rate = len(exchanges) / seconds if seconds else 0.0
    return (
        f"[reliability] {name}: {len(exchanges)} requests, {failures} failures "
        f"(5xx or no response), {seconds:.1f} s ({rate:.0f} requests/s)"
    )
