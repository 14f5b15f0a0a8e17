"""Benchmark: the CPU instructions one request costs, counted by valgrind's callgrind, for
every page bench_http loads, against the bare-Flask baseline's page of the same size and
the stack's floor (floor_app.py: its cheapest log-in check at that size, and for a write
its one-statement write). In-process, through Flask's test client, on the 1x data set of
bench_http (SQLite).

Throughput on a shared machine drifts from one minute to the next (bench_http's ratios
moved by a factor of two between two days), and an instruction count does not: the same
code, data and Python give the same count to within a few parts in a thousand, whatever
else the machine is doing. So this is the figure to weigh a change of the app's code with. It
counts the work done in the process (Python, the app, SQLite, the drivers), and not the
kernel's (sockets, file reads and locks), gunicorn's or a database server's: the ratios
under load in bench_http are lower.

Run by `make bench` (which installs Debian's valgrind when it is missing and it runs as
root) or `python -m tests.bench.bench_cpu`; prints a table and writes JSON
(QUIZ_BENCH_CPU_OUTPUT, default bench-cpu-results.json). Each figure is the count of
QUIZ_BENCH_CPU_REQUESTS requests (5) after 3 unmeasured ones, divided by their number,
less what turning the counting on and off costs.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

from tests.bench import http_data
from tests.bench.http_data import Dataset, Sizes

ROOT = Path(__file__).resolve().parents[2]
REQUESTS = int(os.environ.get("QUIZ_BENCH_CPU_REQUESTS", "5"))
WARMUP = 3
NOTHING = "nothing"  # counting on, off and a dump with no request: taken off each figure
FLOOR_WRITE = "floor write"  # every write page's floor: floor_app's POST /floor/write-core
EMPTY = "/bench/empty"  # a view that does nothing, behind all the app does for any request
EMPTY_GET, EMPTY_POST = "app empty view", "app empty view (POST)"
DUMP_RE = re.compile(r"^desc: Trigger: dump (.+)$", re.M)
TOTALS_RE = re.compile(r"^totals: (\d+)$", re.M)


# --- Inside valgrind ------------------------------------------------------------------


def dump_name(label: str) -> str:
    """A label as callgrind_control passes a dump's name on: words and hyphens only
    ("app answer (POST)" is "app-answer-post")."""
    return re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")


def _callgrind(*args: str) -> None:
    """Tell the callgrind running this process to do something (it waits until done)."""
    subprocess.run(["callgrind_control", *args, str(os.getpid())], check=True, capture_output=True)


def _measure(label: str, call: Callable[[], object], n: int) -> None:
    """Count the instructions of n calls (after the warm-up) into a dump named label."""
    for _ in range(WARMUP if n else 0):
        call()
    _callgrind("--instr=on")
    for _ in range(n):
        call()
    # Off before the dump: a dump resets the count, but what ran between it and turning
    # the counting off would land in the next dump (and not in NOTHING's, the first).
    _callgrind("--instr=off")
    _callgrind(f"--dump={dump_name(label)}")


def add_empty_view(app) -> None:
    """A view of the app that does nothing but need a log-in: a GET answers an empty page,
    a POST (with its CSRF token) redirects. Everything else the app runs for a request
    runs for it (the session cookie, Flask-Login's check of the log-in, CSRFProtect, the
    rate limiter's filter, the checks of the request's text and of a temporary password,
    the security headers, the end of the request's database session): its count is the
    app's own cost of a request before a page does any work."""
    from flask import redirect, request
    from flask_login import login_required

    @login_required
    def empty():
        if request.method == "POST":
            return redirect(EMPTY, 303)
        return ""

    app.add_url_rule(EMPTY, "bench_empty", empty, methods=["GET", "POST"])


def drive(dataset_file: str, sizes_file: str) -> None:
    """Run in valgrind: every page of the app, then the baseline and the floor at each
    page's size, each into its own dump. Writes the pages' sizes to sizes_file."""
    from tests.bench import bench_http
    from tests.bench.baseline_app import app as baseline
    from tests.bench.floor_app import create_floor_app, create_table

    ds = Dataset(**json.loads(Path(dataset_file).read_text()))
    app = bench_http.in_process_app(ds.url, tempfile.mkdtemp(prefix="quiz-bench-cpu-"))
    add_empty_view(app)  # before the first request, as Flask requires
    clients = {
        role: bench_http.logged_in_client(app, email)
        for role, email in (
            ("student", ds.student_emails[0]),
            ("learner", ds.learner_email),
            ("teacher", ds.teacher_email),
        )
    }
    paths = bench_http._paths(ds, 0)
    student = clients["student"]
    answer = {
        "csrf_token": bench_http._find(
            bench_http.CSRF_RE, student.get(paths["quiz question"]).data
        ),
        "choice": bench_http.FIRST_CHOICE,
    }

    def rating() -> dict:
        """The rating form as the card's back gives it now (a rating of a card version
        already rated stores nothing)."""
        return bench_http.rating_form(clients["learner"].get(paths["card back"]).data)

    def request_of(page) -> Callable[[], object]:
        client, path = clients[page.role], paths[page.label]
        if page.label == "answer (POST)":
            return lambda: client.post(path, data=answer)
        if page.label == "review (POST)":
            # With the back of the card it rates, whose own count is taken off (rows).
            return lambda: client.post(path, data=rating())
        return lambda: client.get(path)

    def baseline_of(size: int, method: str) -> Callable[[], object]:
        if method == "POST":
            return lambda: base.post(f"/page/{size}", data={"csrf_token": "x"})
        return lambda: base.get(f"/page/{size}")

    def floor_of(size: int) -> Callable[[], object]:
        return lambda: floor.get(f"/floor/core/{size}")

    sizes: dict[str, int] = {}
    _measure(NOTHING, lambda: None, 0)
    for page in bench_http.PAGES:
        call = request_of(page)
        response = call()
        if response.status_code >= 400:
            raise RuntimeError(f"{page.label}: HTTP {response.status_code}")
        sizes[page.label] = len(response.data)
        _measure(f"app {page.label}", call, REQUESTS)

    create_table(ds.url)
    floor = create_floor_app(ds.url, bench_http.SECRET).test_client()
    floor.set_cookie("session", student.get_cookie("session").value)
    base = baseline.test_client()
    # A write's floor, as in bench_http: the log-in check and the row in one INSERT ...
    # SELECT (the session's CSRF token is the app's: the same secret key and cookie).
    write_form = {"csrf_token": answer["csrf_token"]}

    def floor_write() -> object:
        return floor.post("/floor/write-core", data=write_form)

    if floor_write().status_code != 303:
        raise RuntimeError("the floor's write was refused")
    for page in bench_http.PAGES:
        size = sizes[page.label]
        _measure(f"baseline {page.label}", baseline_of(size, page.method), REQUESTS)
        if page.method == "GET":
            _measure(f"floor {page.label}", floor_of(size), REQUESTS)
    _measure(FLOOR_WRITE, floor_write, REQUESTS)

    empty_calls = {
        EMPTY_GET: lambda: student.get(EMPTY),
        EMPTY_POST: lambda: student.post(EMPTY, data=write_form),
    }
    for label, call in empty_calls.items():
        response = call()
        if response.status_code not in (200, 303):
            raise RuntimeError(f"{label}: HTTP {response.status_code}")
        sizes[label] = len(response.data)
        _measure(label, call, REQUESTS)
    _measure(f"baseline {EMPTY_GET}", baseline_of(sizes[EMPTY_GET], "GET"), REQUESTS)
    Path(sizes_file).write_text(json.dumps(sizes))


# --- Outside --------------------------------------------------------------------------


def read_dumps(out_file: Path) -> dict[str, int]:
    """Each dump's name and its instruction count, from callgrind's numbered files."""
    counts = {}
    for dump in out_file.parent.glob(out_file.name + ".*"):
        text = dump.read_text(errors="replace")
        label, total = DUMP_RE.search(text), TOTALS_RE.search(text)
        if label and total:
            counts[label.group(1).strip()] = int(total.group(1))
    return counts


def per_request(counts: dict[str, int], n: int) -> dict[str, float]:
    """Instructions per request of each measured label, less the cost of measuring."""
    overhead = counts.get(NOTHING, 0)
    return {
        label: max(0, total - overhead) / n for label, total in counts.items() if label != NOTHING
    }


def rows(each: dict[str, float], sizes: dict[str, int]) -> list[dict]:
    """The table: each page's instructions, the baseline's and the floor's at its size."""
    from tests.bench.bench_http import PAGES

    table = []
    for page in PAGES:
        app = each[dump_name(f"app {page.label}")]
        if page.label == "review (POST)":
            app -= each[dump_name("app card back")]  # its calls read the card's back first
        baseline = each[dump_name(f"baseline {page.label}")]
        floor = each.get(dump_name(FLOOR_WRITE if page.method == "POST" else f"floor {page.label}"))
        table.append(
            {
                "page": page.label,
                "kind": page.kind,
                "bytes": sizes[page.label],
                "app_instructions": round(app),
                "baseline_instructions": round(baseline),
                "floor_instructions": None if floor is None else round(floor),
                "baseline_over_app": round(baseline / app, 3) if app else None,
                "floor_over_app": None if floor is None or not app else round(floor / app, 3),
            }
        )
    return table


def fixed_cost(each: dict[str, float]) -> dict:
    """The app's request with a view that does nothing (add_empty_view), GET and POST,
    beside the baseline's page of the same size and the baseline's POST of the answer:
    the most any page of the app could reach."""
    get, post = each[dump_name(EMPTY_GET)], each[dump_name(EMPTY_POST)]
    get_baseline = each[dump_name(f"baseline {EMPTY_GET}")]
    post_baseline = each[dump_name("baseline answer (POST)")]
    return {
        "empty_view_instructions": round(get),
        "empty_view_baseline_instructions": round(get_baseline),
        "empty_view_baseline_over_app": round(get_baseline / get, 3) if get else None,
        "empty_post_instructions": round(post),
        "empty_post_baseline_instructions": round(post_baseline),
        "empty_post_baseline_over_app": round(post_baseline / post, 3) if post else None,
    }


def print_fixed_cost(fixed: dict) -> None:
    print(
        "\nThe app's own cost of a request whose view does nothing (log-in check, CSRF, rate"
        "\nlimiter's filter, text checks, security headers, session), millions:"
    )
    for kind, key in (("GET ", "empty_view"), ("POST", "empty_post")):
        print(
            f"  {kind} {fixed[key + '_instructions'] / 1e6:.2f}, baseline "
            f"{fixed[key + '_baseline_instructions'] / 1e6:.2f}: "
            f"baseline/app {fixed[key + '_baseline_over_app']:.2f}"
        )


def print_table(table: list[dict]) -> None:
    print("\nCPU instructions per request, in-process (callgrind), millions; SQLite")
    print(
        f"{'page':24} {'kind':9} {'bytes':>7} {'app':>7} {'baseline':>9} {'floor':>7} "
        f"{'baseline/app':>13} {'floor/app':>10}"
    )
    for r in table:
        floor = "–" if r["floor_instructions"] is None else f"{r['floor_instructions'] / 1e6:.2f}"
        floor_ratio = "–" if r["floor_over_app"] is None else f"{r['floor_over_app']:.2f}"
        print(
            f"{r['page']:24} {r['kind']:9} {r['bytes']:>7} {r['app_instructions'] / 1e6:>7.2f} "
            f"{r['baseline_instructions'] / 1e6:>9.2f} {floor:>7} "
            f"{r['baseline_over_app']:>13.2f} {floor_ratio:>10}"
        )


def main() -> None:
    for tool in ("valgrind", "callgrind_control"):
        if shutil.which(tool) is None:
            sys.exit("bench_cpu needs valgrind: apt-get install valgrind (or your system's)")
    started = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="quiz-bench-cpu-"))
    try:
        url = f"sqlite:///{work / 'bench-cpu.sqlite3'}"
        print("[cpu] building the 1x data set", flush=True)
        ds = http_data.build(url, Sizes())
        dataset_file, sizes_file = work / "dataset.json", work / "sizes.json"
        dataset_file.write_text(json.dumps(asdict(ds)))
        out_file = work / "callgrind.out"
        print(f"[cpu] counting {REQUESTS} requests of each page under callgrind", flush=True)
        done = subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                "--instr-atstart=no",
                f"--callgrind-out-file={out_file}",
                sys.executable,
                "-m",
                "tests.bench.bench_cpu",
                "--drive",
                str(dataset_file),
                str(sizes_file),
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"the run under callgrind failed: {done.stderr[-3000:]}")
        sizes = json.loads(sizes_file.read_text())
        each = per_request(read_dumps(out_file), REQUESTS)
        table, fixed = rows(each, sizes), fixed_cost(each)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print_table(table)
    print_fixed_cost(fixed)
    output = {
        "requests_per_figure": REQUESTS,
        "python": sys.version.split()[0],
        "valgrind": subprocess.run(
            ["valgrind", "--version"], capture_output=True, text=True, check=False
        ).stdout.strip(),
        "pages": table,
        "fixed_cost": fixed,
        "seconds": round(time.perf_counter() - started, 1),
    }
    out = Path(os.environ.get("QUIZ_BENCH_CPU_OUTPUT", "bench-cpu-results.json"))
    out.write_text(json.dumps(output, indent=2))
    print(f"written to {out}; the CPU bench took {output['seconds']} s", file=sys.stderr)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--drive"]:
        drive(sys.argv[2], sys.argv[3])
    else:
        main()
