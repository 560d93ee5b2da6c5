"""Writing a practice in the form: lax drafts, strict submission with errors beside fields, rows without JS."""

from __future__ import annotations

import re

from clearinghouse.extensions import db
from clearinghouse.models import Revision

from .conftest import login


def form_from_record(record: dict) -> dict:
    """The fields a person fills in the form for a record (the LEA itself comes from their account)."""
    data: dict = {"title": record["title"], "summary": record["summary"], "evidence_level": record["evidence_level"]}
    for key in ("cds_code", "locale", "enrollment", "unduplicated_pct", "el_pct", "foster_youth_pct"):
        data[f"lea.{key}"] = str(record["lea"][key])
    for key in ("state_priorities", "student_groups", "grade_spans", "dashboard_indicators", "topics",
                "support_tiers"):
        data[key] = [str(v) for v in record[key]]
    for name, text in record["sections"].items():
        data[f"sections.{name}"] = text
    for i, metric in enumerate(record["outcome_metrics"]):
        for key, value in metric.items():
            data[f"outcome_metrics[{i}].{key}"] = str(value)
    for i, resource in enumerate(record["resources"]):
        for key, value in resource.items():
            data[f"resources[{i}].{key}"] = value
    for group in ("investment", "timeline", "contact"):
        for key, value in record[group].items():
            data[f"{group}.{key}"] = str(value)
    data["keywords"] = "\n".join(record["keywords"])
    return data


def revision_id_from(response) -> int:
    return int(re.search(r"/submissions/(\d+)", response.location)[1])


def test_the_form_shows_every_part_of_the_interchange_format_with_guidance(client, people):
    login(client, people["contributor"])
    page = client.get("/submit").text
    for text in ("What was the problem, for which students, and what data showed it?",  # SECTIONS guidance
                 "What happened, with data where there are any.",
                 "What was tried and dropped, or did not go as planned, and why.",
                 "What should someone starting out know?",
                 "Sample Valley Unified", "English learners", "Chronic absenteeism", "Multi-tiered system of support",
                 'name="outcome_metrics[0].label"', 'name="resources[0].url"', 'name="investment.amount_usd"',
                 'name="contact.email"', 'name="timeline.start_year"', "Add another measure", "Save draft"):
        assert text in page, text


def test_a_draft_keeps_whatever_was_typed_even_invalid_and_submit_shows_every_error_beside_its_field(
        app, client, people):
    login(client, people["contributor"])
    saved = client.post("/submit", data={"title": "Half-written", "lea.enrollment": "about four thousand",
                                         "contact.email": "not-an-email", "state_priorities": ["5"],
                                         "action": "save"})
    assert saved.status_code == 302
    rid = revision_id_from(saved)
    page = client.get(saved.location).text
    assert 'value="about four thousand"' in page and 'value="not-an-email"' in page and "Draft saved." in page
    assert re.search(r'value="5"\s+checked', page)
    refused = client.post(f"/submissions/{rid}/edit", data={"title": "Half-written", "lea.enrollment": "about",
                                                            "contact.email": "not-an-email",
                                                            "state_priorities": ["5"], "action": "submit"})
    assert refused.status_code == 400
    page = refused.text
    assert "The practice is not ready to submit" in page
    for field_id, message in (("f-summary", "Summary is required."),
                              ("f-lea-enrollment", "Enrollment must be a whole number."),
                              ("f-contact-email", "Contact email is not a valid email address."),
                              ("f-student_groups", "Choose at least one student group."),
                              ("f-sections-problem", "Problem of practice is required."),
                              ("f-evidence_level", "Evidence level is required.")):
        assert re.search(rf'id="{field_id}-error">.*?{message}', page), field_id
    assert 'value="about"' in page and 'aria-invalid="true"' in page
    with app.app_context():
        assert db.session.get(Revision, rid).state == "draft"


def test_a_complete_form_submits_and_the_contributor_follows_it(app, client, people, practice_record, mailbox):
    login(client, people["contributor"])
    response = client.post("/submit", data={**form_from_record(practice_record), "action": "submit"})
    assert response.status_code == 302
    rid = revision_id_from(response)
    page = client.get(f"/submissions/{rid}").text
    assert "Submitted, waiting for a reviewer" in page and "Submitted for vetting" in page
    with app.app_context():
        from clearinghouse.records import canonical, load_strict, revision_to_record

        revision = db.session.get(Revision, rid)
        # the form round-trips the whole interchange record; the LEA's context waits for publication
        assert revision_to_record(revision) | {"lea": None} == canonical(load_strict(practice_record)) | {"lea": None}
        assert revision.current_round.record["lea"] == practice_record["lea"]
    assert mailbox.to(people["reviewer"].email)


def test_outcome_rows_are_added_and_removed_without_javascript(client, people):
    login(client, people["contributor"])
    response = client.post("/submit", data={"title": "Rows", "outcome_metrics[0].label": "Attendance rate",
                                            "outcome_metrics[0].baseline": "91", "action": "add_metric"})
    assert response.status_code == 302 and "metric_rows=2" in response.location
    assert response.location.endswith("#f-outcome_metrics-2-label")
    page = client.get(response.location).text
    assert 'value="Attendance rate"' in page and 'name="outcome_metrics[2].label"' in page
    rid = revision_id_from(response)
    client.post(f"/submissions/{rid}/edit", data={
        "title": "Rows", "outcome_metrics[0].label": "Attendance rate", "outcome_metrics[0].remove": "1",
        "outcome_metrics[1].label": "Suspension rate", "action": "save"})
    page = client.get(f"/submissions/{rid}/edit").text
    assert "Attendance rate" not in page and 'value="Suspension rate"' in page


def test_the_preview_shows_the_draft_as_it_will_be_published(client, people, practice_record):
    login(client, people["contributor"])
    response = client.post("/submit", data={**form_from_record(practice_record), "action": "preview"})
    assert response.status_code == 302 and response.location.endswith("/preview")
    page = client.get(response.location).text
    assert "<strong>chronically absent</strong>" in page  # the Markdown rendered as on the practice page
    assert "Chronic absenteeism rate" in page and "About the LEA" in page


def test_a_published_practice_offers_its_lea_an_edit_that_goes_through_vetting(
        app, client, people, practice_record):
    from .vetting_helpers import decide, submitted

    app.config["REVIEWS_REQUIRED"] = 1
    rid = submitted(app, people, practice_record)
    decide(app, people, rid, ("reviewer", "approve"))
    with app.app_context():
        slug = db.session.get(Revision, rid).practice.slug
    login(client, people["contributor"])
    assert "Propose an edit" in client.get(f"/practices/{slug}").text
    edit = client.post(f"/practices/{slug}/revise")
    assert edit.status_code == 302
    page = client.get(edit.location).text
    assert f'value="{practice_record["title"]}"' in page  # the new revision starts from the published one
    assert client.post(f"/practices/{slug}/revise").status_code == 409  # one revision at a time
