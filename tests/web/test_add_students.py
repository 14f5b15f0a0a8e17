"""A teacher adds students with new accounts in the browser, and they log in with them."""

from __future__ import annotations

import re

from quiz.extensions import db
from quiz.models import User
from quiz.services import classes as cs
from quiz.services.accounts import create_user
from tests.conftest import csrf_from
from tests.factories import PASSWORD, make_user
from tests.web.test_student_path import login
from tests.web.test_temporary_passwords import NEW, _choose_password

LIST = "Olena Shevchenko, olena@school.example\nTaras Bondarenko\ttaras@school.example\n"
PASSWORD_CELL = re.compile(r"<td>([^<]+)</td><td><code>([a-z0-9-]+)</code></td>")


def _teacher_with_class(client):
    teacher = make_user(role="teacher")
    klass = cs.create_class(teacher, "Year 9")
    login(client, teacher.email)
    return teacher, klass


def _send(client, klass, text: str):
    path = f"/teach/classes/{klass.id}/students/new"
    token = csrf_from(client.get(path).get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, "students": text})


def _accounts() -> int:
    return db.session.execute(db.select(db.func.count(User.id))).scalar_one()


def test_the_class_page_leads_to_the_form_which_says_what_happens(client, app):
    _, klass = _teacher_with_class(client)
    page = client.get(f"/teach/classes/{klass.id}").get_data(as_text=True)
    assert f'href="/teach/classes/{klass.id}/students/new">Add students with new accounts' in page
    form = client.get(f"/teach/classes/{klass.id}/students/new").get_data(as_text=True)
    assert '<label for="students">Students, one a line</label>' in form
    assert "All or nothing: if any line has a problem, no account is created." in form
    assert klass.join_code in form  # for the students who have accounts already


def test_the_teacher_sees_each_new_students_log_in_once_and_they_log_in_to_the_class(client, app):
    _, klass = _teacher_with_class(client)
    response = _send(client, klass, LIST)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "2 new accounts in Year 9" in page and "These passwords are shown only now." in page
    logins = dict(PASSWORD_CELL.findall(page))
    assert set(logins) == {"olena@school.example", "taras@school.example"}
    assert "Olena Shevchenko" in page and "Taras Bondarenko" in page
    assert response.headers["Cache-Control"] == "no-store"

    # The student logs in with it, must choose their own password, and is in the class.
    student = app.test_client()
    landed = login(student, "olena@school.example", logins["olena@school.example"])
    assert landed.location == "/account/password"
    class_page = client.get(f"/teach/classes/{klass.id}").get_data(as_text=True)
    assert class_page.count('<span class="badge badge-neutral">temporary password</span>') == 2
    chosen = _choose_password(student, logins["olena@school.example"], NEW)
    assert chosen.location == "/decks"
    class_page = client.get(f"/teach/classes/{klass.id}").get_data(as_text=True)
    assert class_page.count('<span class="badge badge-neutral">temporary password</span>') == 1
    classes = student.get("/join").get_data(as_text=True)
    assert "Year 9" in classes
    assert {s.email for s in cs.class_students(klass)} == set(logins)


def test_a_list_with_a_problem_is_shown_again_with_every_problem_and_creates_nothing(client, app):
    _, klass = _teacher_with_class(client)
    create_user("taken@school.example", PASSWORD, "student")
    before = _accounts()
    text = LIST + "Someone, taken@school.example\nNo address\n"
    response = _send(client, klass, text)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "No account was created: the list has 2 problems" in page
    assert "Line 3: taken@school.example has an account already." in page
    assert "Line 4 has no email address: “No address”" in page
    assert "Taras Bondarenko\ttaras@school.example" in page  # the list, kept to correct
    assert 'aria-invalid="true"' in page
    assert _accounts() == before


def test_an_empty_list_is_refused_with_a_message(client, app):
    _, klass = _teacher_with_class(client)
    response = _send(client, klass, "   ")
    assert response.status_code == 422
    assert "Write one student a line: their name and email address." in response.get_data(
        as_text=True
    )


def test_an_archived_class_offers_no_form_and_takes_no_list(client, app):
    _, klass = _teacher_with_class(client)
    token = csrf_from(client.get(f"/teach/classes/{klass.id}").get_data(as_text=True))
    cs.set_archived(klass, True)
    path = f"/teach/classes/{klass.id}/students/new"
    page = client.get(path).get_data(as_text=True)
    assert "Year 9 is archived. Restore it" in page and "<textarea" not in page
    assert "Add students with new accounts</a>" not in client.get(
        f"/teach/classes/{klass.id}"
    ).get_data(as_text=True)
    before = _accounts()
    client.post(path, data={"csrf_token": token, "students": LIST})
    assert _accounts() == before


def test_a_teacher_may_send_at_most_twenty_lists_an_hour_from_all_their_log_ins(client, app):
    teacher, klass = _teacher_with_class(client)
    other_device = app.test_client()
    login(other_device, teacher.email)
    codes = [_send(client, klass, "No address").status_code for _ in range(10)]
    codes += [_send(other_device, klass, "No address").status_code for _ in range(11)]
    assert codes == [422] * 20 + [429]
    # A colleague's own lists count apart.
    colleague = app.test_client()
    _, theirs = _teacher_with_class(colleague)
    assert _send(colleague, theirs, "No address").status_code == 422
