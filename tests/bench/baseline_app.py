"""The bench_http baseline: a bare Flask app that renders, from memory, an HTML page of
exactly n bytes at /page/<n> (GET, or POST with a form), under the same gunicorn settings
as the real app. What the real app reaches of its throughput is the figure that counts."""

from __future__ import annotations

from functools import lru_cache

from flask import Flask, render_template, request

TEMPLATE = (
    '<!doctype html>\n<html lang="en">\n<head><meta charset="utf-8">'
    "<title>{{ title }}</title></head>\n<body>\n<main>\n"
    "{% for line in lines %}<p>{{ line }}</p>\n{% endfor %}"
    "</main>\n<p>{{ tail }}</p>\n</body>\n</html>\n"
)
LINE = "Baseline text of a page with the same size as the page under test. "
app = Flask(__name__)
# Compiled once, as Flask compiles and caches a real app's template files: compiling it on
# every request (render_template_string) would cost the baseline several times its render.
PAGE = app.jinja_env.from_string(TEMPLATE)


@lru_cache(maxsize=256)
def _content(size: int) -> tuple[str, tuple[str, ...], str]:
    """Title, lines and padding that make TEMPLATE render to exactly `size` bytes (or its
    smallest rendering, for tinier sizes)."""
    title = "Baseline"
    with app.app_context():
        bare = len(render_template(PAGE, title=title, lines=(), tail="").encode())
    room = max(0, size - bare)
    per_line = len(LINE) + len("<p></p>\n")
    lines = tuple(LINE for _ in range(room // per_line))
    tail = "x" * (room - len(lines) * per_line)
    return title, lines, tail


@app.route("/page/<int:size>", methods=["GET", "POST"])
def page(size: int):
    title, lines, tail = _content(min(size, 50_000_000))
    if request.method == "POST":
        request.form.get("csrf_token")  # parse the body, as a real form handler would
    return render_template(PAGE, title=title, lines=lines, tail=tail)
