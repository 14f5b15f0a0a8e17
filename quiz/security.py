"""Response headers, rate limits and the audit log: security defaults for every request."""

from __future__ import annotations

import logging

from flask import Flask, request

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)

audit = logging.getLogger("quiz.audit")


def clean(value: object, limit: int = 200) -> str:
    """A value safe to put in a log line: no line breaks or control characters."""
    text = str(value)[:limit]
    return "".join(ch if ch.isprintable() else f"\\x{ord(ch):02x}" for ch in text)


def log_event(event: str, **fields: object) -> None:
    details = " ".join(f"{key}={clean(value)!r}" for key, value in fields.items())
    audit.info("%s %s ip=%r", event, details, clean(request.remote_addr or "-"))


def login_account_key() -> str:
    """Rate-limit key for log-in attempts on one account, whatever the address."""
    return "login-account:" + request.form.get("email", "").strip().lower()[:254]


def init_security(app: Flask) -> None:
    production = app.config.get("QUIZ_ENV") == "production"

    @app.after_request
    def security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if production:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if request.endpoint and not request.endpoint.startswith("static"):
            # Pages hold a learner's own data: never keep them in a shared cache.
            headers.setdefault("Cache-Control", "no-store")
        return response

    if not audit.handlers and not logging.getLogger().handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
        audit.addHandler(handler)
    audit.setLevel(logging.INFO)
