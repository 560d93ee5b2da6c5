"""Forms that speak plainly (issue 10): errors as sentences with labels, a summary that links to its fields,
character counts, the new fields of the format, one draft per failed attempt, and deleting one's own draft."""

from __future__ import annotations

import re

from clearinghouse.extensions import db
from clearinghouse.models import AuditEvent, Practice, Revision
from clearinghouse.schemas import field_metadata
from clearinghouse.taxonomy import EVIDENCE_REQUIREMENTS, RESOURCE_KINDS, SECTIONS

from .conftest import login
from .test_writing import form_from_record

FIELD_PATH = re.compile(r"\b(sections|lea|outcome_metrics|resources|contact|timeline|investment)[.\[]\w*")


def summary_of(page: str) -> str:
    match = re.search(r'<div class="error-summary".*?</div>', page, re.S)
    assert match, "no error summary on the page"
    return match[0]


def draft_count(app) -> int:
    with app.app_context():
        return db.session.query(Revision).count()


def test_the_error_summary_lists_sentences_that_link_to_their_fields_and_no_internal_paths(client, people):
    login(client, people["contributor"])
    response = client.post("/submit", data={"title": "Half", "lea.enrollment": "lots", "action": "submit"},
                           follow_redirects=True)
    page = response.text
    summary = summary_of(page)
    assert "We saved your draft; fix these to submit" in summary
    assert "data-focus-on-load" in summary and 'tabindex="-1"' in summary
    links = re.findall(r'<li><a href="#([\w-]+)">(.*?)</a></li>', summary)
    assert len(links) >= 5
    for target, text in links:
        assert f'id="{target}"' in page, target  # every link lands on a field of the form
        assert text[0].isupper() and text.endswith("."), text  # a sentence
        assert not FIELD_PATH.search(text) and ":" not in text, text  # no `sections.problem:` paths
    texts = [text for _, text in links]
    assert "Summary is required." in texts and "Enrollment must be a whole number." in texts
    assert "Problem of practice is required." in texts


def test_limited_fields_show_their_character_limit(client, people):
    login(client, people["contributor"])
    page = client.get("/submit").text
    assert re.search(r'<textarea id="f-summary"[^>]*aria-describedby="f-summary-hint f-summary-count"[^>]*'
                     r'data-max="600"', page)
    assert '<p class="char-count" id="f-summary-count">Up to 600 characters.</p>' in page
    assert 'id="f-title-count">Up to 200 characters.' in page


def test_the_form_reads_its_labels_and_new_fields_from_the_schema(client, people):
    login(client, people["contributor"])
    page = client.get("/submit").text
    for path in ("lea.swd_pct", "lea.homeless_pct", "lea.data_year", "sections.setbacks"):
        assert f'name="{path}"' in page and field_metadata(path)["label"] in page, path
    assert 'name="lea.grade_spans"' in page and field_metadata("lea.grade_spans")["label"] in page
    for key in ("kind", "publisher", "date", "url"):
        assert f'name="resources[0].{key}"' in page, key
    for code, label in RESOURCE_KINDS.items():
        assert f'<option value="{code}">{label}</option>' in page
    for code, rule in EVIDENCE_REQUIREMENTS.items():
        assert rule in page, code
    # the LEA's identity comes from the writer's account, not from the form
    assert 'name="lea.type"' not in page and 'name="lea.county"' not in page and 'name="lea.name"' not in page
    # "required to submit" follows the schema: the required sections, not the optional ones
    for key, (label, _) in SECTIONS.items():
        marked = re.search(rf'{re.escape(label)} <span class="required">\(required to submit\)', page)
        assert bool(marked) == field_metadata(f"sections.{key}")["required"], key


def test_the_new_fields_are_saved_and_a_resource_without_a_web_address_is_kept(app, client, people, practice_record):
    login(client, people["contributor"])
    data = form_from_record(practice_record)
    data.update({"lea.swd_pct": "12.5", "lea.data_year": "2018-19", "lea.grade_spans": ["k_5", "6_8"],
                 "sections.setbacks": "Calls on day one annoyed families.",
                 "resources[1].title": "Attendance Works toolkit", "resources[1].kind": "tool",
                 "resources[1].publisher": "Attendance Works", "resources[1].date": "2019", "action": "save"})
    response = client.post("/submit", data=data)
    rid = int(re.search(r"/submissions/(\d+)", response.location)[1])
    with app.app_context():
        revision = db.session.get(Revision, rid)
        assert revision.setbacks == "Calls on day one annoyed families."
        assert [(r.title, r.kind, r.publisher, r.date, r.url) for r in revision.resources][1] == (
            "Attendance Works toolkit", "tool", "Attendance Works", "2019", None)
        assert revision.lea_context["grade_spans"] == ["k_5", "6_8"] and revision.lea_context["swd_pct"] == 12.5
    page = client.get(f"/submissions/{rid}/edit").text
    assert re.search(r'name="lea.grade_spans" value="6_8"\s+checked', page)
    assert 'value="2018-19"' in page and 'value="Attendance Works"' in page


def test_a_failed_first_submit_makes_one_draft_says_so_and_later_tries_post_to_it(app, client, people):
    login(client, people["contributor"])
    form = client.get("/submit").text
    key = re.search(r'name="draft_key" value="([^"]+)"', form)[1]
    first = client.post("/submit", data={"title": "Try", "draft_key": key, "action": "submit"})
    assert first.status_code == 302 and "check=1" in first.location
    assert draft_count(app) == 1
    rid = int(re.search(r"/submissions/(\d+)/edit", first.location)[1])
    page = client.get(first.location).text
    assert "We saved your draft; fix these to submit" in page
    assert f'action="/submissions/{rid}/edit"' in page and 'name="draft_key"' not in page
    # a reload or the back button posts the same new form again: it saves the same draft
    again = client.post("/submit", data={"title": "Try again", "draft_key": key, "action": "submit"})
    assert again.status_code == 400 and draft_count(app) == 1
    # trying again from the page posts to the draft
    assert client.post(f"/submissions/{rid}/edit", data={"title": "Try 3", "action": "submit"}).status_code == 400
    assert draft_count(app) == 1
    with app.app_context():
        assert db.session.get(Revision, rid).title == "Try 3"


def _draft(client, title="Untitled"):
    response = client.post("/submit", data={"title": title, "action": "save"})
    return int(re.search(r"/submissions/(\d+)", response.location)[1])


def test_the_author_deletes_a_draft_after_confirming_and_the_practice_goes_with_it(app, client, people):
    login(client, people["contributor"])
    rid = _draft(client, "")
    page = client.get(f"/submissions/{rid}").text
    assert f'href="/submissions/{rid}/delete"' in page
    confirm = client.get(f"/submissions/{rid}/delete")
    assert confirm.status_code == 200 and "Delete the draft “Untitled draft”?" in confirm.text
    assert 'method="post"' in confirm.text and "Yes, delete this draft" in confirm.text
    with app.app_context():
        assert db.session.query(Practice).count() == 1
    done = client.post(f"/submissions/{rid}/delete")
    assert done.status_code == 302 and done.location.endswith("/my/submissions")
    assert "The draft “Untitled draft” is deleted." in client.get(done.location).text
    with app.app_context():
        assert db.session.get(Revision, rid) is None and db.session.query(Practice).count() == 0
    assert client.post(f"/submissions/{rid}/delete").status_code == 404


def test_nobody_else_deletes_a_draft_and_a_submitted_revision_is_refused(app, client, people, practice_record):
    from .vetting_helpers import submitted

    login(client, people["contributor"])
    rid = _draft(client, "Mine")
    for kind in ("other", "reviewer", "admin"):
        other = app.test_client()
        login(other, people[kind])
        assert other.get(f"/submissions/{rid}/delete").status_code == 404, kind
        assert other.post(f"/submissions/{rid}/delete").status_code == 404, kind
    sent = submitted(app, people, practice_record)
    assert client.get(f"/submissions/{sent}/delete").status_code == 404
    assert client.post(f"/submissions/{sent}/delete").status_code == 409
    with app.app_context():
        assert db.session.get(Revision, rid) and db.session.get(Revision, sent).state == "submitted"


def test_deleting_a_new_revision_of_a_published_practice_keeps_the_practice_and_audits_it(
        app, client, people, practice_record):
    from .vetting_helpers import decide, submitted

    app.config["REVIEWS_REQUIRED"] = 1
    published = submitted(app, people, practice_record)
    decide(app, people, published, ("reviewer", "approve"))
    with app.app_context():
        slug = db.session.get(Revision, published).practice.slug
    login(client, people["contributor"])
    draft = int(re.search(r"/submissions/(\d+)", client.post(f"/practices/{slug}/revise").location)[1])
    assert client.post(f"/submissions/{draft}/delete").status_code == 302
    with app.app_context():
        assert db.session.get(Revision, draft) is None
        assert db.session.get(Revision, published).state == "published"
        event = db.session.query(AuditEvent).order_by(AuditEvent.id.desc()).first()
        assert event.action == "delete_draft" and event.actor_id == people["contributor"].id
    assert client.get(f"/practices/{slug}").status_code == 200


def test_deleting_needs_the_csrf_token(tmp_path, mailbox):
    from .conftest import PASSWORD, _register, make_app

    strict = make_app(tmp_path / "strict")  # CSRF on, as in production
    with strict.app_context():
        writer = _register("writer", "wren@csrf.example.org", {"name": "Csrf Unified", "county": "Kern",
                                                               "type": "district"}, mailbox)
    client = strict.test_client()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get("/login").text)[1]
    client.post("/login", data={"email": writer.email, "password": PASSWORD, "csrf_token": token})
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/submit").text)[1]
    saved = client.post("/submit", data={"title": "X", "action": "save", "csrf_token": token})
    rid = int(re.search(r"/submissions/(\d+)", saved.location)[1])
    assert client.post(f"/submissions/{rid}/delete").status_code == 400
    with strict.app_context():
        assert db.session.get(Revision, rid) is not None
    assert client.post(f"/submissions/{rid}/delete", data={"csrf_token": token}).status_code == 302
    with strict.app_context():
        assert db.session.get(Revision, rid) is None
        db.session.remove()
        db.engine.dispose()


def test_registration_reports_every_field_in_one_round(client):
    response = client.post("/register", data={"name": "", "email": "not-an-email", "password": "short",
                                              "lea": "new"})
    assert response.status_code == 400
    summary = summary_of(response.text)
    for field_id, message in (("name", "Enter your name."),
                              ("email", "“not-an-email” is not a valid email address: "
                                        "write it like name@district.org."),
                              ("password", "The password must be at least 12 characters long (it has 5)."),
                              ("new_lea_name", "Enter the new LEA&#39;s name."),
                              ("new_lea_county", "Choose the new LEA&#39;s county.")):
        assert f'<a href="#{field_id}">{message}</a>' in summary, field_id
        assert re.search(rf'id="{field_id}-error">.*?{re.escape(message)}', response.text), field_id
    assert 'value="not-an-email"' in response.text  # what was typed stays


def test_review_messages_name_each_criterion_and_the_rubric_shows_the_evidence_rule(
        app, client, people, practice_record):
    from clearinghouse.vetting import reviewing, rubric

    from .vetting_helpers import submitted, user

    rid = submitted(app, people, practice_record)
    with app.app_context():
        reviewing.claim(user(people["reviewer"]), rid)
    login(client, people["reviewer"])
    page = client.get(f"/review/{rid}").text
    assert "The rule for that level: " + EVIDENCE_REQUIREMENTS["local"] in page
    assert "“What did not work”" in page  # criterion 3 points at the setbacks section
    assert f'action="/review/{rid}#error-summary"' in page  # without the script, a refusal still lands on it
    response = client.post(f"/review/{rid}", data={"scores.2": "4", "recommendation": "reject"})
    assert response.status_code == 400
    summary = summary_of(response.text)
    assert '<a href="#f-scores-1">Choose a score from 1 to 4 for “Problem and data”.</a>' in summary
    assert f'<a href="#f-comments-4">Write a comment on “{rubric.NAMES[4]}” that says why' in summary
    assert '<a href="#f-message">Write a message to the contributor' in summary
    assert "f-scores-2" not in summary and "data-focus-on-load" in summary
    for target in re.findall(r'href="#([\w-]+)"', summary):
        assert f'id="{target}"' in response.text
    assert 'href="#rubric">Jump to the rubric' in response.text
    assert 'href="#writeup">Back to the write-up' in response.text


def test_a_new_token_clears_the_name_field_and_offers_a_copy_button(client, people):
    login(client, people["contributor"])
    created = client.post("/account/tokens", data={"name": "district data system"})
    assert created.status_code == 201
    page = created.text
    assert re.search(r'<input[^>]*id="name"[^>]*value=""', page)
    assert 'value="district data system"' not in page
    assert re.search(r'<code class="token" id="new-token">\S+</code>', page)  # selectable without JS
    assert '<button type="button" class="secondary" data-copy="new-token" hidden>Copy the token</button>' in page


def test_the_users_and_tokens_tables_stack_on_narrow_screens(client, people):
    login(client, people["admin"])
    client.post("/account/tokens", data={"name": "sync"})
    for path in ("/admin/users", "/account"):
        page = client.get(path).text
        assert 'class="metrics stack-table"' in page, path
        assert all('data-label="' in cell for cell in re.findall(r"<td[^>]*>", page)), path
