"""The Flask extension objects, created once and bound to the app in create_app."""

from __future__ import annotations

from flask import request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from quiz.models.base import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(get_remote_address, default_limits=[], headers_enabled=True)

#: Every endpoint with a rate limit, and the methods its limits count: any other request
#: skips the rate limiter. tests/web/test_security.py checks this against the limits the
#: views declare.
RATE_LIMITED: dict[str, frozenset[str]] = {
    "auth.login": frozenset({"POST"}),
    "auth.password": frozenset({"POST"}),
    "auth.email": frozenset({"POST"}),
    "auth.delete_account": frozenset({"POST"}),
    "auth.account_data": frozenset({"GET", "HEAD", "OPTIONS"}),  # its limit counts any method
    "learn.report_question": frozenset({"POST"}),
    "classes.add_students": frozenset({"POST"}),
}


@limiter.request_filter
def _no_limit_applies() -> bool:
    """Whether the request is exempt from every limit, as none counts it. Flask-Limiter
    would otherwise work through its limits on every request only to find none that
    applies: 3 to 5% of the time of a small page."""
    return request.method not in RATE_LIMITED.get(request.endpoint or "", ())
