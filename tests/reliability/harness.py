"""The machinery of the reliability tests: seeded databases and real gunicorn servers.

A server's database is built exactly as an operator builds one (``flask db upgrade``,
``flask decks load DIR``), then students are added. On SQLite it is a file in a temp
folder; on PostgreSQL (QUIZ_TEST_DATABASE_URL set) a database created next to the test
database and dropped WITH (FORCE) at the end.
"""

from __future__ import annotations

import contextlib
import functools
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests
from sqlalchemy import Engine, create_engine, insert, make_url, text
from sqlalchemy.pool import NullPool

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
TEST_DATABASE_URL = os.environ.get("QUIZ_TEST_DATABASE_URL")
ON_POSTGRES = bool(TEST_DATABASE_URL)
SECRET_KEY = "reliability-" + secrets.token_urlsafe(32)
PASSWORD = "correct horse battery"
DECK_SLUG = "reliability-drill"
QUESTION_COUNT = 6  # under 10, so a quiz is all of them: 12 answer requests
STUDENT_COUNT = 200
REDIS_URL = "redis://127.0.0.1:6379/15"
HOST = "127.0.0.1"


def student_email(number: int) -> str:
    return f"reliability-student-{number:03d}@example.com"


def write_deck(folder: Path) -> Path:
    """A tiny deck in the questions/ YAML format: single-choice sums, one right answer."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = [
        f"slug: {DECK_SLUG}",
        "title: Reliability drill",
        "description: >",
        "  Small sums for the load and fault tests.",
        "",
        "questions:",
    ]
    for n in range(1, QUESTION_COUNT + 1):
        lines += [
            f"  - key: drill-sum-{n}",
            "    kind: single",
            f"    prompt: What is {n} plus one?",
            "    choices:",
            f'      - text: "{n + 1}"',
            "        correct: true",
            f'      - text: "{n + 2}"',
            f'      - text: "{n + 3}"',
            f'      - text: "{n + 4}"',
            f"    explanation: {n} plus one is {n + 1}.",
            '    source: "Introduction, paragraph 1"',
            "",
        ]
    (folder / "drill.yaml").write_text("\n".join(lines))
    return folder


def server_environment(database_url: str, **extra: str) -> dict[str, str]:
    """The environment of a server or CLI run. None of the caller's QUIZ_ settings leak
    in: a production QUIZ_ENV, say, would make the cookies Secure over plain HTTP."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("QUIZ_")}
    env.update(
        QUIZ_DATABASE_URL=database_url,
        QUIZ_SECRET_KEY=SECRET_KEY,
        QUIZ_ENV="development",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def run_flask(database_url: str, *args: str) -> None:
    result = subprocess.run(
        [str(BIN / "flask"), "--app", "quiz", *args],
        cwd=ROOT,
        env=server_environment(database_url),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, (
        f"flask {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    )


def create_students(database_url: str, instance: Path, count: int) -> list[str]:
    """The students. The first goes through the service layer, with the production hash.

    The others are inserted with a cheaper scrypt hash of the same password. The app's
    hash costs ~150 ms of CPU here (more under load) to make, and again at every log-in:
    200 log-ins would take ~30 CPU-seconds of this 2-core machine per run. Log-in still
    checks the password (werkzeug reads the cost from the hash); the cost itself belongs
    to the benchmark, not to these tests."""
    from werkzeug.security import generate_password_hash

    from quiz import create_app
    from quiz.extensions import db
    from quiz.models import User
    from quiz.services.accounts import create_user

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": SECRET_KEY,
            "INSTANCE_PATH": str(instance),
        }
    )
    emails = [student_email(n) for n in range(count)]
    cheap_hash = generate_password_hash(PASSWORD, method="scrypt:1024:8:1")
    with app.app_context():
        create_user(emails[0], PASSWORD, display_name="Student 0")
        db.session.execute(
            insert(User),
            [
                {
                    "email": email,
                    "password_hash": cheap_hash,
                    "role": "student",
                    "display_name": f"Student {n}",
                    "timezone": "UTC",
                    "daily_new_limit": 20,
                }
                for n, email in enumerate(emails[1:], start=1)
            ],
        )
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return emails


class PostgresAdmin:
    """An AUTOCOMMIT connection to the `postgres` database, for CREATE/DROP DATABASE."""

    def __init__(self, url: str) -> None:
        self.url = make_url(url)
        self.engine = create_engine(
            self.url.set(database="postgres"), isolation_level="AUTOCOMMIT", poolclass=NullPool
        )

    def name(self, suffix: str) -> str:
        return f"{self.url.database}_{suffix}"

    def url_of(self, name: str) -> str:
        return self.url.set(database=name).render_as_string(hide_password=False)

    def execute(self, sql: str, **params: object) -> list:
        with self.engine.connect() as conn:
            result = conn.execute(text(sql), params)
            return result.all() if result.returns_rows else []

    def create(self, name: str, template: str | None = None) -> str:
        self.drop(name)
        self.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        return self.url_of(name)

    def drop(self, name: str) -> None:
        self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class Template:
    """The seeded database that each test's database is copied from."""

    url: str
    emails: list[str]
    pg_name: str | None = None


@dataclass
class ServerDatabase:
    """One test's own database, a copy of the seeded template."""

    url: str
    emails: list[str]
    admin: PostgresAdmin | None = None
    pg_name: str | None = None
    _engine: Engine | None = field(default=None, repr=False)

    @property
    def engine(self) -> Engine:
        """For the tests' own checks; no pool, so it keeps no connection open."""
        if self._engine is None:
            self._engine = create_engine(self.url, poolclass=NullPool)
        return self._engine

    def terminate_connections(self) -> int:
        """Cut every server-side connection to this database (PostgreSQL only)."""
        assert self.admin is not None
        rows = self.admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = :name AND pid <> pg_backend_pid()",
            name=self.pg_name,
        )
        return len(rows)

    def allow_connections(self, allowed: bool) -> None:
        assert self.admin is not None
        self.admin.execute(
            f'ALTER DATABASE "{self.pg_name}" WITH ALLOW_CONNECTIONS {str(allowed).lower()}'
        )


@functools.cache
def gunicorn_options() -> tuple[str, ...]:
    """Newer gunicorn opens a control socket at one fixed path per user: several servers
    (or a developer's own `make run`) would take it from each other. Ask for none."""
    help_text = subprocess.run(
        [str(BIN / "gunicorn"), "--help"], capture_output=True, text=True, timeout=30
    ).stdout
    return ("--no-control-socket",) if "--no-control-socket" in help_text else ()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _parent_pid(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name may hold spaces and brackets; the fields after its ")" cannot.
    return int(stat.rsplit(")", 1)[1].split()[1])


class GunicornServer:
    """One gunicorn master and its workers, serving wsgi:app on 127.0.0.1."""

    def __init__(self, database_url: str, workers: int, log: Path, redis: bool) -> None:
        self.database_url = database_url
        self.workers = workers
        self.log_path = log
        self.redis = redis
        self.process: subprocess.Popen | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def start(self) -> GunicornServer:
        # Every simulated student comes from 127.0.0.1: lift the per-address limit.
        extra = {
            "QUIZ_RATELIMIT_LOGIN_PER_ADDRESS": "100000 per minute",
            "QUIZ_RATELIMIT_LOGIN_PER_ACCOUNT": "1000 per minute",
        }
        if self.redis:
            extra["QUIZ_RATELIMIT_STORAGE_URI"] = REDIS_URL
        env = server_environment(self.database_url, **extra)
        for _ in range(3):  # another process may take the free port before gunicorn binds
            self.port = free_port()
            with self.log_path.open("ab") as log:
                self.process = subprocess.Popen(
                    [
                        str(BIN / "gunicorn"),
                        "--workers",
                        str(self.workers),
                        "--bind",
                        f"{HOST}:{self.port}",
                        "--timeout",
                        "60",
                        "--graceful-timeout",
                        "5",
                        *gunicorn_options(),
                        "wsgi:app",
                    ],
                    cwd=ROOT,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,  # its own process group, to end it whole
                )
            if self.wait_healthy(timeout=45):
                return self
            self.stop()
        raise AssertionError(f"gunicorn did not start:\n{self.log_tail()}")

    def wait_healthy(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                return False
            try:
                if requests.get(self.base_url + "/healthz", timeout=2).status_code == 200:
                    return True
            except requests.RequestException:
                pass
            time.sleep(0.1)
        return False

    def worker_pids(self) -> list[int]:
        if self.process is None:
            return []
        master = self.process.pid
        return sorted(
            int(entry.name)
            for entry in Path("/proc").iterdir()
            if entry.name.isdigit() and _parent_pid(int(entry.name)) == master
        )

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=10)
        # Any worker left behind by a master that died or hung: same process group.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=10)

    def log_tail(self, lines: int = 60) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


class Servers:
    """The servers a test started, all on the test's database."""

    def __init__(self, database: ServerDatabase, folder: Path) -> None:
        self.database = database
        self.folder = folder
        self.running: list[GunicornServer] = []

    def start(self, workers: int = 4, redis: bool = False) -> GunicornServer:
        log = self.folder / f"gunicorn-{len(self.running) + 1}.log"
        server = GunicornServer(self.database.url, workers, log, redis)
        self.running.append(server)
        return server.start()

    def stop_all(self) -> None:
        for server in self.running:
            server.stop()

    def logs(self) -> str:
        return "\n".join(f"--- {s.log_path.name} ---\n{s.log_tail()}" for s in self.running)
