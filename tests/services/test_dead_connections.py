"""A pooled PostgreSQL connection that the server ended is replaced as it leaves the pool
(quiz.database.drop_dead_connections), without a query on the way."""

from __future__ import annotations

import socket
import time

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from quiz.database import _readable, end_request
from quiz.extensions import db


def test_an_idle_socket_is_not_readable_and_a_closed_one_is():
    ours, server = socket.socketpair()
    try:
        assert not _readable(ours.fileno())
        server.close()  # what a server that ends the session does
        assert _readable(ours.fileno())
    finally:
        ours.close()


def test_a_socket_with_a_message_waiting_is_readable():
    ours, server = socket.socketpair()
    try:
        server.sendall(b"E")  # e.g. "terminating connection due to administrator command"
        assert _readable(ours.fileno())
    finally:
        ours.close()
        server.close()


def _backend_pid() -> int:
    pid = db.session.execute(text("SELECT pg_backend_pid()")).scalar_one()
    end_request(db.session(), failed=False)  # back to the pool, as at the end of a request
    return pid


@pytest.fixture
def postgresql(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the check is installed for PostgreSQL only")
    admin = create_engine(db.engine.url, poolclass=NullPool)
    yield admin
    admin.dispose()


def test_a_healthy_pooled_connection_is_reused(postgresql):
    assert _backend_pid() == _backend_pid()


def test_a_connection_the_server_ended_is_replaced_before_a_request_uses_it(postgresql):
    ended = _backend_pid()
    with postgresql.connect() as admin:
        assert admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": ended}).scalar()
        admin.commit()
    # The server ends the backend asynchronously: wait until it is gone.
    deadline = time.monotonic() + 5
    with postgresql.connect() as admin:
        while admin.execute(
            text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"), {"pid": ended}
        ).scalar_one():
            assert time.monotonic() < deadline, "the backend did not end"
            time.sleep(0.02)

    # Without the check this would fail with OperationalError (a 503 page).
    assert _backend_pid() != ended
