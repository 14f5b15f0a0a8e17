"""A teacher prints one of their sets as a paper test, with or without its answer key."""

from __future__ import annotations

import re

from quiz.domain.items import ChoiceSpec, ItemKind, ItemSpec
from quiz.models import Role
from quiz.services import authoring
from tests.factories import make_user, single
from tests.web.test_student_path import login

ORDERING = ItemSpec(
    key="order",
    kind=ItemKind.ORDERING,
    prompt="Put the events in order.",
    choices=(
        ChoiceSpec("Independence", True),
        ChoiceSpec("Crimea annexed", True),
        ChoiceSpec("Full-scale invasion", True),
    ),
)
FLASHCARD = ItemSpec(key="card", kind=ItemKind.FLASHCARD, prompt="1991", back="Independence")


def _set_with_items():
    teacher = make_user(role=Role.TEACHER)
    deck = authoring.create_set(teacher, "Timeline")
    authoring.save_item(deck, single("cap", "Capital of Ukraine?", "Kyiv", "Lviv", "Odesa"))
    authoring.save_item(deck, ORDERING)
    authoring.save_item(deck, FLASHCARD)
    return teacher, deck


def _printed_letter(html: str, text: str) -> str:
    return re.search(rf'paper-letter">([A-Z])</span> <span>{re.escape(text)}</span>', html)[1]


def test_the_paper_test_lists_the_questions_and_a_key_that_matches_the_letters(client, app):
    teacher, deck = _set_with_items()
    login(client, teacher.email)
    response = client.get(f"/teach/sets/{deck.id}/print?key=1")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Capital of Ukraine?" in html and "Put the events in order." in html
    assert "2 questions." in html
    assert "Number the boxes from 1 (first) to 3 (last)." in html
    assert "1 flashcard is left out" in html and "1991" not in html
    key = html.split('id="answer-key"', 1)[1]
    items = re.findall(r"<li>\s*<strong>([A-Z0-9, ]+)</strong>", key)
    assert items[0] == _printed_letter(html, "Kyiv")
    # The ordering question's key gives the number to write in each letter's box.
    places = dict(pair.split() for pair in items[1].split(", "))
    assert [places[_printed_letter(html, c.text)] for c in ORDERING.choices] == ["1", "2", "3"]
    assert sorted(places) == ["A", "B", "C"]
    assert "Independence → Crimea annexed → Full-scale invasion" in key


def test_the_paper_test_leaves_out_its_answer_key_unless_asked(client, app):
    teacher, deck = _set_with_items()
    login(client, teacher.email)
    html = client.get(f"/teach/sets/{deck.id}/print").get_data(as_text=True)
    assert "Capital of Ukraine?" in html
    assert "Answer key" not in html and "Add the answer key" in html


def test_the_set_page_offers_the_paper_test(client, app):
    teacher, deck = _set_with_items()
    login(client, teacher.email)
    page = client.get(f"/teach/sets/{deck.id}").get_data(as_text=True)
    assert f'href="/teach/sets/{deck.id}/print"' in page
