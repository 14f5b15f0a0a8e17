"""Backups: back up, change things, restore, and everything is as it was."""

from __future__ import annotations

import pytest

from quiz.extensions import db
from quiz.models import User
from quiz.services.backup import backup, restore
from tests.factories import make_user


def test_restore_brings_back_exactly_what_was_backed_up(app, tmp_path):
    make_user(email="kept@example.com")
    target = tmp_path / "quiz.backup"
    backup(target)
    assert target.stat().st_size > 0
    make_user(email="later@example.com")
    db.session.execute(db.delete(User).where(User.email == "kept@example.com"))
    db.session.commit()

    restore(target)

    emails = set(db.session.execute(db.select(User.email)).scalars())
    assert emails == {"kept@example.com"}


def test_the_cli_backs_up_and_restores(app, tmp_path):
    make_user(email="cli@example.com")
    runner = app.test_cli_runner()
    target = tmp_path / "cli.backup"
    assert runner.invoke(args=["backup", str(target)]).exit_code == 0
    db.session.execute(db.delete(User))
    db.session.commit()
    result = runner.invoke(args=["restore", str(target), "--yes"])
    assert result.exit_code == 0, result.output
    assert db.session.execute(db.select(User.email)).scalars().all() == ["cli@example.com"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is not a backup of this service"),
        (b"PGDMP\x01\x0e\x00 a PostgreSQL custom dump", "is not a SQLite database"),
        (b"hello, not a database at all" * 100, "is not a SQLite database"),
    ],
)
def test_restoring_a_file_that_is_not_a_backup_of_this_service_changes_nothing(
    app, tmp_path, content, message
):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("pg_restore itself refuses such files (SQLite restores by copying)")
    make_user(email="kept@example.com")
    source = tmp_path / "odd.backup"
    source.write_bytes(content)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["restore", str(source), "--yes"])
    assert result.exit_code != 0 and message in result.output
    assert "Traceback" not in result.output and "Restored" not in result.output
    assert db.session.execute(db.select(User.email)).scalars().all() == ["kept@example.com"]
