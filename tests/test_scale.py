"""Issue 13 (scale): the rebuild's narrow reading of the database, old index versions, facets=, HTTP caching."""

from __future__ import annotations

from sqlalchemy import select

from clearinghouse.extensions import db
from clearinghouse.models import Practice, Revision
from clearinghouse.practices import importing
from clearinghouse.practices.interchange import RawRecord
from clearinghouse.practices.queries import published_query
from clearinghouse.search import documents, service


def test_the_rebuild_reads_the_same_documents_as_the_orm_would_build(seeded, practice_record):
    with seeded.app_context():
        # A draft among the published ones: its tags are in the range of ids read, and must not be counted.
        importing.import_practices([RawRecord(1, practice_record)], publish=False)
        importing.import_practices([RawRecord(1, practice_record | {"title": "Another one"})], publish=True)
        expected = [documents.document(r) for r in db.session.execute(
            published_query(with_tags=True).order_by(Revision.id)).scalars()]
        got = list(documents.published_documents(batch=3))
        assert len(got) == len(expected) > 3
        assert got == expected
        assert db.session.execute(select(Revision.id).where(Revision.state == "draft")).first() is not None


def test_the_api_counts_only_the_facets_asked_for(seeded):
    client = seeded.test_client()
    everything = client.get("/api/v1/search?q=attendance").json
    assert sorted(everything["facets"]) == sorted(service.FACETS)
    two = client.get("/api/v1/search?q=attendance&facets=topic,county").json
    assert list(two["facets"]) == ["topic", "county"]
    assert two["facets"]["topic"] == everything["facets"]["topic"]
    assert two["facets"]["county"] == everything["facets"]["county"]
    assert two["total"] == everything["total"] and two["results"] == everything["results"]
    repeated = client.get("/api/v1/search?q=attendance&facets=county&facets=topic").json
    assert repeated["facets"] == two["facets"]
    none = client.get("/api/v1/search?q=attendance&facets=").json
    assert none["facets"] == {} and none["total"] == everything["total"]


def test_an_unknown_facet_is_a_400_naming_it(seeded):
    answer = seeded.test_client().get("/api/v1/search?q=attendance&facets=topic,colour")
    assert answer.status_code == 400
    assert '"colour" is not a facet' in answer.json["error"]["fields"]["facets"]


PUBLIC_READS = ["/api/v1/search?q=attendance&topic=attendance", "/search?q=attendance",
                "/api/v1/practices", "/api/v1/practices/{slug}", "/practices/{slug}"]


def _a_slug(app) -> str:
    with app.app_context():
        return db.session.execute(select(Practice.slug).order_by(Practice.id)).scalars().first()


def test_visitors_public_reads_carry_an_etag_and_answer_304_when_it_matches(seeded):
    client = seeded.test_client()
    slug = _a_slug(seeded)
    for address in (a.format(slug=slug) for a in PUBLIC_READS):
        first = client.get(address)
        assert first.status_code == 200, address
        assert first.headers["Cache-Control"] == "public, max-age=60"
        tag = first.headers["ETag"]
        again = client.get(address, headers={"If-None-Match": tag})
        assert again.status_code == 304, address
        assert again.data == b""
        assert client.get(address, headers={"If-None-Match": '"something-else"'}).status_code == 200


def test_a_search_etag_changes_with_the_query_and_with_a_publish(seeded, practice_record):
    client = seeded.test_client()
    tag = client.get("/api/v1/search?q=attendance").headers["ETag"]
    assert client.get("/api/v1/search?q=reading").headers["ETag"] != tag
    with seeded.app_context():
        importing.import_practices([RawRecord(1, practice_record)], publish=True)
    after = client.get("/api/v1/search?q=attendance", headers={"If-None-Match": tag})
    assert after.status_code == 200 and after.headers["ETag"] != tag
    assert any(r["slug"] == "attendance-teams-that-call-home-on-day-two" for r in after.json["results"])


def test_signed_in_pages_are_private_and_never_304(seeded, people):
    from .conftest import login

    client = seeded.test_client()
    slug = _a_slug(seeded)
    visitor = client.get(f"/practices/{slug}")
    login(client, people["contributor"])
    for address in ("/search?q=attendance", f"/practices/{slug}"):
        answer = client.get(address, headers={"If-None-Match": visitor.headers["ETag"]})
        assert answer.status_code == 200
        assert answer.headers["Cache-Control"] == "private, no-store"
        assert "ETag" not in answer.headers


def test_a_replaced_index_version_goes_after_its_grace_period_without_any_later_write(tmp_path, monkeypatch):
    import time

    from clearinghouse.search import storage
    from clearinghouse.search.engine import SearchEngine

    from .search.documents import CORPUS

    monkeypatch.setattr(storage, "GC_EVERY", 0.0)
    writer = SearchEngine(tmp_path, grace_seconds=1.0)
    reader = SearchEngine(tmp_path, grace_seconds=1.0)
    writer.rebuild(CORPUS[:2])
    writer.rebuild(CORPUS)
    assert reader.search("", {}).total == len(CORPUS)
    assert len([p for p in tmp_path.iterdir() if p.is_dir()]) == 2  # the replaced one, for readers still on it
    time.sleep(1.2)
    reader.search("", {})  # a reader looking after the grace period removes it, in the background
    deadline = time.monotonic() + 10
    while len([p for p in tmp_path.iterdir() if p.is_dir()]) > 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [p.name for p in tmp_path.iterdir() if p.is_dir()] == [reader.status().version]
    assert reader.search("", {}).total == len(CORPUS)


def test_the_api_answer_built_by_hand_is_what_the_schema_dumps(seeded):
    from clearinghouse.schemas import SearchResultSchema, search_payload

    with seeded.test_request_context():
        for q, filters in (("attendance", {}), ("reading", {"grade_span": ["k_5"]}), ("", {})):
            page = service.search(q, filters, "relevance", 1, 20)
            listing = service.facet_listing(page.result, filters)
            expected = SearchResultSchema().dump({
                "query": q, "total": page.result.total, "page": 1, "per_page": 20, "results": page.items,
                "facets": listing, "suggestion": page.result.suggestion, "match": page.result.match})
            result, cards = service.search_cards(q, filters, "relevance", 1, 20)
            assert search_payload(q, result, cards, service.facet_listing(result, filters)) == expected
            assert expected["results"]


def test_a_repeated_search_is_answered_from_recent_answers_until_the_index_changes(seeded, practice_record,
                                                                                    monkeypatch):
    from clearinghouse.search.engine import SearchEngine

    calls = []
    original = SearchEngine.search
    monkeypatch.setattr(SearchEngine, "search", lambda self, *a, **k: calls.append(a) or original(self, *a, **k))
    client = seeded.test_client()
    first = client.get("/api/v1/search?q=attendance&facets=topic").json
    assert client.get("/api/v1/search?q=attendance&facets=topic").json == first
    assert len(calls) == 1
    with seeded.app_context():
        importing.import_practices([RawRecord(1, practice_record)], publish=True)
    after = client.get("/api/v1/search?q=attendance&facets=topic").json
    assert len(calls) == 2 and after["total"] == first["total"] + 1


def test_the_answer_cache_can_be_turned_off(tmp_path, monkeypatch):
    from clearinghouse.search.engine import SearchEngine

    from .conftest import make_app

    app = make_app(tmp_path, SEARCH_ANSWER_CACHE=0)
    calls = []
    original = SearchEngine.search
    monkeypatch.setattr(SearchEngine, "search", lambda self, *a, **k: calls.append(a) or original(self, *a, **k))
    client = app.test_client()
    client.get("/api/v1/search?q=attendance")
    client.get("/api/v1/search?q=attendance")
    assert len([c for c in calls if c and c[0] == "attendance"]) == 2
