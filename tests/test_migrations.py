"""The Alembic revisions build exactly the models' schema, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, make_url, text

from quiz import create_app
from quiz.extensions import db
from quiz.models import Base
from tests.conftest import TEST_DATABASE_URL


def _app(url: str, tmp_path: Path):
    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "x",
            "INSTANCE_PATH": str(tmp_path / "instance"),
        }
    )


@pytest.fixture
def empty_database_url(tmp_path: Path) -> Iterator[str]:
    if not TEST_DATABASE_URL:
        yield f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
        return
    url = make_url(TEST_DATABASE_URL)
    name = f"{url.database}_migrations"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_upgrade_from_empty_gives_exactly_the_models_schema(empty_database_url, tmp_path):
    app = _app(empty_database_url, tmp_path)
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
        db.engine.dispose()


def test_downgrade_to_base_removes_every_table(empty_database_url, tmp_path):
    app = _app(empty_database_url, tmp_path)
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        tables = set(inspect(db.engine).get_table_names())
        assert tables <= {"alembic_version"}
        db.engine.dispose()


def test_data_survives_upgrading_from_the_first_revision(empty_database_url, tmp_path):
    app = _app(empty_database_url, tmp_path)
    with app.app_context():
        upgrade(revision="0001_initial")
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO users (email, display_name, password_hash, role, timezone,"
                    " created_at) VALUES ('old@example.com', 'Old', 'x', 'student', 'UTC',"
                    " '2026-01-01 00:00:00')"
                )
            )
        upgrade()
        with db.engine.connect() as conn:
            row = conn.execute(text("SELECT email, daily_new_limit FROM users")).one()
        assert tuple(row) == ("old@example.com", 20)
        db.engine.dispose()


def test_flask_db_check_finds_no_difference(empty_database_url, tmp_path):
    from flask_migrate import check

    app = _app(empty_database_url, tmp_path)
    with app.app_context():
        upgrade()
        check()  # raises (exits) when autogenerate would produce a new revision
        db.engine.dispose()
