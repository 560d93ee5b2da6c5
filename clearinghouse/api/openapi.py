"""The OpenAPI document, generated from the marshmallow schemas so it cannot drift from them."""

from __future__ import annotations

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from .. import schemas

ERRORS = {
    "400": {"description": "A parameter or the body is invalid", "content": {"application/json": {"schema": "Error"}}},
    "404": {"description": "Not found, or not visible to you", "content": {"application/json": {"schema": "Error"}}},
}


def _json(schema: str | type, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def build_spec(server: str = "") -> dict:
    spec = APISpec(
        title="Promising Practices Clearinghouse API",
        version="1.0.0",
        openapi_version="3.0.3",
        plugins=[MarshmallowPlugin()],
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
            "only some of them, or nothing matched.",
            "parameters": [{"in": "query", "schema": schemas.SearchArgsSchema}],
            "responses": {"200": _json("SearchResult", "A page of results with facets"), "400": ERRORS["400"]},
        }},
    )
    return spec.to_dict()
