"""HTTP hardening in one place: security headers on every answer, safe redirect targets, and the limits on
what a request may carry (size, nesting, integers, NUL and lone surrogates), refused with a clear 400."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, request, url_for
from werkzeug.routing import IntegerConverter

from .errors import ValidationFailed
from .models.types import DB_INT_MAX

MAX_JSON_DEPTH = 20
MAX_URL = 8190  # what gunicorn accepts in a request line, so the app answers longer ones itself

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
       "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


class DatabaseInteger(IntegerConverter):
    """`<int:…>` in every route: a number past the database's range matches nothing (404), never a crash."""

    def __init__(self, map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", DB_INT_MAX)
        super().__init__(map, *args, **kwargs)


def init_app(app: Flask) -> None:
    app.url_map.converters["int"] = DatabaseInteger
    if app.config.get("TRUSTED_PROXIES"):  # behind a load balancer: the client's address, not the balancer's
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)

    @app.before_request
    def refuse_bad_input() -> None:
        if len(request.full_path) > MAX_URL:
            from werkzeug.exceptions import RequestURITooLarge

            raise RequestURITooLarge()
        for source, values in (("parameter", request.args), ("field", request.form)):
            for name, value in values.items(multi=True):
                problem = text_problem(value)
                if problem:
                    raise ValidationFailed(f"The {source} {name!r} {problem}.", {name: f"{name} {problem}."})

    @app.after_request
    def add_headers(response):
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if app.config["APP_ENV"] == "production":
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response


def safe_next(target: str | None) -> str:
    """A redirect target on this site only: a path, after dropping what browsers drop (tabs, new lines, other
    control characters, surrounding spaces), never `//host`, `/\\host` or a scheme."""
    cleaned = "".join(c for c in (target or "") if c.isprintable()).strip()
    parts = urlsplit(cleaned)
    if (not cleaned.startswith("/") or cleaned.startswith("//") or "\\" in cleaned or parts.scheme or parts.netloc):
        return url_for("practices.home")
    return cleaned


def text_problem(value: str) -> str | None:
    """Why a string cannot be stored (NUL, a lone surrogate), or None."""
    if "\x00" in value:
        return "contains a NUL character"
    if any(0xD800 <= ord(c) <= 0xDFFF for c in value):
        return "contains an invalid character (a lone surrogate)"
    return None


def json_body() -> Any:
    """The request's JSON body, refused with a 400 that says why when it is not plain, storable JSON."""
    raw = request.get_data(cache=True)
    try:
        data = json.loads(raw.decode("utf-8"), parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError) as exc:
        raise ValidationFailed(f"The body is not valid JSON: {exc}.", {"body": "The body is not valid JSON."}) \
            from exc
    except RecursionError as exc:
        raise ValidationFailed("The body is nested too deeply.", {"body": "The body is nested too deeply."}) from exc
    problem = _walk(data, "", 0)
    if problem:
        path, message = problem
        raise ValidationFailed(f"{path or 'The body'} {message}.", {path or "body": f"{path or 'body'} {message}."})
    return data


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not a JSON number")


def _walk(value: Any, path: str, depth: int) -> tuple[str, str] | None:
    if depth > MAX_JSON_DEPTH:
        return path, f"is nested more than {MAX_JSON_DEPTH} levels deep"
    if isinstance(value, str):
        problem = text_problem(value)
        return (path, problem) if problem else None
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = ((f"[{i}]", v) for i, v in enumerate(value))
    else:
        return None
    for key, item in items:
        if isinstance(key, str) and not key.startswith("["):
            problem = text_problem(key)
            if problem:
                return path or "body", f"has a key that {problem}"
            child = f"{path}.{key}" if path else key
        else:
            child = f"{path}{key}"
        found = _walk(item, child, depth + 1)
        if found:
            return found
    return None
