"""A form sent back with errors says so first: "Error:" in the page's title and a
summary at the top of the page that takes the focus (a screen reader reads it at once),
each line leading to its field."""

from __future__ import annotations

import re

from quiz.extensions import db
from quiz.models import Item
from quiz.services import authoring
from tests.conftest import csrf_from
from tests.factories import load_sample_deck, make_user
from tests.web.test_student_path import login


def _summary(html: str) -> str | None:
    found = re.search(r'<div class="[^"]*error-summary"[^>]*>.*?</div>', html, re.S)
    return found.group(0) if found else None


def test_a_refused_sign_up_is_summed_up_first_and_named_in_the_title(client, app):
    page = client.get("/signup").get_data(as_text=True)
    assert _summary(page) is None and "<title>Error" not in page
    response = client.post(
        "/signup",
        data={"csrf_token": csrf_from(page), "email": "", "password": "short", "confirm": "x"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.search(r"<title>Error: ", html)
    summary = _summary(html)
    assert summary and 'role="alert"' in summary and "autofocus" in summary
    assert '<a href="#email">Email: Enter your email address.</a>' in summary
    assert '<a href="#confirm">Repeat the password: The two passwords differ.</a>' in summary
    # It comes before the form, whose fields keep their own messages.
    assert html.index("error-summary") < html.index("<form")
    assert 'id="email-error"' in html


def _new_question_page(client) -> str:
    """A teacher logged in, and the address of a new single-answer question of theirs."""
    teacher = make_user(role="teacher")
    deck = authoring.create_set(teacher, "Set")
    login(client, teacher.email)
    return f"/teach/sets/{deck.id}/items/new?kind=single"


def test_settings_and_the_email_form_sum_up_their_errors(client, app):
    make_user(email="s@example.com")
    login(client, "s@example.com")
    token = csrf_from(client.get("/settings").get_data(as_text=True))
    settings = client.post(
        "/settings", data={"csrf_token": token, "timezone": "UTC", "daily_new_limit": "-1"}
    ).get_data(as_text=True)
    assert "New cards a day: Choose from 0 to 500 new cards a day." in _summary(settings)
    email = client.post(
        "/account/email", data={"csrf_token": token, "email": "x@example.com", "current": "no"}
    ).get_data(as_text=True)
    assert "Your password: Your current password is not right." in _summary(email)


def test_the_question_editor_sums_up_field_errors_but_not_over_its_own_notice(client, app):
    url = _new_question_page(client)
    form = {"csrf_token": csrf_from(client.get(url).get_data(as_text=True)), "kind": "single"}
    empty = client.post(url, data={**form, "shown_kind": "single"}).get_data(as_text=True)
    assert "Write the question." in _summary(empty)
    # A question with no right answer is told in the editor's own notice, focused.
    no_key = client.post(
        url,
        data={
            **form,
            "shown_kind": "single",
            "prompt": "Capital of Ukraine?",
            "choices-0-text": "Kyiv",
            "choices-1-text": "Lviv",
        },
    ).get_data(as_text=True)
    assert 'id="form-error"' in no_key and _summary(no_key) is None


def test_a_failed_log_in_is_summed_up_and_named_in_the_title(client, app):
    make_user(email="s@example.com")
    token = csrf_from(client.get("/login").get_data(as_text=True))
    html = client.post(
        "/login", data={"csrf_token": token, "email": "s@example.com", "password": "wrong one"}
    ).get_data(as_text=True)
    assert re.search(r"<title>Error: Log in", html)
    assert "Password: That email and password do not match an account." in _summary(html)


def test_a_row_of_choices_and_a_group_of_radio_buttons_lead_to_their_own_fields(client, app):
    url = _new_question_page(client)
    token = csrf_from(client.get(url).get_data(as_text=True))
    html = client.post(
        url,
        data={
            "csrf_token": token,
            "kind": "single",
            "shown_kind": "single",
            "prompt": "Capital?",
            "choices-0-text": "Kyiv",
            "choices-1-text": "x" * 1001,
            "right": "0",
        },
    ).get_data(as_text=True)
    summary = _summary(html)
    assert '<a href="#choices-1-text">Choices, row 2: Field cannot be longer than 1000' in summary
    assert "{" not in summary  # no raw data

    load_sample_deck(n=1)
    student = make_user()
    other = app.test_client()
    login(other, student.email)

    item_id = db.session.execute(db.select(Item.id)).scalars().first()
    report = f"/questions/{item_id}/report"
    page = other.get(report).get_data(as_text=True)
    sent = other.post(report, data={"csrf_token": csrf_from(page)}).get_data(as_text=True)
    link = re.search(r'<a href="#(reason-0)">', _summary(sent))
    assert link and f'id="{link.group(1)}"' in sent  # the link leads to a real element


def test_the_class_pages_assign_form_is_summed_up_too(client, app):
    from quiz.services import classes as cs

    load_sample_deck(n=1)
    teacher = make_user(role="teacher")
    klass = cs.create_class(teacher, "Year 10")
    login(client, teacher.email)
    page = client.get(f"/teach/classes/{klass.id}").get_data(as_text=True)
    response = client.post(
        f"/teach/classes/{klass.id}/assign",
        data={"csrf_token": csrf_from(page), "deck": "", "grading_method": "highest"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and re.search(r"<title>Error: ", html)
    assert '<a href="#deck">Deck: ' in _summary(html)
