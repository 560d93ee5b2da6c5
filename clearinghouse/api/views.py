"""The JSON API (/api/v1): thin handlers over the same services the pages use."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request
from marshmallow import Schema, ValidationError

from ..errors import ValidationFailed
from ..practices import queries
from ..practices.records import revision_to_record
from ..schemas import (
    FILTER_VOCABULARIES,
    MAX_QUERY,
    ListArgsSchema,
    PracticeListSchema,
    PracticeOutSchema,
    SearchArgsSchema,
    SearchResultSchema,
    flatten_errors,
    practice_url,
)
from ..search import service as search_service

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


@bp.get("/practices")
def practices_list():
    args = load_args(ListArgsSchema())
    page = queries.list_published(page=args["page"], per_page=args["per_page"])
    return jsonify(PracticeListSchema().dump(
        {"total": page.total, "page": page.page, "per_page": page.per_page, "results": page.items}
    ))


@bp.get("/practices/<slug>")
def practice(slug: str):
    revision = queries.get_published(slug)
    p = revision.practice
    return jsonify(PracticeOutSchema().dump({
        **revision_to_record(revision), "slug": p.slug, "url": practice_url(p.slug),
        "published_at": p.published_at, "updated_at": p.updated_at,
    }))


@bp.get("/search")
def search():
    args = load_args(SearchArgsSchema())
    if len(args["q"]) > MAX_QUERY:
        raise ValidationFailed("Invalid parameter: q.", {"q": f"q must be at most {MAX_QUERY:,} characters."})
    filters = {key: args[key] for key in FILTER_VOCABULARIES if args[key]}
    page = search_service.search(args["q"], filters, args["sort"], args["page"], args["per_page"])
    result = page.result
    return jsonify(SearchResultSchema().dump({
        "query": args["q"], "total": result.total, "page": result.page, "per_page": result.per_page,
        "results": page.items, "facets": search_service.facet_listing(result, filters),
        "suggestion": result.suggestion, "match": result.match,
    }))


@bp.get("/openapi.json")
def openapi():
    from .openapi import build_spec

    return jsonify(build_spec(request.host_url.rstrip("/")))


from . import leas, submissions  # noqa: E402,F401  (register the LEAs/peers and submissions routes on this blueprint)
