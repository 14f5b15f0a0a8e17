"""Teacher text: a small, safe subset of Markdown rendered and sanitised on the server."""

from __future__ import annotations

import re
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

from quiz.domain.grading import percent

# Emphasis, lists, code and links; no raw HTML, images, headings or tables. Anything
# else stays visible as the text that was typed.
_MD = MarkdownIt("zero", {"html": False, "linkify": False, "breaks": True}).enable(
    ["emphasis", "list", "backticks", "fence", "code", "link", "newline", "escape"]
)
_TAGS = {"p", "br", "em", "strong", "ul", "ol", "li", "code", "pre", "a"}
_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
_SINGLE_PARAGRAPH = re.compile(r"^<p>(.*)</p>\s*$", re.DOTALL)
# Rendering is a pure function of the text and costs ~0.2 ms (parse + sanitise), while
# the same prompts, choices and explanations are shown over and over: keep the most
# recent results (a few MB at most; each worker process has its own).
_CACHE_SIZE = 8192


@lru_cache(maxsize=_CACHE_SIZE)
def render_markdown(text: str | None) -> Markup:
    html = _MD.render(text or "")
    clean = nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(clean.strip())  # nosec B704 - nh3 has sanitised it


@lru_cache(maxsize=_CACHE_SIZE)
def render_inline(text: str | None) -> Markup:
    """Markdown for places that take only phrasing content (labels, list items)."""
    html = str(render_markdown(text))
    match = _SINGLE_PARAGRAPH.match(html)
    if match and "<p>" not in match.group(1):
        return Markup(match.group(1))  # nosec B704 - part of sanitised HTML
    return Markup(html)  # nosec B704 - sanitised HTML


@lru_cache(maxsize=4096)
def score_badge(value: float | None) -> Markup:
    """A score as a coloured badge (80% and over good, 50% and over middling), or "not
    taken" when there is no score."""
    if value is None:
        return Markup('<span class="badge badge-none">not taken</span>')
    pct = percent(value)
    level = "good" if pct >= 80 else "mid" if pct >= 50 else "low"
    return Markup(f'<span class="badge badge-{level}">{pct}%</span>')  # nosec B704 - an int
