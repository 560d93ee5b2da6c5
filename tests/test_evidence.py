"""Evidence levels must be backed by what the write-up contains (DESIGN.md), in the importer, on submission and
through the API; `descriptive` is the honest level for a documented practice with no outcome data yet; the new
"What did not work" section and the new LEA and resource fields travel through the format."""

from __future__ import annotations

import copy
import json

import pytest

from clearinghouse.extensions import db
from clearinghouse.models import Revision

from .conftest import login


def _record(practice_record, level, metrics=None, resources=None):
    record = copy.deepcopy(practice_record) | {"evidence_level": level}
    record["outcome_metrics"] = metrics if metrics is not None else []
    record["resources"] = resources if resources is not None else []
    return record


def _import(app, tmp_path, records, *extra):
    path = tmp_path / "records.json"
    path.write_text(json.dumps(records))
    return app.test_cli_runner().invoke(args=["practices", "import", str(path), *extra])


def test_the_importer_reports_every_unbacked_level_per_record(app, tmp_path, practice_record):
    records = [
        _record(practice_record, "local", metrics=[{"label": "Chronic absence", "baseline": 25}]),  # no result
        _record(practice_record, "promising", resources=[{"title": "A blog post", "kind": "other"}]) | {"title": "B"},
        _record(practice_record, "descriptive") | {"title": "C"},
    ]
    result = _import(app, tmp_path, records)
    assert result.exit_code == 1
    assert "record 1: evidence_level: The evidence level “Local outcome data” is not backed" in result.output
    assert ("record 2: evidence_level: The evidence level “Promising evidence (ESSA tier 3)” is not backed"
            in result.output)
    assert "record 3:" not in result.output  # descriptive needs nothing
    with app.app_context():
        assert db.session.execute(db.select(Revision)).first() is None  # nothing written


@pytest.mark.parametrize("level, metrics, resources", [
    ("local", [{"label": "Chronic absence", "baseline": 25, "result": 17}], []),
    ("local", [{"label": "Chronic absence", "result": 17}], []),  # a result without a baseline is enough
    ("moderate", [], [{"title": "A quasi-experimental study", "kind": "study", "publisher": "WestEd"}]),
    ("rationale", [], []),
    ("descriptive", [], [{"title": "CCEE report", "kind": "source", "publisher": "CCEE", "date": "March 2019"}]),
])
def test_levels_backed_by_the_write_up_import(app, tmp_path, practice_record, level, metrics, resources):
    result = _import(app, tmp_path, [_record(practice_record, level, metrics, resources)], "--dry-run")
    assert result.exit_code == 0, result.output


def test_submitting_an_unbacked_level_is_refused_beside_the_field(app, client, people, practice_record):
    login(client, people["contributor"])
    record = _record(practice_record, "strong")
    created = client.post("/api/v1/submissions", json=record,
                          headers=_token(app, people))
    assert created.status_code == 201
    assert "not backed" in created.json["errors"]["evidence_level"]
    refused = client.post(f"/api/v1/submissions/{created.json['id']}/submit", headers=_token(app, people))
    assert refused.status_code == 400 and "study" in refused.json["error"]["fields"]["evidence_level"]


def _token(app, people):
    from clearinghouse.accounts import service as accounts

    from .vetting_helpers import user

    with app.app_context():
        return {"Authorization": f"Bearer {accounts.create_token(user(people['contributor']), 'evidence')[1]}"}


def test_descriptive_is_a_level_in_the_facets_and_the_api(seeded):
    client = seeded.test_client()
    facets = client.get("/api/v1/search?q=").json["facets"]["evidence"]
    descriptive = next(v for v in facets if v["value"] == "descriptive")
    assert descriptive["label"] == "Described; no outcome data reported yet" and descriptive["count"] >= 10
    spec = client.get("/api/v1/openapi.json").json
    assert "descriptive" in spec["components"]["schemas"]["Practice"]["properties"]["evidence_level"]["enum"]


def test_what_did_not_work_and_the_new_fields_round_trip_through_csv(app, tmp_path, practice_record):
    record = _record(practice_record, "local", metrics=[{"label": "Chronic absence", "result": 17}],
                     resources=[{"title": "The district's report", "kind": "source", "publisher": "Sample USD",
                                 "date": "June 2020"}])
    record["sections"]["setbacks"] = "Texts at 6 a.m. annoyed families, so the team stopped them."
    record["lea"] |= {"swd_pct": 12.5, "homeless_pct": 3.1, "grade_spans": ["k_5", "6_8"], "data_year": "2019-20"}
    assert _import(app, tmp_path, [record], "--publish").exit_code == 0
    out = tmp_path / "out.csv"
    assert app.test_cli_runner().invoke(args=["practices", "export", str(out)]).exit_code == 0
    with app.app_context():
        from clearinghouse.practices.interchange import read_records

        back = read_records(out)[0].data
    assert back["sections"]["setbacks"] == record["sections"]["setbacks"]
    assert back["lea"]["grade_spans"] == ["k_5", "6_8"] and back["lea"]["data_year"] == "2019-20"
    assert back["resources"][0]["kind"] == "source" and back["resources"][0]["date"] == "June 2020"
    page = app.test_client().get("/practices/attendance-teams-that-call-home-on-day-two").text
    assert "What did not work" in page and "Texts at 6 a.m." in page
