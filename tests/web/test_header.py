"""Every page's header: the links a visitor, a student or a teacher gets, and which one
is marked as the current page."""

from __future__ import annotations

import re

import pytest

from tests.factories import make_user
from tests.web.test_student_path import login


def _nav(html: str) -> dict[str, tuple[bool, str]]:
    """Each header link's label: whether it is marked aria-current="page", and where it
    leads."""
    nav = html.split('<nav aria-label="Main">', 1)[1].split("</nav>", 1)[0]
    links = re.findall(r'<a (?:class="[^"]*" )?href="([^"]+)" ?([^>]*)>([^<]+)<', nav)
    return {label.strip(): ("aria-current" in rest, href) for href, rest, label in links}


def test_a_visitor_gets_log_in_and_sign_up(client, app):
    nav = _nav(client.get("/login").get_data(as_text=True))
    assert {label: href for label, (_, href) in nav.items()} == {
        "Log in": "/login",
        "Sign up": "/signup",
    }


@pytest.mark.parametrize(
    ("path", "current"),
    [("/decks", "Decks"), ("/dashboard", "Progress"), ("/scores", "Scores"), ("/study/", "Study")],
)
def test_a_student_sees_where_they_are(client, app, path, current):
    login(client, make_user().email)
    nav = _nav(client.get(path).get_data(as_text=True))
    assert list(nav) == ["Decks", "Study", "Progress", "Scores", "Settings"]
    assert [label for label, (marked, _) in nav.items() if marked] == [current]
    assert nav["Decks"][1] == "/decks" and nav["Settings"][1] == "/settings"


def test_a_teacher_also_gets_sets_and_classes(client, app):
    login(client, make_user(role="teacher").email)
    nav = _nav(client.get("/teach/classes/").get_data(as_text=True))
    assert list(nav) == ["Decks", "Study", "Progress", "Scores", "Sets", "Classes", "Settings"]
    assert [label for label, (marked, _) in nav.items() if marked] == ["Classes"]


def test_links_follow_the_root_the_app_is_served_under(client, app):
    login(client, make_user().email)
    mounted = _nav(
        client.get("/decks", environ_overrides={"SCRIPT_NAME": "/school"}).get_data(as_text=True)
    )
    assert mounted["Decks"][1] == "/school/decks"
    assert _nav(client.get("/decks").get_data(as_text=True))["Decks"][1] == "/decks"
