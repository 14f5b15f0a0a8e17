"""Bench data for bench_http: a class, its gradebook, item analysis and a studying learner,
bulk-inserted with SQLAlchemy Core on top of the migrated schema and the built-in decks."""

from __future__ import annotations

import json
import math
import os
import random
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, column, create_engine, func, insert, select, table, text
from sqlalchemy.sql.expression import TableClause
from werkzeug.security import generate_password_hash

from quiz.domain.items import QUIZ_KINDS
from quiz.models import (
    Assignment,
    Attempt,
    Base,
    Card,
    Choice,
    Deck,
    Enrolment,
    Item,
    Response,
    ReviewLog,
    SchoolClass,
    User,
)

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "bench password for every account"
# One hash for every account. Log-ins are set-up, not what is measured, so a cheap
# PBKDF2 (still a werkzeug hash) keeps 200 log-ins from costing seconds of scrypt.
PASSWORD_HASH = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
TEACHER_EMAIL = "teacher@bench.example.com"
LEARNER_EMAIL = "learner@bench.example.com"
CHUNK = 5_000
QUIZ_KIND_VALUES = sorted(k.value for k in QUIZ_KINDS)


@dataclass(frozen=True)
class Sizes:
    """How much data to build; `times(10)` is the 10x data set."""

    students: int = 500
    generated_decks: int = 14  # published sets of the teacher, besides the 6 built-in decks
    assigned_generated: int = 14  # of those, assigned to the class (plus the 6 built-in)
    items_per_deck: int = 20
    attempts: int = 50_000  # submitted, over students x assigned decks (analysis included)
    analysis_attempts: int = 10_000  # on one deck, with every response
    class_cards_per_student: int = 20  # cards behind the gradebook's mastery column
    learner_cards: int = 300
    learner_reviews: int = 600
    learner_attempts: int = 30
    load_clients: int = 64  # students with an open quiz for the load clients

    def times(self, factor: int, attempt_factor: int | None = None) -> Sizes:
        attempt_factor = factor if attempt_factor is None else attempt_factor
        return Sizes(
            students=self.students * factor,
            generated_decks=self.generated_decks * factor,
            assigned_generated=self.assigned_generated,
            items_per_deck=self.items_per_deck,
            attempts=self.attempts * attempt_factor,
            analysis_attempts=self.analysis_attempts * attempt_factor,
            class_cards_per_student=self.class_cards_per_student,
            learner_cards=self.learner_cards * factor,
            learner_reviews=self.learner_reviews * factor,
            learner_attempts=self.learner_attempts * factor,
            load_clients=self.load_clients,
        )


@dataclass
class Dataset:
    """What the benchmark needs to know about the data it built."""

    url: str
    sizes: dict
    counts: dict = field(default_factory=dict)
    build_seconds: float = 0.0
    teacher_email: str = TEACHER_EMAIL
    learner_email: str = LEARNER_EMAIL
    class_id: int = 0
    analysis_deck_id: int = 0
    # One entry per load client (a student of the class):
    student_emails: list[str] = field(default_factory=list)
    open_attempt_ids: list[int] = field(default_factory=list)  # unsubmitted quiz
    result_attempt_ids: list[int] = field(default_factory=list)  # submitted, with responses
    learner_card_items: list[int] = field(default_factory=list)  # one card per client

    def as_dict(self) -> dict:
        return asdict(self)


def _flask(args: list[str], url: str) -> None:
    env = dict(os.environ, QUIZ_DATABASE_URL=url, QUIZ_SECRET_KEY="bench-http-secret")
    env.pop("QUIZ_ENV", None)
    subprocess.run(
        [str(Path(sys.executable).with_name("flask")), "--app", "quiz", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )


def reset_database(url: str) -> None:
    """An empty database: a new SQLite file, or PostgreSQL's public schema recreated."""
    if url.startswith("sqlite"):
        path = Path(url.split("///", 1)[1])
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    finally:
        engine.dispose()


def _insert(conn, table, rows: list[dict], returning: bool = False) -> list[int]:
    """Insert in chunks; with returning, the new ids in the order of the rows."""
    ids: list[int] = []
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        if returning:
            stmt = insert(table).returning(table.c.id, sort_by_parameter_order=True)
            ids.extend(conn.execute(stmt, chunk).scalars().all())
        else:
            conn.execute(insert(table), chunk)
    return ids


def _split(total: int, parts: int) -> list[int]:
    """`total` spread over `parts` as evenly as integers allow."""
    base, extra = divmod(total, parts)
    return [base + (1 if n < extra else 0) for n in range(parts)]


def build(url: str, sizes: Sizes, seed: int = 20260601) -> Dataset:
    """Migrate, load the built-in decks, then bulk-insert the bench data."""
    started = time.perf_counter()
    reset_database(url)
    _flask(["db", "upgrade"], url)
    _flask(["decks", "load", str(ROOT / "questions")], url)
    engine = create_engine(url)
    try:
        dataset = _populate(engine, url, sizes, random.Random(seed))
        with engine.connect() as conn:
            for model in (User, Deck, Item, Attempt, Response, Card, ReviewLog, Enrolment):
                table = model.__table__
                dataset.counts[table.name] = conn.execute(
                    select(func.count()).select_from(table)
                ).scalar_one()
        if engine.dialect.name == "postgresql":
            # VACUUM too: when the load ran with the triggers (not as a superuser), every
            # submitted attempt raised its deck's results version, leaving that many dead
            # versions of the deck rows.
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))
    finally:
        engine.dispose()
    dataset.build_seconds = round(time.perf_counter() - started, 1)
    return dataset


def _populate(engine: Engine, url: str, sizes: Sizes, rng: random.Random) -> Dataset:
    now = datetime.now(UTC).replace(microsecond=0)
    users = User.__table__
    with engine.begin() as conn:
        if (
            engine.dialect.name == "postgresql"
            and conn.execute(
                text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            ).scalar()
        ):
            # No triggers for this bulk load (foreign-key checks, and the one raising a
            # deck's results version for every submitted attempt, which made the 10x load
            # twice as slow): the data is generated consistent, and no server has cached
            # a result yet. Only a superuser may; anyone else loads with the triggers.
            conn.execute(text("SET LOCAL session_replication_role = replica"))
        builtin = (
            conn.execute(select(Deck.id).where(Deck.owner_id.is_(None)).order_by(Deck.title))
            .scalars()
            .all()
        )

        def account(email: str, name: str, role: str, age_days: int) -> int:
            row = {
                "email": email,
                "display_name": name,
                "password_hash": PASSWORD_HASH,
                "role": role,
                "created_at": now - timedelta(days=age_days),
            }
            return _insert(conn, users, [row], returning=True)[0]

        teacher_id = account(TEACHER_EMAIL, "Bench Teacher", "teacher", 400)
        learner_id = account(LEARNER_EMAIL, "Bench Learner", "student", 200)
        student_emails = [f"s{n:05d}@bench.example.com" for n in range(sizes.students)]
        student_ids = _insert(
            conn,
            users,
            [
                {
                    "email": email,
                    "display_name": f"Student {n:05d}",
                    "password_hash": PASSWORD_HASH,
                    "role": "student",
                    "created_at": now - timedelta(days=300),
                }
                for n, email in enumerate(student_emails)
            ],
            returning=True,
        )

        # The teacher's published sets: single-choice items with four choices each.
        deck_ids = _insert(
            conn,
            Deck.__table__,
            [
                {
                    "slug": f"bench-set-{n:04d}",
                    "title": f"Bench set {n:04d}",
                    "description": f"Generated set {n} for the HTTP benchmark.",
                    "owner_id": teacher_id,
                    "status": "published",
                    "created_at": now - timedelta(days=100),
                    "updated_at": now - timedelta(days=100),
                }
                for n in range(sizes.generated_decks)
            ],
            returning=True,
        )
        item_rows = [
            {
                "deck_id": deck_id,
                "key": f"q{i:03d}",
                "kind": "single",
                "prompt": f"Generated question {i + 1} of set {d}: which option is right?",
                "back": "",
                "explanation": f"Option A is right for question {i + 1}; the others are not.",
                "source_ref": "Bench §1",
                "position": i,
                "retired": False,
                "updated_at": now - timedelta(days=100),
            }
            for d, deck_id in enumerate(deck_ids)
            for i in range(sizes.items_per_deck)
        ]
        new_item_ids = _insert(conn, Item.__table__, item_rows, returning=True)
        choice_rows = [
            {
                "item_id": item_id,
                "text": f"Option {'ABCD'[c]} for item {item_id}",
                "correct": c == 0,
                "position": c,
            }
            for item_id in new_item_ids
            for c in range(4)
        ]
        _insert(conn, Choice.__table__, choice_rows)

        # Quiz items and their choices per deck: (item id, kind, [choice ids], right id).
        quiz_items: dict[int, list[tuple[int, str, list[int], int | None]]] = {}
        choices: dict[int, list[tuple[int, bool]]] = {}
        for choice_id, item_id, correct in conn.execute(
            select(Choice.id, Choice.item_id, Choice.correct).order_by(
                Choice.item_id, Choice.position
            )
        ):
            choices.setdefault(item_id, []).append((choice_id, correct))
        all_item_ids: list[int] = []
        for item_id, deck_id, kind in conn.execute(
            select(Item.id, Item.deck_id, Item.kind).order_by(Item.deck_id, Item.position)
        ):
            all_item_ids.append(item_id)
            if kind in QUIZ_KIND_VALUES:
                ids = [c for c, _ in choices.get(item_id, [])]
                right = next((c for c, ok in choices.get(item_id, []) if ok), None)
                quiz_items.setdefault(deck_id, []).append((item_id, kind, ids, right))

        klass_id = _insert(
            conn,
            SchoolClass.__table__,
            [
                {
                    "teacher_id": teacher_id,
                    "name": "Bench class",
                    "join_code": "BENCH234",
                    "created_at": now - timedelta(days=90),
                }
            ],
            returning=True,
        )[0]
        _insert(
            conn,
            Enrolment.__table__,
            [
                {"class_id": klass_id, "user_id": sid, "joined_at": now - timedelta(days=90)}
                for sid in student_ids
            ],
        )
        assigned = list(builtin) + deck_ids[: sizes.assigned_generated]
        methods = ["highest", "latest", "first", "average"]
        _insert(
            conn,
            Assignment.__table__,
            [
                {
                    "class_id": klass_id,
                    "deck_id": deck_id,
                    "due_at": now + timedelta(days=n - 10),
                    "grading_method": methods[n % 4],
                    "created_at": now - timedelta(days=60),
                }
                for n, deck_id in enumerate(assigned)
            ],
        )
        analysis_deck = deck_ids[0]

        ability = {sid: rng.gauss(0.8, 1.0) for sid in student_ids}
        difficulty = {
            item_id: rng.gauss(0.0, 1.2) for items in quiz_items.values() for item_id, *_ in items
        }
        # A few dozen question and choice orders per deck, drawn from for every attempt:
        # shuffling and serialising each of 500,000 attempts would cost more than the insert.
        variants = {d: [_plan(items, rng) for _ in range(32)] for d, items in quiz_items.items()}
        ts = _timestamp(engine)
        attempts_t, responses_t = _light(Attempt), _light(Response)
        next_id = (conn.execute(select(func.max(Attempt.id))).scalar_one() or 0) + 1

        # Item analysis deck: every attempt with its responses.
        per_student = _split(sizes.analysis_attempts, len(student_ids))
        attempt_rows, response_rows = [], []
        first_result: dict[int, int] = {}
        start_base = now - timedelta(days=80)
        n_responses = 0
        for sid, count in zip(student_ids, per_student, strict=True):
            for k in range(count):
                plan = rng.choice(variants[analysis_deck])
                started = start_base + timedelta(days=k * 3, minutes=len(attempt_rows) % 600)
                answered_at = ts(started + timedelta(minutes=1))
                correct = 0
                for item_id, _, ids, right in plan.pool:
                    if rng.random() < 0.04:
                        continue  # left unanswered
                    if rng.random() < _p_right(ability[sid], difficulty[item_id]):
                        chosen = right
                    else:
                        # The last distractor is never picked: the analysis flags it.
                        chosen = rng.choice([c for c in ids if c != right][:-1] or [right])
                    ok = chosen == right
                    correct += ok
                    response_rows.append(
                        {
                            "attempt_id": next_id,
                            "item_id": item_id,
                            "chosen": f"[{chosen}]",
                            "correct": ok,
                            "answered_at": answered_at,
                        }
                    )
                attempt_rows.append(
                    _attempt_row(next_id, sid, analysis_deck, plan, started, correct, ts)
                )
                first_result.setdefault(sid, next_id)
                next_id += 1
                if len(response_rows) >= 100_000:
                    _insert(conn, attempts_t, attempt_rows)
                    _insert(conn, responses_t, response_rows)
                    n_responses += len(response_rows)
                    attempt_rows, response_rows = [], []
        _insert(conn, attempts_t, attempt_rows)
        _insert(conn, responses_t, response_rows)
        n_responses += len(response_rows)

        # The other assigned decks: scores only (no responses), spread over every cell.
        others = [d for d in assigned if d != analysis_deck]
        mean_difficulty = {
            d: sum(difficulty[i] for i, *_ in quiz_items[d]) / len(quiz_items[d]) for d in others
        }
        cells = [(sid, deck_id) for sid in student_ids for deck_id in others]
        rest = max(0, sizes.attempts - sizes.analysis_attempts)
        batch: list[dict] = []
        for (sid, deck_id), count in zip(cells, _split(rest, len(cells)), strict=True):
            p = _p_right(ability[sid], mean_difficulty[deck_id])
            for k in range(count):
                plan = rng.choice(variants[deck_id])
                correct = sum(1 for _ in plan.item_ids if rng.random() < p)
                started = now - timedelta(days=70 - k * 5, minutes=rng.randrange(600))
                batch.append(_attempt_row(next_id, sid, deck_id, plan, started, correct, ts))
                next_id += 1
            if len(batch) >= 50_000:
                _insert(conn, attempts_t, batch)
                batch = []
        _insert(conn, attempts_t, batch)
        del batch, attempt_rows, response_rows
        if engine.dialect.name == "postgresql":
            _fix_sequences(conn)  # the attempts above came with their ids

        # Cards of the class (the gradebook's mastery and due columns).
        assigned_items = [i for d in assigned for i, *_ in quiz_items[d]]
        card_rows = []
        for sid in student_ids:
            for item_id in rng.sample(assigned_items, sizes.class_cards_per_student):
                card_rows.append(_card_row(sid, item_id, now, rng))
        _insert(conn, Card.__table__, card_rows)
        del card_rows

        # The load clients: students each with an open quiz on a built-in deck.
        clients = student_ids[: sizes.load_clients]
        open_deck = builtin[0]
        open_rows = []
        for sid in clients:
            plan = _plan(quiz_items[open_deck], rng, first_single=True)
            open_rows.append(
                {
                    "user_id": sid,
                    "deck_id": open_deck,
                    "item_ids": plan.item_ids,
                    "choice_order": plan.order,
                    "started_at": now - timedelta(minutes=3),
                    "submitted_at": None,
                    "correct_count": 0,
                    "total": len(plan.item_ids),
                }
            )
        open_ids = _insert(conn, Attempt.__table__, open_rows, returning=True)

        # The studying learner: cards, a review history and a few quiz scores.
        learner_items = rng.sample(all_item_ids, min(sizes.learner_cards, len(all_item_ids)))
        card_ids = _insert(
            conn,
            Card.__table__,
            [_card_row(learner_id, item_id, now, rng) for item_id in learner_items],
            returning=True,
        )
        _insert(
            conn,
            ReviewLog.__table__,
            [
                {
                    "card_id": card_ids[n % len(card_ids)],
                    "user_id": learner_id,
                    "rating": rng.choice((1, 3, 3, 3, 4, 2)),
                    "reviewed_at": now - timedelta(minutes=rng.randrange(60 * 24 * 60)),
                    "duration_ms": rng.randrange(2_000, 20_000),
                }
                for n in range(sizes.learner_reviews)
            ],
        )
        learner_rows = []
        for k in range(sizes.learner_attempts):
            deck_id = builtin[k % len(builtin)]
            plan = rng.choice(variants[deck_id])
            started = now - timedelta(days=60 - k * 60 / max(1, sizes.learner_attempts))
            learner_rows.append(
                {
                    "user_id": learner_id,
                    "deck_id": deck_id,
                    "item_ids": plan.item_ids,
                    "choice_order": plan.order,
                    "started_at": started,
                    "submitted_at": started + timedelta(minutes=4),
                    "correct_count": rng.randrange(len(plan.item_ids) + 1),
                    "total": len(plan.item_ids),
                }
            )
        _insert(conn, Attempt.__table__, learner_rows)

    dataset = Dataset(url=url, sizes=asdict(sizes))
    dataset.class_id = klass_id
    dataset.analysis_deck_id = analysis_deck
    by_id = dict(zip(student_ids, student_emails, strict=True))
    dataset.student_emails = [by_id[sid] for sid in clients]
    dataset.open_attempt_ids = open_ids
    dataset.result_attempt_ids = [first_result[sid] for sid in clients]
    dataset.learner_card_items = learner_items[: sizes.load_clients]
    dataset.counts["responses_built"] = n_responses
    return dataset


@dataclass(frozen=True)
class _Plan:
    """One attempt's questions and choice orders (as quiz.domain.grading.plan_attempt)."""

    pool: list[tuple[int, str, list[int], int | None]]
    item_ids: list[int]
    order: dict[str, list[int]]
    item_ids_json: str
    order_json: str


def _plan(items, rng: random.Random, first_single: bool = False) -> _Plan:
    pool = items[:]
    rng.shuffle(pool)
    if len(pool) > 20:
        pool = pool[:10]  # a built-in deck: the 10-question quiz
    if first_single:
        single = next(p for p in pool if p[1] == "single")
        pool.remove(single)
        pool.insert(0, single)
    order = {}
    for item_id, kind, ids, _ in pool:
        shuffled = ids[:]
        if kind != "true_false":
            rng.shuffle(shuffled)
        order[str(item_id)] = shuffled
    item_ids = [p[0] for p in pool]
    return _Plan(pool, item_ids, order, json.dumps(item_ids), json.dumps(order))


def _p_right(ability: float, difficulty: float) -> float:
    return 1 / (1 + math.exp(difficulty - ability))


def _light(model) -> TableClause:
    """The model's table without column types: the big inserts skip per-value type
    processing, so values go in as the database stores them (see _timestamp)."""
    return table(model.__tablename__, *(column(c.name) for c in model.__table__.columns))


def _timestamp(engine: Engine):
    """Naive UTC as UTCDateTime stores it: SQLAlchemy's SQLite text format, or a naive
    datetime for PostgreSQL."""
    if engine.dialect.name == "sqlite":
        return lambda dt: dt.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    return lambda dt: dt.astimezone(UTC).replace(tzinfo=None)


def _attempt_row(attempt_id, user_id, deck_id, plan: _Plan, started, correct, ts) -> dict:
    """A submitted attempt for the untyped insert: JSON and timestamps already encoded."""
    return {
        "id": attempt_id,
        "user_id": user_id,
        "deck_id": deck_id,
        "item_ids": plan.item_ids_json,
        "choice_order": plan.order_json,
        "started_at": ts(started),
        "submitted_at": ts(started + timedelta(minutes=5)),
        "correct_count": correct,
        "total": len(plan.item_ids),
    }


def _fix_sequences(conn) -> None:
    """Rows inserted with explicit ids leave PostgreSQL's sequences behind: catch up."""
    for tbl in Base.metadata.sorted_tables:
        if "id" in tbl.c:
            conn.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{tbl.name}', 'id'), "
                    f"COALESCE((SELECT MAX(id) FROM {tbl.name}), 0) + 1, false)"
                )
            )


def _card_row(user_id: int, item_id: int, now: datetime, rng: random.Random) -> dict:
    stability = rng.uniform(0.5, 60)
    last = now - timedelta(days=rng.uniform(0.5, 30))
    return {
        "user_id": user_id,
        "item_id": item_id,
        "state": 2,
        "step": None,
        "stability": stability,
        "difficulty": rng.uniform(3, 8),
        "due": now + timedelta(hours=rng.uniform(-72, 24 * 14)),
        "last_review": last.replace(microsecond=0),
        "created_at": now - timedelta(days=60),
        "introduced_at": now - timedelta(days=60),
    }
