"""Backups: a consistent copy of the database, and putting one back."""

from __future__ import annotations

import shutil
import sqlite3

# pg_dump and pg_restore run with fixed arguments and no shell.
import subprocess  # nosec B404
from pathlib import Path

from sqlalchemy.engine import make_url

from quiz.extensions import db
from quiz.services import ServiceError


def _url():
    return make_url(db.engine.url.render_as_string(hide_password=False))


def _libpq_url() -> str:
    url = _url().set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def backup(target: Path) -> None:
    url = _url()
    target.parent.mkdir(parents=True, exist_ok=True)
    if url.get_backend_name() == "sqlite":
        if not url.database or url.database == ":memory:":
            raise ServiceError("An in-memory database cannot be backed up.")
        # The online backup API copies a consistent snapshot, even while workers write.
        source = sqlite3.connect(url.database)
        try:
            copy = sqlite3.connect(target)
            with copy:
                source.backup(copy)
            copy.close()
        finally:
            source.close()
    elif url.get_backend_name() == "postgresql":
        _run(["pg_dump", "--format=custom", "--no-owner", f"--file={target}", _libpq_url()])
    else:
        raise ServiceError(f"Backups of {url.get_backend_name()} are not supported.")


def restore(source: Path) -> None:
    url = _url()
    db.session.remove()
    db.engine.dispose()  # nobody may hold the old database open while it is replaced
    if url.get_backend_name() == "sqlite":
        _check_sqlite_backup(source)
        target = sqlite3.connect(url.database)
        try:
            backup_db = sqlite3.connect(source)
            with target:
                backup_db.backup(target)
            backup_db.close()
        finally:
            target.close()
    elif url.get_backend_name() == "postgresql":
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                f"--dbname={_libpq_url()}",
                str(source),
            ]
        )
    else:
        raise ServiceError(f"Restoring {url.get_backend_name()} is not supported.")


#: Tables every database of this service has had since its first version: a file
#: without them is not one of its backups (an empty file is a valid, empty database).
_CORE_TABLES = {"users", "decks", "items", "attempts"}


def _check_sqlite_backup(source: Path) -> None:
    """Refuse, before anything is replaced, a file that is not a sound SQLite database
    of this service. Opened read-only: a missing file is not created empty."""
    try:
        check = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise ServiceError(f"{source} cannot be opened: {exc}. Nothing was restored.") from exc
    try:
        if check.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise ServiceError(f"{source} is not a sound SQLite database. Nothing was restored.")
        tables = {name for (name,) in check.execute("SELECT name FROM sqlite_master")}
    except sqlite3.DatabaseError as exc:
        raise ServiceError(
            f"{source} is not a SQLite database ({exc}): a backup of a PostgreSQL "
            "database is restored with QUIZ_DATABASE_URL set to PostgreSQL. Nothing was "
            "restored."
        ) from exc
    finally:
        check.close()
    missing = _CORE_TABLES - tables
    if missing:
        raise ServiceError(
            f"{source} is not a backup of this service (it has no "
            f"{', '.join(sorted(missing))} table). Nothing was restored."
        )


def _run(command: list[str]) -> None:
    if shutil.which(command[0]) is None:
        raise ServiceError(f"{command[0]} is not installed (it comes with the PostgreSQL client).")
    result = subprocess.run(command, capture_output=True, text=True, check=False)  # nosec B603
    if result.returncode != 0:
        raise ServiceError(f"{command[0]} failed: {result.stderr.strip()[:500]}")
