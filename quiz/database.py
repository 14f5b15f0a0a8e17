"""Engine and transaction set-up: SQLite tuned for several gunicorn workers writing at
once; dead PostgreSQL connections dropped when they leave the pool; requests that only
read run without a transaction, and close in the way that keeps prepared statements."""

from __future__ import annotations

import select

from sqlalchemy import Engine, event, exc
from sqlalchemy.orm import Session

#: Execution option that makes a transaction start with BEGIN IMMEDIATE on SQLite.
IMMEDIATE = "quiz_sqlite_immediate"

#: Execution option of a request that only reads (see `begin_read_only`).
READ_ONLY = "quiz_read_only"


class WriteInReadOnlyRequest(RuntimeError):
    """A statement that may write ran in a read-only request, outside a unit of work."""


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
        options = connection.get_execution_options()
        if options.get(READ_ONLY):
            return  # each statement runs on its own, in SQLite's autocommit mode
        connection.exec_driver_sql("BEGIN IMMEDIATE" if options.get(IMMEDIATE) else "BEGIN")


def begin_read_only(session: Session) -> None:
    """Run the session's statements without a transaction until a unit of work starts.

    For a request that only reads (a GET), BEGIN and COMMIT are two more round trips to
    PostgreSQL and two more statements on SQLite, and they buy nothing: at READ COMMITTED
    (PostgreSQL's default) each statement takes its own snapshot anyway, and on SQLite
    each statement reads one consistent WAL snapshot. A unit of work still gets a real
    transaction (`quiz.services.unit_of_work` ends the read-only part first), and any
    other write raises `WriteInReadOnlyRequest` before it reaches the database, where a
    transaction would have rolled it back at the end of the request.
    """
    if session.in_transaction():
        return  # already reading or writing in a transaction: carry on in it
    options: dict[str, object] = {READ_ONLY: True}
    if session.get_bind().dialect.name == "postgresql":
        options["isolation_level"] = "AUTOCOMMIT"
    session.connection(execution_options=options)


def in_read_only(session: Session) -> bool:
    """Whether the session's open transaction is the read-only part of a request."""
    return session.in_transaction() and bool(
        session.connection().get_execution_options().get(READ_ONLY)
    )


def drop_dead_connections(engine: Engine) -> None:
    """Check a pooled PostgreSQL connection as it is checked out, without a round trip.

    A server that ends a session (a restart, `pg_terminate_backend`, a crash) says so and
    closes the socket, which makes an idle connection's socket readable. A healthy idle
    connection has nothing to read. So a readable socket, or a connection psycopg already
    knows is closed, is thrown away and the pool connects afresh; the request never sees
    it. SQLAlchemy's `pool_pre_ping` finds the same connections with a query, which costs
    a round trip on every request. Neither finds a connection whose network path died
    silently; that one fails its request, and the pool then reconnects.
    """

    @event.listens_for(engine, "checkout")
    def on_checkout(dbapi_connection, record, proxy):
        if dbapi_connection.closed or _readable(dbapi_connection.fileno()):
            raise exc.DisconnectionError("the server closed this connection")


def _readable(fd: int) -> bool:
    try:
        readable, _, _ = select.select([fd], [], [], 0)
    except (OSError, ValueError):  # the descriptor is gone
        return True
    return bool(readable)


#: Connection info key: the current transaction ran a statement that may have written.
WROTE = "quiz_wrote"
_READS = ("SELECT", "BEGIN")


def track_writes(engine: Engine) -> None:
    """Note on the connection whether its transaction ran anything but SELECTs, so that
    the end of a request can tell a read-only transaction (see `end_request`)."""

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        connection.info[WROTE] = False

    @event.listens_for(engine, "before_cursor_execute")
    def on_execute(connection, cursor, statement, parameters, context, executemany):
        if not statement.lstrip()[:6].upper().startswith(_READS):
            if connection.get_execution_options().get(READ_ONLY):
                raise WriteInReadOnlyRequest(
                    "a read-only request may write only inside a unit of work: "
                    + statement.split(None, 1)[0]
                )
            connection.info[WROTE] = True


def end_request(session: Session, failed: bool) -> None:
    """Close the request's session. A transaction that only read is committed, not
    rolled back: both leave the database as it was, but psycopg forgets its prepared
    statements on every rollback, and PostgreSQL would then plan each query of every
    request anew. Anything else (an error, ORM changes that no service committed, a
    write that ran outside a unit of work) is rolled back, as before.

    The read-only part of a GET (see `begin_read_only`) has no transaction in the
    database to end: its statements ran one by one. Its session is only closed, which
    sends nothing (psycopg sends no ROLLBACK outside a transaction, and so keeps its
    prepared statements) and skips the commit's bookkeeping on every page."""
    if not session.in_transaction():
        session.close()
        return
    connection = session.connection()
    only_read = (
        not failed
        and not (session.new or session.dirty or session.deleted)
        and not connection.info.get(WROTE, True)
    )
    if only_read and not connection.get_execution_options().get(READ_ONLY):
        session.commit()
    session.close()
