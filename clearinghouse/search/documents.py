"""The search documents of published practices, as the index stores them: from one revision, or all of them read
with narrow column queries for a rebuild."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select

from ..extensions import db
from ..models import LEA, Practice, Revision, Tag
from ..practices.queries import PUBLISHED
from ..taxonomy import SECTIONS, TAG_VOCABULARIES


def stamp(revision: Revision) -> str:
    """What the index stores to tell whether its copy is current: the revision and its version."""
    return stamp_for(revision.id, revision.version)


def stamp_for(revision_id: int, version: int) -> str:
    return f"{revision_id}:{version}"


def document(revision: Revision) -> dict:
    practice, lea = revision.practice, revision.practice.lea
    doc = {
        "slug": practice.slug,
        "stamp": stamp(revision),
        "title": revision.title,
        "summary": revision.summary,
        "lea_name": lea.name,
        "sections": {name: revision.section(name) for name in SECTIONS},
        "keywords": list(revision.keywords or []),
        "published_at": practice.published_at,
        "evidence": [revision.evidence_level] if revision.evidence_level else [],
        "locale": [lea.locale] if lea.locale else [],
        "lea_type": [lea.type] if lea.type else [],
        "county": [lea.county] if lea.county else [],
    }
    for vocabulary in TAG_VOCABULARIES:
        doc[vocabulary.key] = revision.codes(vocabulary.key)
    return doc


def published_documents(batch: int = 2000) -> Iterator[dict]:
    """Every published practice's document, as document() makes it, read with narrow column queries (no ORM
    objects): the revisions by id in batches, and their tags."""
    columns = (Practice.slug, Practice.published_at, Revision.id, Revision.version, Revision.title, Revision.summary,
               Revision.keywords, Revision.evidence_level, LEA.name, LEA.locale, LEA.type, LEA.county,
               *(getattr(Revision, name) for name in SECTIONS))
    last_id = 0
    while True:
        rows = db.session.execute(
            select(*columns).join(Revision.practice).join(Practice.lea)
            .where(Revision.state == PUBLISHED, Revision.id > last_id).order_by(Revision.id).limit(batch)
        ).all()
        if not rows:
            return
        tags: dict[int, list[tuple[str, str]]] = {}
        for revision_id, vocabulary, code in db.session.execute(
            select(Tag.revision_id, Tag.vocabulary, Tag.code).join(Tag.revision)
            .where(Revision.state == PUBLISHED, Tag.revision_id.between(rows[0].id, rows[-1].id))
            .order_by(Tag.revision_id, Tag.id)
        ):
            tags.setdefault(revision_id, []).append((vocabulary, code))
        for row in rows:
            slug, published_at, rid, version, title, summary, keywords, evidence, lea_name, locale, lea_type, \
                county, *sections = row
            doc = {
                "slug": slug, "stamp": stamp_for(rid, version), "title": title, "summary": summary,
                "lea_name": lea_name,
                "sections": dict(zip(SECTIONS, sections, strict=True)), "keywords": list(keywords or []),
                "published_at": published_at, "evidence": [evidence] if evidence else [],
                "locale": [locale] if locale else [], "lea_type": [lea_type] if lea_type else [],
                "county": [county] if county else [],
            }
            own = tags.get(rid, ())
            for vocabulary in TAG_VOCABULARIES:
                doc[vocabulary.key] = [code for v, code in own if v == vocabulary.key]
            yield doc
        last_id = rows[-1].id
