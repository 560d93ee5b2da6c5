"""A revision and its record in the interchange format, both ways: validating, filling, reading back.

Used by the practices (import, export, pages), vetting (drafts, rounds) and the API, so it sits beside them
rather than inside one of them.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from marshmallow import ValidationError
from slugify import slugify
from sqlalchemy import select

from .errors import ValidationFailed
from .extensions import db
from .models import LEA, OutcomeMetric, Practice, Resource, Revision, Tag, User
from .schemas import LEA_CONTEXT_FIELDS, METRIC_FIELDS, RESOURCE_FIELDS, PracticeSchema, flatten_errors
from .taxonomy import SECTIONS, STATE_PRIORITIES, TAG_VOCABULARIES

PUBLISHED = "published"
NOT_READY = "The practice is not ready to submit: please fix the fields marked below."
_schema = PracticeSchema()


def lea_context(lea: LEA) -> dict[str, Any]:
    """An LEA's context as the interchange format's `lea` object (its stored profile)."""
    return {"name": lea.name, **{f: getattr(lea, f) for f in LEA_CONTEXT_FIELDS}}


def revision_lea(revision: Revision) -> dict[str, Any]:
    """The LEA context a revision shows: what its writer submitted (until published), else the LEA's profile."""
    profile = lea_context(revision.practice.lea)
    if revision.state in ("published", "superseded", "archived") or not revision.lea_context:
        return profile
    given = {k: v for k, v in revision.lea_context.items() if k in LEA_CONTEXT_FIELDS and v not in (None, "", [])}
    return profile | given


def revision_to_record(revision: Revision) -> dict[str, Any]:
    """A revision in the interchange format, leaving out what is empty (so equal content compares equal)."""
    record: dict[str, Any] = {"title": revision.title, "summary": revision.summary, "lea": revision_lea(revision)}
    for vocabulary in TAG_VOCABULARIES:
        codes = revision.codes(vocabulary.key)
        record[vocabulary.field] = [int(c) for c in codes] if vocabulary is STATE_PRIORITIES else codes
    record["evidence_level"] = revision.evidence_level
    record["sections"] = {name: revision.section(name) for name in SECTIONS}
    record["outcome_metrics"] = [{k: getattr(m, k) for k in METRIC_FIELDS} for m in revision.outcome_metrics]
    record["investment"] = {"amount_usd": number(revision.investment_amount_usd),
                            "notes": revision.investment_notes}
    record["timeline"] = {"start_year": revision.start_year, "end_year": revision.end_year}
    record["contact"] = {"name": revision.contact_name, "title": revision.contact_title,
                         "email": revision.contact_email}
    record["resources"] = [{k: getattr(r, k) for k in RESOURCE_FIELDS} for r in revision.resources]
    record["keywords"] = list(revision.keywords or [])
    return prune(record)


def number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def prune(value: Any) -> Any:
    """Drop None, empty strings, empty lists and empty objects, recursively (the canonical form)."""
    if isinstance(value, dict):
        pruned = {k: prune(v) for k, v in value.items()}
        return {k: v for k, v in pruned.items() if v not in (None, "", [], {})}
    if isinstance(value, list):
        return [prune(v) for v in value]
    if isinstance(value, Decimal):
        return number(value)
    return value


def canonical(data: dict) -> dict:
    """A validated record in the same canonical form as `revision_to_record`."""
    return prune(_schema.dump(data))


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
        raise ValidationFailed(NOT_READY, dict(errors))
    return data


def apply_lea_context(lea: LEA, data: dict) -> None:
    """Write the context fields a record gives into its LEA (the identity fields stay)."""
    for key in LEA_CONTEXT_FIELDS:
        if data.get(key) is not None:
            setattr(lea, key, data[key])


def fill_revision(revision: Revision, data: dict) -> None:
    """Write a validated record's content into a revision; its LEA context is kept beside it, not applied."""
    if revision.id is not None and (revision.tags or revision.outcome_metrics or revision.resources):
        # Delete the old rows first: the unit of work inserts before it deletes, and tags are unique.
        revision.tags, revision.outcome_metrics, revision.resources = [], [], []
        db.session.flush()
    for name, value in revision_values(data).items():
        setattr(revision, name, value)
    revision.tags = [Tag(vocabulary=vocabulary, code=code) for vocabulary, code in tag_values(data)]
    revision.outcome_metrics = [OutcomeMetric(**row) for row in metric_values(data)]
    revision.resources = [Resource(**row) for row in resource_values(data)]


def revision_values(data: dict) -> dict[str, Any]:
    """The revision's own columns for a validated record (what fill_revision sets, and the batch import inserts)."""
    sections = data.get("sections") or {}
    investment = data.get("investment") or {}
    timeline = data.get("timeline") or {}
    contact = data.get("contact") or {}
    given = {k: v for k, v in (data.get("lea") or {}).items() if k in LEA_CONTEXT_FIELDS}
    return {
        "title": data.get("title", ""),
        "summary": data.get("summary", ""),
        "evidence_level": data.get("evidence_level"),
        **{name: sections.get(name) or "" for name in SECTIONS},
        "investment_amount_usd": investment.get("amount_usd"),
        "investment_notes": investment.get("notes") or "",
        "start_year": timeline.get("start_year"),
        "end_year": timeline.get("end_year"),
        "contact_name": contact.get("name") or "",
        "contact_title": contact.get("title") or "",
        "contact_email": contact.get("email") or "",
        "keywords": list(data.get("keywords") or []),
        "lea_context": prune(given) or None,
    }


def tag_values(data: dict) -> list[tuple[str, str]]:
    """(vocabulary, code) of each tag a validated record gives, in the order they are stored."""
    return [(v.key, str(code)) for v in TAG_VOCABULARIES for code in data.get(v.field) or []]


def metric_values(data: dict) -> list[dict[str, Any]]:
    return [{"position": i, **metric} for i, metric in enumerate(data.get("outcome_metrics") or [])]


def resource_values(data: dict) -> list[dict[str, Any]]:
    return [{"position": i, **r} for i, r in enumerate(data.get("resources") or [])]


def new_revision(practice: Practice, author: User | None) -> Revision:
    number_ = (practice.latest_revision.number + 1) if practice.revisions else 1
    revision = Revision(number=number_, state="draft", author=author)
    practice.revisions.append(revision)
    return revision


def unique_slug(title: str) -> str:
    """The practice's address from its title, with -2, -3 … when another practice has it."""
    base = slug_base(title)
    if db.session.execute(select(Practice.id).where(Practice.slug == base)).first() is None:
        return base
    taken = set(db.session.execute(select(Practice.slug).where(Practice.slug.like(f"{base}-%"))).scalars())
    return numbered_slug(base, taken)


def slug_base(title: str) -> str:
    """A title's address before any -2, -3 …"""
    return slugify(title, max_length=100, word_boundary=True, replacements=[["'", ""], ["’", ""]]) or "practice"


def numbered_slug(base: str, taken: set[str]) -> str:
    """base-2, base-3 …: the first not in `taken` (base itself is taken)."""
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"
