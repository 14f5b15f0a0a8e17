"""A forgotten password, in the browser: the teacher resets it from the student's page,
the student logs in with the temporary password and chooses their own."""

from __future__ import annotations

import re
from datetime import timedelta

from quiz.extensions import db
from quiz.models import Role
from quiz.services import classes as cs
from quiz.services.accounts import TEMPORARY_PASSWORD_DAYS, authenticate, find_user_by_email
from tests.conftest import csrf_from
from tests.factories import PASSWORD, make_user
from tests.web.test_student_path import login

NEW = "a lantern by the quiet river"
TEMPORARY_RE = re.compile(r'<p class="temporary-password"><code>([a-z0-9-]+)</code></p>')


def _class_with(student, teacher=None):
    teacher = teacher or make_user(role=Role.TEACHER)
    klass = cs.create_class(teacher, "Year 9")
    cs.join_class(student, klass.join_code)
    return teacher, klass


def _reset(client, klass, student):
    page = client.get(f"/teach/classes/{klass.id}/students/{student.id}")
    assert "Reset the password" in page.get_data(as_text=True)
    return client.post(
        f"/teach/classes/{klass.id}/students/{student.id}/password",
        data={"csrf_token": csrf_from(page.get_data(as_text=True))},
    )


def _temporary_password_for(app, student) -> str:
    teacher, klass = _class_with(student)
    with app.test_client() as client:
        login(client, teacher.email)
        return TEMPORARY_RE.search(_reset(client, klass, student).get_data(as_text=True))[1]


def _choose_password(client, current: str, new: str, path: str = "/account/password"):
    form = client.get(path).get_data(as_text=True)
    return client.post(
        path,
        data={"csrf_token": csrf_from(form), "current": current, "password": new, "confirm": new},
    )


def test_the_teacher_sees_the_temporary_password_once_and_what_to_tell_the_student(app, client):
    student = make_user()
    teacher, klass = _class_with(student)
    login(client, teacher.email)
    response = _reset(client, klass, student)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    password = TEMPORARY_RE.search(html)[1]
    assert student.email in html and "shown only this once" in html
    assert authenticate(student.email, password) is not None
    # Not carried in a flash message (the session cookie) to a later page.
    later = client.get(f"/teach/classes/{klass.id}/students/{student.id}").get_data(as_text=True)
    assert password not in later
    assert "has a temporary password" in later


def test_a_student_with_a_temporary_password_must_choose_their_own_before_anything_else(
    app, client
):
    student = make_user()
    password = _temporary_password_for(app, student)
    logged_in = login(client, student.email, password)
    assert logged_in.location == "/account/password"
    for page in ("/decks", "/dashboard", "/study/", "/join", "/settings"):
        response = client.get(page)
        assert (response.status_code, response.location) == (303, "/account/password"), page
    form = client.get("/account/password").get_data(as_text=True)
    assert "Choose your own password" in form
    assert 'name="current"' not in form  # they typed it a moment ago, to log in
    assert form.count("Choose your own password first: then every page opens.") == 1
    done = _choose_password(client, password, NEW)
    assert (done.status_code, done.location) == (302, "/decks")
    assert "Your password is set" in client.get("/decks").get_data(as_text=True)
    assert not find_user_by_email(student.email).must_change_password
    assert authenticate(student.email, NEW) is not None


def test_keeping_the_temporary_password_is_refused_with_a_message(app, client):
    student = make_user()
    password = _temporary_password_for(app, student)
    login(client, student.email, password)
    response = _choose_password(client, password, password)
    assert response.status_code == 422
    assert "not the temporary one" in response.get_data(as_text=True)
    assert client.get("/decks").status_code == 303


def test_the_page_asked_for_before_logging_in_follows_the_new_password(app, client):
    student = make_user()
    password = _temporary_password_for(app, student)
    token = csrf_from(client.get("/login?next=/dashboard").get_data(as_text=True))
    logged_in = client.post(
        "/login?next=/dashboard",
        data={"csrf_token": token, "email": student.email, "password": password},
    )
    assert logged_in.location == "/account/password?next=/dashboard"
    done = _choose_password(client, password, NEW, logged_in.location)
    assert done.location == "/dashboard"


def test_an_expired_temporary_password_does_not_log_in_and_says_why(app, client):
    student = make_user()
    password = _temporary_password_for(app, student)
    user = find_user_by_email(student.email)
    user.temporary_password_at -= timedelta(days=TEMPORARY_PASSWORD_DAYS, minutes=1)
    db.session.commit()
    response = login(client, student.email, password)
    assert response.status_code == 422
    assert "This temporary password has expired" in response.get_data(as_text=True)
    assert client.get("/decks").location.startswith("/login")


def test_a_reset_logs_the_student_out_on_the_devices_they_were_using(app, client):
    student = make_user()
    login(client, student.email)
    assert client.get("/decks").status_code == 200
    _temporary_password_for(app, student)
    assert client.get("/decks").location.startswith("/login")


def test_no_reset_is_offered_for_a_colleague_or_in_an_archived_class(app, client):
    teacher = make_user(role=Role.TEACHER)
    colleague = make_user(role=Role.TEACHER)
    _, klass = _class_with(colleague, teacher)
    student = make_user()
    cs.join_class(student, klass.join_code)
    login(client, teacher.email)
    page = client.get(f"/teach/classes/{klass.id}/students/{colleague.id}")
    assert "Reset the password" not in page.get_data(as_text=True)
    refused = client.post(
        f"/teach/classes/{klass.id}/students/{colleague.id}/password",
        data={"csrf_token": csrf_from(page.get_data(as_text=True))},
        follow_redirects=True,
    )
    assert "Ask whoever runs this site to reset it." in refused.get_data(as_text=True)
    assert authenticate(colleague.email, PASSWORD) is not None
    cs.set_archived(klass, True)
    archived = client.get(f"/teach/classes/{klass.id}/students/{student.id}")
    assert "Reset the password" not in archived.get_data(as_text=True)


def test_the_operator_command_can_give_a_temporary_password(app, caplog):
    user = make_user(role=Role.TEACHER)
    runner = app.test_cli_runner()
    with caplog.at_level("INFO", logger="quiz.audit"):
        result = runner.invoke(args=["users", "reset-password", user.email, "--temporary"])
    assert result.exit_code == 0, result.output
    assert f"password-reset user='{user.id}' by='operator' temporary=True" in caplog.text
    password = re.search(r"Temporary password: (\S+)", result.output)[1]
    assert authenticate(user.email, password) is not None
    assert find_user_by_email(user.email).must_change_password
    both = runner.invoke(
        args=["users", "reset-password", user.email, "--temporary", "--password", "x"]
    )
    assert both.exit_code != 0 and "not both" in both.output


def test_the_students_page_says_when_a_temporary_password_has_expired(app, client):
    student = make_user()
    teacher, klass = _class_with(student)
    cs.reset_student_password(klass, student.id)
    user = find_user_by_email(student.email)
    user.temporary_password_at -= timedelta(days=TEMPORARY_PASSWORD_DAYS, minutes=1)
    db.session.commit()
    login(client, teacher.email)
    page = client.get(f"/teach/classes/{klass.id}/students/{student.id}").get_data(as_text=True)
    assert "It expired" in page and "It works until" not in page
