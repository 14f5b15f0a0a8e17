"""The quiz and flashcard service: create_app builds the Flask application."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Flask, g, render_template, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import BadRequest

from quiz.config import load_config
from quiz.database import (
    begin_read_only,
    configure_sqlite,
    drop_dead_connections,
    end_request,
    track_writes,
)
from quiz.extensions import csrf, db, limiter, login_manager, migrate


def create_app(config: dict[str, Any] | None = None) -> Flask:
    config = dict(config or {})
    # Tests (and operators) may put instance/ elsewhere: it holds the SQLite file, the
    # development secret and the demo log-ins.
    instance_path = config.pop("INSTANCE_PATH", None)
    app = Flask(__name__, instance_relative_config=True, instance_path=instance_path)
    app.config.update(load_config(Path(app.instance_path), config))
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            configure_sqlite(db.engine)
        elif db.engine.dialect.name == "postgresql":
            drop_dead_connections(db.engine)
        track_writes(db.engine)
    migrate.init_app(
        app,
        db,
        directory=str(Path(__file__).resolve().parent.parent / "migrations"),
        render_as_batch=True,
        compare_type=True,
    )
    from quiz.security import init_security

    # First: its check of the request's text runs before CSRFProtect reads the form.
    init_security(app)
    csrf.init_app(app)
    limiter.init_app(app)
    if app.config["QUIZ_TRUSTED_PROXIES"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = app.config["QUIZ_TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please log in to see that page."
    login_manager.login_message_category = "info"

    from quiz import models  # noqa: F401  (registers the tables)
    from quiz.inputs import IdConverter

    app.url_map.converters["int"] = IdConverter  # before the routes that use it
    from quiz.auth.views import bp as auth_bp
    from quiz.learn.views import bp as learn_bp
    from quiz.ops import bp as ops_bp
    from quiz.study.views import bp as study_bp
    from quiz.teach.classes import bp as classes_bp
    from quiz.teach.views import bp as teach_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(learn_bp)
    app.register_blueprint(study_bp)
    app.register_blueprint(teach_bp)
    app.register_blueprint(classes_bp)
    app.register_blueprint(ops_bp)

    @app.before_request
    def _read_only_gets() -> None:
        # A GET only reads: no transaction (see begin_read_only) unless a unit of work
        # needs one. Static files and unknown addresses do not touch the database.
        if request.method in ("GET", "HEAD") and request.endpoint not in (None, "static"):
            begin_read_only(db.session())

    from quiz.auth.views import own_password_first

    # After _read_only_gets: it loads the user, which is a query.
    app.before_request(own_password_first)

    @app.teardown_appcontext
    def _close_session(exc: BaseException | None) -> None:
        # Runs before Flask-SQLAlchemy's own clean-up. If the connection died after the
        # response was built, the commit or rollback fails: drop the session (the pool
        # reconnects) instead of turning a finished response into a 500.
        from sqlalchemy.exc import SQLAlchemyError

        try:
            end_request(db.session(), failed=exc is not None)
            db.session.remove()
        except SQLAlchemyError:
            db.session.registry.clear()
            app.logger.warning("database connection lost while closing the session")

    from quiz.cli import register_cli

    register_cli(app)
    _register_template_helpers(app)
    _register_error_pages(app)
    return app


@login_manager.user_loader
def _load_user(token: str):
    from quiz.services.accounts import user_for_session

    return user_for_session(token)


def _register_template_helpers(app: Flask) -> None:
    @app.template_filter("localtime")
    def localtime(value: datetime | None, fmt: str = "%d %b %Y, %H:%M") -> str:
        if value is None:
            return ""
        # Looked up once a request: a list of due dates calls this for every line.
        zone = g.get("quiz_viewer_zone")
        if zone is None:
            zone_name = getattr(current_user, "timezone", None) or "UTC"
            try:
                zone = ZoneInfo(zone_name)
            except (ZoneInfoNotFoundError, ValueError):
                zone = ZoneInfo("UTC")
            g.quiz_viewer_zone = zone
        try:
            return value.astimezone(zone).strftime(fmt)
        except OverflowError:  # a date at the very edge of the calendar, e.g. 9999-12-31
            return value.astimezone(UTC).strftime(fmt) + " UTC"

    from quiz.markup import render_inline, render_markdown

    app.add_template_filter(render_markdown, "md")
    app.add_template_filter(render_inline, "md_inline")

    @app.template_filter("percent")
    def percent_filter(value: float | None) -> str:
        from quiz.domain.grading import percent

        return "–" if value is None else f"{percent(value)}%"

    from quiz.markup import score_badge

    # A global, not a macro: the gradebook shows thousands of these, and a Python call
    # costs a tenth of a Jinja macro call.
    app.add_template_global(score_badge, "score_badge")

    from quiz.urls import nav_urls

    app.add_template_global(nav_urls, "nav_urls")
    from quiz.inputs import form_error_lines

    app.add_template_global(form_error_lines, "form_error_lines")


def _forget_database_state() -> None:
    """After a database error: drop the broken transaction, and render the error page as
    an anonymous visitor, since loading the logged-in user needs the database too."""
    from sqlalchemy.exc import SQLAlchemyError

    try:
        db.session.rollback()
    except SQLAlchemyError:
        db.session.registry.clear()
    g._login_user = login_manager.anonymous_user()


def _unreadable_form() -> bool:
    """A form body came, and werkzeug could read no field from it: a multipart body cut
    off or without its boundary, say (werkzeug then gives an empty form)."""
    return (
        request.method == "POST"
        and request.mimetype in ("multipart/form-data", "application/x-www-form-urlencoded")
        and (request.content_length or 0) > 0
        and not request.form
        and not request.files
    )


def _register_error_pages(app: Flask) -> None:
    def page(code: int, title: str, message: str):
        return render_template("error.html", code=code, title=title, message=message), code

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        if _unreadable_form():
            return page(
                400,
                "The form could not be read",
                "What the browser sent was cut off or is not a well-formed form, so nothing "
                "was saved. Go back, reload the page and try again.",
            )
        return page(
            400,
            "This form has expired",
            "The page was open too long or came from another site. Go back, reload the page "
            "and try again.",
        )

    @app.errorhandler(400)
    def bad_request(error):
        return page(400, "Bad request", "The request could not be understood.")

    from quiz.security import NotUtf8, NulCharacter

    @app.errorhandler(NulCharacter)
    @app.errorhandler(NotUtf8)
    def unreadable_text(error: BadRequest):
        return page(400, "Bad request", error.description)

    @app.errorhandler(403)
    def forbidden(error):
        from flask import request

        from quiz.security import log_event

        log_event("access-denied", path=request.path, user=getattr(current_user, "id", None))
        return page(403, "Not allowed", "You do not have access to this page.")

    @app.errorhandler(429)
    def too_many(error):
        return page(
            429,
            "Too many attempts",
            "Please wait a minute before you try again.",
        )

    from sqlalchemy.exc import InterfaceError, OperationalError

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def database_unavailable(error):
        # The database went away for a moment (restart, failover, network): say so, and
        # let the next request reconnect (quiz.database.drop_dead_connections) instead of
        # showing a 500.
        _forget_database_state()
        app.logger.warning("database error: %s", type(error.orig).__name__)
        response, code = page(
            503,
            "Temporarily unavailable",
            "The service cannot reach its database right now. Please try again in a moment.",
        )
        return response, 503, {"Retry-After": "5"}

    from sqlalchemy.exc import IntegrityError
    from sqlalchemy.orm.exc import ObjectDeletedError

    @app.errorhandler(IntegrityError)
    @app.errorhandler(ObjectDeletedError)
    def account_gone(error: Exception):
        # The one conflict a user can cause that no service expects: their account was
        # deleted (in another tab) while this request read it again, or wrote a row that
        # points at it. Anything else is a bug, and stays a 500.
        from flask import redirect, session, url_for
        from flask_login import logout_user
        from sqlalchemy import inspect

        from quiz.models import User

        # The user's id without loading it: the row may be gone.
        user = current_user._get_current_object() if current_user.is_authenticated else None
        identity = inspect(user).identity if user is not None else None
        db.session.rollback()
        if identity is None or db.session.get(User, identity[0]) is not None:
            raise error
        logout_user()
        session.clear()
        return redirect(url_for("auth.login"), 303)

    @app.errorhandler(404)
    def not_found(error):
        return page(404, "Page not found", "There is nothing at this address.")

    @app.errorhandler(405)
    def method_not_allowed(error):
        return page(405, "Not allowed", "That action is not available here.")

    @app.errorhandler(413)
    def too_large(error):
        limit = app.config["MAX_CONTENT_LENGTH"]
        if (request.content_length or 0) <= limit:  # werkzeug's limits on a form's parts
            return page(
                413,
                "Too large",
                "The form is too large to be read: it has too many fields, or a field that "
                "is too long.",
            )
        return page(413, "Too large", f"Uploads are limited to {limit // 1024} KB.")

    @app.errorhandler(500)
    def server_error(error):
        _forget_database_state()
        try:
            return page(500, "Something went wrong", "Please try again in a moment.")
        except Exception:  # the page itself failed: answer plainly rather than not at all
            return "Something went wrong. Please try again in a moment.", 500
