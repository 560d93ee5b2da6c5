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
    return spec.to_dict()
