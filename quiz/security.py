"""Response headers, rate limits and the audit log: security defaults for every request."""

from __future__ import annotations

import logging
from urllib.parse import unquote_to_bytes

from flask import Flask, request
from werkzeug.exceptions import BadRequest
from werkzeug.sansio.multipart import Data, Epilogue, Field, File, MultipartDecoder, NeedData

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


class NotUtf8(BadRequest):
    """The query string or a form's body held bytes that are not UTF-8 text."""

    description = (
        "The request held characters that are not valid text (not UTF-8), so nothing was "
        "saved. Type the text again, or paste it from another program, and resend."
    )


def _is_utf8(raw: bytes) -> bool:
    """Whether %-escaped text (a query string, a url-encoded body) is UTF-8."""
    return _is_utf8_bytes(unquote_to_bytes(raw))


def _multipart_text_is_not_utf8() -> bool:
    """Whether a multipart form's text field held bytes that are not UTF-8.

    werkzeug decodes each text field with errors="replace", so such bytes would arrive as
    U+FFFD ("�") and be saved. Each text field's own bytes are checked here, read with
    werkzeug's multipart decoder from the body (at most the upload limit), which is kept
    for the form parser. Uploaded files are not text fields: the import reads and checks
    their encoding itself. A body the decoder cannot read is left to the form parser."""
    boundary = request.mimetype_params.get("boundary", "").encode("latin-1", "replace")
    if not boundary:
        return False
    decoder = MultipartDecoder(boundary)
    decoder.receive_data(request.get_data(cache=True, parse_form_data=False))
    decoder.receive_data(None)
    in_text_field, chunks, parts = False, [], 0
    try:
        event = decoder.next_event()
        while not isinstance(event, Epilogue | NeedData):
            if isinstance(event, Field | File):
                parts += 1
                if parts > (request.max_form_parts or parts):
                    return False  # the form parser refuses so many parts (413)
                in_text_field, chunks = isinstance(event, Field), []
            elif isinstance(event, Data) and in_text_field:
                chunks.append(event.data)
                if not event.more_data and not _is_utf8_bytes(b"".join(chunks)):
                    return True
            event = decoder.next_event()
    except ValueError:
        return False
    return False


def _is_utf8_bytes(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


class NulCharacter(BadRequest):
    """A form field, query value or the address held a NUL character (code 0)."""

    description = (
        "A field or the address held a NUL character (code 0), which text cannot contain. "
        "It usually comes from pasting out of another program: type the text again and "
        "resend."
    )


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


def logged_out() -> bool:
    """For a rate limit's exempt_when on a page that needs a log-in: a visitor who is not
    logged in is sent to log in, and must not fill a bucket that every such visitor
    would share."""
    from flask_login import current_user

    return not current_user.is_authenticated


def limit_each_account(limit: str, scope: str, methods: list[str] | None = None):
    """A rate limit (a view's decorator) counted for each account, whichever of its
    log-ins sends the requests (all of them, or those of `methods`). A visitor who is not
    logged in is sent to log in, and counts nowhere (see logged_out)."""
    from flask_login import current_user

    from quiz.extensions import limiter

    return limiter.limit(
        limit,
        methods=methods,
        key_func=lambda: f"{scope}:{current_user.id}",
        exempt_when=logged_out,
    )


def init_security(app: Flask) -> None:
    production = app.config.get("QUIZ_ENV") == "production"

    defaults = [
        ("Content-Security-Policy", CSP),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "same-origin"),
        ("X-Frame-Options", "DENY"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
        ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
    ]
    if production:
        defaults.append(("Strict-Transport-Security", "max-age=31536000; includeSubDomains"))
    # Pages hold a learner's own data: never keep them in a shared cache. Static files
    # (and addresses that match no page) get the other defaults only.
    for_pages = (*defaults, ("Cache-Control", "no-store"))
    for_the_rest = tuple(defaults)

    @app.before_request
    def refuse_unreadable_text():
        # In a query string or a url-encoded form, werkzeug keeps bytes that are not UTF-8
        # as their %-escapes ("%FF"), which would be saved as if typed: refuse them. The
        # form's raw body is read (and kept for the form parser) before anything reads
        # the form. Browsers send UTF-8 always.
        if not _is_utf8(request.query_string):
            raise NotUtf8
        if request.mimetype == "application/x-www-form-urlencoded" and not _is_utf8(
            request.get_data(cache=True)
        ):
            raise NotUtf8
        if request.mimetype == "multipart/form-data" and _multipart_text_is_not_utf8():
            raise NotUtf8
        # No text column takes a NUL character (PostgreSQL refuses it outright, and it is
        # never typed): refuse it in the address, a form field or a query value.
        if "\x00" in request.path:  # /decks/%00: the address names a slug or a code
            raise NulCharacter
        values = request.args.listvalues()
        if request.method == "POST":
            values = (*values, *request.form.listvalues())
        if any("\x00" in value for group in values for value in group):
            raise NulCharacter

    @app.after_request
    def security_headers(response):
        # Each default unless the view set that header itself. One pass over the
        # response's headers: werkzeug's setdefault scans them once per call.
        endpoint = request.endpoint
        wanted = for_pages if endpoint and not endpoint.startswith("static") else for_the_rest
        present = {name.lower() for name, _ in response.headers}
        response.headers.extend([item for item in wanted if item[0].lower() not in present])
        return response

    if not audit.handlers and not logging.getLogger().handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
        audit.addHandler(handler)
    audit.setLevel(logging.INFO)
