"""The JSON API's blueprint (/api/v1) and what its route modules share: parsing parameters into 400s."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request
from marshmallow import Schema, ValidationError

from ..errors import ValidationFailed
from ..schemas import flatten_errors

bp = Blueprint("api", __name__)


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
