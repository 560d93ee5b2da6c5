"""Reading published practices: listings, one practice, counts per vocabulary value, the export."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import contains_eager, selectinload

from ..errors import NotFound
from ..extensions import db
from ..models import LEA, Practice, Revision, Tag
from ..records import PUBLISHED, revision_to_record
from ..taxonomy import VOCABULARIES

__all__ = ["PUBLISHED", "LEAEntry", "Page", "all_leas", "count_published", "export_records", "get_lea",
           "get_lea_entry", "get_published", "has_any_practice", "list_leas", "list_published", "published_counts",
           "published_by_ids", "published_of_leas", "published_query", "shared_tag_counts", "vocabulary_counts"]



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


@dataclass
class LEAEntry:
    """An LEA with the number of practices it has published."""

    lea: LEA
    published_practices: int


def published_counts() -> dict[int, int]:
    """LEA id -> number of published practices (LEAs with none are left out)."""
    query = (
        select(Practice.lea_id, func.count(Revision.id))
        .join(Revision.practice)
        .where(Revision.state == PUBLISHED)
        .group_by(Practice.lea_id)
    )
    return dict(db.session.execute(query).all())


def get_lea_entry(lea_id: int) -> LEAEntry:
    lea = get_lea(lea_id)
    return LEAEntry(lea, published_counts().get(lea.id, 0))


def all_leas() -> list[LEA]:
    return list(db.session.execute(select(LEA).order_by(func.lower(LEA.name), LEA.id)).scalars())


def list_leas(q: str = "", county: str | None = None, locale: str | None = None, type: str | None = None,
              page: int = 1, per_page: int = 20) -> Page:
    """LEAs by name (q: words of the name, in any order), filtered by county, locale and type; items are LEAEntry."""
    query = select(LEA)
    for word in q.split():
        query = query.where(func.lower(LEA.name).contains(word.lower(), autoescape=True))
    for column, value in ((LEA.county, county), (LEA.locale, locale), (LEA.type, type)):
        if value:
            query = query.where(column == value)
    total = db.session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    leas = db.session.execute(
        query.order_by(func.lower(LEA.name), LEA.id).offset((page - 1) * per_page).limit(per_page)
    ).scalars()
    counts = published_counts()
    return Page([LEAEntry(lea, counts.get(lea.id, 0)) for lea in leas], total, page, per_page)


def published_of_leas(lea_ids: Iterable[int]) -> list[Revision]:
    """The published revisions of these LEAs, with their tags and outcome data."""
    query = published_query(with_tags=True).where(LEA.id.in_(list(lea_ids))).options(
        selectinload(Revision.outcome_metrics)
    )
    return list(db.session.execute(query.order_by(Practice.id)).scalars())


def shared_tag_counts(revision: Revision, vocabularies: Iterable[str]) -> dict[int, int]:
    """Revision id -> how many of `revision`'s tags in these vocabularies each other published revision shares."""
    pairs = [(t.vocabulary, t.code) for t in revision.tags if t.vocabulary in set(vocabularies)]
    if not pairs:
        return {}
    query = (
        select(Tag.revision_id, func.count(Tag.id))
        .join(Tag.revision)
        .where(Revision.state == PUBLISHED, Revision.id != revision.id,
               or_(*(and_(Tag.vocabulary == v, Tag.code == c) for v, c in pairs)))
        .group_by(Tag.revision_id)
    )
    return dict(db.session.execute(query).all())


def published_by_ids(revision_ids: Iterable[int]) -> dict[int, Revision]:
    query = published_query(with_tags=True).where(Revision.id.in_(list(revision_ids)))
    return {r.id: r for r in db.session.execute(query).scalars()}
