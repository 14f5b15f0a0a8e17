"""Changing one's own email address (the log-in name): the password first, a clear
message for every refusal, and nothing changed by a refused form."""

from __future__ import annotations

from quiz.extensions import db
from quiz.models import User
from tests.conftest import csrf_from
from tests.factories import PASSWORD, make_user
from tests.web.test_student_path import login


def _form(client) -> dict[str, str]:
    return {"csrf_token": csrf_from(client.get("/account/email").get_data(as_text=True))}


def _email_of(user: User) -> str:
    return db.session.execute(db.select(User.email).where(User.id == user.id)).scalar_one()


def test_a_learner_changes_their_email_and_logs_in_with_the_new_one(client, app):
    user = make_user(email="old@example.com")
    login(client, "old@example.com")
    settings = client.get("/settings").get_data(as_text=True)
    assert "You log in as <strong>old@example.com</strong>" in settings
    response = client.post(
        "/account/email",
        data={**_form(client), "email": " New@Example.com ", "current": PASSWORD},
        follow_redirects=True,
    )
    assert "Your email address is now new@example.com" in response.get_data(as_text=True)
    assert _email_of(user) == "new@example.com"
    other = app.test_client()
    assert login(other, "new@example.com").status_code == 302
    assert login(app.test_client(), "old@example.com").status_code == 422


def test_a_wrong_password_a_taken_or_bad_address_changes_nothing(client, app):
    user = make_user(email="me@example.com")
    make_user(email="taken@example.com")
    login(client, "me@example.com")
    refusals = [
        ({"email": "new@example.com", "current": "not my password"}, "current password is not"),
        ({"email": "TAKEN@example.com", "current": PASSWORD}, "already exists"),
        ({"email": "not an address", "current": PASSWORD}, "not valid"),
        ({"email": "me@example.com", "current": PASSWORD}, "your email address already"),
        ({"email": "", "current": PASSWORD}, "Enter the new address."),
    ]
    for fields, message in refusals:
        response = client.post("/account/email", data={**_form(client), **fields})
        assert response.status_code == 422, fields
        assert message in response.get_data(as_text=True), fields
    assert _email_of(user) == "me@example.com"


def test_the_email_form_needs_its_csrf_token_and_a_log_in(client, app):
    user = make_user(email="me@example.com")
    assert client.get("/account/email").status_code == 302  # to the log-in page
    login(client, "me@example.com")
    response = client.post("/account/email", data={"email": "x@example.com", "current": PASSWORD})
    assert response.status_code == 400
    assert _email_of(user) == "me@example.com"


def test_password_guesses_on_the_email_form_count_with_the_password_forms(client, app):
    make_user(email="owner@example.com")
    login(client, "owner@example.com")
    guess = {"email": "new@example.com", "current": "guess"}
    codes = [client.post("/account/email", data={**_form(client), **guess}).status_code]
    password_guess = {"current": "guess", "password": "x" * 16, "confirm": "x" * 16}
    token = csrf_from(client.get("/account/password").get_data(as_text=True))
    codes += [
        client.post("/account/password", data={"csrf_token": token, **password_guess}).status_code
        for _ in range(4)
    ]
    codes.append(client.post("/account/email", data={**_form(client), **guess}).status_code)
    assert codes == [422] * 5 + [429]


def test_password_guesses_on_the_deletion_form_count_with_the_email_forms(client, app):
    make_user(email="owner@example.com")
    login(client, "owner@example.com")
    guess = {"email": "new@example.com", "current": "guess"}
    codes = [client.post("/account/email", data={**_form(client), **guess}).status_code]
    token = csrf_from(client.get("/account/delete").get_data(as_text=True))
    codes += [
        client.post(
            "/account/delete", data={"csrf_token": token, "password": "guess", "confirm": "y"}
        ).status_code
        for _ in range(4)
    ]
    codes.append(client.post("/account/email", data={**_form(client), **guess}).status_code)
    assert codes[-1] == 429 and 429 not in codes[:5]


def test_an_email_change_after_a_reset_of_the_password_changes_nothing(client, app):
    from types import SimpleNamespace

    import pytest

    from quiz.services import ServiceError
    from quiz.services.accounts import change_email, reset_password

    user = make_user(email="me@example.com")
    # The account as a request in flight read it, before an operator's reset.
    in_flight = SimpleNamespace(id=user.id, email=user.email, password_hash=user.password_hash)
    reset_password("me@example.com", "a brand new temporary one", temporary=True)
    with pytest.raises(ServiceError, match="changed or reset a moment ago"):
        change_email(in_flight, PASSWORD, "new@example.com")
    assert _email_of(user) == "me@example.com"
