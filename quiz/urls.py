"""URLs: where a user starts, and for long lists the same route for many ids or slugs,
built once per page."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from urllib.parse import quote

from flask import request, url_for

_SENTINEL = "9876543210"


def url_with(endpoint: str, name: str, **values: object) -> Callable[[object], str]:
    """A function giving url_for(endpoint, **{name: value}, **values) for any value.

    url_for runs once, with a placeholder; each call then only puts its value in the
    placeholder's place, percent-encoded. A page with a link for each of a thousand
    students or fifty decks saves a route build per link. For ids and slugs (letters,
    digits, '-', '_'), which every route converter writes as they are.
    """
    head, found, tail = url_for(endpoint, **values, **{name: _SENTINEL}).partition(_SENTINEL)
    if not found or "?" in head:  # absent, or sent as a query argument
        raise ValueError(f"{endpoint} does not put {name} in its path")
    return lambda value: f"{head}{quote(str(value), safe='')}{tail}"


# The links of every page's header, by name: the same on every page, so built once.
_NAV_ENDPOINTS = {
    "home": "learn.home",
    "decks": "learn.decks",
    "study": "study.everything",
    "dashboard": "learn.dashboard",
    "scores": "learn.scores",
    "sets": "teach.index",
    "classes": "classes.index",
    "settings": "learn.settings",
    "logout": "auth.logout",
    "login": "auth.login",
    "signup": "auth.signup",
}


@lru_cache(maxsize=16)
def _nav_urls(script_root: str) -> dict[str, str]:
    urls = {name: url_for(endpoint) for name, endpoint in _NAV_ENDPOINTS.items()}
    urls["stylesheet"] = url_for("static", filename="style.css")
    return urls


def nav_urls() -> dict[str, str]:
    """The header's URLs, built once for each root the app is served under (a template
    global: base.html asks for them on every page)."""
    return _nav_urls(request.script_root)


def start_url(user) -> str:
    """Where a logged-in user starts: a teacher at their classes, a student at the decks
    (with their assignments on top)."""
    return url_for("classes.index" if user.is_teacher else "learn.decks")
