"""Security defaults: headers, rate limits, passwords, sessions, error pages, the audit log."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy.exc import OperationalError

from quiz.services import ServiceError
from quiz.services.accounts import create_user
from tests.conftest import csrf_from
from tests.factories import PASSWORD, make_user
from tests.web.test_student_path import login


def test_every_response_carries_the_security_headers(client, app):
    for path in ("/", "/login", "/no-such-page"):
        headers = client.get(path).headers
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in client.get("/").headers  # not in development


def test_pages_are_never_cached_but_static_files_may_be(client):
    assert client.get("/login").headers.getlist("Cache-Control") == ["no-store"]
    static = client.get("/static/style.css")
    assert static.status_code == 200
    assert "no-store" not in static.headers.get("Cache-Control", "")
    assert static.headers["X-Content-Type-Options"] == "nosniff"


def test_a_security_header_the_view_sets_itself_is_kept_and_not_doubled(app):
    @app.get("/own-headers")
    def own_headers():
        return "ok", 200, {"Cache-Control": "private, max-age=60", "x-frame-options": "SAMEORIGIN"}

    headers = app.test_client().get("/own-headers").headers
    assert headers.getlist("Cache-Control") == ["private, max-age=60"]
    assert headers.getlist("X-Frame-Options") == ["SAMEORIGIN"]
    assert headers.getlist("Referrer-Policy") == ["same-origin"]


def test_production_adds_hsts_and_secure_cookies(monkeypatch, tmp_path):
    monkeypatch.setenv("QUIZ_ENV", "production")
    monkeypatch.setenv("QUIZ_SECRET_KEY", "a-production-secret-from-the-environment")
    from quiz import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "INSTANCE_PATH": str(tmp_path)})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["PASSWORD_HASH_METHOD"] == "scrypt"
    response = app.test_client().get("/healthz")
    assert "max-age" in response.headers["Strict-Transport-Security"]


def test_production_without_a_secret_key_refuses_to_start(monkeypatch, tmp_path):
    monkeypatch.setenv("QUIZ_ENV", "production")
    monkeypatch.delenv("QUIZ_SECRET_KEY", raising=False)
    from quiz import create_app
    from quiz.config import ConfigError

    with pytest.raises(ConfigError, match="QUIZ_SECRET_KEY"):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "INSTANCE_PATH": str(tmp_path)})


def test_repeated_failed_log_ins_on_one_account_are_slowed_down(client, app):
    make_user(email="victim@example.com")
    token = csrf_from(client.get("/login").get_data(as_text=True))
    codes = [
        client.post(
            "/login", data={"csrf_token": token, "email": "victim@example.com", "password": "guess"}
        ).status_code
        for _ in range(6)
    ]
    assert codes[:5] == [422] * 5 and codes[5] == 429
    page = client.post(
        "/login", data={"csrf_token": token, "email": "victim@example.com", "password": PASSWORD}
    )
    assert page.status_code == 429 and "Too many attempts" in page.get_data(as_text=True)


def test_repeated_wrong_current_passwords_on_the_password_form_are_slowed_down(client, app):
    make_user(email="owner@example.com")
    token = csrf_from(client.get("/login").get_data(as_text=True))
    client.post(
        "/login", data={"csrf_token": token, "email": "owner@example.com", "password": PASSWORD}
    )
    token = csrf_from(client.get("/account/password").get_data(as_text=True))
    guess = {"csrf_token": token, "current": "guess", "password": "x" * 16, "confirm": "x" * 16}
    codes = [client.post("/account/password", data=guess).status_code for _ in range(6)]
    assert codes[:5] == [422] * 5 and codes[5] == 429


def test_the_per_address_limit_covers_many_accounts(client, app):
    app.config["RATELIMIT_LOGIN_PER_ADDRESS"] = "3 per minute"
    token = csrf_from(client.get("/login").get_data(as_text=True))
    codes = [
        client.post(
            "/login", data={"csrf_token": token, "email": f"u{n}@example.com", "password": "x"}
        ).status_code
        for n in range(4)
    ]
    assert codes == [422, 422, 422, 429]


def test_the_list_of_rate_limited_endpoints_matches_the_limits_the_views_declare(app):
    # Requests to anything not on the list skip the rate limiter (quiz.extensions): a
    # limit declared on a view but missing from the list would silently never count.
    from flask_limiter.util import get_qualified_name

    from quiz.extensions import RATE_LIMITED, limiter

    declared: dict[str, set[str]] = {}
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            view = app.view_functions[rule.endpoint]
            for limit in limiter.limit_manager.decorated_limits(get_qualified_name(view)):
                methods = limit.methods or [m.lower() for m in rule.methods]
                declared.setdefault(rule.endpoint, set()).update(m.upper() for m in methods)
    assert declared == {endpoint: set(methods) for endpoint, methods in RATE_LIMITED.items()}
    # Nor may a limit apply to many views at once: the list would not name them.
    manager = limiter.limit_manager
    assert not manager.default_limits and not manager.application_limits
    assert all(not manager.blueprint_limits(app, name) for name in app.blueprints)


def test_opening_a_form_page_does_not_count_towards_its_limit_but_posting_it_does(client, app):
    make_user(email="reader@example.com")
    token = csrf_from(client.get("/login").get_data(as_text=True))
    client.post(
        "/login", data={"csrf_token": token, "email": "reader@example.com", "password": PASSWORD}
    )
    pages = [client.get("/account/password") for _ in range(8)]
    assert all(page.status_code == 200 for page in pages)
    token = csrf_from(pages[-1].get_data(as_text=True))
    guess = {"csrf_token": token, "current": "guess", "password": "x" * 16, "confirm": "x" * 16}
    codes = [client.post("/account/password", data=guess).status_code for _ in range(6)]
    assert codes[:5] == [422] * 5 and codes[5] == 429


@pytest.mark.parametrize("password", ["password1234", "123456789012", "qwertyuiopasdf"])
def test_common_passwords_are_refused(app, password):
    with pytest.raises(ServiceError, match="too common"):
        create_user("a@example.com", password)


def test_a_password_change_ends_the_other_sessions_but_not_this_one(app):
    make_user(email="s@example.com")
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, "s@example.com")
    login(phone, "s@example.com")
    page = laptop.get("/account/password").get_data(as_text=True)
    response = laptop.post(
        "/account/password",
        data={
            "csrf_token": csrf_from(page),
            "current": PASSWORD,
            "password": "a brand new passphrase",
            "confirm": "a brand new passphrase",
        },
    )
    assert response.status_code == 302
    assert laptop.get("/decks").status_code == 200
    assert phone.get("/decks").status_code == 302  # logged out


def test_a_wrong_current_password_changes_nothing(client, app):
    make_user(email="s@example.com")
    login(client, "s@example.com")
    page = client.get("/account/password").get_data(as_text=True)
    response = client.post(
        "/account/password",
        data={
            "csrf_token": csrf_from(page),
            "current": "nope",
            "password": "a brand new passphrase",
            "confirm": "a brand new passphrase",
        },
    )
    assert response.status_code == 422 and "current password is not right" in response.get_data(
        as_text=True
    )


def test_log_out_really_ends_the_session_even_for_a_replayed_cookie(client, app):
    make_user(email="s@example.com")
    login(client, "s@example.com")
    cookie = client.get_cookie("session").value
    client.post(
        "/logout", data={"csrf_token": csrf_from(client.get("/decks").get_data(as_text=True))}
    )
    replay = app.test_client()
    replay.set_cookie("session", cookie)
    assert replay.get("/decks").status_code == 302


def test_log_in_starts_a_new_session(client, app):
    make_user(email="s@example.com")
    client.get("/login")
    before = client.get_cookie("session").value
    login(client, "s@example.com")
    assert client.get_cookie("session").value != before


@pytest.mark.parametrize("path", ["/no-such-page", "/attempts/99999/result"])
def test_error_pages_leak_nothing(client, app, path):
    make_user(email="s@example.com")
    login(client, "s@example.com")
    response = client.get(path)
    text = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "Traceback" not in text and "sqlalchemy" not in text.lower()


def test_a_405_gets_the_friendly_page(client, app):
    response = client.get("/logout")
    assert (
        response.status_code == 405
        and "That action is not available here." in response.get_data(as_text=True)
    )


def test_the_audit_log_records_log_ins_without_passwords_or_injected_lines(client, app, caplog):
    make_user(email="s@example.com")
    caplog.set_level(logging.INFO, logger="quiz.audit")
    token = csrf_from(client.get("/login").get_data(as_text=True))
    client.post(
        "/login",
        data={"csrf_token": token, "email": "evil\nFAKE login ok", "password": "secret-guess"},
    )
    login(client, "s@example.com")
    text = caplog.text
    assert "login-failed" in text and "login " in text
    assert "secret-guess" not in text and PASSWORD not in text
    assert "\nFAKE" not in text


def test_healthz_reports_the_database(client, app):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok", "database": "ok"}


def test_a_database_outage_gives_a_503_page_not_a_500(client, app, monkeypatch):
    make_user(email="s@example.com")
    login(client, "s@example.com")
    from quiz.services import decks

    def broken(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("server closed the connection"))

    monkeypatch.setattr(decks, "list_published_decks", broken)
    response = client.get("/decks")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert "Temporarily unavailable" in response.get_data(as_text=True)
    monkeypatch.undo()
    assert client.get("/decks").status_code == 200  # and it recovers by itself


def test_a_503_is_served_even_when_the_logged_in_user_cannot_be_loaded(client, app, monkeypatch):
    make_user(email="s@example.com")
    login(client, "s@example.com")
    from quiz.services import accounts

    def unreachable(token):
        raise OperationalError("SELECT", {}, Exception("could not connect to server"))

    monkeypatch.setattr(accounts, "user_for_session", unreachable)
    response = client.get("/decks")
    assert response.status_code == 503
    assert "Temporarily unavailable" in response.get_data(as_text=True)
