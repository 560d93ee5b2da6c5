"""The batched import (practices/batch.py) leaves the database the ORM path (importing.save_record) leaves:
the same rows in every table the import writes, the same values, the same report."""

from __future__ import annotations

import copy

import pytest
from sqlalchemy import select

from clearinghouse.extensions import db
from clearinghouse.models import LEA, AuditEvent, OutcomeMetric, Practice, Resource, Revision, Tag
from clearinghouse.practices import batch, importing
from clearinghouse.practices.interchange import RawRecord

from .conftest import make_app, seed_records

TABLES = (LEA, Practice, Revision, Tag, OutcomeMetric, Resource, AuditEvent)
TIMES = {"created_at", "updated_at", "published_at", "submitted_at"}


def orm_import(records: list[dict], publish: bool) -> importing.ImportReport:
    """The import as it was before batches: every record through save_record, one commit."""
    valid, errors = importing.validate_records([RawRecord(i + 1, r) for i, r in enumerate(records)])
    assert not errors
    report = importing.ImportReport(total=len(records), valid=len(valid))
    for _, data in valid:
        outcome = importing.save_record(data, publish=publish, actor=None)
        # Read back from the database: an unexpired draft holds the amount as the float it was given, on which
        # the old path's "unchanged" check failed (AttributeError) for a record given twice in one draft import.
        db.session.expire_all()
        setattr(report, outcome, getattr(report, outcome) + 1)
        if publish and outcome != "unchanged":
            report.published += 1
    db.session.commit()
    report.written = True
    return report


def contents() -> dict[str, list[dict]]:
    """Every row of the tables the import writes; a timestamp only as whether it is set."""
    out = {}
    for model in TABLES:
        table = model.__table__
        rows = db.session.execute(select(table).order_by(table.c.id)).mappings().all()
        out[table.name] = [{k: (v is not None) if k in TIMES else v for k, v in row.items()} for row in rows]
    return out


def varied_records(practice_record: dict) -> list[dict]:
    """Seed practices plus what a real file holds: the same record twice, a changed copy of an earlier one, one
    title in two LEAs (a numbered slug), an LEA named in another case, one given by its CDS code only."""
    records = seed_records()
    first = practice_record
    changed = copy.deepcopy(first) | {"summary": "Revised summary."}
    changed["lea"]["enrollment"] = 4300
    other_lea = copy.deepcopy(first)
    other_lea["lea"] = {"name": "Another Unified", "type": "district", "county": "Kern", "locale": "town"}
    upper = copy.deepcopy(first) | {"title": "Another practice of the same LEA"}
    upper["lea"] = {"name": "SAMPLE VALLEY UNIFIED", "type": "district", "county": "Fresno"}
    by_code = copy.deepcopy(first) | {"title": "Found by its CDS code"}
    by_code["lea"] = {"name": "Sample Valley USD", "cds_code": first["lea"]["cds_code"], "type": "district",
                      "county": "Fresno"}
    return [first, *records[:4], copy.deepcopy(first), other_lea, *records[4:], changed, upper, by_code,
            copy.deepcopy(records[0])]


@pytest.mark.parametrize("publish", [True, False])
@pytest.mark.parametrize("chunk", [3, 1000])
def test_batched_import_writes_what_the_orm_import_writes(tmp_path, practice_record, monkeypatch, publish, chunk):
    records = varied_records(practice_record)
    orm_app = make_app(tmp_path / "orm")
    with orm_app.app_context():
        expected_report = orm_import(copy.deepcopy(records), publish)
        expected = contents()
    monkeypatch.setattr(batch, "CHUNK", chunk)
    batch_app = make_app(tmp_path / "batch")
    with batch_app.app_context():
        report = importing.import_practices([RawRecord(i + 1, r) for i, r in enumerate(copy.deepcopy(records))],
                                            publish=publish)
        got = contents()
    assert (report.created, report.updated, report.unchanged, report.published) == (
        expected_report.created, expected_report.updated, expected_report.unchanged, expected_report.published)
    assert report.updated == 1 and report.unchanged == 2
    for table in expected:
        assert got[table] == expected[table], table
    assert len(got["practices"]) == len(records) - 3


def test_a_second_batched_import_of_the_same_file_changes_nothing(app, practice_record):
    records = [RawRecord(i + 1, r) for i, r in enumerate([practice_record, *seed_records(), practice_record])]
    with app.app_context():
        importing.import_practices(copy.deepcopy(records), publish=True)
        before = contents()
        again = importing.import_practices(copy.deepcopy(records), publish=True)
        assert again.created == 0 and again.updated == 0 and again.unchanged == len(records)
        assert contents() == before


def test_a_large_file_is_validated_in_worker_processes_with_the_same_messages(monkeypatch, practice_record):
    bad = copy.deepcopy(practice_record) | {"evidence_level": "anecdotal"}
    records = [RawRecord(i + 1, copy.deepcopy(bad if i % 7 == 3 else practice_record)) for i in range(60)]
    records.append(RawRecord(61, None, "line 61 is not valid JSON (Expecting value)"))
    one_process = importing.validate_records(records)
    monkeypatch.setattr(importing, "PARALLEL_FROM", 10)
    parallel = importing.validate_records(records)
    assert [str(e) for e in parallel[1]] == [str(e) for e in one_process[1]]
    assert 'record 4: evidence_level: Evidence level: "anecdotal" is not an evidence level.' in map(str, parallel[1])
    assert parallel[0] == one_process[0] and len(parallel[0]) == 60 - 9
