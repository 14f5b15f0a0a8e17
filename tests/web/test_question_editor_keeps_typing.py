"""The question editor without JavaScript: Enter saves, and a change of kind keeps what
the teacher typed (the forms are submitted as a browser would submit them)."""

from __future__ import annotations

import re

import pytest

from quiz.extensions import db
from quiz.models import Item, User
from quiz.services import authoring
from tests.conftest import csrf_from
from tests.factories import make_user
from tests.services.test_authoring import _single, _used_set
from tests.web.browser_form import PageForm
from tests.web.test_student_path import login

KINDS = ("single", "multiple", "true_false", "ordering", "flashcard")


@pytest.fixture
def deck(client, app):
    teacher = make_user(role="teacher")
    login(client, teacher.email)
    return authoring.create_set(teacher, "Geography")


def _editor(response) -> PageForm:
    return PageForm(response.get_data(as_text=True), "item-form")


def _send(client, url, form: PageForm, button=None, **changes):
    return client.post(url, data=form.submission(button, **changes))


def _items():
    return db.session.execute(db.select(Item)).scalars().all()


TYPED = {
    "prompt": "Capital of France?",
    "explanation": "Paris has been the capital since 987.",
    "source": "Atlas, page 3",
    "choices-0-text": "Lyon",
    "choices-1-text": "Paris",
    "choices-2-text": "Nice",
    "right": "1",
}


@pytest.mark.parametrize("kind", KINDS)
def test_enter_in_a_new_question_saves_its_first_submit_button_is_save(client, deck, kind):
    form = _editor(client.get(f"/teach/sets/{deck.id}/items/new?kind={kind}"))
    names = form.button_names()
    assert names[0] == "save"  # what Enter in a one-line field presses
    # The visible buttons keep their places: "Change kind" by the list, Save at the end.
    assert names[1] == "change_kind" and names[-2:] == ["save", "save_add"]
    default = form.buttons[0][1]
    assert "visually-hidden" in default["class"].split() and default["tabindex"] == "-1"
    assert default["aria-hidden"] == "true"


def test_enter_in_the_editor_of_a_question_saves_not_removes_a_choice(client, app):
    deck, _, _ = _used_set()  # used by a learner: no "Change kind", rows with "Remove"
    owner = db.session.get(User, deck.owner_id)
    login(client, owner.email)
    item = deck.items[0]
    url = f"/teach/sets/{deck.id}/items/{item.id}/edit"
    form = _editor(client.get(url))
    assert form.button_names()[:2] == ["save", "remove_choice"]

    response = _send(client, url, form, **{"choices-2-text": "Marseille"})

    assert response.status_code == 302
    db.session.expire_all()
    assert [c.text for c in db.session.get(Item, item.id).choices] == [
        "Paris",
        "Lyon",
        "Marseille",
    ]


def test_enter_in_a_choice_saves_the_question_with_its_right_answer(client, deck):
    url = f"/teach/sets/{deck.id}/items/new"
    form = _editor(client.get(url + "?kind=single"))

    response = _send(client, url, form, **TYPED)  # Enter in a choice's field

    assert response.status_code == 302 and response.location.endswith(f"/teach/sets/{deck.id}")
    (item,) = _items()
    assert [(c.text, c.correct) for c in item.choices] == [
        ("Lyon", False),
        ("Paris", True),
        ("Nice", False),
    ]
    assert (item.explanation, item.source_ref) == (TYPED["explanation"], TYPED["source"])


@pytest.mark.parametrize("via", ["flashcard", "true_false", "ordering", "multiple"])
def test_a_kind_change_and_back_keeps_the_typed_choices_and_the_right_answer(client, deck, via):
    url = f"/teach/sets/{deck.id}/items/new"
    form = _editor(client.get(url + "?kind=single"))

    away = _send(client, url, form, "change_kind", **TYPED, kind=via)
    assert away.status_code == 200
    assert f'name="shown_kind" value="{via}"' in away.get_data(as_text=True)
    back = _send(client, url, _editor(away), "change_kind", kind="single")

    html = back.get_data(as_text=True)
    fields = dict(_editor(back).fields)
    for key in ("prompt", "explanation", "source", "choices-0-text", "choices-1-text"):
        assert fields[key] == TYPED[key], key
    assert fields["choices-2-text"] == "Nice" and fields["right"] == "1"
    assert re.findall(r'name="right" value="(\d)" checked', html) == ["1"]
    assert _items() == []  # nothing saved on the way
    assert _send(client, url, _editor(back)).status_code == 302  # Enter saves it as typed
    (item,) = _items()
    assert [(c.text, c.correct) for c in item.choices] == [
        ("Lyon", False),
        ("Paris", True),
        ("Nice", False),
    ]


def test_a_kind_without_choices_says_it_keeps_them_and_saves_without_them(client, deck):
    url = f"/teach/sets/{deck.id}/items/new"
    form = _editor(client.get(url + "?kind=single"))
    card = _send(client, url, form, "change_kind", **TYPED, kind="flashcard")
    html = card.get_data(as_text=True)
    assert "The 3 choices you typed are kept while you edit" in html
    assert "A flashcard is saved without them." in html
    assert 'type="hidden" name="choices-1-text" value="Paris"' in html

    saved = _send(client, url, _editor(card), "save", back="Paris")

    assert saved.status_code == 302
    (item,) = _items()
    assert (item.kind, item.back, item.choices) == ("flashcard", "Paris", [])


def test_a_true_or_false_answer_and_a_cards_back_survive_a_change_of_kind(client, deck):
    url = f"/teach/sets/{deck.id}/items/new"
    statement = _editor(client.get(url + "?kind=true_false"))
    away = _send(client, url, statement, "change_kind", prompt="Paris is big.", answer="false")
    back = _send(client, url, _editor(away), "change_kind", kind="true_false")
    chosen = re.findall(
        r'<input checked id="answer-\d" name="answer" type="radio" value="(\w+)"',
        (back.get_data(as_text=True)),
    )
    assert chosen == ["false"]

    card = _editor(client.get(url + "?kind=flashcard"))
    two_lines = "Paris\r\non the Seine"
    away = _send(client, url, card, "change_kind", prompt="Capital?", back=two_lines, kind="single")
    back = _send(client, url, _editor(away), "change_kind", kind="flashcard")
    assert dict(_editor(back).fields)["back"] == two_lines


def test_several_right_answers_made_one_right_answer_leave_the_choice_to_the_teacher(client, deck):
    url = f"/teach/sets/{deck.id}/items/new"
    form = _editor(client.get(url + "?kind=multiple"))
    ticked = {"choices-0-text": "a", "choices-0-correct": "y"}
    ticked |= {"choices-1-text": "b", "choices-1-correct": "y"}
    single = _send(client, url, form, "change_kind", prompt="Q?", kind="single", **ticked)
    html = single.get_data(as_text=True)
    assert "Several choices were marked right: choose the one right answer." in html
    assert re.findall(r'name="right" value="\d" checked', html) == []  # no guess


def test_saving_after_choosing_another_kind_in_the_list_saves_nothing_and_shows_it(client, deck):
    url = f"/teach/sets/{deck.id}/items/new"
    form = _editor(client.get(url + "?kind=single"))

    # The kind chosen in the list, then Enter in a field, without "Change kind".
    response = _send(client, url, form, **TYPED, kind="true_false")

    html = response.get_data(as_text=True)
    assert response.status_code == 200 and _items() == []
    assert "Nothing was saved yet: you chose another kind of question" in html
    assert re.search(r'id="form-notice" tabindex="-1" autofocus', html)
    assert "<legend>The statement is</legend>" in html
    assert 'type="hidden" name="choices-1-text" value="Paris"' in html


def test_the_editor_of_a_used_question_keeps_its_kind_when_a_choice_is_added(client, app):
    deck, _, _ = _used_set()
    login(client, db.session.get(User, deck.owner_id).email)
    url = f"/teach/sets/{deck.id}/items/{deck.items[0].id}/edit"
    added = _send(client, url, _editor(client.get(url)), "add_choice")
    html = added.get_data(as_text=True)
    assert "Learners have used this question, so its kind stays" in html
    assert 'name="change_kind"' not in html and 'name="choices-3-text"' in html


@pytest.mark.parametrize("button", [None, "change_kind", "save"])
def test_the_question_editor_still_needs_its_csrf_token(client, deck, button):
    authoring.save_item(deck, _single())
    url = f"/teach/sets/{deck.id}/items/new"
    page = client.get(url + "?kind=single")
    assert csrf_from(page.get_data(as_text=True))
    data = _editor(page).submission(button, **TYPED)
    data.pop("csrf_token")
    assert client.post(url, data=data).status_code == 400
    assert len(_items()) == 1
