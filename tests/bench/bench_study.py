"""Benchmark: the study queue and the dashboard for a learner with 10,000 cards and
100,000 review-log rows. Run with `make bench`; prints a table and writes JSON."""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import event, insert

from quiz import create_app
from quiz.domain.items import DeckSpec, ItemKind, ItemSpec
from quiz.extensions import db
from quiz.models import Base, Card, ReviewLog, User
from quiz.services import study
from quiz.services.dashboard import build_dashboard
from quiz.services.decks import load_builtin_decks

CARDS = 10_000
LOGS = 100_000
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def _populate() -> User:
    decks = [
        DeckSpec(
            f"bench-{d}",
            f"Bench deck {d}",
            "",
            tuple(
                ItemSpec(f"c{i}", ItemKind.FLASHCARD, f"Front {d}/{i}", back="Back", source="s")
                for i in range(CARDS // 10)
            ),
        )
        for d in range(10)
    ]
    load_builtin_decks(decks)
    user = User(email="bench@example.com", password_hash="x", role="student")
    db.session.add(user)
    db.session.commit()
    item_ids = (
        db.session.execute(db.select(db.text("id")).select_from(db.text("items"))).scalars().all()
    )
    cards = [
        {
            "user_id": user.id,
            "item_id": item_id,
            "state": 2,
            "step": None,
            "stability": float(1 + n % 60),
            "difficulty": 5.0,
            "due": NOW + timedelta(hours=(n % 400) - 100),
            "last_review": NOW - timedelta(days=n % 30),
            "created_at": NOW - timedelta(days=90),
            "introduced_at": NOW - timedelta(days=90),
        }
        for n, item_id in enumerate(item_ids)
    ]
    db.session.execute(insert(Card), cards)
    card_ids = db.session.execute(db.select(Card.id)).scalars().all()
    for start in range(0, LOGS, 20_000):
        db.session.execute(
            insert(ReviewLog),
            [
                {
                    "card_id": card_ids[n % len(card_ids)],
                    "user_id": user.id,
                    "rating": 1 + n % 4,
                    "reviewed_at": NOW - timedelta(minutes=n * 5),
                    "duration_ms": 5000,
                }
                for n in range(start, start + 20_000)
            ],
        )
    db.session.commit()
    return user


def _measure(label: str, func, runs: int = 15) -> dict:
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    func()  # warm up
    event.listen(db.engine, "before_cursor_execute", count)
    func()
    event.remove(db.engine, "before_cursor_execute", count)
    times = []
    for _ in range(runs):
        db.session.expire_all()
        start = time.perf_counter()
        func()
        times.append((time.perf_counter() - start) * 1000)
    return {
        "case": label,
        "queries": len(statements),
        "median_ms": round(statistics.median(times), 2),
        "p90_ms": round(sorted(times)[int(runs * 0.9) - 1], 2),
    }


def run(url: str) -> list[dict]:
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "bench",
            "INSTANCE_PATH": tempfile.mkdtemp(prefix="quiz-bench-"),
        }
    )
    with app.app_context():
        Base.metadata.drop_all(db.engine)
        Base.metadata.create_all(db.engine)
        user = _populate()
        user_id = user.id

        def queue():
            u = db.session.get(User, user_id)
            study.next_card(u, None, NOW)
            study.queue_counts(u, None, NOW)

        def dashboard():
            build_dashboard(db.session.get(User, user_id), NOW)

        results = [
            _measure("study queue (next card + counts)", queue),
            _measure("learner dashboard", dashboard),
        ]
        db.session.remove()  # end the session's transaction, or DROP waits on its locks
        Base.metadata.drop_all(db.engine)
        db.engine.dispose()
    return results


def main() -> None:
    targets = {"sqlite": f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.sqlite3'}"}
    if os.environ.get("QUIZ_BENCH_DATABASE_URL"):
        targets["postgresql"] = os.environ["QUIZ_BENCH_DATABASE_URL"]
    report = {"cards": CARDS, "review_logs": LOGS, "results": {}}
    print(f"Learner with {CARDS:,} cards and {LOGS:,} review-log rows")
    print(f"{'database':<11}{'case':<36}{'queries':>8}{'median ms':>11}{'p90 ms':>9}")
    for name, url in targets.items():
        rows = run(url)
        report["results"][name] = rows
        for row in rows:
            print(
                f"{name:<11}{row['case']:<36}{row['queries']:>8}{row['median_ms']:>11}{row['p90_ms']:>9}"
            )
    out = Path(os.environ.get("QUIZ_BENCH_OUTPUT", "bench-results.json"))
    out.write_text(json.dumps(report, indent=2))
    print(f"written to {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
