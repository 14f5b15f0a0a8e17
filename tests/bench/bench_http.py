"""Benchmark over HTTP: the app under gunicorn (4 sync workers) with 16 and 64 clients,
against a bare Flask baseline serving pages of the same size under the same settings;
SQL queries per page at 1x and 10x data, page weight and worker memory.
Run with `make bench`; prints tables and writes JSON (QUIZ_BENCH_HTTP_OUTPUT)."""

from __future__ import annotations

import gzip
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Callable
from contextlib import ExitStack, suppress
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path

from sqlalchemy import create_engine, event, func, select

from quiz import create_app
from quiz.extensions import db
from quiz.models import Response, ReviewLog
from tests.bench import floor_app, http_data, loadgen
from tests.bench.http_data import PASSWORD, Dataset, Sizes

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
SECRET = "bench-http-secret"
CONCURRENCY = (16, 64)
WARMUP = float(os.environ.get("QUIZ_BENCH_HTTP_WARMUP", "1.5"))
DURATION = float(os.environ.get("QUIZ_BENCH_HTTP_DURATION", "3"))
BASELINE_WARMUP = float(os.environ.get("QUIZ_BENCH_HTTP_BASELINE_WARMUP", "1"))
BASELINE_DURATION = float(os.environ.get("QUIZ_BENCH_HTTP_BASELINE_DURATION", "2.5"))
#: Each measurement is this many rounds of (the app's run, then the baseline's), and the
#: round with the median ratio is kept: a shared machine's speed drifts from one run to
#: the next, and a single baseline run could be twice as fast as its neighbours.
ROUNDS = int(os.environ.get("QUIZ_BENCH_HTTP_ROUNDS", "3"))
REQUEST_TIMEOUT = 60.0
RATE_LIMIT = "100000 per minute"
USER_AGENT = "quiz-bench-http"
TARGETS = {
    "read_throughput_ratio_min": 0.5,
    "write_throughput_ratio_min": 0.3,
    "p99_over_p50_max": 10.0,
    "errors_max": 0,
    "page_gzip_bytes_max": 60 * 1024,
}
NOT_QUERIES = ("BEGIN", "COMMIT", "ROLLBACK", "PRAGMA")
CSRF_RE = r'name="csrf_token"[^>]*value="([^"]+)"'
SEEN_RE = r'name="seen"[^>]*value="([^"]*)"'
#: The answer to question 1 of an open quiz (a single-choice question): its first choice,
#: as the page names choices by their place, not their id.
FIRST_CHOICE = "1"
ASSET_RE = re.compile(r'<link[^>]+href="([^"]+\.css[^"]*)"|<script[^>]+src="([^"]+)"')


def _attempt_scale() -> int:
    """How much larger the attempts table is in the 10x data set (see the README)."""
    if os.environ.get("QUIZ_BENCH_HTTP_ATTEMPT_SCALE"):
        return int(os.environ["QUIZ_BENCH_HTTP_ATTEMPT_SCALE"])
    # 500,000 attempts and 2 million responses: about 30 s on SQLite, and about a
    # minute on PostgreSQL when loaded without triggers (http_data._populate).
    return 10


# --- Pages under test -------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """One measured request."""

    label: str
    kind: str  # read | write | reference or floor (no target: see LIGHTEST and FLOOR_PAGES)
    role: str  # student | learner | teacher: whose sessions the clients use
    method: str = "GET"


#: The lightest page a logged-in user can ask for (the change-password form: the site's
#: layout, a form of three password fields, and the one query that loads the user; the
#: join form was it until it listed the student's classes). It has no target: its ratio
#: shows the most any page can reach with this stack, whatever it reads.
LIGHTEST = "lightest page"
PAGES = [
    Page(LIGHTEST, "reference", "student"),
    Page("deck list", "read", "student"),
    Page("quiz question", "read", "student"),
    Page("answer (POST)", "write", "student", "POST"),
    Page("quiz result", "read", "student"),
    Page("dashboard", "read", "learner"),
    Page("gradebook", "read", "teacher"),
    Page("item analysis", "read", "teacher"),
    Page("card back", "read", "learner"),
    Page("review (POST)", "write", "learner", "POST"),
]
#: The stack's floor (tests/bench/floor_app.py): the least any logged-in page must do with
#: the project's fixed packages, served under the same settings with the students'
#: cookies. For each page read, the floor renders a page of that page's size with its
#: cheapest log-in check (Core): no page of the app can reach more than that page's floor.
#: At the lightest page's size it is also measured with the ORM's check, as the app does
#: it, and with no check at all (what the cookie, the token and the page cost alone); a
#: write is measured through the ORM and as one INSERT ... SELECT (the least a write is).
FLOOR_ORM = "floor: lightest, ORM"
FLOOR_NODB = "floor: lightest, no check"
FLOOR_WRITE = "floor: write, ORM"
FLOOR_WRITE_CORE = "floor: write, Core"


def floor_of(label: str) -> str:
    """The floor measured at the size of the page `label`."""
    return f"floor: {label}"


FLOOR_PAGES = [
    *(Page(floor_of(page.label), "floor", "student") for page in PAGES if page.kind != "write"),
    Page(FLOOR_ORM, "floor", "student"),
    Page(FLOOR_NODB, "floor", "student"),
    Page(FLOOR_WRITE, "floor", "student", "POST"),
    Page(FLOOR_WRITE_CORE, "floor", "student", "POST"),
]
BY_LABEL = {page.label: page for page in [*PAGES, *FLOOR_PAGES]}


def _paths(ds: Dataset, i: int) -> dict[str, str]:
    """The address of every page for load client number i."""
    item = ds.learner_card_items[i]
    return {
        LIGHTEST: "/account/password",
        "deck list": "/decks",
        "quiz question": f"/attempts/{ds.open_attempt_ids[i]}/1",
        "answer (POST)": f"/attempts/{ds.open_attempt_ids[i]}/1",
        "quiz result": f"/attempts/{ds.result_attempt_ids[i]}/result",
        "dashboard": "/dashboard",
        "gradebook": f"/teach/classes/{ds.class_id}/gradebook",
        "item analysis": f"/teach/classes/{ds.class_id}/decks/{ds.analysis_deck_id}/analysis",
        "card back": f"/study/cards/{item}",
        "review (POST)": f"/study/cards/{item}/rate",
    }


def _steps(ds: Dataset, i: int, run: str, csrf: str) -> list[dict]:
    """The steps load client i repeats in one run (a run measures one or two pages)."""
    paths = _paths(ds, i)
    if run == "answer (POST)":
        form = {"csrf_token": csrf, "choice": FIRST_CHOICE}
        return [{"label": run, "method": "POST", "path": paths[run], "form": form}]
    if run == "card back":
        # A rating carries the card version it was given for (the `seen` field, the time
        # of the card's last review, set by the server). Re-sending a version already
        # rated is deduplicated by design and writes nothing, so every rating first reads
        # the back of the card for the current version, as a learner's browser does.
        return [
            {
                "label": "card back",
                "method": "GET",
                "path": paths["card back"],
                "extract": {"seen": SEEN_RE, "csrf": CSRF_RE},
            },
            {
                "label": "review (POST)",
                "method": "POST",
                "path": paths["review (POST)"],
                "form": {
                    "csrf_token": "$csrf",
                    "seen": "$seen",
                    "shown_at": "",
                    "deck": "",
                    "rating": "3",
                },
            },
        ]
    return [{"label": run, "method": "GET", "path": paths[run]}]


RUNS = [
    LIGHTEST,
    "deck list",
    "quiz question",
    "answer (POST)",
    "quiz result",
    "dashboard",  # before the reviews below add to the learner's history
    "gradebook",
    "item analysis",
    "card back",  # with "review (POST)": read the card's version, then rate it
]


# --- Processes ------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class Gunicorn:
    """A gunicorn master with 4 sync workers on a free 127.0.0.1 port; the same settings
    for the app and the baseline. `restart` drops requests still queued from a run."""

    def __init__(self, name: str, app_spec: str, env: dict[str, str], ready_path: str):
        self.name, self.app_spec, self.env, self.ready_path = name, app_spec, env, ready_path
        self.log_dir = Path(tempfile.mkdtemp(prefix=f"quiz-bench-{name}-"))
        self.log = self.log_dir / "gunicorn.log"
        self.process: subprocess.Popen | None = None
        self.port = 0
        self.restarts = 0

    def start(self) -> None:
        self.port = _free_port()
        self.process = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "--workers",
                "4",
                "--worker-class",
                "sync",
                "--bind",
                f"{HOST}:{self.port}",
                "--no-control-socket",  # its default path is shared by every gunicorn
                "--error-logfile",
                str(self.log),
                self.app_spec,
            ],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: the workers can be stopped too
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} server exited: {self.log.read_text()[-2000:]}")
            try:
                status, _, _ = Browser(self.port, timeout=5.0).request("GET", self.ready_path)
                if status == 200 and len(self.workers()) == 4:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"{self.name} server did not answer within 60 s")

    def restart(self) -> None:
        self.stop(quick=True)
        self.restarts += 1
        self.start()

    def stop(self, quick: bool = False) -> None:
        """Stop the master and its workers: at once (quick), or letting the workers finish
        their current request first (SIGTERM; SIGKILL if that takes over 35 s)."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        if not quick:
            process.terminate()  # gunicorn stops its workers, then itself
            with suppress(subprocess.TimeoutExpired):
                process.wait(timeout=35)
                return
        # The master is alive, so its process group (started by this bench) is ours.
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def workers(self) -> list[int]:
        if self.process is None:
            return []
        pid = self.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children")
        if children.exists():
            return [int(child) for child in children.read_text().split()]
        found = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if ppid == pid:
                found.append(int(stat.parent.name))
        return found

    def worker_rss_kb(self) -> list[int]:
        rss = []
        for pid in self.workers():
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        rss.append(int(line.split()[1]))
            except OSError:
                continue
        return rss

    def worker_cpu_s(self) -> float:
        """User + system CPU seconds used so far by the current workers."""
        ticks = 0
        for pid in self.workers():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            ticks += int(fields[11]) + int(fields[12])
        return ticks / os.sysconf("SC_CLK_TCK")


def _machine_busy_s() -> float:
    """CPU seconds the whole machine has been busy (all cores), from /proc/stat."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def wait_idle(port: int, path: str, limit: float) -> tuple[float, bool]:
    """(seconds, idle): until the server answers `path` fast four times in a row, that is
    until no request left over from the last run is queued any more."""
    started = time.monotonic()
    fast = 0
    while time.monotonic() - started < limit and fast < 4:
        asked = time.monotonic()
        try:
            status, _, _ = Browser(port, timeout=1.0).request("GET", path)
        except OSError:
            status = 0
        fast = fast + 1 if status == 200 and time.monotonic() - asked < 0.05 else 0
        time.sleep(0.05)
    return round(time.monotonic() - started, 2), fast >= 4


def run_load(server: Gunicorn, clients: list[dict], warmup: float, duration: float) -> dict:
    """One load run by the load generator in its own process. Adds the workers' CPU time
    per answered request, their memory after the run and the load of the machine; then
    waits for the server to be idle, restarting it if requests are still queued."""
    spec = {
        "host": HOST,
        "port": server.port,
        "warmup": warmup,
        "duration": duration,
        "timeout": REQUEST_TIMEOUT,
        "drain": 2,
        "clients": clients,
    }
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(spec, handle)
    load_before = os.getloadavg()[0]
    machine_before = _machine_busy_s()
    cpu_before = server.worker_cpu_s()
    started = time.monotonic()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "tests.bench.loadgen", handle.name],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=warmup + duration + REQUEST_TIMEOUT + 60,
            check=False,
        )
    finally:
        os.unlink(handle.name)
    if done.returncode != 0:
        raise RuntimeError(f"loadgen failed: {done.stderr[-2000:]}")
    report = json.loads(done.stdout)
    answered = sum(f["sent_total"] for f in report["labels"].values())
    cpu = server.worker_cpu_s() - cpu_before
    elapsed = time.monotonic() - started
    # CPU used meanwhile by everything but the workers and the load generator (other
    # jobs on the machine, and PostgreSQL), as a share of all cores: noise, or the DB.
    other = _machine_busy_s() - machine_before - cpu - report["loadgen_cpu_share"] * elapsed
    report["other_cpu_share"] = round(max(0.0, other) / (elapsed * (os.cpu_count() or 1)), 2)
    report["worker_cpu_ms_per_request"] = round(cpu * 1000 / answered, 2) if answered else None
    report["worker_rss_kb"] = server.worker_rss_kb()
    report["loadavg_before"] = round(load_before, 2)
    report["idle_wait_s"], idle = wait_idle(server.port, server.ready_path, 5.0)
    report["restarted"] = not idle
    if not idle:
        server.restart()  # the queue left by this run would slow the next one down
    return report


class Browser:
    """A minimal cookie-keeping HTTP client for setting up sessions (127.0.0.1 only)."""

    def __init__(
        self, port: int, cookies: dict[str, str] | None = None, timeout: float = REQUEST_TIMEOUT
    ) -> None:
        self.port = port
        self.cookies = cookies if cookies is not None else {}  # shared, and kept up to date
        self.timeout = timeout

    def request(self, method: str, path: str, form: dict | None = None):
        headers = {"User-Agent": USER_AGENT}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn = http.client.HTTPConnection(HOST, self.port, timeout=self.timeout)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
        finally:
            conn.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            jar = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                self.cookies[name] = morsel.value
        return response.status, response.headers, data

    def log_in(self, email: str) -> None:
        _, _, page = self.request("GET", "/login")
        token = _find(CSRF_RE, page)
        status, headers, _ = self.request(
            "POST", "/login", {"email": email, "password": PASSWORD, "csrf_token": token}
        )
        if status != 302 or "/login" in headers.get("Location", "/login"):
            raise RuntimeError(f"could not log in as {email} (HTTP {status})")


def _find(pattern: str, body: bytes) -> str:
    match = re.search(pattern, body.decode("utf-8", "replace"))
    if match is None:
        raise RuntimeError(f"{pattern!r} not found in the page")
    return match.group(1)


# --- In-process query counts ----------------------------------------------------------


def in_process_app(url: str, instance: str):
    """The app as the load runs serve it (its secret, log-in limits out of the way), for
    requests in-process with the test client (here, and in bench_cpu)."""
    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": SECRET,
            "INSTANCE_PATH": instance,
            "RATELIMIT_LOGIN_PER_ADDRESS": RATE_LIMIT,
            "RATELIMIT_LOGIN_PER_ACCOUNT": RATE_LIMIT,
        }
    )


def logged_in_client(app, email: str):
    """A test client of `app`, logged in as `email` (every bench account's PASSWORD)."""
    client = app.test_client()
    token = _find(CSRF_RE, client.get("/login").data)
    response = client.post(
        "/login", data={"email": email, "password": PASSWORD, "csrf_token": token}
    )
    if response.status_code != 302:
        raise RuntimeError(f"could not log in as {email} in-process")
    return client


def rating_form(back: bytes) -> dict:
    """The rating form of a card as the back of the card gives it (its version, `seen`,
    and the CSRF token): rated "Good"."""
    return {
        "csrf_token": _find(CSRF_RE, back),
        "seen": _find(SEEN_RE, back),
        "shown_at": "",
        "deck": "",
        "rating": "3",
    }


def count_queries(url: str, ds: Dataset) -> dict[str, dict]:
    """SQL statements (and time) per request, counted in-process with the test client."""
    instance = tempfile.mkdtemp(prefix="quiz-bench-http-")
    app = in_process_app(url, instance)
    with app.app_context():
        engine = db.engine
    log: list[dict] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(NOT_QUERIES):
            log.append(
                {
                    "sql": statement,
                    "parameters": None if executemany else parameters,
                    "started": time.perf_counter(),
                }
            )

    def after(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(NOT_QUERIES) and log:
            log[-1]["execute_s"] = time.perf_counter() - log[-1]["started"]

    results: dict[str, dict] = {}

    def measure(label: str, call) -> bytes:
        log.clear()
        event.listen(engine, "before_cursor_execute", before)
        event.listen(engine, "after_cursor_execute", after)
        started = time.perf_counter()
        try:
            response = call()
        finally:
            elapsed = time.perf_counter() - started
            event.remove(engine, "before_cursor_execute", before)
            event.remove(engine, "after_cursor_execute", after)
        statements = _replay(engine, log)
        replayed = [s for s in statements if s["replay_ms"] is not None]
        results[label] = {
            "queries": len(log),
            "status": response.status_code,
            "bytes": len(response.data),
            "request_ms": round(elapsed * 1000, 1),
            # Cursor execute time only: SQLite does most of a query's work while the rows
            # are fetched, so the SELECTs are also replayed with their fetch (replay_ms).
            "sql_execute_ms": round(sum(e.get("execute_s", 0) for e in log) * 1000, 1),
            "sql_replay_ms": round(sum(s["replay_ms"] for s in replayed), 1),
            "slowest": max(replayed, key=lambda s: s["replay_ms"], default=None),
            "statements": statements,
        }
        return response.data

    paths = _paths(ds, 0)
    try:
        student = logged_in_client(app, ds.student_emails[0])
        learner = logged_in_client(app, ds.learner_email)
        teacher = logged_in_client(app, ds.teacher_email)
        # One request each, no warm-up: the count does not change, and the heavy pages
        # take seconds at 10x. The timings here are single cold-ish requests.
        for label, client in (
            (LIGHTEST, student),
            ("deck list", student),
            ("quiz question", student),
            ("quiz result", student),
            ("dashboard", learner),
            ("gradebook", teacher),
            ("item analysis", teacher),
        ):
            measure(label, lambda c=client, p=paths[label]: c.get(p))

        token = _find(CSRF_RE, student.get(paths["quiz question"]).data)
        answer = {"csrf_token": token, "choice": FIRST_CHOICE}
        student.post(paths["answer (POST)"], data=answer)  # the first answer inserts
        measure("answer (POST)", lambda: student.post(paths["answer (POST)"], data=answer))

        back = measure("card back", lambda: learner.get(paths["card back"]))
        rating = rating_form(back)
        measure("review (POST)", lambda: learner.post(paths["review (POST)"], data=rating))
    finally:
        with app.app_context():
            db.engine.dispose()
        shutil.rmtree(instance, ignore_errors=True)
    return results


def _replay(engine, log: list[dict]) -> list[dict]:
    """Every statement of a request, the SELECTs run again with their rows fetched."""
    statements = []
    with engine.connect() as conn:
        for entry in log:
            sql = entry["sql"]
            replay_ms, rows = None, None
            if sql.lstrip().upper().startswith("SELECT") and entry["parameters"] is not None:
                started = time.perf_counter()
                rows = len(conn.exec_driver_sql(sql, entry["parameters"]).fetchall())
                replay_ms = round((time.perf_counter() - started) * 1000, 2)
            statements.append(
                {
                    "sql": " ".join(sql.split())[:400],
                    "execute_ms": round(entry.get("execute_s", 0) * 1000, 2),
                    "replay_ms": replay_ms,
                    "rows": rows,
                }
            )
        conn.rollback()
    return statements


# --- One database ---------------------------------------------------------------------


def _page_weight(browser: Browser, html: bytes) -> dict:
    assets = {}
    for css, js in ASSET_RE.findall(html.decode("utf-8", "replace")):
        path = urllib.parse.urlsplit(css or js).path
        if path not in assets:
            status, _, body = browser.request("GET", path)
            assets[path] = body if status == 200 else b""
    html_gz = len(gzip.compress(html, 6))
    assets_raw = sum(len(body) for body in assets.values())
    assets_gz = sum(len(gzip.compress(body, 6)) for body in assets.values())
    return {
        "html_bytes": len(html),
        "html_gzip_bytes": html_gz,
        "assets": sorted(assets),
        "assets_bytes": assets_raw,
        "assets_gzip_bytes": assets_gz,
        "total_bytes": len(html) + assets_raw,
        "total_gzip_bytes": html_gz + assets_gz,
    }


RUN_KEYS = (
    "loadgen_cpu_share",
    "transport_errors",
    "drain_s",
    "idle_wait_s",
    "restarted",
    "worker_cpu_ms_per_request",
    "worker_rss_kb",
    "loadavg_before",
    "other_cpu_share",
)


def load_app(name: str, url: str, ds: Dataset, baseline: Baseline) -> dict:
    """Serve the app with gunicorn, log the clients in, measure every page under load,
    each run followed at once by the baseline's run of the same shape (so that both see
    the machine in the same state): the load figures, the baseline's, page sizes and
    weights, worker memory and checks of the writes."""
    env = dict(
        os.environ,
        QUIZ_DATABASE_URL=url,
        QUIZ_SECRET_KEY=SECRET,
        QUIZ_RATELIMIT_LOGIN_PER_ADDRESS=RATE_LIMIT,
        QUIZ_RATELIMIT_LOGIN_PER_ACCOUNT=RATE_LIMIT,
    )
    env.pop("QUIZ_ENV", None)
    clients_needed = max(CONCURRENCY)
    server = Gunicorn(f"app-{name}", "wsgi:app", env, "/healthz")
    try:
        server.start()
        print(f"  [{name}] app on {HOST}:{server.port}; logging in {3 * clients_needed} sessions")
        # Sessions live in the database and signed cookies: they outlive a restart.
        cookies: dict[str, list[dict]] = {"student": [], "learner": [], "teacher": []}
        for i in range(clients_needed):
            for role, email in (
                ("student", ds.student_emails[i]),
                ("learner", ds.learner_email),
                ("teacher", ds.teacher_email),
            ):
                browser = Browser(server.port)
                browser.log_in(email)
                cookies[role].append(browser.cookies)
        # Each student's answer form token (it lives as long as the session).
        tokens = []
        for i, jar in enumerate(cookies["student"]):
            _, _, page = Browser(server.port, jar).request("GET", _paths(ds, i)["quiz question"])
            tokens.append(_find(CSRF_RE, page))

        # One request of each page by client 0: its size (for the baseline) and weight.
        sizes: dict[str, dict] = {}
        paths = _paths(ds, 0)
        for page in PAGES:
            if page.kind == "write":
                continue  # the POSTs' answers are measured below
            browser = Browser(server.port, cookies[page.role][0])
            status, _, html = browser.request("GET", paths[page.label])
            sizes[page.label] = {"status": status, **_page_weight(browser, html)}
        student = Browser(server.port, cookies["student"][0])
        status, _, body = student.request(
            "POST",
            paths["answer (POST)"],
            {"csrf_token": tokens[0], "choice": FIRST_CHOICE},
        )
        sizes["answer (POST)"] = {"status": status, "html_bytes": len(body)}
        learner = Browser(server.port, cookies["learner"][0])
        _, _, back = learner.request("GET", paths["card back"])
        status, _, body = learner.request("POST", paths["review (POST)"], rating_form(back))
        sizes["review (POST)"] = {"status": status, "html_bytes": len(body)}
        bad = {label: s["status"] for label, s in sizes.items() if s["status"] >= 400}
        if bad:
            raise RuntimeError(f"pages failed before the load: {bad}")

        reviews_before = _count(url, select(func.count(ReviewLog.id)))

        def specs(run_name: str, clients: int) -> list[dict]:
            role = BY_LABEL[run_name].role
            return [
                {
                    "cookies": cookies[role][i],
                    "headers": {"User-Agent": USER_AGENT},
                    "steps": _steps(ds, i, run_name, tokens[i]),
                }
                for i in range(clients)
            ]

        results, base, rss_seen, last_rss = _load_runs(name, server, baseline, RUNS, specs, sizes)
        reviews_after = _count(url, select(func.count(ReviewLog.id)))
        answers = _count(
            url,
            select(func.count(Response.id)).where(Response.attempt_id.in_(ds.open_attempt_ids)),
        )
        checks = {
            "review_logs_written": reviews_after - reviews_before,
            "review_posts_answered": sum(
                r["sent_total"]
                for f in results.get("review (POST)", {}).values()
                for r in f["rounds"]
            ),
            # Sent when the load generator stopped, never answered: the server may or
            # may not have done them.
            "review_posts_unanswered": sum(
                r["unanswered_at_stop"]
                for f in results.get("review (POST)", {}).values()
                for r in f["rounds"]
            ),
            "answer_rows_for_open_attempts": answers,
            "answer_rows_expected": clients_needed,
            "server_restarts": server.restarts,
            "server_log_tail": server.log.read_text()[-1500:] if server.log.exists() else "",
        }
        checks["every_review_wrote"] = (
            checks["review_posts_answered"]
            <= checks["review_logs_written"]
            <= checks["review_posts_answered"] + checks["review_posts_unanswered"]
        )
    finally:
        server.stop()
        shutil.rmtree(server.log_dir, ignore_errors=True)
    memory = {
        "after_load_kb": last_rss,
        "peak_kb": max((kb for run in rss_seen for kb in run), default=None),
    }
    floor = load_floor(name, url, cookies["student"], tokens, sizes, baseline)
    checks["floor_server_restarts"] = floor["restarts"]
    return {
        "load": {**results, **floor["load"]},
        "baseline": {**base, **floor["baseline"]},
        "sizes": {**sizes, **floor["sizes"]},
        "memory": memory,
        "checks": checks,
    }


def _load_runs(
    name: str,
    server: Gunicorn,
    baseline: Baseline,
    runs: list[str],
    specs: Callable[[str, int], list[dict]],
    sizes: dict[str, dict],
) -> tuple[dict, dict, list[list[int]], list[int]]:
    """Each run at each concurrency: ROUNDS rounds of the server's run (the load clients
    of `specs(run, clients)`), each followed at once by the baseline's run of the same
    shape, and the median round kept. Returns the figures and the baseline's by page and
    concurrency, and the workers' memory after each run and after the last."""
    results: dict[str, dict] = {}
    base: dict[str, dict] = {}
    rss_seen: list[list[int]] = []
    last_rss: list[int] = []
    for run_name in runs:
        labels, shape = _run_shape(run_name, sizes)
        for clients in CONCURRENCY:
            clients_specs = specs(run_name, clients)
            began = time.monotonic()
            rounds: dict[str, list[tuple[dict, dict]]] = {label: [] for label in labels}
            restarted = False
            for _ in range(ROUNDS):
                report = run_load(server, clients_specs, WARMUP, DURATION)
                restarted = restarted or report["restarted"]
                rss_seen.append(report["worker_rss_kb"])
                last_rss = report["worker_rss_kb"]
                measured = baseline.measure(shape, clients)
                for label, ref in zip(labels, measured, strict=True):
                    figures = {
                        **report["labels"][label],
                        **{key: report[key] for key in RUN_KEYS},
                    }
                    rounds[label].append((figures, ref))
            shown = []
            for label, pairs in rounds.items():
                kept, ref = _median_round(pairs)
                summary = [_round_summary(figures, ref) for figures, ref in pairs]
                results.setdefault(label, {})[str(clients)] = {**kept, "rounds": summary}
                base.setdefault(label, {})[str(clients)] = ref
                ratios = ", ".join(str(r["ratio"]) for r in summary)
                shown.append(
                    f"{label} {kept['rps']} req/s p50 {kept['p50_ms']} ms "
                    f"(baseline {ref['rps']} req/s; ratios {ratios})"
                )
            note = " (server restarted: requests were still queued)" * restarted
            print(
                f"  [{name}] {run_name:<17} {clients:>3} clients: {'; '.join(shown)}{note} "
                f"[{time.monotonic() - began:.0f} s]",
                flush=True,
            )
    return results, base, rss_seen, last_rss


def load_floor(
    name: str,
    url: str,
    cookies: list[dict],
    tokens: list[str],
    app_sizes: dict[str, dict],
    baseline: Baseline,
) -> dict:
    """The stack's floor (tests/bench/floor_app.py) under the same settings and load as
    the app, with the students' cookies and form tokens: its figures and the baseline's,
    the sizes it served and its server's restarts."""
    floor_app.create_table(url)
    env = dict(os.environ, QUIZ_DATABASE_URL=url, QUIZ_SECRET_KEY=SECRET)
    server = Gunicorn(f"floor-{name}", "tests.bench.floor_app:app", env, "/healthz")
    lightest = app_sizes[LIGHTEST]["html_bytes"]
    paths = {
        **{
            floor_of(page.label): f"/floor/core/{app_sizes[page.label]['html_bytes']}"
            for page in PAGES
            if page.kind != "write"
        },
        FLOOR_ORM: f"/floor/orm/{lightest}",
        FLOOR_NODB: f"/floor/nodb/{lightest}",
        FLOOR_WRITE: "/floor/write",
        FLOOR_WRITE_CORE: "/floor/write-core",
    }

    def step(label: str, i: int) -> dict:
        page = BY_LABEL[label]
        form = {"form": {"csrf_token": tokens[i]}} if page.method == "POST" else {}
        return {"label": label, "method": page.method, "path": paths[label], **form}

    try:
        server.start()
        sizes: dict[str, dict] = {}
        for page in FLOOR_PAGES:
            form = {"csrf_token": tokens[0]} if page.method == "POST" else None
            status, _, body = Browser(server.port, cookies[0]).request(
                page.method, paths[page.label], form
            )
            if status >= 400:
                raise RuntimeError(f"the floor's {page.label} failed before the load: {status}")
            sizes[page.label] = {"status": status, "html_bytes": len(body)}

        def specs(run_name: str, clients: int) -> list[dict]:
            return [
                {
                    "cookies": cookies[i],
                    "headers": {"User-Agent": USER_AGENT},
                    "steps": [step(run_name, i)],
                }
                for i in range(clients)
            ]

        results, base, _, _ = _load_runs(
            name, server, baseline, [page.label for page in FLOOR_PAGES], specs, sizes
        )
    finally:
        server.stop()
        shutil.rmtree(server.log_dir, ignore_errors=True)
    return {"load": results, "baseline": base, "sizes": sizes, "restarts": server.restarts}


def _ratio(app: dict, ref: dict) -> float:
    return round(app["rps"] / ref["rps"], 3) if ref["rps"] else 0.0


def _median_round(pairs: list[tuple[dict, dict]]) -> tuple[dict, dict]:
    """Of the rounds' (app, baseline) figures, the pair whose ratio is the median (the
    upper one of an even number): both figures of one round, so they stay comparable."""
    ordered = sorted(pairs, key=lambda pair: _ratio(*pair))
    return ordered[len(ordered) // 2]


def _round_summary(app: dict, ref: dict) -> dict:
    return {
        "rps": app["rps"],
        "baseline_rps": ref["rps"],
        "ratio": _ratio(app, ref),
        "sent_total": app["sent_total"],
        "unanswered_at_stop": app["unanswered_at_stop"],
    }


def _count(url: str, query) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(query).scalar_one()
    finally:
        engine.dispose()


# --- Baseline -------------------------------------------------------------------------


class Baseline:
    """The bare Flask app under gunicorn. A run is a list of (method, page size) steps,
    measured right after the app's run of the same shape."""

    def __init__(self) -> None:
        env = dict(os.environ)
        self.server = Gunicorn("baseline", "tests.bench.baseline_app:app", env, "/page/200")
        self.rss_seen: list[int] = []
        self.last_rss: list[int] = []

    def stop(self) -> None:
        self.server.stop()
        shutil.rmtree(self.server.log_dir, ignore_errors=True)

    def measure(self, shape: list[tuple[str, int]], clients: int) -> list[dict]:
        """The figures of each (method, size) step of one run, in order."""
        if self.server.process is None:
            self.server.start()
        steps = []
        for n, (method, size) in enumerate(shape):
            step = {"label": f"step {n}", "method": method, "path": f"/page/{size}"}
            if method == "POST":
                # A form of the same shape as the real ones.
                step["form"] = {"csrf_token": "x" * 91, "seen": "x" * 25, "rating": "3"}
            steps.append(step)
        specs = [
            {
                "cookies": {"session": "x" * 180},  # a request as large as the app's
                "headers": {"User-Agent": USER_AGENT},
                "steps": steps,
            }
            for _ in range(clients)
        ]
        report = run_load(self.server, specs, BASELINE_WARMUP, BASELINE_DURATION)
        self.rss_seen.extend(report["worker_rss_kb"])
        self.last_rss = report["worker_rss_kb"]
        figures = [
            {
                **report["labels"][f"step {n}"],
                "page_bytes": size,
                **{key: report[key] for key in RUN_KEYS},
            }
            for n, (_, size) in enumerate(shape)
        ]
        return figures


def _run_shape(run_name: str, sizes: dict) -> tuple[list[str], list[tuple[str, int]]]:
    """The pages a run measures, and the (method, size) steps the baseline repeats for
    it. The flashcard run is two steps (the back of the card, then the rating): so is
    its baseline."""
    labels = ["card back", "review (POST)"] if run_name == "card back" else [run_name]
    shape = [(BY_LABEL[label].method, sizes[label]["html_bytes"]) for label in labels]
    return labels, shape


# --- Targets and report -------------------------------------------------------------------


def _floor_label(page: Page) -> str | None:
    """The floor that bounds a page: at its size for a read, the cheapest write's for a
    write, none for the floor itself."""
    if page.kind == "floor":
        return None
    return FLOOR_WRITE_CORE if page.kind == "write" else floor_of(page.label)


def evaluate(load: dict, base: dict) -> list[dict]:
    rows = []
    for page in [*PAGES, *FLOOR_PAGES]:
        for clients in CONCURRENCY:
            app = load.get(page.label, {}).get(str(clients))
            ref = base.get(page.label, {}).get(str(clients))
            if app is None or ref is None:
                continue
            ratio = round(app["rps"] / ref["rps"], 3) if ref["rps"] else None
            minimum = TARGETS.get(f"{page.kind}_throughput_ratio_min")  # None: a reference
            bound = _floor_label(page)
            floor = load.get(bound, {}).get(str(clients)) if bound else None
            floor_ref = base.get(bound, {}).get(str(clients)) if bound else None
            floor_ratio = (
                round(floor["rps"] / floor_ref["rps"], 3)
                if floor and floor_ref and floor_ref["rps"]
                else None
            )
            spread = (
                round(app["p99_ms"] / app["p50_ms"], 1)
                if app["p50_ms"] and app["p99_ms"] is not None
                else None
            )
            rows.append(
                {
                    "page": page.label,
                    "kind": page.kind,
                    "clients": clients,
                    "rps": app["rps"],
                    "p50_ms": app["p50_ms"],
                    "p99_ms": app["p99_ms"],
                    "errors": app["errors"],
                    "requests": app["requests"],
                    "worker_cpu_ms_per_request": app["worker_cpu_ms_per_request"],
                    "loadavg_before": app["loadavg_before"],
                    "other_cpu_share": app["other_cpu_share"],
                    "baseline_rps": ref["rps"],
                    "baseline_p50_ms": ref["p50_ms"],
                    "baseline_p99_ms": ref["p99_ms"],
                    "baseline_errors": ref["errors"],
                    "baseline_bytes": ref["page_bytes"],
                    "baseline_worker_cpu_ms_per_request": ref["worker_cpu_ms_per_request"],
                    "throughput_ratio": ratio,
                    "throughput_ratio_rounds": [r["ratio"] for r in app.get("rounds", [])],
                    "throughput_target": minimum,
                    "throughput_met": None
                    if minimum is None
                    else ratio is not None and ratio >= minimum,
                    # The most this page could reach with this stack, and whether that
                    # leaves room for the target.
                    "floor_ratio": floor_ratio,
                    "floor_ratio_rounds": [r["ratio"] for r in (floor or {}).get("rounds", [])],
                    "floor_allows_target": None
                    if minimum is None or floor_ratio is None
                    else floor_ratio >= minimum,
                    "p99_over_p50": spread,
                    "latency_met": spread is not None and spread < TARGETS["p99_over_p50_max"],
                    "errors_met": app["errors"] <= TARGETS["errors_max"] and app["requests"] > 0,
                }
            )
    return rows


def weight_rows(sizes: dict) -> list[dict]:
    rows = []
    for label, s in sizes.items():
        if "total_gzip_bytes" not in s:
            continue
        rows.append(
            {
                "page": label,
                **{k: v for k, v in s.items() if k != "status"},
                "met": s["total_gzip_bytes"] <= TARGETS["page_gzip_bytes_max"],
            }
        )
    return rows


def query_rows(one: dict, ten: dict) -> list[dict]:
    rows = []
    for label in one:
        a, b = one[label], ten.get(label, {})
        rows.append(
            {
                "page": label,
                "queries_1x": a["queries"],
                "queries_10x": b.get("queries"),
                "same": a["queries"] == b.get("queries"),
                "request_ms_1x": a["request_ms"],
                "request_ms_10x": b.get("request_ms"),
                "sql_ms_1x": a["sql_replay_ms"],
                "sql_ms_10x": b.get("sql_replay_ms"),
                "bytes_1x": a["bytes"],
                "bytes_10x": b.get("bytes"),
                "status_1x": a["status"],
                "status_10x": b.get("status"),
                "slowest_sql_ms_1x": (a["slowest"] or {}).get("replay_ms"),
                "slowest_sql_ms_10x": (b.get("slowest") or {}).get("replay_ms"),
                "slowest_sql_rows_10x": (b.get("slowest") or {}).get("rows"),
                "slowest_sql_10x": (b.get("slowest") or {}).get("sql"),
            }
        )
    return rows


def _fmt(value, width: int) -> str:
    text = "–" if value is None else str(value)
    return text.rjust(width)


def _spread(ratios: list[float]) -> str:
    return f"{min(ratios):.2f}–{max(ratios):.2f}" if ratios else "–"


def _mib(values) -> str:
    return ", ".join(f"{kb / 1024:.0f}" for kb in values) or "–"


def print_database(name: str, report: dict) -> None:
    print(
        f"\n== {name}: load (gunicorn 4 sync workers; {ROUNDS} rounds of {WARMUP:g} s warm-up + "
        f"{DURATION:g} s measured, then the baseline's {BASELINE_WARMUP:g} + "
        f"{BASELINE_DURATION:g} s)"
    )
    print(
        f"{'page':<26}{'cl':>4}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'err':>5}{'cpu ms':>8}"
        f"{'other':>6}"
        f"{'base r/s':>10}{'b p50':>8}{'b p99':>8}{'b err':>6}{'b cpu':>6}{'bytes':>9}"
        f"{'ratio':>7}{'rounds':>13}{'need':>6}{'floor':>7}{'p99/p50':>8}  met"
    )
    for r in report["load"]:
        met = (
            "NO"
            if r["throughput_met"] is False or not (r["latency_met"] and r["errors_met"])
            else "yes"
        )
        print(
            f"{r['page']:<26}{r['clients']:>4}{_fmt(r['rps'], 9)}{_fmt(r['p50_ms'], 9)}"
            f"{_fmt(r['p99_ms'], 9)}{r['errors']:>5}{_fmt(r['worker_cpu_ms_per_request'], 8)}"
            f"{_fmt(r['other_cpu_share'], 6)}"
            f"{_fmt(r['baseline_rps'], 10)}{_fmt(r['baseline_p50_ms'], 8)}"
            f"{_fmt(r['baseline_p99_ms'], 8)}{r['baseline_errors']:>6}"
            f"{_fmt(r['baseline_worker_cpu_ms_per_request'], 6)}{r['baseline_bytes']:>9}"
            f"{_fmt(r['throughput_ratio'], 7)}{_spread(r['throughput_ratio_rounds']):>13}"
            f"{_fmt(r['throughput_target'], 6)}{_fmt(r['floor_ratio'], 7)}"
            f"{_fmt(r['p99_over_p50'], 8)}  {met}"
        )
    print(
        "(cpu ms, b cpu: the gunicorn workers' CPU time per answered request, warm-up "
        "included; other: share of all cores used meanwhile by other processes, PostgreSQL "
        "included; bytes: the page size both served; ratio: the median of the rounds, whose "
        "lowest and highest are under rounds; the other figures are the median round's; "
        "lightest page: the change-password form, which has no target; floor: the ratio of "
        "the least a logged-in page must do with this stack (tests/bench/floor_app.py) at "
        "the page's size (for a write, the cheapest write's), which the page cannot pass)"
    )
    for clients in CONCURRENCY:
        rows = [r for r in report["load"] if r["clients"] == clients]
        floor = {r["page"]: r["throughput_ratio"] for r in rows if r["kind"] == "floor"}
        bounded = [r for r in rows if r["floor_allows_target"] is False]
        if FLOOR_ORM in floor and FLOOR_WRITE_CORE in floor:
            print(
                f"At {clients} clients, the floor at the lightest page's size: "
                f"{floor[FLOOR_ORM]} with the ORM, {floor[floor_of(LIGHTEST)]} with Core, "
                f"{floor[FLOOR_NODB]} with no log-in check; writes {floor[FLOOR_WRITE]} "
                f"(ORM) and {floor[FLOOR_WRITE_CORE]} (one statement). Under its target even "
                f"at the floor: {', '.join(r['page'] for r in bounded) or 'no page'}."
            )
    data1, data10 = report["data_1x"]["rows"], report["data_10x"]["rows"]
    print(
        f"\n== {name}: SQL queries per request (in-process test client, one request each); "
        f"1x = {data1['attempts']:,} attempts / {data1['users']:,} users, "
        f"10x = {data10['attempts']:,} attempts / {data10['users']:,} users"
    )
    print(
        f"{'page':<16}{'q 1x':>6}{'q 10x':>7}{'same':>6}{'ms 1x':>9}{'ms 10x':>9}"
        f"{'sql 1x':>9}{'sql 10x':>9}{'slowest 10x':>13}{'rows':>9}"
    )
    for r in report["queries"]:
        print(
            f"{r['page']:<16}{r['queries_1x']:>6}{_fmt(r['queries_10x'], 7)}"
            f"{'yes' if r['same'] else 'NO':>6}{_fmt(r['request_ms_1x'], 9)}"
            f"{_fmt(r['request_ms_10x'], 9)}{_fmt(r['sql_ms_1x'], 9)}{_fmt(r['sql_ms_10x'], 9)}"
            f"{_fmt(r['slowest_sql_ms_10x'], 13)}{_fmt(r['slowest_sql_rows_10x'], 9)}"
        )
    print("(sql: the request's SELECTs replayed with their rows fetched; ms: whole request)")
    print(f"\n== {name}: page weight (HTML + linked CSS/JS, bytes; gzip level 6)")
    print(f"{'page':<16}{'html':>10}{'assets':>8}{'total':>10}{'gzip':>9}  <=60 KiB")
    for r in report["weight"]:
        print(
            f"{r['page']:<16}{r['html_bytes']:>10}{r['assets_bytes']:>8}{r['total_bytes']:>10}"
            f"{r['total_gzip_bytes']:>9}  {'yes' if r['met'] else 'NO'}"
        )
    memory = report["memory"]
    print(
        f"\n== {name}: gunicorn worker RSS after the load (MiB): {_mib(memory['after_load_kb'])}"
        f"; largest seen after any run: {_mib([memory['peak_kb']] if memory['peak_kb'] else [])}"
    )
    checks = report["write_checks"]
    print(
        f"== {name}: writes: {checks['review_logs_written']} review logs for "
        f"{checks['review_posts_answered']} rating POSTs answered "
        f"(+ {checks['review_posts_unanswered']} unanswered when the load stopped); "
        f"{checks['answer_rows_for_open_attempts']} answer rows for "
        f"{checks['answer_rows_expected']} open quizzes; "
        f"server restarts to drop queued requests: {checks['server_restarts']}"
    )


def unmet(report: dict) -> list[str]:
    misses = []
    for r in report["load"]:
        if r["kind"] == "floor":
            continue  # a measure of the stack, with no target of its own
        where = f"{r['page']} ({r['clients']} clients)"
        if r["requests"] == 0:
            misses.append(
                f"{where}: no answer completed inside the {DURATION:g} s window "
                f"({r['errors']} errors; {r['worker_cpu_ms_per_request']} ms of worker CPU "
                f"per answered request)"
            )
            continue
        if r["throughput_met"] is False:
            misses.append(
                f"{where}: {r['throughput_ratio']} of the baseline's throughput, "
                f"needs {r['throughput_target']}"
            )
        if not r["latency_met"]:
            misses.append(f"{where}: p99 is {r['p99_over_p50']}x p50, needs < 10x")
        if not r["errors_met"]:
            misses.append(f"{where}: {r['errors']} errors in {r['requests']} requests")
    for r in report["weight"]:
        if not r["met"]:
            misses.append(f"{r['page']}: {r['total_gzip_bytes']} bytes gzipped with assets")
    for r in report["queries"]:
        if not r["same"]:
            misses.append(
                f"{r['page']}: {r['queries_1x']} queries at 1x, {r['queries_10x']} at 10x"
            )
    checks = report["write_checks"]
    if not checks["every_review_wrote"]:
        misses.append(
            f"review (POST): {checks['review_logs_written']} review logs written for "
            f"{checks['review_posts_answered']} answered ratings and "
            f"{checks['review_posts_unanswered']} unanswered when the load stopped"
        )
    return misses


def _phase(name: str, started: float, what: str) -> None:
    print(f"[{name}] {time.perf_counter() - started:6.1f} s  {what}", flush=True)


def run_database(name: str, url: str, baseline: Baseline) -> dict:
    started = time.perf_counter()
    _phase(name, started, "building the 1x data set")
    ds1 = http_data.build(url, Sizes())
    _phase(name, started, f"1x built in {ds1.build_seconds} s: {ds1.counts}")
    queries_1x = count_queries(url, ds1)
    _phase(name, started, "queries counted; load runs")
    app = load_app(name, url, ds1, baseline)
    base = app["baseline"]
    scale = _attempt_scale()
    _phase(name, started, f"building the 10x data set (attempts x{scale})")
    ds10 = http_data.build(url, Sizes().times(10, scale))
    _phase(name, started, f"10x built in {ds10.build_seconds} s: {ds10.counts}")
    queries_10x = count_queries(url, ds10)
    _phase(name, started, "queries counted at 10x")
    report = {
        "url": url.rsplit("@", 1)[-1],
        "data_1x": {"sizes": ds1.sizes, "rows": ds1.counts, "build_s": ds1.build_seconds},
        "data_10x": {
            "sizes": ds10.sizes,
            "rows": ds10.counts,
            "build_s": ds10.build_seconds,
            "attempt_scale": scale,
        },
        "load": evaluate(app["load"], base),
        "load_raw": app["load"],
        "baseline_raw": base,
        "queries": query_rows(queries_1x, queries_10x),
        "queries_raw": {"1x": queries_1x, "10x": queries_10x},
        "weight": weight_rows(app["sizes"]),
        "page_sizes": app["sizes"],
        "memory": app["memory"],
        "write_checks": app["checks"],
        "seconds": round(time.perf_counter() - started, 1),
    }
    report["unmet"] = unmet(report)
    return report


def main() -> None:
    started = time.perf_counter()
    generator = loadgen.version()  # without wrk, stop here, before building any data
    sqlite_dir = Path(tempfile.mkdtemp(prefix="quiz-bench-http-"))
    targets = {"sqlite": f"sqlite:///{sqlite_dir / 'bench-http.sqlite3'}"}
    if os.environ.get("QUIZ_BENCH_DATABASE_URL"):
        targets["postgresql"] = os.environ["QUIZ_BENCH_DATABASE_URL"]
    if os.environ.get("QUIZ_BENCH_HTTP_ONLY"):  # e.g. "postgresql": skip the other database
        targets = {k: v for k, v in targets.items() if k == os.environ["QUIZ_BENCH_HTTP_ONLY"]}
    output = {
        "targets": TARGETS,
        "settings": {
            "workers": 4,
            "worker_class": "sync",
            "concurrency": list(CONCURRENCY),
            "warmup_s": WARMUP,
            "duration_s": DURATION,
            "baseline_warmup_s": BASELINE_WARMUP,
            "baseline_duration_s": BASELINE_DURATION,
            "rounds": ROUNDS,
            "request_timeout_s": REQUEST_TIMEOUT,
            "cpus": os.cpu_count(),
            "loadavg_at_start": os.getloadavg(),
            "load_generator": generator,
        },
        "databases": {},
    }
    baseline = Baseline()
    with ExitStack() as stack:
        stack.callback(shutil.rmtree, sqlite_dir, ignore_errors=True)
        if "postgresql" in targets:
            # Leave the PostgreSQL database empty, as the bench found it: the data is large.
            stack.callback(http_data.reset_database, targets["postgresql"])
        stack.callback(baseline.stop)
        for name, url in targets.items():
            output["databases"][name] = run_database(name, url, baseline)
    output["baseline_memory"] = {
        "after_load_kb": baseline.last_rss,
        "peak_kb": max(baseline.rss_seen, default=None),
    }
    output["seconds"] = round(time.perf_counter() - started, 1)
    for name, report in output["databases"].items():
        print_database(name, report)
        misses = report["unmet"]
        print(f"== {name}: targets not met: {len(misses)}")
        for miss in misses:
            print(f"   - {miss}")
    print(
        f"\nbaseline worker RSS after its load (MiB): "
        f"{_mib(output['baseline_memory']['after_load_kb'])}"
    )
    out = Path(os.environ.get("QUIZ_BENCH_HTTP_OUTPUT", "bench-http-results.json"))
    out.write_text(json.dumps(output, indent=2, default=str))
    print(f"written to {out}; the HTTP bench took {output['seconds']} s", file=sys.stderr)


if __name__ == "__main__":
    main()
