"""The rules for practices: import and export in the interchange format, published listings, browsing."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from marshmallow import ValidationError
from slugify import slugify
from sqlalchemy import Select, func, select
from sqlalchemy.orm import contains_eager, selectinload

from ..errors import NotFound, ValidationFailed
from ..extensions import db
from ..models import LEA, OutcomeMetric, Practice, Resource, Revision, Tag, User
from ..schemas import PracticeSchema, flatten_errors
from ..taxonomy import SECTIONS, TAG_VOCABULARIES, VOCABULARIES
from ..vetting import service as vetting
from .interchange import RawRecord

PUBLISHED = "published"
_schema = PracticeSchema()


# ---------------------------------------------------------------- interchange <-> revision


def revision_to_record(revision: Revision) -> dict[str, Any]:
    """A revision in the interchange format, leaving out what is empty (so equal content compares equal)."""
    lea = revision.practice.lea
    record: dict[str, Any] = {
        "title": revision.title,
        "summary": revision.summary,
        "lea": {"name": lea.name, **{f: getattr(lea, f) for f in LEA.CONTEXT_FIELDS}},
    }
    for vocabulary in TAG_VOCABULARIES:
        codes = revision.codes(vocabulary.key)
        record[vocabulary.field] = [int(c) for c in codes] if vocabulary.key == "priority" else codes
    record["evidence_level"] = revision.evidence_level
    record["sections"] = {name: revision.section(name) for name in SECTIONS}
    record["outcome_metrics"] = [
        {k: getattr(m, k) for k in ("label", "indicator", "student_group", "baseline", "baseline_year",
                                     "result", "result_year", "unit")}
        for m in revision.outcome_metrics
    ]
    record["investment"] = {"amount_usd": _number(revision.investment_amount_usd),
                            "notes": revision.investment_notes}
    record["timeline"] = {"start_year": revision.start_year, "end_year": revision.end_year}
    record["contact"] = {"name": revision.contact_name, "title": revision.contact_title,
                         "email": revision.contact_email}
    record["resources"] = [{"title": r.title, "url": r.url} for r in revision.resources]
    record["keywords"] = list(revision.keywords or [])
    return _prune(record)


def _number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _prune(value: Any) -> Any:
    """Drop None, empty strings, empty lists and empty objects, recursively (the canonical form)."""
    if isinstance(value, dict):
        pruned = {k: _prune(v) for k, v in value.items()}
        return {k: v for k, v in pruned.items() if v not in (None, "", [], {})}
    if isinstance(value, list):
        return [_prune(v) for v in value]
    if isinstance(value, Decimal):
        return _number(value)
    return value


def canonical(data: dict) -> dict:
    """A validated record in the same canonical form as `revision_to_record`."""
    return _prune(_schema.dump(data))


def load_lax(record: dict) -> tuple[dict, list[tuple[str, str]]]:
    """Validate a record like the importer, keeping what is valid: (the valid part, every error by field path)."""
    try:
        return _schema.load(record), []
    except ValidationError as exc:
        return exc.valid_data or {}, flatten_errors(exc.messages)


def load_strict(record: dict) -> dict:
    """Validate a record like the importer; every problem is reported with its field path."""
    data, errors = load_lax(record)
    if errors:
        raise ValidationFailed(
            "The practice is not ready to submit: please fix the fields marked below.", dict(errors)
        )
    return data


def apply_lea_context(lea: LEA, data: dict) -> None:
    """Write the context fields a record gives into its LEA (the identity fields stay)."""
    for key in LEA.CONTEXT_FIELDS:
        if data.get(key) is not None:
            setattr(lea, key, data[key])


def _fill_revision(revision: Revision, data: dict) -> None:
    """Write a validated record's content into a revision (everything but the LEA)."""
    if revision.id is not None and (revision.tags or revision.outcome_metrics or revision.resources):
        # Delete the old rows first: the unit of work inserts before it deletes, and tags are unique.
        revision.tags, revision.outcome_metrics, revision.resources = [], [], []
        db.session.flush()
    revision.title = data.get("title", "")
    revision.summary = data.get("summary", "")
    revision.evidence_level = data.get("evidence_level")
    sections = data.get("sections") or {}
    for name in SECTIONS:
        setattr(revision, name, sections.get(name) or "")
    revision.tags = [
        Tag(vocabulary=v.key, code=str(code)) for v in TAG_VOCABULARIES for code in data.get(v.field) or []
    ]
    revision.outcome_metrics = [
        OutcomeMetric(position=i, **metric) for i, metric in enumerate(data.get("outcome_metrics") or [])
    ]
    revision.resources = [Resource(position=i, **r) for i, r in enumerate(data.get("resources") or [])]
    investment = data.get("investment") or {}
    revision.investment_amount_usd = investment.get("amount_usd")
    revision.investment_notes = investment.get("notes") or ""
    timeline = data.get("timeline") or {}
    revision.start_year, revision.end_year = timeline.get("start_year"), timeline.get("end_year")
    contact = data.get("contact") or {}
    revision.contact_name = contact.get("name") or ""
    revision.contact_title = contact.get("title") or ""
    revision.contact_email = contact.get("email") or ""
    revision.keywords = list(data.get("keywords") or [])


# ---------------------------------------------------------------- import


@dataclass
class RecordError:
    position: int
    path: str
    message: str

    def __str__(self) -> str:
        return f"record {self.position}: {self.path}: {self.message}"


@dataclass
class ImportReport:
    total: int = 0
    valid: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    published: int = 0
    errors: list[RecordError] = field(default_factory=list)
    written: bool = False

    @property
    def invalid_records(self) -> int:
        return len({e.position for e in self.errors})


def validate_records(records: Sequence[RawRecord]) -> tuple[list[tuple[int, dict]], list[RecordError]]:
    """Validate every record; return the valid ones and every problem with its position and field path."""
    valid: list[tuple[int, dict]] = []
    errors: list[RecordError] = []
    for raw in records:
        if raw.error:
            errors.append(RecordError(raw.position, "record", raw.error))
            continue
        if not isinstance(raw.data, dict):
            errors.append(RecordError(raw.position, "record", "is not an object"))
            continue
        try:
            valid.append((raw.position, _schema.load(raw.data)))
        except ValidationError as exc:
            errors.extend(RecordError(raw.position, path, msg) for path, msg in flatten_errors(exc.messages))
    return valid, errors


def import_practices(
    records: Sequence[RawRecord],
    *,
    publish: bool = False,
    dry_run: bool = False,
    skip_invalid: bool = False,
    actor: User | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Validate all records first; write nothing if any is invalid unless asked to skip them. One commit."""
    valid, errors = validate_records(records)
    report = ImportReport(total=len(records), valid=len(valid), errors=errors)
    if dry_run or (errors and not skip_invalid):
        return report
    for _position, data in valid:
        outcome = save_record(data, publish=publish, actor=actor)
        setattr(report, outcome, getattr(report, outcome) + 1)
        if publish and outcome != "unchanged":
            report.published += 1
        if progress:
            progress(1)
    db.session.commit()
    report.written = True
    return report


def save_record(data: dict, *, publish: bool, actor: User | None) -> str:
    """Create or update the practice a validated record describes; answers created/updated/unchanged."""
    lea = _find_or_update_lea(data["lea"])
    practice = _find_practice(lea, data["title"])
    if practice is None:
        practice = Practice(slug=_unique_slug(data["title"]), lea=lea)
        db.session.add(practice)
        outcome = "created"
        revision = _new_revision(practice, actor)
    else:
        latest = practice.latest_revision
        same = latest is not None and revision_to_record(latest) | {"lea": None} == canonical(data) | {"lea": None}
        if same and (not publish or latest.state == PUBLISHED):
            return "unchanged"
        outcome = "updated"
        editable = latest is not None and latest.state in ("draft", "changes_requested")
        revision = latest if editable else _new_revision(practice, actor)
    _fill_revision(revision, data)
    if publish and revision.state == "draft":
        vetting.transition(revision, "import_publish", actor, "imported with --publish")
    db.session.flush()
    return outcome


def _new_revision(practice: Practice, author: User | None) -> Revision:
    number = (practice.latest_revision.number + 1) if practice.revisions else 1
    revision = Revision(number=number, state="draft", author=author)
    practice.revisions.append(revision)
    return revision


def _find_or_update_lea(data: dict) -> LEA:
    lea = None
    if data.get("cds_code"):
        lea = db.session.execute(select(LEA).where(LEA.cds_code == data["cds_code"])).scalar_one_or_none()
    if lea is None:
        lea = db.session.execute(
            select(LEA).where(func.lower(LEA.name) == data["name"].strip().lower(), LEA.county == data["county"])
        ).scalars().first()
    if lea is None:
        lea = LEA(name=data["name"].strip())
        db.session.add(lea)
    apply_lea_context(lea, data)
    return lea


def _find_practice(lea: LEA, title: str) -> Practice | None:
    """The LEA's practice whose latest revision has this title (case-insensitive), if any."""
    if lea.id is None:
        return None
    candidates = db.session.execute(
        select(Practice)
        .join(Revision, Revision.practice_id == Practice.id)
        .where(Practice.lea_id == lea.id, func.lower(Revision.title) == title.strip().lower())
        .distinct()
    ).scalars()
    wanted = title.strip().lower()
    return next((p for p in candidates if p.latest_revision.title.strip().lower() == wanted), None)


def _unique_slug(title: str) -> str:
    base = slugify(title, max_length=100, word_boundary=True, replacements=[["'", ""], ["’", ""]]) or "practice"
    if db.session.execute(select(Practice.id).where(Practice.slug == base)).first() is None:
        return base
    taken = set(db.session.execute(select(Practice.slug).where(Practice.slug.like(f"{base}-%"))).scalars())
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


# ---------------------------------------------------------------- reading published practices


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


def _filter(query: Select, vocabulary: str, codes: Iterable[str]) -> Select:
    codes = list(codes)
    if vocabulary == "evidence":
        return query.where(Revision.evidence_level.in_(codes))
    if vocabulary in ("locale", "county"):
        return query.where(getattr(LEA, vocabulary).in_(codes))
    if vocabulary == "lea_type":
        return query.where(LEA.type.in_(codes))
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
    if vocabulary in ("evidence", "locale", "county", "lea_type"):
        column = {"evidence": Revision.evidence_level, "locale": LEA.locale, "county": LEA.county,
                  "lea_type": LEA.type}[vocabulary]
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
