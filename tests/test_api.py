"""The JSON API contract of DESIGN.md: practices, errors, and the OpenAPI document."""

from __future__ import annotations

import json

import pytest

LEAD = "teacher-leaders-for-english-learners-the-lead-program"


def test_list_is_newest_first_and_paginated(seeded):
    client = seeded.test_client()
    body = client.get("/api/v1/practices?page=2&per_page=5").json
    assert set(body) == {"total", "page", "per_page", "results"}
    assert body["page"] == 2 and body["per_page"] == 5 and body["total"] >= 16
    assert len(body["results"]) == 5
    result = body["results"][0]
    assert set(result) == {"slug", "title", "summary", "url", "lea", "evidence_level", "published_at"}
    assert set(result["lea"]) == {"name", "county", "locale", "type"}
    assert result["url"].endswith(f"/practices/{result['slug']}")
    everything = client.get("/api/v1/practices?per_page=100").json["results"]
    dates = [r["published_at"] for r in everything]
    assert dates == sorted(dates, reverse=True)


def test_one_practice_is_the_interchange_format_plus_system_fields(seeded):
    body = seeded.test_client().get(f"/api/v1/practices/{LEAD}").json
    for key in ["title", "summary", "lea", "state_priorities", "student_groups", "grade_spans", "evidence_level",
                "sections", "slug", "url", "published_at", "updated_at"]:
        assert key in body, key
    assert body["slug"] == LEAD and body["lea"]["county"] == "Orange"
    assert isinstance(body["state_priorities"][0], int)


def test_api_output_reimports_unchanged(seeded, tmp_path):
    import json

    body = seeded.test_client().get(f"/api/v1/practices/{LEAD}").json
    path = tmp_path / "one.json"
    path.write_text(json.dumps([body]))
    result = seeded.test_cli_runner().invoke(args=["practices", "import", str(path), "--publish"])
    assert result.exit_code == 0, result.output
    assert "1 unchanged" in result.output


@pytest.mark.parametrize(
    "url, status, field",
    [
        ("/api/v1/practices?page=0", 400, "page"),
        ("/api/v1/practices?per_page=1000", 400, "per_page"),
        ("/api/v1/practices?per_page=abc", 400, "per_page"),
        ("/api/v1/practices/no-such-practice", 404, None),
        ("/api/v1/no-such-endpoint", 404, None),
    ],
)
def test_errors_are_json_with_the_right_status(seeded, url, status, field):
    response = seeded.test_client().get(url)
    assert response.status_code == status
    assert response.is_json
    error = response.json["error"]
    assert error["status"] == status and error["message"]
    if field:
        assert field in error["fields"]


def test_wrong_method_is_a_json_405(client):
    response = client.post("/api/v1/practices")
    assert response.status_code == 405 and response.json["error"]["status"] == 405


def test_openapi_document_describes_the_endpoints_from_the_schemas(client):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"].startswith("3.")
    assert {"/practices", "/practices/{slug}", "/search"} <= set(spec["paths"])
    practice = spec["components"]["schemas"]["Practice"]
    assert {"title", "summary", "lea", "sections", "slug"} <= set(practice["properties"])
    assert "title" in practice["required"]
    params = {p["name"] for p in spec["paths"]["/practices"]["get"]["parameters"]}
    assert {"page", "per_page"} <= params


def test_every_api_answer_is_checked_against_the_openapi_document(app, client, seeded):
    """The suite's client validates each /api/v1 answer; an answer unlike the document fails the test."""
    from werkzeug.wrappers import Response

    from .api_contract import check_response

    good = client.get("/api/v1/practices?per_page=2")
    assert good.status_code == 200  # checked on the way (ContractClient)
    drifted = Response(json.dumps(good.json | {"undocumented": True}), status=200, mimetype="application/json")
    with pytest.raises(AssertionError, match="unlike the OpenAPI document"):
        check_response(app, good.request, drifted)
    wrong_type = Response(json.dumps(good.json | {"total": "many"}), status=200, mimetype="application/json")
    with pytest.raises(AssertionError, match="unlike the OpenAPI document"):
        check_response(app, good.request, wrong_type)


def test_the_openapi_document_is_valid_openapi_3(client):
    from openapi_spec_validator import validate

    spec = client.get("/api/v1/openapi.json").json
    validate(spec)
    amount = spec["components"]["schemas"]["Investment"]["properties"]["amount_usd"]
    assert amount["type"] == "number" and isinstance(amount["minimum"], (int, float))
    submit = spec["paths"]["/submissions/{id}/submit"]["post"]
    assert submit["requestBody"]["required"] is False  # the optional body is documented
