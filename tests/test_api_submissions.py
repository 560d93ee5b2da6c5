"""The submissions API: the same workflow and rules as the pages, over personal access tokens."""

from __future__ import annotations

import pytest

from clearinghouse.accounts import service as accounts

from .vetting_helpers import GOOD_REVIEW, user


@pytest.fixture
def tokens(app, people) -> dict[str, dict]:
    with app.app_context():
        return {kind: {"Authorization": f"Bearer {accounts.create_token(user(p), 'tests')[1]}"}
                for kind, p in people.items()}


def test_the_whole_workflow_through_the_api(app, client, tokens, practice_record, mailbox, people):
    draft = client.post("/api/v1/submissions", json={"title": "Only a title"}, headers=tokens["contributor"])
    assert draft.status_code == 201
    body = draft.json
    rid = body["id"]
    assert body["state"] == "draft" and body["record"]["title"] == "Only a title"
    assert body["errors"]["summary"] == "Summary is required."
    assert body["errors"]["sections"] == "The story is required."
    refused = client.post(f"/api/v1/submissions/{rid}/submit", headers=tokens["contributor"])
    assert refused.status_code == 400 and refused.json["error"]["fields"]["summary"] == "Summary is required."
    saved = client.put(f"/api/v1/submissions/{rid}", json=practice_record, headers=tokens["contributor"])
    assert saved.status_code == 200 and saved.json["errors"] == {}
    submitted = client.post(f"/api/v1/submissions/{rid}/submit", headers=tokens["contributor"])
    assert submitted.status_code == 200 and submitted.json["state"] == "submitted"
    assert client.post(f"/api/v1/submissions/{rid}/submit", headers=tokens["contributor"]).status_code == 409
    for kind in ("reviewer", "reviewer2"):
        claimed = client.post(f"/api/v1/submissions/{rid}/claim", headers=tokens[kind])
        assert claimed.status_code == 200 and claimed.json["permissions"]["review"] is True
    first = client.post(f"/api/v1/submissions/{rid}/reviews", json=GOOD_REVIEW, headers=tokens["reviewer"])
    assert first.status_code == 201 and first.json["state"] == "in_review"
    again = client.post(f"/api/v1/submissions/{rid}/reviews", json=GOOD_REVIEW, headers=tokens["reviewer"])
    assert again.status_code == 403  # one review per reviewer per round
    second = client.post(f"/api/v1/submissions/{rid}/reviews", json=GOOD_REVIEW, headers=tokens["reviewer2"])
    assert second.status_code == 201 and second.json["state"] == "published"
    review = second.json["rounds"][0]["reviews"][0]
    assert review["scores"]["1"] == 4 and review["rubric"][0]["criterion"].startswith("The problem of practice")
    timeline = client.get(f"/api/v1/submissions/{rid}/timeline", headers=tokens["contributor"]).json["events"]
    assert [e["action"] for e in timeline] == ["create", "submit", "claim", "claim", "review", "review",
                                               "approve", "publish"]
    slug = second.json["practice"]
    assert client.get(f"/api/v1/practices/{slug}").status_code == 200


def test_401_without_a_valid_token(client, tokens):
    assert client.post("/api/v1/submissions", json={}).status_code == 401
    assert client.get("/api/v1/submissions/1", headers={"Authorization": "Bearer pp_wrong"}).status_code == 401
    answer = client.get("/api/v1/submissions/1", headers={"Authorization": "Basic abc"})
    assert answer.status_code == 401 and answer.json["error"]["status"] == 401


def test_404_for_what_the_tokens_owner_may_not_see(client, tokens, practice_record):
    rid = client.post("/api/v1/submissions", json={"title": "Mine"}, headers=tokens["contributor"]).json["id"]
    for kind in ("other", "reviewer", "admin", "facilitator"):
        assert client.get(f"/api/v1/submissions/{rid}", headers=tokens[kind]).status_code == 404, kind
        assert client.put(f"/api/v1/submissions/{rid}", json={}, headers=tokens[kind]).status_code == 404, kind
    assert client.get("/api/v1/submissions/999999", headers=tokens["contributor"]).status_code == 404


def test_409_for_a_transition_not_allowed_now_and_the_conflict_rules(client, tokens, practice_record):
    rid = client.post("/api/v1/submissions", json=practice_record, headers=tokens["contributor"]).json["id"]
    assert client.post(f"/api/v1/submissions/{rid}/claim", headers=tokens["reviewer"]).status_code == 404  # a draft
    client.post(f"/api/v1/submissions/{rid}/submit", headers=tokens["contributor"])
    assert client.put(f"/api/v1/submissions/{rid}", json={}, headers=tokens["contributor"]).status_code == 409
    assert client.post(f"/api/v1/submissions/{rid}/reviews", json=GOOD_REVIEW,
                       headers=tokens["reviewer"]).status_code == 409  # not in review yet
    assert client.post(f"/api/v1/submissions/{rid}/claim", headers=tokens["contributor"]).status_code == 403
    assert client.post(f"/api/v1/submissions/{rid}/claim", headers=tokens["other"]).status_code == 404
    client.post(f"/api/v1/submissions/{rid}/claim", headers=tokens["reviewer"])
    client.post(f"/api/v1/submissions/{rid}/reviews", json={**GOOD_REVIEW, "recommendation": "reject",
                                                            "message": "Not a fit."}, headers=tokens["reviewer"])
    client.post(f"/api/v1/submissions/{rid}/claim", headers=tokens["reviewer2"])
    client.post(f"/api/v1/submissions/{rid}/reviews", json=GOOD_REVIEW, headers=tokens["reviewer2"])
    rejected = client.get(f"/api/v1/submissions/{rid}", headers=tokens["contributor"]).json
    assert rejected["state"] == "rejected"
    answer = client.post(f"/api/v1/submissions/{rid}/submit", headers=tokens["contributor"])
    assert answer.status_code == 409 and "rejected" in answer.json["error"]["message"]


def test_400_with_field_errors_for_an_invalid_body(client, tokens, practice_record):
    assert client.post("/api/v1/submissions", data="[1, 2]", content_type="application/json",
                       headers=tokens["contributor"]).status_code == 400
    rid = client.post("/api/v1/submissions", json=practice_record, headers=tokens["contributor"]).json["id"]
    client.post(f"/api/v1/submissions/{rid}/submit", headers=tokens["contributor"])
    client.post(f"/api/v1/submissions/{rid}/claim", headers=tokens["reviewer"])
    bad = client.post(f"/api/v1/submissions/{rid}/reviews", json={"scores": {"1": 9}, "comments": {},
                                                                  "recommendation": "maybe"},
                      headers=tokens["reviewer"])
    assert bad.status_code == 400 and bad.json["error"]["fields"]["recommendation"]
    incomplete = client.post(f"/api/v1/submissions/{rid}/reviews",
                             json={"scores": {"1": 9}, "comments": {}, "recommendation": "reject"},
                             headers=tokens["reviewer"])
    fields = incomplete.json["error"]["fields"]
    assert incomplete.status_code == 400 and {"scores.1", "comments.2", "message"} <= set(fields)


def test_the_openapi_document_describes_the_submissions_api(client):
    spec = client.get("/api/v1/openapi.json").json
    for path in ("/submissions", "/submissions/{id}", "/submissions/{id}/submit", "/submissions/{id}/claim",
                 "/submissions/{id}/reviews", "/submissions/{id}/timeline"):
        assert path in spec["paths"], path
    post = spec["paths"]["/submissions/{id}/reviews"]["post"]
    assert {"400", "401", "404", "409"} <= set(post["responses"]) and post["security"] == [{"token": []}]
    assert spec["components"]["securitySchemes"]["token"]["scheme"] == "bearer"
    assert "recommendation" in spec["components"]["schemas"]["ReviewIn"]["properties"]


def test_reading_with_a_token_does_not_write_on_every_request(app, client, tokens, people):
    from datetime import timedelta

    from clearinghouse.extensions import db
    from clearinghouse.models import ApiToken
    from clearinghouse.models.types import utcnow

    assert client.get("/api/v1/submissions/999999", headers=tokens["contributor"]).status_code == 404
    with app.app_context():
        token = db.session.execute(db.select(ApiToken).where(ApiToken.user_id == people["contributor"].id)).scalar_one()
        assert token.last_used_at is not None  # the first use is noted
        recently = utcnow() - timedelta(minutes=5)
        token.last_used_at = recently
        db.session.commit()
    for _ in range(3):
        client.get("/api/v1/submissions/999999", headers=tokens["contributor"])
    with app.app_context():
        token = db.session.execute(db.select(ApiToken).where(ApiToken.user_id == people["contributor"].id)).scalar_one()
        assert abs((token.last_used_at - recently).total_seconds()) < 1  # not rewritten within the hour
