"""Access rules for views: who may see what."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from flask import abort
from flask_login import current_user, login_required


def roles_required(*roles: str) -> Callable:
    """Logged-in users of these roles only; anyone else gets 403 (anonymous: log in)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def is_safe_next(target: str | None) -> bool:
    """Only same-site paths are followed after log-in (no open redirect)."""
    if not target:
        return False
    # Browsers drop tabs and line breaks from a URL, read a backslash as "/", and read a
    # path that starts with "//" (or "///") as another host: none of those is followed.
    if any(ch < " " or ch in "\\\x7f" for ch in target) or target.startswith("//"):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc and target.startswith("/")
