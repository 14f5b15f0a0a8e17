"""Configuration read from the environment (QUIZ_ prefix) with safe local defaults."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any


class ConfigError(RuntimeError):
    """The environment does not describe a safe configuration."""


def _instance_secret(instance_path: Path) -> str:
    """A development secret kept under instance/ so sessions survive a restart."""
    path = instance_path / "dev-secret-key"
    if path.exists():
        return path.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key


def load_config(instance_path: Path, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    env = os.environ
    production = env.get("QUIZ_ENV", "development") == "production"
    overrides = overrides or {}
    config: dict[str, Any] = {
        "QUIZ_ENV": "production" if production else env.get("QUIZ_ENV", "development"),
        "SQLALCHEMY_DATABASE_URI": env.get(
            "QUIZ_DATABASE_URL", f"sqlite:///{instance_path / 'quiz.sqlite3'}"
        ),
        # PostgreSQL connections are checked without a round trip when they leave the pool
        # (quiz.database.drop_dead_connections); a SQLite file does not go away.
        "SQLALCHEMY_ENGINE_OPTIONS": {},
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": production,
        "MAX_CONTENT_LENGTH": int(env.get("QUIZ_MAX_UPLOAD_BYTES", 2 * 1024 * 1024)),
        "QUIZ_QUESTIONS_DIR": env.get(
            "QUIZ_QUESTIONS_DIR", str(Path(__file__).resolve().parent.parent / "questions")
        ),
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session
        # Several workers or machines must share one count: use Redis there.
        "RATELIMIT_STORAGE_URI": env.get("QUIZ_RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_LOGIN_PER_ADDRESS": env.get(
            # A whole class may log in at once from one school's address; the limit per
            # account still stops anyone guessing one account's password.
            "QUIZ_RATELIMIT_LOGIN_PER_ADDRESS",
            "100 per minute;1000 per hour",
        ),
        "RATELIMIT_LOGIN_PER_ACCOUNT": env.get(
            "QUIZ_RATELIMIT_LOGIN_PER_ACCOUNT", "5 per minute;30 per hour"
        ),
        "QUIZ_TRUSTED_PROXIES": int(env.get("QUIZ_TRUSTED_PROXIES", "0")),
        "PASSWORD_HASH_METHOD": "scrypt",
    }
    secret = env.get("QUIZ_SECRET_KEY") or overrides.get("SECRET_KEY")
    if not secret:
        if production:
            raise ConfigError(
                "QUIZ_SECRET_KEY is not set. In production the secret key must come from the "
                "environment: set QUIZ_SECRET_KEY to a long random string "
                "(python -c 'import secrets; print(secrets.token_urlsafe(48))')."
            )
        secret = _instance_secret(instance_path)
    config["SECRET_KEY"] = secret
    config.update(overrides)
    return config
