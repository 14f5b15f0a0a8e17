"""The parts of the CPU bench that do not need valgrind: reading callgrind's dumps, and
turning their counts into instructions per request and the table's ratios."""

from __future__ import annotations

import pytest

from tests.bench import bench_cpu
from tests.bench.bench_http import PAGES


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


def test_the_table_gives_each_page_its_baseline_and_floor_and_a_rating_without_its_card():
    each, sizes = {}, {}
    name = bench_cpu.dump_name
    for n, page in enumerate(PAGES, start=1):
        each[name(f"app {page.label}")] = 10_000_000.0 * n
        each[name(f"baseline {page.label}")] = 1_000_000.0 * n
        if page.method == "GET":
            each[name(f"floor {page.label}")] = 2_000_000.0 * n
        sizes[page.label] = 100 * n
    table = {row["page"]: row for row in bench_cpu.rows(each, sizes)}
    assert list(table) == [page.label for page in PAGES]
    question = table["quiz question"]
    assert question["baseline_over_app"] == pytest.approx(0.1)
    assert question["floor_over_app"] == pytest.approx(0.2)
    rating = table["review (POST)"]
    back = each["app-card-back"]
    assert rating["app_instructions"] == round(each["app-review-post"] - back)
    assert rating["floor_instructions"] is None and rating["floor_over_app"] is None
