"""Settings: downloading one's data, and deleting one's account, in the browser."""

from __future__ import annotations

import json

import pytest

from quiz.extensions import db
from quiz.models import User
from quiz.services import authoring
from tests.conftest import csrf_from
from tests.factories import PASSWORD, make_user
from tests.services.test_regrading import FIXED_KEY, _published_set, _take
from tests.web.test_student_path import login


def test_settings_offer_the_data_download_and_the_deletion(client, app):
    login(client, make_user().email)
    page = client.get("/settings").get_data(as_text=True)
    assert 'href="/account/data" download>Download your data' in page
    assert 'href="/account/delete">Delete your account' in page


def test_the_download_is_a_json_file_of_the_learners_own_data(client, app):
    _, deck, (capital,) = _published_set(FIXED_KEY)
    student = make_user()
    _take(student, deck, {capital.id: ["Paris"]})
    login(client, student.email)
    response = client.get("/account/data")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith(
        'attachment; filename="quizcards-account-'
    )
    assert response.headers["Cache-Control"] == "no-store"
    data = json.loads(response.get_data(as_text=True))
    assert data["account"]["email"] == student.email
    assert data["quizzes"][0]["questions"][0]["answer"] == ["Paris"]


def test_downloads_of_ones_data_are_limited_to_twenty_an_hour(client, app):
    login(client, make_user().email)
    codes = [client.get("/account/data").status_code for _ in range(21)]
    assert codes == [200] * 20 + [429]


def test_a_wrong_password_is_refused_and_the_account_stays(client, app):
    student = make_user()
    login(client, student.email)
    page = client.get("/account/delete").get_data(as_text=True)
    assert "It cannot be undone" in page
    response = client.post(
        "/account/delete", data={"csrf_token": csrf_from(page), "password": "a wrong guess"}
    )
    assert response.status_code == 422
    assert "That is not your password: nothing was deleted." in response.get_data(as_text=True)
    assert db.session.get(User, student.id) is not None
    assert client.get("/settings").status_code == 200  # still logged in


def test_deleting_the_account_logs_out_and_the_log_in_no_longer_works(client, app):
    student = make_user()
    email, student_id = student.email, student.id
    login(client, email)
    other_device = app.test_client()
    login(other_device, email)
    page = client.get("/account/delete").get_data(as_text=True)
    response = client.post(
        "/account/delete",
        data={"csrf_token": csrf_from(page), "password": PASSWORD},
        follow_redirects=True,
    )
    assert "Your account and everything in it are deleted." in response.get_data(as_text=True)
    assert db.session.get(User, student_id) is None
    assert "/login" in client.get("/settings").location
    assert "/login" in other_device.get("/settings").location
    token = csrf_from(client.get("/login").get_data(as_text=True))
    again = client.post("/login", data={"csrf_token": token, "email": email, "password": PASSWORD})
    assert again.status_code == 422


def test_a_teacher_with_sets_is_told_why_and_offered_no_form(client, app):
    teacher = make_user(role="teacher")
    authoring.create_set(teacher, "Draft")
    login(client, teacher.email)
    page = client.get("/account/delete").get_data(as_text=True)
    assert "This account cannot be deleted here" in page and "You own 1 question set" in page
    assert "hand your sets and classes over to a colleague" in page
    assert 'name="password"' not in page
    token = csrf_from(page)
    response = client.post("/account/delete", data={"csrf_token": token, "password": PASSWORD})
    assert response.status_code == 422
    assert db.session.get(User, teacher.id) is not None


@pytest.mark.parametrize("elsewhere", [False, True])
def test_a_page_writing_for_an_account_deleted_meanwhile_logs_out_instead_of_failing(
    client, app, monkeypatch, elsewhere
):
    from sqlalchemy import text

    from quiz.services import privacy, quizzes

    _, deck, _ = _published_set(FIXED_KEY)
    student = make_user()
    login(client, student.email)
    page = client.get(f"/decks/{deck.slug}").get_data(as_text=True)
    start = quizzes.start_attempt

    def deleted_first(user, *args, **kwargs):
        # The account is deleted in another tab while this request is under way: by
        # another connection (the request's user stays loaded, and its insert fails on
        # the foreign key) or through this session (the user is gone from it too).
        if elsewhere:
            with db.engine.begin() as other:
                for table in ("login_sessions", "users"):
                    column = "id" if table == "users" else "user_id"
                    other.execute(
                        text(f"DELETE FROM {table} WHERE {column} = :id"), {"id": user.id}
                    )
        else:
            privacy.delete_account(user, PASSWORD)
        return start(user, *args, **kwargs)

    monkeypatch.setattr(quizzes, "start_attempt", deleted_first)
    response = client.post(f"/decks/{deck.slug}", data={"csrf_token": csrf_from(page)})
    assert response.status_code == 303 and response.location.endswith("/login")
    assert "/login" in client.get("/settings").location
