"""The stack's floor, for bench_http: a Flask app built only from the packages the project
is fixed to (Flask, Flask-SQLAlchemy, Flask-WTF), that does for each request the least a
page for a logged-in user must do, and nothing else. No page of the real app can be
faster than this at the same page size, so its ratio to the baseline at a page's size
is the most that page can reach on this machine with this stack.

It runs against the bench's database, with the app's secret key and its database
settings (quiz.database), so it reads the cookies of the real app's log-ins:

- every request opens the signed session cookie and checks in the database that its
  log-in is live (the app's `login_sessions` row, not revoked), by one indexed query,
  as logging out and changing a password must end a log-in at once;
- /floor/orm/<size> and /floor/core/<size> render a page of about `size` bytes with the
  user's name and a form's CSRF token, like the baseline's page; the first checks the
  log-in through Flask-SQLAlchemy's ORM session (as the app does), the second through a
  pooled connection with no ORM (the cheapest way this stack has); both outside a
  transaction, as the app's GETs are;
- /floor/nodb/<size> renders the same page with no query at all, trusting the cookie: no
  page may do that (a log-in would outlive its logging out), but it shows what the
  session cookie, the CSRF token and the page cost on their own;
- POST /floor/write checks the form's CSRF token, checks the log-in through the ORM,
  stores one row and commits, then redirects (303), as the app's answer POST does;
  POST /floor/write-core does the check and the write in one INSERT ... SELECT, with no
  transaction around it (the least a write can be).

It leaves out all the app does beyond that: Flask-Login, rate limits, security headers,
access rules, the page's own queries, its layout and forms, and WTForms.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from functools import lru_cache

from flask import Flask, abort, redirect, session
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect, generate_csrf
from sqlalchemy import DateTime, ForeignKey, String, bindparam, create_engine, select, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from quiz.database import IMMEDIATE, READ_ONLY, begin_read_only, configure_sqlite

TEMPLATE = (
    '<!doctype html>\n<html lang="en">\n<head><meta charset="utf-8">'
    "<title>{{ name }}</title></head>\n<body>\n<main>\n"
    '<form method="post" action="/floor/write"><input type="hidden" name="csrf_token" '
    'value="{{ csrf_token() }}"><button>Send</button></form>\n'
    "{% for line in lines %}<p>{{ line }}</p>\n{% endfor %}"
    "</main>\n</body>\n</html>\n"
)
LINE = "Baseline text of a page with the same size as the page under test. "
PER_LINE = len(LINE) + len("<p></p>\n")


class Base(DeclarativeBase):
    pass


class User(Base):
    """The app's users table: only the columns the floor reads."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    display_name: Mapped[str] = mapped_column(String(80))


class LoginSession(Base):
    """The app's login_sessions table: only the columns the floor reads."""

    __tablename__ = "login_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)


class FloorWrite(Base):
    """The row each POST /floor/write stores: a table of the floor's own (see
    create_table), so the app's data stays as the bench built it."""

    __tablename__ = "bench_floor_writes"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime)


def create_table(url: str) -> None:
    """Made by the bench before the floor's server starts (its workers would race)."""
    engine = create_engine(url)
    try:
        FloorWrite.__table__.create(engine, checkfirst=True)
    finally:
        engine.dispose()


db = SQLAlchemy(model_class=Base)
_LIVE_USER = (
    select(User)
    .join(LoginSession, LoginSession.user_id == User.id)
    .where(LoginSession.token == bindparam("token"), LoginSession.revoked_at.is_(None))
)
#: The Core write: the log-in check and the row in one statement.
_STORE_FOR_LIVE = text(
    "INSERT INTO bench_floor_writes (user_id, created_at) "
    "SELECT login_sessions.user_id, :now FROM login_sessions "
    "WHERE login_sessions.token = :token AND login_sessions.revoked_at IS NULL"
)
_LIVE_NAME = text(
    "SELECT users.display_name FROM users JOIN login_sessions "
    "ON login_sessions.user_id = users.id "
    "WHERE login_sessions.token = :token AND login_sessions.revoked_at IS NULL"
)


@lru_cache(maxsize=64)
def _lines(size: int) -> tuple[str, ...]:
    return tuple(LINE for _ in range(max(0, size - 400) // PER_LINE))


def _token() -> str:
    """The log-in token the app's cookie carries (Flask-Login's user id is the token)."""
    token = session.get("_user_id")
    if not token:
        abort(401)
    return token


def create_floor_app(url: str, secret: str) -> Flask:
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=secret,
        SQLALCHEMY_DATABASE_URI=url,
        WTF_CSRF_TIME_LIMIT=None,  # as the app's
    )
    db.init_app(app)
    CSRFProtect(app)
    with app.app_context():
        sqlite = db.engine.dialect.name == "sqlite"
        if sqlite:
            configure_sqlite(db.engine)  # the app's settings and transactions

    # A read runs outside a transaction, as the app's GETs do (begin_read_only): on
    # PostgreSQL, BEGIN and ROLLBACK would be two more round trips. So does the one
    # statement of the Core write, which is atomic on its own.
    one_statement = {READ_ONLY: True} if sqlite else {"isolation_level": "AUTOCOMMIT"}
    page = app.jinja_env.from_string(TEMPLATE)

    def orm_user() -> User:
        user = db.session.execute(_LIVE_USER, {"token": _token()}).scalar_one_or_none()
        if user is None:
            abort(401)
        return user

    @app.get("/floor/orm/<int:size>")
    def orm_page(size: int):
        begin_read_only(db.session())
        name = orm_user().display_name
        return page.render(name=name, lines=_lines(size), csrf_token=generate_csrf)

    @app.get("/floor/core/<int:size>")
    def core_page(size: int):
        token = _token()
        with db.engine.connect().execution_options(**one_statement) as conn:
            name = conn.execute(_LIVE_NAME, {"token": token}).scalar_one_or_none()
        if name is None:
            abort(401)
        return page.render(name=name, lines=_lines(size), csrf_token=generate_csrf)

    @app.get("/floor/nodb/<int:size>")
    def nodb_page(size: int):
        name = _token()[:8]
        return page.render(name=name, lines=_lines(size), csrf_token=generate_csrf)

    @app.post("/floor/write")
    def orm_write():
        if sqlite:  # as the app's units of work: the write lock at BEGIN
            db.session.connection(execution_options={IMMEDIATE: True})
        user = orm_user()
        db.session.add(FloorWrite(user_id=user.id, created_at=datetime.now(UTC)))
        db.session.commit()
        return redirect("/floor/orm/200", 303)

    @app.post("/floor/write-core")
    def core_write():
        token = _token()
        with db.engine.connect().execution_options(**one_statement) as conn:
            stored = conn.execute(
                _STORE_FOR_LIVE, {"token": token, "now": datetime.now(UTC)}
            ).rowcount
        if not stored:
            abort(401)
        return redirect("/floor/orm/200", 303)

    @app.get("/healthz")
    def healthz():
        return "ok"

    return app


#: What gunicorn serves: the bench sets both variables (an in-memory database otherwise).
app = create_floor_app(
    os.environ.get("QUIZ_DATABASE_URL", "sqlite://"),
    os.environ.get("QUIZ_SECRET_KEY", "floor"),
)
