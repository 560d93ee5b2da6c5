"""The JSON API's blueprint (/api/v1) and what its route modules share: parsing parameters into 400s, the body,
and the person behind a bearer token."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, g, request
from marshmallow import Schema, ValidationError

from .. import ratelimit
from ..accounts import service as accounts
from ..errors import Unauthorized, ValidationFailed
from ..extensions import limiter
from ..schemas import flatten_errors
from ..security import json_body

bp = Blueprint("api", __name__)
limiter.limit(ratelimit.api_limit, key_func=ratelimit.token_or_address, error_message=ratelimit.API_LIMITED,
              exempt_when=ratelimit.anonymous_read)(bp)


def load_args(schema: Schema, source: Any = None) -> dict:
    """Parse query parameters with a schema; a bad one answers 400 naming the parameter."""
    try:
        return schema.load(source if source is not None else request.args)
    except ValidationError as exc:
        fields = {}
        for path, message in flatten_errors(exc.messages, label_of=lambda path: path.split("[")[0]):
            fields.setdefault(path.split("[")[0], message)  # a repeated parameter is named, not its position
        names = ", ".join(fields)
        raise ValidationFailed(f"Invalid parameter: {names}.", fields) from exc


def token_user():
    """The user whose personal access token came with the request, or 401."""
    if "api_user" not in g:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        user = accounts.user_for_token(token.strip()) if scheme.lower() == "bearer" and token.strip() else None
        if user is None:
            raise Unauthorized("Send a valid personal access token: Authorization: Bearer <token>.")
        g.api_user = user
    return g.api_user


def reader():
    """For reading routes: the token's owner when a token is sent (a bad one is still 401), else a visitor."""
    return token_user() if request.headers.get("Authorization") else None


def json_object() -> dict:
    """The request's body as a JSON object (security.json_body refuses what cannot be stored)."""
    data = json_body()
    if not isinstance(data, dict):
        raise ValidationFailed("The body must be a JSON object.", {"body": "must be a JSON object"})
    return data
