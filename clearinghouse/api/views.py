"""The JSON API's reading routes (/api/v1/practices, /search, /openapi.json): thin handlers over the services."""

from __future__ import annotations

from flask import current_app, jsonify, request

from .. import http_cache
from ..errors import ValidationFailed
from ..practices import queries
from ..records import revision_to_record
from ..schemas import (
    FILTER_VOCABULARIES,
    MAX_QUERY,
    ApiSearchArgsSchema,
    ListArgsSchema,
    PracticeListSchema,
    PracticeOutSchema,
    practice_url,
    search_payload,
)
from ..search import service as search_service
from ..search.recent import answers
from .blueprint import bp, load_args


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
    version = search_service.index_version()
    if (cached := http_cache.not_modified(version)) is not None:
        return cached
    recent = answers(current_app.config["SEARCH_ANSWER_CACHE"])
    key = (version, request.full_path)
    if (answer := recent.get(key)) is not None:
        return jsonify(answer)
    args = load_args(ApiSearchArgsSchema())
    if len(args["q"]) > MAX_QUERY:
        raise ValidationFailed("Invalid parameter: q.", {"q": f"q must be at most {MAX_QUERY:,} characters."})
    filters = {key: args[key] for key in FILTER_VOCABULARIES if args[key]}
    result, items = search_service.search_cards(args["q"], filters, args["sort"], args["page"], args["per_page"],
                                                correct=not args["exact"], facets=args["facets"])
    answer = search_payload(args["q"], result, items, search_service.facet_listing(result, filters))
    recent.put(key, answer)
    return jsonify(answer)


@bp.get("/openapi.json")
def openapi():
    from .openapi import build_spec

    return jsonify(build_spec(request.host_url.rstrip("/")))

