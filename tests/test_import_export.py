"""`flask practices import/export`: validation before writing, precise error reports, round trips."""

from __future__ import annotations

import csv
import json

import pytest
from sqlalchemy import func, select

from clearinghouse.extensions import db
from clearinghouse.models import LEA, AuditEvent, Practice, Revision

from .conftest import seed_records


def write_json(path, records):
    path.write_text(json.dumps(records))
    return str(path)


def count(app, model):
    with app.app_context():
        return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def test_import_publishes_valid_json_and_the_page_shows_it(app, runner, client, tmp_path, practice_record):
    result = runner.invoke(args=["practices", "import", write_json(tmp_path / "p.json", [practice_record]),
                                 "--publish"])
    assert result.exit_code == 0, result.output
    assert "1 created" in result.output and "1 published" in result.output
    page = client.get("/practices/attendance-teams-that-call-home-on-day-two")
    assert page.status_code == 200
    assert "Attendance teams that call home on day two" in page.text


def test_import_without_publish_lands_as_drafts_that_visitors_cannot_see(app, runner, client, tmp_path,
                                                                         practice_record):
    result = runner.invoke(args=["practices", "import", write_json(tmp_path / "p.json", [practice_record])])
    assert result.exit_code == 0, result.output
    assert "(as drafts)" in result.output
    with app.app_context():
        assert db.session.execute(select(Revision.state)).scalar_one() == "draft"
    assert client.get("/practices/attendance-teams-that-call-home-on-day-two").status_code == 404
    assert client.get("/api/v1/practices").json["total"] == 0


def test_every_bad_record_is_reported_with_position_and_field_and_nothing_is_written(
    app, runner, tmp_path, practice_record
):
    good = practice_record
    bad_county = json.loads(json.dumps(good)) | {"title": "Another"}
    bad_county["lea"]["county"] = "Orange Cty"
    bad_many = json.loads(json.dumps(good)) | {"title": "Third", "state_priorities": [99], "summary": "x" * 601}
    del bad_many["sections"]["problem"]
    bad_many["resources"] = [{"title": "Link", "url": "not a url"}]
    bad_many["colour"] = "blue"
    records = [good] * 6 + [bad_county, bad_many]
    result = runner.invoke(args=["practices", "import", write_json(tmp_path / "p.json", records), "--publish"])
    assert result.exit_code != 0
    errors = result.output
    assert 'record 7: lea.county: County: "Orange Cty" is not a California county.' in errors
    assert 'record 8: state_priorities[0]: State priorities: "99" is not a state priority (1–10).' in errors
    assert "record 8: summary:" in errors
    assert "record 8: sections.problem: Problem of practice is required." in errors
    assert ("record 8: resources[0].url: Web address (Resources, row 1) is not a web address starting with https:// "
            "or http://.") in errors
    assert "record 8: colour: colour is not a field of the interchange format." in errors
    assert "nothing was written" in errors
    assert count(app, Practice) == 0 and count(app, LEA) == 0


def test_skip_invalid_imports_the_valid_ones_and_still_reports_the_rest(app, runner, tmp_path, practice_record):
    bad = json.loads(json.dumps(practice_record)) | {"title": "Broken", "evidence_level": "anecdotal"}
    result = runner.invoke(args=["practices", "import", write_json(tmp_path / "p.json", [bad, practice_record]),
                                 "--skip-invalid"])
    assert result.exit_code == 0
    assert 'record 1: evidence_level: Evidence level: "anecdotal" is not an evidence level.' in result.output
    assert "1 created" in result.output
    assert count(app, Practice) == 1


def test_dry_run_validates_and_writes_nothing(app, runner, tmp_path, practice_record):
    result = runner.invoke(args=["practices", "import", write_json(tmp_path / "p.json", [practice_record]),
                                 "--dry-run"])
    assert result.exit_code == 0
    assert "Dry run, nothing written. 1 records: 1 valid, 0 invalid." in result.output
    assert count(app, Practice) == 0


def test_jsonl_errors_name_the_bad_line(app, runner, tmp_path, practice_record):
    path = tmp_path / "p.jsonl"
    path.write_text(json.dumps(practice_record) + "\n{not json\n")
    result = runner.invoke(args=["practices", "import", str(path)])
    assert result.exit_code != 0
    assert "record 2: record: line 2 is not valid JSON" in result.output


def test_unreadable_file_type_is_refused_with_a_reason(runner, tmp_path):
    path = tmp_path / "p.xml"
    path.write_text("<practice/>")
    result = runner.invoke(args=["practices", "import", str(path)])
    assert result.exit_code != 0
    assert "use .json, .jsonl or .csv" in result.output


def test_importing_the_same_file_twice_changes_nothing(app, runner, tmp_path, practice_record):
    path = write_json(tmp_path / "p.json", [practice_record])
    assert runner.invoke(args=["practices", "import", path, "--publish"]).exit_code == 0
    second = runner.invoke(args=["practices", "import", path, "--publish"])
    assert "0 created, 0 updated, 1 unchanged" in second.output
    assert count(app, Practice) == 1 and count(app, Revision) == 1 and count(app, LEA) == 1


def test_a_changed_record_updates_the_practice_as_a_new_published_revision(app, runner, tmp_path,
                                                                          practice_record):
    runner.invoke(args=["practices", "import", write_json(tmp_path / "a.json", [practice_record]), "--publish"])
    practice_record["summary"] = "Revised summary."
    practice_record["lea"]["enrollment"] = 4300
    result = runner.invoke(args=["practices", "import", write_json(tmp_path / "b.json", [practice_record]),
                                 "--publish"])
    assert "1 updated" in result.output
    with app.app_context():
        states = db.session.execute(select(Revision.number, Revision.state).order_by(Revision.number)).all()
        assert [tuple(s) for s in states] == [(1, "superseded"), (2, "published")]
        assert db.session.execute(select(LEA.enrollment)).scalar_one() == 4300
        actions = db.session.execute(select(AuditEvent.action).order_by(AuditEvent.id)).scalars().all()
        assert actions == ["import_publish", "supersede", "import_publish"]


@pytest.mark.parametrize("suffix", [".json", ".jsonl", ".csv"])
def test_export_then_import_into_an_empty_database_gives_the_same_practices(seeded, tmp_path, suffix):
    from tests.conftest import make_app

    out = tmp_path / f"export{suffix}"
    result = seeded.test_cli_runner().invoke(args=["practices", "export", str(out)])
    assert result.exit_code == 0, result.output
    assert f"Exported {len(seed_records())} published practices" in result.output

    fresh = make_app(tmp_path / "fresh")
    imported = fresh.test_cli_runner().invoke(args=["practices", "import", str(out), "--publish"])
    assert imported.exit_code == 0, imported.output
    again = tmp_path / f"again{suffix}"
    fresh.test_cli_runner().invoke(args=["practices", "export", str(again)])
    if suffix == ".csv":
        assert list(csv.DictReader(out.open())) == list(csv.DictReader(again.open()))
    else:
        assert out.read_text() == again.read_text()
    with seeded.app_context():
        original = sorted(db.session.execute(select(Practice.slug)).scalars())
    with fresh.app_context():
        assert sorted(db.session.execute(select(Practice.slug)).scalars()) == original


def test_csv_import_reads_flattened_columns_and_lists(app, runner, tmp_path, practice_record):
    from clearinghouse.practices.interchange import write_records

    path = tmp_path / "p.csv"
    write_records(path, [practice_record])
    header = path.read_text().splitlines()[0]
    assert "lea.name" in header and "outcome_metrics[0].label" in header and "sections.problem" in header
    result = runner.invoke(args=["practices", "import", str(path), "--publish"])
    assert result.exit_code == 0, result.output
    api = app.test_client().get("/api/v1/practices/attendance-teams-that-call-home-on-day-two").json
    assert api["student_groups"] == ["socioeconomically_disadvantaged", "homeless"]
    assert api["outcome_metrics"][0]["baseline"] == 25.0
    assert api["lea"]["unduplicated_pct"] == 81.5
