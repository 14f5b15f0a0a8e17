"""Fixtures of the reliability tests: a seeded database per test and gunicorn servers."""

from __future__ import annotations

import importlib.util
import itertools
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

if importlib.util.find_spec("requests") is None:
    # The simulated students need an HTTP client; requests comes with the dev tools.
    collect_ignore_glob = ["test_*.py"]
else:
    from sqlalchemy import make_url

    from tests.reliability.harness import (
        QUESTION_COUNT,
        STUDENT_COUNT,
        TEST_DATABASE_URL,
        PostgresAdmin,
        ServerDatabase,
        Servers,
        Template,
        create_students,
        run_flask,
        write_deck,
    )

    _clone_numbers = itertools.count(1)

    @pytest.fixture(scope="session")
    def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Template]:
        """Built once per run: migrated and loaded with the CLI, STUDENT_COUNT students."""
        work = tmp_path_factory.mktemp("reliability")
        deck = write_deck(work / "deck")
        admin = PostgresAdmin(TEST_DATABASE_URL) if TEST_DATABASE_URL else None
        name = admin.name("rel_template") if admin else None
        try:
            url = admin.create(name) if admin else f"sqlite:///{work / 'template.sqlite3'}"
            started = time.monotonic()
            run_flask(url, "db", "upgrade")
            run_flask(url, "decks", "load", str(deck))
            emails = create_students(url, work / "instance", STUDENT_COUNT)
            print(
                f"\n[reliability] template database ready in {time.monotonic() - started:.1f} s"
                f" ({STUDENT_COUNT} students, {QUESTION_COUNT} questions)"
            )
            yield Template(url, emails, name)
        finally:
            if admin:
                admin.drop(name)
                admin.engine.dispose()

    @pytest.fixture
    def database(seeded_template: Template, tmp_path: Path) -> Iterator[ServerDatabase]:
        """The test's own copy of the template (CREATE DATABASE ... TEMPLATE on PostgreSQL,
        SQLite's online backup otherwise), removed at the end."""
        if TEST_DATABASE_URL:
            admin = PostgresAdmin(TEST_DATABASE_URL)
            name = admin.name(f"rel_{next(_clone_numbers)}")
            url = admin.create(name, template=seeded_template.pg_name)
            db = ServerDatabase(url, seeded_template.emails, admin, name)
        else:
            path = tmp_path / "server.sqlite3"
            source = sqlite3.connect(make_url(seeded_template.url).database)
            target = sqlite3.connect(path)
            source.backup(target)
            source.close()
            target.close()
            db = ServerDatabase(f"sqlite:///{path}", seeded_template.emails)
        try:
            yield db
        finally:
            if db._engine is not None:
                db._engine.dispose()
            if db.admin is not None:
                db.admin.drop(db.pg_name)
                db.admin.engine.dispose()

    @pytest.fixture
    def servers(database: ServerDatabase, tmp_path: Path) -> Iterator[Servers]:
        """Starts gunicorn servers on the test's database and stops them all at the end,
        whatever happened (before the database is dropped: this fixture depends on it)."""
        folder = tmp_path / "logs"
        folder.mkdir()
        launched = Servers(database, folder)
        try:
            yield launched
        finally:
            launched.stop_all()
