"""Issue 13 (scale): the rebuild's narrow reading of the database, old index versions, facets=, HTTP caching."""

from __future__ import annotations

from sqlalchemy import select

from clearinghouse.extensions import db
from clearinghouse.models import Revision
from clearinghouse.practices import importing
from clearinghouse.practices.interchange import RawRecord
from clearinghouse.practices.queries import published_query
from clearinghouse.search import service


def test_the_rebuild_reads_the_same_documents_as_the_orm_would_build(seeded, practice_record):
    with seeded.app_context():
        # A draft among the published ones: its tags are in the range of ids read, and must not be counted.
        importing.import_practices([RawRecord(1, practice_record)], publish=False)
        importing.import_practices([RawRecord(1, practice_record | {"title": "Another one"})], publish=True)
        expected = [service.document(r) for r in db.session.execute(
            published_query(with_tags=True).order_by(Revision.id)).scalars()]
        got = list(service.published_documents(batch=3))
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
