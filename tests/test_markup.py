"""Teacher text: the Markdown subset is rendered, anything dangerous is not."""

from __future__ import annotations

from html import escape
from html.parser import HTMLParser
from pathlib import Path

import pytest

from quiz.bank.deck_yaml import read_bank
from quiz.markup import render_inline, render_markdown, score_badge

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '<a href="#" onclick="alert(1)">x</a>',
    "<iframe src=//evil.example></iframe>",
    "**bold <b onmouseover=alert(1)>x</b>**",
    "`<script>alert(1)</script>`",
    "<style>body{display:none}</style>",
    '"><script>alert(1)</script>',
]


def test_the_allowed_subset_renders():
    html = render_markdown("*em* **strong** `code`\n\n- one\n- two\n\n[site](https://example.com)")
    assert "<em>em</em>" in html and "<strong>strong</strong>" in html
    assert "<code>code</code>" in html and "<li>one</li>" in html
    assert '<a href="https://example.com" rel="noopener noreferrer nofollow">site</a>' in html


ALLOWED_TAGS = {"p", "br", "em", "strong", "ul", "ol", "li", "code", "pre", "a"}


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


@pytest.mark.parametrize("payload", PAYLOADS)
def test_no_payload_leaves_an_executable_tag_or_handler(payload):
    for html in (str(render_markdown(payload)), str(render_inline(payload))):
        parser = _Elements()
        parser.feed(html)
        for tag, attrs in parser.found:
            assert tag in ALLOWED_TAGS, html
            assert not any(name.startswith("on") for name in attrs), html
            href = (attrs.get("href") or "").strip().lower()
            assert not href or href.startswith(("http:", "https:", "mailto:")), html


def test_headings_and_images_stay_as_typed():
    assert str(render_inline("# Not a heading")) == "# Not a heading"
    assert "<img" not in str(render_markdown("![alt](https://example.com/x.png)"))


def test_every_built_in_text_renders_as_itself():
    decks, errors = read_bank(Path(__file__).resolve().parents[1] / "questions")
    assert errors == []
    for deck in decks:
        for item in deck.items:
            for text in (item.prompt, item.explanation, item.back, *(c.text for c in item.choices)):
                if text:
                    assert str(render_inline(text)) == escape(text, quote=False), text


@pytest.mark.parametrize(
    ("value", "html"),
    [
        (None, '<span class="badge badge-none">not taken</span>'),
        (0.0, '<span class="badge badge-low">0%</span>'),
        (0.495, '<span class="badge badge-mid">50%</span>'),  # rounded half up, as scores
        (0.79, '<span class="badge badge-mid">79%</span>'),
        (0.8, '<span class="badge badge-good">80%</span>'),
        (1.0, '<span class="badge badge-good">100%</span>'),
    ],
)
def test_score_badge_rounds_like_scores_and_colours_by_band(value, html):
    assert score_badge(value) == html
