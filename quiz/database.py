"""Engine set-up: SQLite tuned for several gunicorn workers writing at once."""

from __future__ import annotations

from sqlalchemy import Engine, event

#: Execution option that makes a transaction start with BEGIN IMMEDIATE on SQLite.
IMMEDIATE = "quiz_sqlite_immediate"


def configure_sqlite(engine: Engine, busy_timeout_ms: int = 15000) -> None:
    """WAL (readers never wait for the writer), a busy timeout (a writer waits its turn
    instead of failing) and explicit transactions, so that a write can take the write
    lock at BEGIN: a deferred transaction that reads and then writes can fail with
    "database is locked" when another worker wrote in between, whatever the timeout."""

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, record):
        dbapi_connection.isolation_level = None  # we send BEGIN ourselves
        cursor = dbapi_connection.cursor()
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        immediate = connection.get_execution_options().get(IMMEDIATE)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
