"""The parts of the CPU bench that do not need valgrind: reading callgrind's dumps, and
turning their counts into instructions per request and the table's ratios."""

from __future__ import annotations

import pytest

from tests.bench import bench_cpu
from tests.bench.bench_http import PAGES
from tests.conftest import csrf_from
from tests.factories import make_user
from tests.web.test_student_path import login


def _dump(path, trigger: str, total: int) -> None:
    path.write_text(
        "version: 1\ncreator: callgrind-3.19.0\ndesc: I1 cache: \n"
        f"desc: Trigger: {trigger}\n\npositions: line\nevents: Ir\n"
        f"summary: {total}\n\nfn=(1) main\n1 {total}\n\ntotals: {total}\n"
    )


def test_each_dump_is_read_under_its_label_and_the_final_file_is_left_out(tmp_path):
    out = tmp_path / "callgrind.out"
    _dump(out, "Program termination", 7)
    _dump(tmp_path / "callgrind.out.1", f"dump {bench_cpu.NOTHING}", 600)
    _dump(tmp_path / "callgrind.out.2", "dump app-quiz-question", 30_600)
    _dump(tmp_path / "other.out.3", "dump app-deck-list", 1)
    assert bench_cpu.read_dumps(out) == {bench_cpu.NOTHING: 600, "app-quiz-question": 30_600}


def test_dump_names_keep_only_words_and_hyphens():
    assert bench_cpu.dump_name("app answer (POST)") == "app-answer-post"
    assert bench_cpu.dump_name("floor gradebook") == "floor-gradebook"


def test_the_cost_of_measuring_is_taken_off_before_dividing_by_the_requests():
    counts = {bench_cpu.NOTHING: 600, "app-quiz-question": 30_600, "baseline-quiz-question": 500}
    assert bench_cpu.per_request(counts, 5) == {
        "app-quiz-question": 6_000,
        "baseline-quiz-question": 0,  # never below nothing
    }


def test_the_table_gives_each_page_its_baseline_and_floor_and_a_rating_without_its_card_back():
    each, sizes = {}, {}
    name = bench_cpu.dump_name
    for n, page in enumerate(PAGES, start=1):
        each[name(f"app {page.label}")] = 10_000_000.0 * n
        each[name(f"baseline {page.label}")] = 1_000_000.0 * n
        if page.method == "GET":
            each[name(f"floor {page.label}")] = 2_000_000.0 * n
        sizes[page.label] = 100 * n
    each[name(bench_cpu.FLOOR_WRITE)] = 3_000_000.0
    table = {row["page"]: row for row in bench_cpu.rows(each, sizes)}
    assert list(table) == [page.label for page in PAGES]
    question = table["quiz question"]
    assert question["baseline_over_app"] == pytest.approx(0.1)
    assert question["floor_over_app"] == pytest.approx(0.2)
    rating = table["review (POST)"]
    back = each["app-card-back"]
    assert rating["app_instructions"] == round(each["app-review-post"] - back)
    assert rating["floor_instructions"] == 3_000_000  # every write's: one statement
    assert rating["floor_over_app"] == pytest.approx(
        3_000_000 / rating["app_instructions"], abs=1e-3
    )
    assert table["answer (POST)"]["floor_instructions"] == 3_000_000


def test_the_fixed_cost_sets_an_empty_view_beside_the_baseline_of_its_size_and_of_a_post():
    name = bench_cpu.dump_name
    each = {
        name(bench_cpu.EMPTY_GET): 4_000_000.0,
        name(f"baseline {bench_cpu.EMPTY_GET}"): 1_000_000.0,
        name(bench_cpu.EMPTY_POST): 5_000_000.0,
        name("baseline answer (POST)"): 1_500_000.0,
    }
    assert bench_cpu.fixed_cost(each) == {
        "empty_view_instructions": 4_000_000,
        "empty_view_baseline_instructions": 1_000_000,
        "empty_view_baseline_over_app": 0.25,
        "empty_post_instructions": 5_000_000,
        "empty_post_baseline_instructions": 1_500_000,
        "empty_post_baseline_over_app": 0.3,
    }


def test_the_empty_view_runs_what_the_app_runs_for_every_page_and_nothing_more(app):
    bench_cpu.add_empty_view(app)
    client = app.test_client()
    assert client.get(bench_cpu.EMPTY).status_code == 302  # to the log-in page
    login(client, make_user().email)
    page = client.get(bench_cpu.EMPTY)
    assert page.status_code == 200 and page.data == b""
    assert "Content-Security-Policy" in page.headers
    assert client.post(bench_cpu.EMPTY).status_code == 400  # no CSRF token
    token = csrf_from(client.get("/account/password").get_data(as_text=True))
    sent = client.post(bench_cpu.EMPTY, data={"csrf_token": token})
    assert sent.status_code == 303 and sent.headers["Location"] == bench_cpu.EMPTY
