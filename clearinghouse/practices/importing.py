"""Importing practices in the interchange format: validate every record first, then write them in chunks."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from marshmallow import ValidationError
from sqlalchemy import func, select

from ..extensions import db
from ..models import LEA, Practice, Revision, User
from ..records import (
    PUBLISHED,
    apply_lea_context,
    canonical,
    fill_revision,
    new_revision,
    revision_to_record,
    unique_slug,
)
from ..schemas import PracticeSchema, flatten_errors
from ..vetting.transitions import transition
from . import batch
from .interchange import RawRecord

_schema = PracticeSchema()



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


PARALLEL_FROM = 4000  # records; below this, validating in worker processes costs more than it saves


def validate_records(records: Sequence[RawRecord]) -> tuple[list[tuple[int, dict]], list[RecordError]]:
    """Validate every record; return the valid ones and every problem with its position and field path.

    A large file is validated in one worker process per core (the same schema, the same messages, in order)."""
    procs = min(os.cpu_count() or 1, 4)
    if len(records) < PARALLEL_FROM or procs < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return _validate(records)
    size = -(-len(records) // (procs * 8))
    parts = [records[i : i + size] for i in range(0, len(records), size)]
    with multiprocessing.get_context("fork").Pool(procs) as pool:
        results = pool.map(_validate, parts)
    valid = [item for part_valid, _ in results for item in part_valid]
    errors = [error for _, part_errors in results for error in part_errors]
    return valid, errors


def _validate(records: Sequence[RawRecord]) -> tuple[list[tuple[int, dict]], list[RecordError]]:
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
    """Validate all records first; write nothing if any is invalid unless asked to skip them.

    Then write them in chunks, one transaction each (batch.py: Core inserts for new practices)."""
    valid, errors = validate_records(records)
    report = ImportReport(total=len(records), valid=len(valid), errors=errors)
    if dry_run or (errors and not skip_invalid):
        return report
    for first in range(0, len(valid), batch.CHUNK):
        chunk_records = [data for _, data in valid[first : first + batch.CHUNK]]
        chunk = batch.Chunk(chunk_records, publish=publish, actor=actor, save_record=save_record)
        for index, data in enumerate(chunk_records):
            outcome = chunk.add(index, data)
            setattr(report, outcome, getattr(report, outcome) + 1)
            if publish and outcome != "unchanged":
                report.published += 1
            if progress:
                progress(1)
        chunk.write()
        db.session.commit()
    report.written = True
    return report


def save_record(data: dict, *, publish: bool, actor: User | None) -> str:
    """Create or update the practice a validated record describes; answers created/updated/unchanged."""
    lea = _find_or_update_lea(data["lea"])
    practice = _find_practice(lea, data["title"])
    if practice is None:
        practice = Practice(slug=unique_slug(data["title"]), lea=lea)
        db.session.add(practice)
        outcome = "created"
        revision = new_revision(practice, actor)
    else:
        latest = practice.latest_revision
        same = latest is not None and revision_to_record(latest) | {"lea": None} == canonical(data) | {"lea": None}
        if same and (not publish or latest.state == PUBLISHED):
            return "unchanged"
        outcome = "updated"
        editable = latest is not None and latest.state in ("draft", "changes_requested")
        revision = latest if editable else new_revision(practice, actor)
    fill_revision(revision, data)
    if publish and revision.state == "draft":
        transition(revision, batch.IMPORT_PUBLISH, actor, batch.IMPORT_COMMENT)
    db.session.flush()
    return outcome


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
