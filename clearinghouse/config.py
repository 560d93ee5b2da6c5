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
        # Several nodes: each worker applies the search change log this often (seconds; 0 = only after its own
        # commits), rebuilds when further behind than SEARCH_REBUILD_AFTER changes, and /healthz answers 503
        # when a change waits longer than SEARCH_BEHIND_GRACE seconds with nobody applying it.
        "SEARCH_FOLLOW_SECONDS": float(env.get("SEARCH_FOLLOW_SECONDS", "1")),
        "SEARCH_REBUILD_AFTER": int(env.get("SEARCH_REBUILD_AFTER", "5000")),
        "SEARCH_BEHIND_GRACE": float(env.get("SEARCH_BEHIND_GRACE", "30")),
        "SEARCH_ANSWER_CACHE": int(env.get("SEARCH_ANSWER_CACHE", "512")),  # search/recent.py; 0 = off
        "BULK_IMPORT": int(env.get("BULK_IMPORT", "500")),  # published imports above this rebuild the index
        # The site's address for links in mail sent by commands (`flask alerts send`), outside any request.
        "SITE_URL": env.get("SITE_URL", "http://localhost:5000"),
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
        # Count practice views and downloads (COUNTER rules, no personal data); USAGE_COUNTING=0 turns it off.
        "USAGE_COUNTING": env.get("USAGE_COUNTING", "1").lower() in ("1", "true", "yes"),
        # The host named in feed entry ids (tag URIs); set it when the site answers at several host names.
        "FEED_TAG_HOST": env.get("FEED_TAG_HOST"),
        # Where rate-limit counts live: the app's database by default (shared by every worker and node), or
        # e.g. redis://host:6379/0. See clearinghouse/ratelimit.py.
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI", "database://"),
        "LOGIN_ACCOUNT_RATE_LIMIT": env.get("LOGIN_ACCOUNT_RATE_LIMIT", "10 per minute"),  # wrong tries
        "LOGIN_ADDRESS_RATE_LIMIT": env.get("LOGIN_ADDRESS_RATE_LIMIT", "100 per minute"),
        "MAIL_REQUEST_RATE_LIMIT": env.get("MAIL_REQUEST_RATE_LIMIT", "5 per hour"),  # reset/register mail
        "API_RATE_LIMIT": env.get("API_RATE_LIMIT", "1200 per minute"),  # per token, or per address
        # How many proxies (load balancer, nginx) sit in front and set X-Forwarded-For/-Proto: the client's address
        # (what per-address limits count) is then read from that header. 0: the connection's address.
        "TRUSTED_PROXIES": int(env.get("TRUSTED_PROXIES", "0")),
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
        config["SEARCH_FOLLOW_SECONDS"] = float(env.get("SEARCH_FOLLOW_SECONDS", "0"))  # no thread per test app
    config.update(overrides)
    if config.get("DATABASE_URL"):
        config["SQLALCHEMY_DATABASE_URI"] = config.pop("DATABASE_URL")
    return config
