"""The collections API: the same rules as the pages over personal access tokens, answers as documented."""

from __future__ import annotations

import pytest

from clearinghouse.accounts import service as accounts
from clearinghouse.vetting import service as vetting

from .conftest import PASSWORD
from .vetting_helpers import user

LEAD = "teacher-leaders-for-english-learners-the-lead-program"
PBIS = "refocusing-a-rural-districts-improvement-work-on-pbis"
MATH = "math-plcs-for-a-newly-adopted-curriculum"
NEW = {"title": "English learners: where to start", "description": "Start with **these**.",
       "network": "Central Valley EL Coordinators Network", "visibility": "public"}


@pytest.fixture
def tokens(seeded, people) -> dict[str, dict]:
    with seeded.app_context():
        found = {kind: {"Authorization": f"Bearer {accounts.create_token(user(p), 'tests')[1]}"}
                 for kind, p in people.items()}
        fern, _ = accounts.create_user("fern@example.org", ["facilitator"], password=PASSWORD, name="Fern")
        found["facilitator2"] = {"Authorization": f"Bearer {accounts.create_token(fern, 'tests')[1]}"}
    return found


def slugs(body: dict) -> list[str]:
    return [item["practice"]["slug"] for item in body["items"]]


def test_a_collection_round_trip(client, tokens):
    facilitator = tokens["facilitator"]
    created = client.post("/api/v1/collections", json=NEW, headers=facilitator)
    assert created.status_code == 201
    body = created.json
    slug = body["slug"]
    assert slug == "english-learners-where-to-start" and body["items"] == [] and body["curators"] == [
        {"name": "Facilitator"}]
    assert body["permissions"] == {"curate": True, "manage": True, "feature": True}
    assert body["url"].endswith(f"/collections/{slug}")

    items = f"/api/v1/collections/{slug}/items"
    first = client.post(items, json={"practice": LEAD, "note": "Start here if your reclassification rate is flat."},
                        headers=facilitator)
    assert first.status_code == 201 and slugs(first.json) == [LEAD]
    assert client.post(items, json={"practice": PBIS}, headers=facilitator).status_code == 201
    front = client.post(items, json={"practice": MATH, "note": "Before the others.", "position": 1},
                        headers=facilitator)
    assert slugs(front.json) == [MATH, LEAD, PBIS]
    assert [i["position"] for i in front.json["items"]] == [1, 2, 3]

    twice = client.post(items, json={"practice": LEAD}, headers=facilitator)
    assert twice.status_code == 409 and "already in this collection" in twice.json["error"]["message"]
    unknown = client.post(items, json={"practice": "no-such-practice"}, headers=facilitator)
    assert unknown.status_code == 404
    invalid = client.post(items, json={"practice": PBIS, "colour": "red", "position": 0}, headers=facilitator)
    assert invalid.status_code == 400 and set(invalid.json["error"]["fields"]) == {"colour", "position"}

    moved = client.patch(f"{items}/{PBIS}", json={"position": 1, "note": "Rural districts first."},
                         headers=facilitator)
    assert moved.status_code == 200 and slugs(moved.json) == [PBIS, MATH, LEAD]
    assert moved.json["items"][0]["note"] == "Rural districts first."
    noted = client.patch(f"{items}/{LEAD}", json={"note": "Edited note."}, headers=facilitator)
    assert slugs(noted.json) == [PBIS, MATH, LEAD] and noted.json["items"][2]["note"] == "Edited note."
    assert client.patch(f"{items}/no-such-practice", json={"note": "x"}, headers=facilitator).status_code == 404

    read = client.get(f"/api/v1/collections/{slug}")
    assert read.status_code == 200 and slugs(read.json) == [PBIS, MATH, LEAD]
    assert read.json["permissions"] == {"curate": False, "manage": False, "feature": False}
    lead = read.json["items"][2]
    assert lead["practice"]["title"] == "Teacher leaders for English learners: the LEAD program"
    assert lead["practice"]["lea"]["county"] == "Orange" and lead["archived"] is False

    replaced = client.put(f"/api/v1/collections/{slug}", json={**NEW, "title": "Renamed", "visibility": "unlisted"},
                          headers=facilitator)
    assert replaced.status_code == 200 and replaced.json["title"] == "Renamed" and replaced.json["slug"] == slug
    assert client.get("/api/v1/collections").json["total"] == 0  # unlisted: not listed …
    assert client.get(f"/api/v1/collections/{slug}").status_code == 200  # … but reachable by its address

    removed = client.delete(f"{items}/{MATH}", headers=facilitator)
    assert removed.status_code == 204
    after = client.get(f"/api/v1/collections/{slug}").json
    assert slugs(after) == [PBIS, LEAD] and [i["position"] for i in after["items"]] == [1, 2]
    assert client.delete(f"/api/v1/collections/{slug}", headers=facilitator).status_code == 204
    assert client.get(f"/api/v1/collections/{slug}").status_code == 404


def test_private_collections_answer_404_to_all_but_their_curators(client, tokens):
    slug = client.post("/api/v1/collections", json={**NEW, "visibility": "private"},
                       headers=tokens["facilitator"]).json["slug"]
    assert client.get(f"/api/v1/collections/{slug}").status_code == 404
    for kind in ("contributor", "admin", "facilitator2"):
        assert client.get(f"/api/v1/collections/{slug}", headers=tokens[kind]).status_code == 404
        assert client.put(f"/api/v1/collections/{slug}", json=NEW, headers=tokens[kind]).status_code == 404
        assert client.post(f"/api/v1/collections/{slug}/items", json={"practice": LEAD},
                           headers=tokens[kind]).status_code == 404
    assert client.get(f"/api/v1/collections/{slug}", headers=tokens["facilitator"]).status_code == 200
    bad = client.get(f"/api/v1/collections/{slug}", headers={"Authorization": "Bearer nonsense"})
    assert bad.status_code == 401


def test_curating_needs_a_facilitators_token(client, tokens):
    assert client.post("/api/v1/collections", json=NEW).status_code == 401
    refused = client.post("/api/v1/collections", json=NEW, headers=tokens["contributor"])
    assert refused.status_code == 403 and refused.json["error"]["message"] == \
        "Only network facilitators create collections."
    slug = client.post("/api/v1/collections", json=NEW, headers=tokens["facilitator"]).json["slug"]
    # Another facilitator may read a public collection but not curate it; only its creator deletes it.
    assert client.post(f"/api/v1/collections/{slug}/items", json={"practice": LEAD},
                       headers=tokens["facilitator2"]).status_code == 404
    assert client.delete(f"/api/v1/collections/{slug}", headers=tokens["facilitator2"]).status_code == 404
    assert client.delete(f"/api/v1/collections/{slug}/items/{LEAD}").status_code == 401
    invalid = client.post("/api/v1/collections", json={"title": "", "visibility": "everyone"},
                          headers=tokens["facilitator"])
    assert invalid.status_code == 400
    assert invalid.json["error"]["fields"] == {"title": "Title is required.",
                                               "visibility": "Visibility must be one of public, unlisted, private."}
    not_json = client.post("/api/v1/collections", data="title", headers=tokens["facilitator"])
    assert not_json.status_code == 400


def test_an_archived_practice_stays_listed_and_cannot_be_added_again(seeded, client, tokens, people):
    facilitator = tokens["facilitator"]
    slug = client.post("/api/v1/collections", json=NEW, headers=facilitator).json["slug"]
    client.post(f"/api/v1/collections/{slug}/items", json={"practice": LEAD}, headers=facilitator)
    with seeded.app_context():
        vetting.archive(user(people["admin"]), LEAD)
    body = client.get(f"/api/v1/collections/{slug}").json
    assert slugs(body) == [LEAD] and body["items"][0]["archived"] is True
    other = client.post("/api/v1/collections", json={**NEW, "title": "Other"}, headers=facilitator).json["slug"]
    refused = client.post(f"/api/v1/collections/{other}/items", json={"practice": LEAD}, headers=facilitator)
    assert refused.status_code == 400 and refused.json["error"]["fields"] == {"practice": "is not published"}


def test_the_list_searches_public_collections_by_title_and_network(client, tokens):
    for title, network, visibility in (("Math PLCs to learn from", "Bay Area Math Leads", "public"),
                                       ("Attendance first", "Central Valley EL Coordinators Network", "public"),
                                       ("Valley plans", "", "private")):
        client.post("/api/v1/collections", json={"title": title, "network": network, "visibility": visibility},
                    headers=tokens["facilitator"])
    everything = client.get("/api/v1/collections").json
    assert [c["title"] for c in everything["results"]] == ["Attendance first", "Math PLCs to learn from"]
    valley = client.get("/api/v1/collections?q=VALLEY").json
    assert valley["total"] == 1 and valley["results"][0]["network"] == "Central Valley EL Coordinators Network"
    assert valley["query"] == "VALLEY" and valley["results"][0]["item_count"] == 0
    assert client.get("/api/v1/collections?q=math+leads").json["total"] == 1
    assert client.get("/api/v1/collections?per_page=0").status_code == 400
