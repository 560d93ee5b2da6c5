"""HTTP caching of public reads: an ETag, a short public max-age, and 304 on a matching If-None-Match, so a
reverse proxy or CDN in front can answer repeated searches and practice pages without reaching the app.

Visitors' reads of the routes in PUBLIC_READS are `Cache-Control: public, max-age=60` with an ETag: a search's
is derived from the index version and the query string (set by the view before it searches, so a match costs
no search at all: `not_modified`); the others' is a hash of the body. Anything answered to a signed-in person
(a session login or an API token) is `private, no-store`.
"""

from __future__ import annotations

import hashlib

from flask import Flask, Response, g, request
from flask_login import current_user

PUBLIC_READS = frozenset({"search.search", "api.search", "practices.practice", "api.practices_list", "api.practice"})
MAX_AGE = 60  # seconds a cache may serve a public read without asking again
PUBLIC = f"public, max-age={MAX_AGE}"
PRIVATE = "private, no-store"


def signed_in() -> bool:
    return bool(request.headers.get("Authorization")) or bool(getattr(current_user, "is_authenticated", False))


def _public() -> bool:
    return request.method in ("GET", "HEAD") and request.endpoint in PUBLIC_READS and not signed_in()


def not_modified(version: str) -> Response | None:
    """For a public read whose answer depends only on `version` and the query string: remember its ETag, and
    answer 304 now when the client (or cache) already has it."""
    if not _public():
        return None
    tag = hashlib.sha256(f"{version}\n{request.full_path}".encode()).hexdigest()[:32]
    g.etag = tag
    if request.if_none_match.contains(tag):
        response = Response(status=304)
        response.set_etag(tag)
        return response
    return None


def init_app(app: Flask) -> None:
    @app.after_request
    def cache_headers(response: Response) -> Response:
        if signed_in():
            response.headers["Cache-Control"] = PRIVATE
        elif _public() and response.status_code in (200, 304):
            response.headers["Cache-Control"] = PUBLIC
            response.vary.add("Cookie")
            response.vary.add("Authorization")
            if response.status_code == 200:
                if "etag" in g:
                    response.set_etag(g.etag)
                else:
                    response.add_etag()
                response.make_conditional(request)
        return response
