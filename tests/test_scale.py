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
