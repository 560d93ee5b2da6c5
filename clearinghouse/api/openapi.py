"""The OpenAPI document, generated from the marshmallow schemas so it cannot drift from them."""

from __future__ import annotations

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from apispec.ext.marshmallow.common import resolve_schema_cls

from .. import schemas
from ..peers import service as peers

ERRORS = {
    "400": {"description": "A parameter or the body is invalid", "content": {"application/json": {"schema": "Error"}}},
    "404": {"description": "Not found, or not visible to you", "content": {"application/json": {"schema": "Error"}}},
}


def schema_name(schema) -> str:
    """A component's name: the schema's class without "Schema"; a partial view (`only=`) is the "Brief" one."""
    cls = resolve_schema_cls(schema)
    name = cls.__name__.removesuffix("Schema")
    only = getattr(schema, "only", None) if not isinstance(schema, type) else None
    return f"{name}Brief" if only else name


def _json(schema: str | type, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def build_spec(server: str = "") -> dict:
    spec = APISpec(
        title="Promising Practices Clearinghouse API",
        version="1.0.0",
        openapi_version="3.0.3",
        plugins=[MarshmallowPlugin(schema_name_resolver=schema_name)],
        info={"description": "Search and read vetted practices of California LEAs, in the interchange format."},
        servers=[{"url": f"{server}/api/v1"}] if server else [],
    )
    spec.components.schema("Error", schema=schemas.ErrorSchema)
    spec.components.schema("Practice", schema=schemas.PracticeOutSchema)
    spec.components.schema("PracticeSummary", schema=schemas.PracticeSummarySchema)
    spec.components.schema("PracticeList", schema=schemas.PracticeListSchema)

    spec.path(
        path="/practices",
        operations={"get": {
            "summary": "Published practices, newest first",
            "parameters": [{"in": "query", "schema": schemas.ListArgsSchema}],
            "responses": {"200": _json("PracticeList", "A page of practices"), "400": ERRORS["400"]},
        }},
    )
    spec.path(
        path="/practices/{slug}",
        operations={"get": {
            "summary": "One published practice in the interchange format",
            "parameters": [{"in": "path", "name": "slug", "required": True, "schema": {"type": "string"}}],
            "responses": {"200": _json("Practice", "The practice"), "404": ERRORS["404"]},
        }},
    )
    spec.components.schema("SearchResult", schema=schemas.SearchResultSchema)
    spec.path(
        path="/search",
        operations={"get": {
            "summary": "Full-text search with facets: OR within a filter, AND across filters",
            "description": "Each filter may be repeated (`?topic=math&topic=mtss`). The count of a value of facet F "
            "is the number of published practices matching the query and every filter except F's own. "
            "`match` says whether the results contain every word (after synonyms and spelling correction), "
            "only some of them, or nothing matched. `facets` names the facets to count (all when left out).",
            "parameters": [{"in": "query", "schema": schemas.ApiSearchArgsSchema}],
            "responses": {"200": _json("SearchResult", "A page of results with facets"), "400": ERRORS["400"],
                          "503": {"description": "The search index is missing or being rebuilt",
                                  "content": {"application/json": {"schema": "Error"}}}},
        }},
    )
    _submission_paths(spec)
    _collection_paths(spec)
    _lea_paths(spec)
    document = spec.to_dict()
    _limits(document)
    return document


def _limits(document: dict) -> None:
    """Every operation may be refused for the size of what it was sent (security.py's limits), or while the
    database is unavailable."""
    error = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    cached = {"/practices", "/practices/{slug}", "/search"}  # http_cache.PUBLIC_READS under /api/v1
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            operation["responses"].setdefault("414", {"description": "The address is too long", **error})
            operation["responses"].setdefault("429", {"description": "Too many requests (API_RATE_LIMIT, per token "
                                                                     "or address); see Retry-After", **error})
            # The database restarting or out of reach: a clean 503, to retry shortly.
            operation["responses"].setdefault("503", {"description": "The database is unavailable for now", **error})
            if path in cached and method == "get":
                operation["responses"]["304"] = {
                    "description": "Not modified: the If-None-Match ETag is current (visitors' answers carry an "
                                   "ETag and Cache-Control: public, max-age=60; a search's ETag changes with the "
                                   "search index)"}
            if method in ("post", "put", "patch"):
                operation["responses"].setdefault("413", {"description": "The body is too large", **error})


def _lea_paths(spec: APISpec) -> None:
    """LEAs with their context, and LEAs like yours (the measure is explained at /peers/help)."""
    spec.components.schema("LEAEntry", schema=schemas.LEAEntrySchema)
    spec.components.schema("LEAList", schema=schemas.LEAListSchema)
    spec.components.schema("PeersResult", schema=schemas.PeersResultSchema)
    spec.path(
        path="/leas",
        operations={"get": {
            "summary": "LEAs by name, county, locale and type, with their context and published practices",
            "parameters": [{"in": "query", "schema": schemas.LEAListArgsSchema}],
            "responses": {"200": _json("LEAList", "A page of LEAs"), "400": ERRORS["400"]},
        }},
    )
    spec.path(
        path="/leas/{id}",
        operations={"get": {
            "summary": "One LEA with its context and number of published practices",
            "parameters": [{"in": "path", "name": "id", "required": True, "schema": {"type": "integer"}}],
            "responses": {"200": _json("LEAEntry", "The LEA"), "404": ERRORS["404"]},
        }},
    )
    spec.path(
        path="/peers",
        operations={"get": {
            "summary": "LEAs like yours (by an LEA's id or a profile) and their practices on what you want to improve",
            "description": "Compared only within a kind (county offices; districts and charter schools by the "
            "grade spans served) on enrollment (log scale), % unduplicated, % English learners, % students with "
            "disabilities, % foster youth and homeless, and locale; each scaled within the kind and capped, "
            "combined as a weighted distance (missing values skipped, weights renormalized). Calipers: no peer "
            f"more than {peers.UNDUPLICATED_CALIPER:g} points of % unduplicated away, or outside a third to "
            f"{peers.ENROLLMENT_RATIO:g} times your enrollment. `similarity` = exp(−distance). `weak_match` is "
            f"true when fewer than {peers.MIN_PEERS} LEAs pass. Outcomes are never used to choose peers.",
            "parameters": [{"in": "query", "schema": schemas.PeersArgsSchema}],
            "responses": {"200": _json("PeersResult", "Similar LEAs and their practices"), "400": ERRORS["400"],
                          "404": ERRORS["404"]},
        }},
    )


def _submission_paths(spec: APISpec) -> None:
    """The vetting workflow through the API: personal access tokens, the same rules as the pages."""
    spec.components.security_scheme("token", {"type": "http", "scheme": "bearer",
                                               "description": "A personal access token from your account page."})
    spec.components.schema("Submission", schema=schemas.SubmissionSchema)
    spec.components.schema("ReviewIn", schema=schemas.ReviewInSchema)
    spec.components.schema("SubmissionTimeline", schema=schemas.SubmissionTimelineSchema)
    record = {"type": "object", "description": "A practice in the interchange format (see Practice); for a draft, "
              "anything may be missing or invalid: it is kept, and the problems come back in `errors`."}
    errors = {
        "400": ERRORS["400"],
        "401": {"description": "No valid personal access token", "content": {"application/json": {"schema": "Error"}}},
        "403": {"description": "You may see it but not do this (e.g. a conflict of interest)",
                "content": {"application/json": {"schema": "Error"}}},
        "404": ERRORS["404"],
        "409": {"description": "Not allowed from the submission's current state, or someone else decided first",
                "content": {"application/json": {"schema": "Error"}}},
    }
    one = [{"in": "path", "name": "id", "required": True, "schema": {"type": "integer"}}]
    secure = [{"token": []}]

    def op(summary: str, ok: str, body: dict | str | None = None, status: str = "200", params=None,
           body_required: bool = True) -> dict:
        operation = {"summary": summary, "security": secure, "parameters": params or [],
                     "responses": {status: _json(ok, summary), **errors}}
        if body is not None:
            operation["requestBody"] = {"required": body_required,
                                        "content": {"application/json": {"schema": body}}}
        return operation

    spec.path(path="/submissions", operations={"post": op(
        "Start a draft (lax validation: answers the draft with its id and any errors)", "Submission", record, "201")})
    spec.path(path="/submissions/{id}", operations={
        "get": op("One submission you may see: its record, state, rounds and reviews", "Submission", params=one),
        "put": op("Save the draft (lax validation)", "Submission", record, params=one),
    })
    spec.path(path="/submissions/{id}/submit", operations={"post": op(
        "Submit or resubmit for vetting (strict validation, like the importer); a body saves it first",
        "Submission", record, params=one, body_required=False)})
    spec.path(path="/submissions/{id}/claim", operations={"post": op(
        "Claim the submission for review (reviewers; never your own or your own LEA's)", "Submission", params=one)})
    spec.path(path="/submissions/{id}/reviews", operations={"post": op(
        "File your review of the current round: six scores 1–4 with comments, a recommendation and a message",
        "Submission", "ReviewIn", "201", params=one)})
    spec.path(path="/submissions/{id}/timeline", operations={"get": op(
        "Every transition of the submission: actor, from, to, comment, time", "SubmissionTimeline", params=one)})


def _collection_paths(spec: APISpec) -> None:
    """Collections: reading public ones; curating by facilitators with a personal access token."""
    spec.components.schema("CollectionItem", schema=schemas.CollectionItemSchema)
    spec.components.schema("CollectionSummary", schema=schemas.CollectionSummarySchema)
    spec.components.schema("Collection", schema=schemas.CollectionOutSchema)
    spec.components.schema("CollectionList", schema=schemas.CollectionListSchema)
    spec.components.schema("CollectionIn", schema=schemas.CollectionInSchema)
    spec.components.schema("ItemIn", schema=schemas.ItemInSchema)
    spec.components.schema("ItemPatch", schema=schemas.ItemPatchSchema)
    error = {"content": {"application/json": {"schema": "Error"}}}
    errors = {
        "400": ERRORS["400"],
        "401": {"description": "No valid personal access token", **error},
        "403": {"description": "You may see it but not do this (only facilitators create collections; only "
                               "the curator who created a collection deletes it)", **error},
        "404": {"description": "No such collection or practice, or not one you may see or curate", **error},
        "409": {"description": "The practice is already in the collection, or someone else changed it at the "
                               "same moment", **error},
    }
    slug = {"in": "path", "name": "slug", "required": True, "schema": {"type": "string"}}
    practice = {"in": "path", "name": "practice", "required": True, "schema": {"type": "string"},
                "description": "the practice's slug"}
    secure = [{"token": []}]

    def op(summary: str, ok: str | None, body: str | None = None, status: str = "200", params=()) -> dict:
        answer = _json(ok, summary) if ok else {"description": summary}
        operation = {"summary": summary, "security": secure, "parameters": list(params),
                     "responses": {status: answer, **errors}}
        if body is not None:
            operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
        return operation

    spec.path(path="/collections", operations={
        "get": {
            "summary": "Public collections, featured first, then by title; `q` matches words of the title or "
                       "the network",
            "parameters": [{"in": "query", "schema": schemas.CollectionListArgsSchema}],
            "responses": {"200": _json("CollectionList", "A page of public collections"), "400": ERRORS["400"]},
        },
        "post": op("Create a collection (facilitators); you become its first curator", "Collection",
                   "CollectionIn", "201"),
    })
    reading = {
        "summary": "One collection with its items in order; a private one answers 404 to all but its curators "
                   "(send your token to see yours)",
        "security": [{}, {"token": []}],
        "parameters": [slug],
        "responses": {"200": _json("Collection", "The collection"), "401": errors["401"], "404": errors["404"]},
    }
    spec.path(path="/collections/{slug}", operations={
        "get": reading,
        "put": op("Replace the collection's title, description, network and visibility (curators)", "Collection",
                  "CollectionIn", params=[slug]),
        "delete": op("Delete the collection (the curator who created it); its practices stay published", None,
                     status="204", params=[slug]),
    })
    spec.path(path="/collections/{slug}/items", operations={"post": op(
        "Add a published practice with the curator's note, at `position` or at the end (curators); "
        "answers the collection", "Collection", "ItemIn", "201", params=[slug])})
    spec.path(path="/collections/{slug}/items/{practice}", operations={
        "patch": op("Edit an item's note or move it to `position` (curators); answers the collection",
                    "Collection", "ItemPatch", params=[slug, practice]),
        "delete": op("Remove the practice from the collection (curators)", None, status="204",
                     params=[slug, practice]),
    })
