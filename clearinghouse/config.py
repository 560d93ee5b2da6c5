"""Settings from the environment, with embedded defaults that serve one machine."""

from __future__ import annotations

import os
from pathlib import Path

INSTANCE_DIR = Path(__file__).resolve().parent.parent / "instance"


class ConfigError(RuntimeError):
    """The environment does not describe a runnable configuration."""


def load_config(overrides: dict | None = None) -> dict:
    """Build the app's settings: environment first, then explicit overrides (tests pass these)."""
    env = os.environ
    overrides = dict(overrides or {})
    app_env = overrides.get("APP_ENV") or env.get("APP_ENV", "development")
    if app_env not in ("development", "test", "production"):
        raise ConfigError(f"APP_ENV must be development, test or production, not {app_env!r}")
    instance = Path(overrides.get("INSTANCE_DIR") or env.get("INSTANCE_DIR") or INSTANCE_DIR)

    secret = overrides.get("SECRET_KEY") or env.get("SECRET_KEY")
    if not secret:
        if app_env == "production":
            raise ConfigError("SECRET_KEY must be set in production (APP_ENV=production)")
        secret = "development-only-secret-not-for-production"

    database_url = env.get("DATABASE_URL") or f"sqlite:///{instance / 'clearinghouse.sqlite3'}"
    config = {
        "APP_ENV": app_env,
        "INSTANCE_DIR": str(instance),
        "SECRET_KEY": secret,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "SEARCH_INDEX_DIR": env.get("SEARCH_INDEX_DIR") or str(instance / "search-index"),
        "REVIEWS_REQUIRED": int(env.get("REVIEWS_REQUIRED", "2")),
        "PER_PAGE": 20,
        "SEARCH_ANSWER_CACHE": int(env.get("SEARCH_ANSWER_CACHE", "512")),  # search/recent.py; 0 = off
        "BULK_IMPORT": int(env.get("BULK_IMPORT", "500")),  # published imports above this rebuild the index
        "MAIL_SERVER": env.get("MAIL_SERVER", "localhost"),
        "MAIL_PORT": int(env.get("MAIL_PORT", "25")),
        "MAIL_USERNAME": env.get("MAIL_USERNAME"),
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD"),
        "MAIL_USE_TLS": env.get("MAIL_USE_TLS", "").lower() in ("1", "true", "yes"),
        "MAIL_DEFAULT_SENDER": env.get("MAIL_DEFAULT_SENDER", "clearinghouse@localhost"),
        "MAIL_TIMEOUT": float(env.get("MAIL_TIMEOUT", "2")),  # seconds a request may wait on the mail server
        # Try the outbox right after each commit (otherwise only `flask mail send`, e.g. from cron, sends).
        "MAIL_SEND_AFTER_COMMIT": env.get("MAIL_SEND_AFTER_COMMIT", "1").lower() in ("1", "true", "yes"),
        # Where people write about the site (accessibility problems, privacy questions); shown on /accessibility.
        "CONTACT_EMAIL": env.get("CONTACT_EMAIL") or env.get("MAIL_DEFAULT_SENDER", "clearinghouse@localhost"),
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": True,
        "WTF_CSRF_TIME_LIMIT": None,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": app_env == "production",
        "PASSWORD_HASH_METHOD": "scrypt",
        "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,  # bytes in one request: a long write-up is ~100 KB
        "MAX_FORM_MEMORY_SIZE": 2 * 1024 * 1024,
    }
    if app_env == "test":
        # A cheap hash keeps the tests fast; only the test configuration may use it.
        config.update(TESTING=True, RATELIMIT_ENABLED=False, PASSWORD_HASH_METHOD="pbkdf2:sha256:1000")
    config.update(overrides)
    if config.get("DATABASE_URL"):
        config["SQLALCHEMY_DATABASE_URI"] = config.pop("DATABASE_URL")
    return config
