"""Reading published practices: listings, one practice, counts per vocabulary value, the export."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.orm import contains_eager, selectinload

from ..errors import NotFound
from ..extensions import db
from ..models import LEA, Practice, Revision, Tag
from ..records import PUBLISHED, revision_to_record
from ..taxonomy import VOCABULARIES

__all__ = ["PUBLISHED", "Page", "count_published", "export_records", "get_lea", "get_published",
           "has_any_practice", "list_published", "published_query", "vocabulary_counts"]



def published_query(with_tags: bool = False) -> Select:
    """Published revisions with their practice and LEA in the same query; tags only when asked for."""
    query = (
        select(Revision)
        .join(Revision.practice)
        .join(Practice.lea)
        .where(Revision.state == PUBLISHED)
        .options(contains_eager(Revision.practice).contains_eager(Practice.lea))
    )
    return query.options(selectinload(Revision.tags)) if with_tags else query


# The vocabularies stored as columns of the revision or its LEA (the others are tags).
_COLUMNS = {"evidence": Revision.evidence_level, "locale": LEA.locale, "county": LEA.county, "lea_type": LEA.type,
            "lea": LEA.id}


def _filter(query: Select, vocabulary: str, codes: Iterable[str]) -> Select:
    codes = list(codes)
    if vocabulary in _COLUMNS:
        return query.where(_COLUMNS[vocabulary].in_(codes))
    tagged = select(Tag.revision_id).where(Tag.vocabulary == vocabulary, Tag.code.in_(codes))
    return query.where(Revision.id.in_(tagged))


@dataclass
class Page:
    items: list[Revision]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


def list_published(
    page: int = 1, per_page: int = 20, filters: dict[str, list[str]] | None = None, sort: str = "newest"
) -> Page:
    query = published_query()
    for vocabulary, codes in (filters or {}).items():
        if codes:
            query = _filter(query, vocabulary, codes)
    total = db.session.execute(select(func.count()).select_from(query.order_by(None).subquery())).scalar_one()
    order = (
        (func.lower(Revision.title), Practice.id)
        if sort == "title"
        else (Practice.published_at.desc(), Practice.id.desc())
    )
    items = db.session.execute(query.order_by(*order).offset((page - 1) * per_page).limit(per_page)).scalars()
    return Page(list(items), total, page, per_page)


def get_published(slug: str) -> Revision:
    revision = db.session.execute(
        published_query(with_tags=True).where(Practice.slug == slug).options(
            selectinload(Revision.outcome_metrics), selectinload(Revision.resources)
        )
    ).scalar_one_or_none()
    if revision is None:
        raise NotFound(f"No published practice has the address {slug!r}.")
    return revision


def vocabulary_counts(vocabulary: str) -> dict[str, int]:
    """Number of published practices for each value of a vocabulary (values with none are left out)."""
    if vocabulary in _COLUMNS:
        column = _COLUMNS[vocabulary]
        query = (
            select(column, func.count(Revision.id))
            .join(Revision.practice)
            .join(Practice.lea)
            .where(Revision.state == PUBLISHED, column.is_not(None))
            .group_by(column)
        )
    else:
        query = (
            select(Tag.code, func.count(Tag.revision_id))
            .join(Tag.revision)
            .where(Revision.state == PUBLISHED, Tag.vocabulary == vocabulary)
            .group_by(Tag.code)
        )
    counts = dict(db.session.execute(query).all())
    return {code: counts[code] for code in VOCABULARIES[vocabulary].values if counts.get(code)}


def count_published() -> int:
    return db.session.execute(select(func.count()).where(Revision.state == PUBLISHED)).scalar_one()


def export_records() -> list[dict]:
    """Every published practice in the interchange format, oldest first (the order they were published)."""
    query = published_query(with_tags=True).options(
        selectinload(Revision.outcome_metrics), selectinload(Revision.resources)
    ).order_by(Practice.published_at, Practice.id)
    return [revision_to_record(r) for r in db.session.execute(query).scalars()]


def get_lea(lea_id: int) -> LEA:
    lea = db.session.get(LEA, lea_id)
    if lea is None:
        raise NotFound(f"No LEA has the id {lea_id}.")
    return lea


def has_any_practice() -> bool:
    return db.session.execute(select(Practice.id).limit(1)).first() is not None
