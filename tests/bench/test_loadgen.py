"""The parts of the bench's load generator that do not need wrk: how the spec becomes
the Lua script's data, and how wrk's lines become the report."""

from __future__ import annotations

import re

import pytest

from tests.bench import bench_http
from tests.bench.loadgen import client_table, lua, lua_pattern, percentile, summarise


def test_lua_literals_escape_every_byte_that_could_end_or_change_a_string():
    assert lua('say "hi"\\\n') == '"say \\034hi\\034\\092\\010"'
    assert lua("é") == '"\\195\\169"'  # UTF-8 bytes, each escaped
    assert lua({"a": [1, 2.5, True], "b": {}}) == '{["a"] = {1, 2.5, true}, ["b"] = {}}'


def test_the_bench_extracts_with_regexes_that_read_the_same_as_lua_patterns():
    page = '<input name="csrf_token" type="hidden" value="Ab.c_d"><input name="seen" value="">'
    for regex, expected in ((bench_http.CSRF_RE, "Ab.c_d"), (bench_http.SEEN_RE, "")):
        assert lua_pattern(regex) == regex
        assert re.search(regex, page).group(1) == expected


@pytest.mark.parametrize(
    "regex",
    [r"value=\"(\d+)\"", r"(a|b)", r"(x{2})", r"(a-z)", r"(.*?)", r"(?:a)(b)", r"a(b)(c)"],
)
def test_a_regex_that_a_lua_pattern_would_read_differently_is_refused(regex):
    with pytest.raises(ValueError, match="Lua pattern"):
        lua_pattern(regex)


def test_a_client_keeps_its_form_in_order_and_its_extracts_as_pairs():
    client = {
        "cookies": {"session": "s"},
        "steps": [
            {"label": "back", "method": "GET", "path": "/c", "extract": {"csrf": 'v="([^"]+)"'}},
            {"label": "rate", "method": "POST", "path": "/r", "form": {"b": "$csrf", "a": 3}},
        ],
    }
    table = client_table(client)
    assert table["headers"] == {} and table["cookies"] == {"session": "s"}
    assert table["steps"][0]["extract"] == [["csrf", 'v="([^"]+)"']]
    assert "form" not in table["steps"][0]
    assert table["steps"][1]["form"] == [["b", "$csrf"], ["a", "3"]]


@pytest.mark.parametrize(
    ("share", "rank"), [(0.5, 50), (0.9, 90), (0.99, 99), (0.999, 100), (0.001, 1)]
)
def test_a_percentile_is_the_nearest_rank(share, rank):
    assert percentile([float(n) for n in range(1, 101)], share) == rank
    assert percentile([], share) is None


def test_the_report_counts_only_what_wrk_recorded_in_the_window_by_label():
    spec = {
        "clients": [
            {"steps": [{"label": "back"}, {"label": "rate"}]},
            {"steps": [{"label": "back"}, {"label": "rate"}]},
        ]
    }
    lines = [
        ["R", "back", "0.010000", "200", "4000"],
        ["R", "back", "0.030000", "200", "4000"],
        ["R", "rate", "0.020000", "302", "200"],
        ["E", "rate", "HTTP 400"],
        ["S", "back", "7"],
        ["S", "rate", "5"],
        ["W", "rate"],
        ["T", "0", "0", "0", "0"],
    ]
    report = summarise(spec, lines, duration=2.0)
    back, rate = report["back"], report["rate"]
    assert (back["requests"], back["rps"], back["p50_ms"], back["max_ms"]) == (2, 1.0, 10.0, 30.0)
    assert back["mean_bytes"] == 4000 and back["statuses"] == {"200": 2}
    assert (back["errors"], back["sent_total"], back["unanswered_at_stop"]) == (0, 7, 0)
    assert (rate["requests"], rate["errors"], rate["error_samples"]) == (1, 1, ["HTTP 400"])
    assert (rate["statuses"], rate["sent_total"], rate["unanswered_at_stop"]) == ({"302": 1}, 5, 1)
