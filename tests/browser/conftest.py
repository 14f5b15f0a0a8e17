"""Browser fixtures: one gunicorn server on a fresh database and one Chromium per session.

The server is the real thing (gunicorn, two workers, migrations run by the `flask`
command), so these tests see what a person sees. Each test gets its own browser
context: its own cookies, so its own logged-in user.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright
from sqlalchemy import create_engine, make_url, text

from tests.browser.journeys import PASSWORD
from tests.conftest import TEST_DATABASE_URL
from tests.security.xss_payloads import PAYLOADS

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = PROJECT_ROOT / "artifacts" / "screenshots"
#: Small screenshots the README shows; committed, so kept small (see ``readme_shot``).
README_SHOTS = Path(__file__).resolve().parent / "readme"
README_DESKTOP = {"viewport": {"width": 1200, "height": 800}, "device_scale_factor": 0.5}
README_PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 0.5,
    "is_mobile": True,
    "has_touch": True,
}
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VENV_BIN = Path(sys.executable).parent
TIMEOUT_MS = 10_000  # generous for a busy two-core CI machine; a passing step takes far less

expect.set_options(timeout=TIMEOUT_MS)

#: Accounts made before the server starts: email → (role, name shown in the app).
#: The journeys that start with a new student sign that student up through the page.
ACCOUNTS = {
    "teacher@example.com": ("teacher", "Ms Kovalenko"),
    "classteacher@example.com": ("teacher", "Mr Bondar"),
    # The stored-XSS journey's teacher: the name is shown on every page it sees.
    "xss-teacher@example.com": ("teacher", PAYLOADS[2]),
    "studier@example.com": ("student", "Sofia"),
    "taker@example.com": ("student", "Taras"),
    "phone@example.com": ("student", "Mila"),
    "keys@example.com": ("student", "Petro"),
    "night@example.com": ("student", "Nadia"),
    "nightteacher@example.com": ("teacher", "Ms Shevchenko"),
    "resetteacher@example.com": ("teacher", "Mrs Koval"),
    "forgetful@example.com": ("student", "Yurko"),
    "checker@example.com": ("student", "Daryna"),
    "reporter@example.com": ("student", "Oksana"),
    "admin@example.com": ("admin", "Ms Admin"),
    "wrap-teacher@example.com": ("teacher", "Mr Lysenko"),
    "editorteacher@example.com": ("teacher", "Ms Melnyk"),
    "editorstudent@example.com": ("student", "Ivanka"),
    "rosterteacher@example.com": ("teacher", "Mr Hnatiuk"),
    "suspender@example.com": ("student", "Marta"),
}
#: Creates ACCOUNTS (read as JSON from stdin) with the service `flask users create`
#: calls: one process hashes them all, where one `flask` process per account would
#: spend seconds of this suite starting Python and the app again and again.
CREATE_ACCOUNTS = """
import json, sys
from quiz import create_app
from quiz.services.accounts import create_user
spec = json.load(sys.stdin)
with create_app().app_context():
    for email, (role, name) in spec["accounts"].items():
        create_user(email, spec["password"], role, name)
"""

#: Serious or critical axe findings that are bugs in the app, reported and not yet
#: fixed: (page name as passed to check_accessibility, axe rule id) → why. Each one
#: xfails its own check only; the journey goes on.
KNOWN_ACCESSIBILITY_BUGS: dict[tuple[str, str], str] = {}


@dataclass(frozen=True)
class LiveServer:
    url: str
    database_url: str


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def chromium_executable() -> Path:
    if CHROMIUM.exists():
        return CHROMIUM
    reason = (
        f"Chromium is not installed at {CHROMIUM}: the browser tests need Debian's "
        "chromium package (apt-get install chromium)."
    )
    if os.environ.get("CI") == "true":
        pytest.fail(reason + " Browser tests never skip in CI.", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser_database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database of its own: SQLite in a temporary instance folder, or a fresh database
    on QUIZ_TEST_DATABASE_URL's server (the other tests empty theirs between tests)."""
    if not TEST_DATABASE_URL:
        instance = tmp_path_factory.mktemp("browser-instance")
        yield f"sqlite:///{instance / 'quiz.sqlite3'}"
        return
    url = make_url(TEST_DATABASE_URL)
    name = f"{url.database}_browser"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _run_flask(env: dict[str, str], *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [str(VENV_BIN / "flask"), "--app", "quiz", *args],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _create_accounts(env: dict[str, str]) -> subprocess.Popen:
    process = subprocess.Popen(
        [str(VENV_BIN / "python"), "-c", CREATE_ACCOUNTS],
        cwd=PROJECT_ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdin
    process.stdin.write(json.dumps({"accounts": ACCOUNTS, "password": PASSWORD}))
    process.stdin.close()
    return process


def _finish(*processes: subprocess.Popen) -> None:
    for process in processes:
        output = process.stdout.read() if process.stdout else ""
        process.wait(timeout=120)
        if process.returncode != 0:
            raise RuntimeError(f"{' '.join(process.args)} failed:\n{output}")


def _wait_until_serving(url: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url + "/", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    raise RuntimeError(f"gunicorn did not answer on {url} within 30 s:\n{log.read_text()}")


@pytest.fixture(scope="session")
def live_server(
    chromium_executable: Path,
    browser_database_url: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[LiveServer]:
    env = {
        **os.environ,
        "QUIZ_DATABASE_URL": browser_database_url,
        "QUIZ_SECRET_KEY": "browser-tests-secret-key",
        "QUIZ_ENV": "development",
    }
    _finish(_run_flask(env, "db", "upgrade"))
    _finish(_run_flask(env, "decks", "load", "questions/"), _create_accounts(env))

    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp_path_factory.mktemp("gunicorn") / "gunicorn.log"
    with log.open("w") as log_file:
        server = subprocess.Popen(
            [
                str(VENV_BIN / "gunicorn"),
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{port}",
                "--graceful-timeout",
                "5",
                "wsgi:app",
            ],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_serving(url, server, log)
        yield LiveServer(url=url, database_url=browser_database_url)
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.fixture(scope="session")
def browser(chromium_executable: Path) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(chromium_executable), args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser: Browser, live_server: LiveServer) -> Iterator[Callable[..., Page]]:
    """Open a page in a new browser context (a separate person); keyword arguments go
    to ``new_context`` (a phone's viewport, say). Every context closes after the test."""
    contexts: list[BrowserContext] = []

    def open_page(**context_options) -> Page:
        context = browser.new_context(base_url=live_server.url, **context_options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page: Callable[..., Page]) -> Page:
    return new_page()


@pytest.fixture(scope="session")
def axe() -> Axe:
    return Axe()


def describe_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            target = ", ".join(str(t) for t in node["target"])
            lines.append(f"    {target}: {node['html'][:200]}")
            checks = node.get("any", []) + node.get("all", []) + node.get("none", [])
            lines.extend(f"      {check['message']}" for check in checks[:1])
    return "\n".join(lines)


@pytest.fixture
def check_accessibility(axe: Axe, subtests) -> Callable[[Page, str], None]:
    """Run axe-core on the page as it is now: no serious or critical violation.

    Each check is a subtest, so a known app bug xfails that check alone and the
    journey carries on."""

    def check(page: Page, name: str) -> None:
        with subtests.test(msg=f"accessibility of the {name}"):
            violations = [
                v
                for v in axe.run(page).response["violations"]
                if v.get("impact") in ("serious", "critical")
            ]
            known = [v for v in violations if (name, v["id"]) in KNOWN_ACCESSIBILITY_BUGS]
            unknown = [v for v in violations if v not in known]
            assert not unknown, (
                f"The {name} ({page.url}) has serious accessibility violations:\n"
                + describe_violations(unknown)
            )
            if known:
                pytest.xfail(
                    "; ".join(
                        f"{v['id']}: {KNOWN_ACCESSIBILITY_BUGS[(name, v['id'])]}" for v in known
                    )
                )

    return check


@pytest.fixture(scope="session")
def screenshot() -> Callable[[Page, str], None]:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def save(page: Page, name: str) -> None:
        page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)

    return save


@pytest.fixture(scope="session")
def readme_shot(browser: Browser, live_server: LiveServer) -> Callable[..., None]:
    """Save a small picture of the top of the page for the README.

    The page is opened again in a context of its own with the page's cookies (so as
    the same person), at half the pixel density: a 1200×800 window (or a 390×844 phone
    with ``phone=True``) becomes a 600×400 (195×422) image of some 30–80 KB. They are
    rewritten only when QUIZ_README_SHOTS=1 (`QUIZ_README_SHOTS=1 make test`), so that
    an ordinary test run leaves the committed pictures alone."""
    enabled = os.environ.get("QUIZ_README_SHOTS") == "1"
    if enabled:
        README_SHOTS.mkdir(exist_ok=True)

    def save(page: Page, name: str, *, phone: bool = False) -> None:
        if not enabled:
            return
        context = browser.new_context(
            base_url=live_server.url,
            storage_state=page.context.storage_state(),
            **(README_PHONE if phone else README_DESKTOP),
        )
        try:
            context.set_default_timeout(TIMEOUT_MS)
            small = context.new_page()
            response = small.goto(page.url)
            assert response and response.ok, f"{page.url} answered {response and response.status}"
            small.screenshot(path=README_SHOTS / f"{name}.png", animations="disabled", caret="hide")
        finally:
            context.close()

    return save
