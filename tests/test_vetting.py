"""The vetting workflow: rounds, claims, conflicts of interest, the frozen rubric, the record, mail, the queue."""

from __future__ import annotations

import pytest

from clearinghouse import permissions
from clearinghouse.errors import InvalidTransition, NotAllowed, NotFound, ValidationFailed
from clearinghouse.extensions import db
from clearinghouse.models import AuditEvent, Revision
from clearinghouse.vetting import queue as vetting_queue
from clearinghouse.vetting import reviewing, rubric, service

from .conftest import login
from .vetting_helpers import decide, review, submitted, user


def state(app, revision_id: int) -> str:
    with app.app_context():
        return db.session.get(Revision, revision_id).state


def test_two_approving_reviews_publish_and_index_the_practice(app, people, practice_record, mailbox, client):
    rid = submitted(app, people, practice_record)
    assert {m["To"] for m in mailbox.messages} == {people["reviewer"].email, people["reviewer2"].email}
    decide(app, people, rid, ("reviewer", "approve"))
    assert state(app, rid) == "in_review"  # one of two reviews is in
    decide(app, people, rid, ("reviewer2", "approve"))
    assert state(app, rid) == "published"
    with app.app_context():
        revision = db.session.get(Revision, rid)
        slug = revision.practice.slug
        actions = [(e.action, e.from_state, e.to_state) for e in vetting_queue.timeline(revision)]
    assert slug == "attendance-teams-that-call-home-on-day-two"
    with app.app_context():  # the LEA's context, as the contributor described it, is published with the practice
        lea = db.session.get(Revision, rid).practice.lea
        assert (lea.enrollment, lea.locale, lea.cds_code) == (4200, "rural", "10101010000000")
    assert actions == [
        ("create", None, "draft"), ("submit", "draft", "submitted"), ("claim", "submitted", "in_review"),
        ("review", "in_review", "in_review"), ("claim", "in_review", "in_review"),
        ("review", "in_review", "in_review"), ("approve", "in_review", "approved"),
        ("publish", "approved", "published"),
    ]
    assert client.get(f"/practices/{slug}").status_code == 200
    found = client.get("/api/v1/search?q=attendance").json
    assert slug in [r["slug"] for r in found["results"]]
    assert mailbox.subjects(people["contributor"].email)[-1].startswith("Published")


def test_one_review_is_enough_when_reviews_required_is_1(app, people, practice_record):
    app.config["REVIEWS_REQUIRED"] = 1
    rid = submitted(app, people, practice_record)
    decide(app, people, rid, ("reviewer", "approve"))
    assert state(app, rid) == "published"
    with app.app_context(), pytest.raises(InvalidTransition, match="published; it cannot be claimed"):
        reviewing.claim(user(people["reviewer2"]), rid)


def test_request_changes_ends_the_round_at_once(app, people, practice_record, mailbox):
    rid = submitted(app, people, practice_record)
    with app.app_context():
        reviewing.claim(user(people["reviewer"]), rid)
        reviewing.claim(user(people["reviewer2"]), rid)
        reviewing.file_review(user(people["reviewer"]), rid, review("request_changes", "Add the 2021-22 data."))
        revision = db.session.get(Revision, rid)
        assert revision.state == "changes_requested"
        assert revision.current_round.outcome == "changes_requested"
        assert revision.current_round.open_claims == []  # the other reviewer's claim ended with the round
        with pytest.raises(InvalidTransition):
            reviewing.file_review(user(people["reviewer2"]), rid, review())
    message = mailbox.last_to(people["contributor"].email)
    assert mailbox.subjects(people["contributor"].email)[-1].startswith("Changes requested")
    assert "Add the 2021-22 data." in message.get_content()


def test_any_rejection_rejects_once_all_reviews_are_in(app, people, practice_record, mailbox):
    rid = submitted(app, people, practice_record)
    decide(app, people, rid, ("reviewer", "reject"))
    assert state(app, rid) == "in_review"
    decide(app, people, rid, ("reviewer2", "approve"))
    assert state(app, rid) == "rejected"
    assert "reviewer says reject" in mailbox.last_to(people["contributor"].email).get_content()


def test_resubmission_opens_a_new_round_offered_first_to_earlier_reviewers_with_a_diff(
        app, people, practice_record, mailbox):
    rid = submitted(app, people, practice_record)
    decide(app, people, rid, ("reviewer", "request_changes"))
    changed = {**practice_record, "sections": {**practice_record["sections"],
                                                "outcomes": "Chronic absenteeism fell from 25% to 15%."}}
    mailbox.clear()
    with app.app_context():
        service.save_draft(user(people["contributor"]), rid, changed)
        service.submit(user(people["contributor"]), rid)
        revision = db.session.get(Revision, rid)
        assert [r.number for r in revision.rounds] == [1, 2]
        items = vetting_queue.queue(user(people["reviewer"]), {}).items
        assert items[0].offered_first and items[0].revision.id == rid
        assert not vetting_queue.queue(user(people["reviewer2"]), {}).items[0].offered_first
    assert [m["To"] for m in mailbox.messages] == [people["reviewer"].email]
    client = app.test_client()
    login(client, people["reviewer"])
    page = client.get(f"/review/{rid}").text
    assert "What changed since the last revision" in page
    assert "<del><span class=\"visually-hidden\">Removed: </span>Chronic absenteeism fell from 25% to 17%." in page
    assert "<ins><span class=\"visually-hidden\">Added: </span>Chronic absenteeism fell from 25% to 15%.</ins>" in page


def test_reviewers_never_vet_their_own_or_their_own_leas_submissions(app, people, practice_record):
    with app.app_context():
        # the reviewer is on the staff of River County Office; a colleague's submission is off limits
        from clearinghouse.accounts import service as accounts

        colleague, _ = accounts.create_user("sam@river-coe.example.org", ["contributor"],
                                            "River County Office of Education", "correct horse battery staple")
        colleague_id = colleague.id
    rid = submitted(app, people, practice_record)
    with app.app_context():
        revision, _ = service.start_draft(db.session.get(type(user(people["reviewer"])), colleague_id),
                                          practice_record)
        service.submit(revision.author, revision.id)
        own_lea = revision.id
        with pytest.raises(NotFound):
            reviewing.claim(user(people["reviewer"]), own_lea)
        assert [i.revision.id for i in vetting_queue.queue(user(people["reviewer"]), {}).items] == [rid]
        with pytest.raises(NotFound):
            reviewing.claim(user(people["other"]), rid)  # a contributor does not see others' submissions
        own, _ = service.start_draft(user(people["reviewer"]), practice_record)
        service.submit(user(people["reviewer"]), own.id)
        with pytest.raises(NotAllowed, match="never vet a submission of their own"):
            reviewing.claim(user(people["reviewer"]), own.id)  # they see their own submission, but may not vet it


def test_a_third_reviewer_cannot_claim_a_full_round(app, people, practice_record):
    from clearinghouse.accounts import service as accounts

    rid = submitted(app, people, practice_record)
    with app.app_context():
        third, _ = accounts.create_user("third@example.org", ["reviewer"], password="correct horse battery staple")
        reviewing.claim(user(people["reviewer"]), rid)
        reviewing.claim(user(people["reviewer2"]), rid)
        with pytest.raises(NotAllowed, match="already has"):
            reviewing.claim(third, rid)


def test_an_admin_assigns_a_reviewer_under_the_same_rules(app, people, practice_record, mailbox):
    rid = submitted(app, people, practice_record)
    with app.app_context():
        with pytest.raises(ValidationFailed):
            reviewing.assign(user(people["admin"]), rid, people["other"].id)  # not a reviewer
        reviewing.assign(user(people["admin"]), rid, people["reviewer2"].id)
        assert vetting_queue.queue(user(people["reviewer2"]), {"mine": "1"}).items[0].may_review
        with pytest.raises(NotAllowed):
            reviewing.assign(user(people["reviewer"]), rid, people["reviewer"].id)  # only admins assign
    assert mailbox.subjects(people["reviewer2"].email)[-1].startswith("Assigned to you")


def test_each_review_keeps_the_rubric_wording_it_was_written_against(app, people, practice_record, monkeypatch):
    rid = submitted(app, people, practice_record)
    decide(app, people, rid, ("reviewer", "approve"))
    monkeypatch.setattr(rubric, "RUBRIC", ((1, "A reworded first criterion."),) + rubric.RUBRIC[1:])
    with app.app_context():
        filed = db.session.get(Revision, rid).current_round.filed_reviews[0]
        assert filed.rubric[0]["criterion"].startswith("The problem of practice and its root causes")
        assert filed.scores == {str(n): 4 for n in range(1, 7)}


def test_an_incomplete_review_is_refused_with_every_field(app, people, practice_record):
    rid = submitted(app, people, practice_record)
    with app.app_context():
        reviewing.claim(user(people["reviewer"]), rid)
        with pytest.raises(ValidationFailed) as caught:
            reviewing.file_review(user(people["reviewer"]), rid, {"scores": {"1": 5}, "recommendation": "reject"})
    assert {"scores.1", "scores.6", "comments.1", "message"} <= set(caught.value.fields)
    assert state(app, rid) == "in_review"


def test_a_transition_not_allowed_now_is_refused_and_changes_nothing(app, people, practice_record):
    rid = submitted(app, people, practice_record)
    with app.app_context():
        before = db.session.query(AuditEvent).count()
        with pytest.raises(InvalidTransition, match="cannot be submitted"):
            service.submit(user(people["contributor"]), rid)
        with pytest.raises(InvalidTransition, match="cannot be edited"):
            service.save_draft(user(people["contributor"]), rid, {"title": "Changed while in vetting"})
        with pytest.raises(InvalidTransition, match="cannot be reviewed"):
            reviewing.file_review(user(people["reviewer"]), rid, review())
        db.session.expire_all()
        revision = db.session.get(Revision, rid)
        assert revision.state == "submitted" and revision.title == practice_record["title"]
        assert db.session.query(AuditEvent).count() == before


def test_two_reviewers_deciding_at_the_same_moment_cannot_both_win(app, people, practice_record):
    """Two sessions read the same revision; the first decision commits, the second fails the version check."""
    app.config["REVIEWS_REQUIRED"] = 1
    rid = submitted(app, people, practice_record)
    with app.app_context():
        reviewing.claim(user(people["reviewer"]), rid)
    with app.app_context():  # the admin-assigned second reviewer, so both hold a claim on the round
        app.config["REVIEWS_REQUIRED"] = 2
        reviewing.assign(user(people["admin"]), rid, people["reviewer2"].id)
        app.config["REVIEWS_REQUIRED"] = 1
    with app.app_context():
        first = db.session.get(Revision, rid)  # session one reads the revision (version v), as on the review page
        assert first.state == "in_review" and permissions.may_review(user(people["reviewer"]), first)
        version = first.version
        with app.app_context():  # session two decides and commits meanwhile
            reviewing.file_review(user(people["reviewer2"]), rid, review("request_changes", "Needs data."))
        assert db.session.get(Revision, rid).version == version  # session one still holds its stale copy
        with pytest.raises(InvalidTransition, match="at the same moment"):
            reviewing.file_review(user(people["reviewer"]), rid, review("approve"))
    with app.app_context():
        revision = db.session.get(Revision, rid)
        assert revision.state == "changes_requested"
        assert [r.recommendation for r in revision.current_round.filed_reviews] == ["request_changes"]


def test_the_queue_lists_oldest_first_with_filters_and_counts(app, people, practice_record):
    first = submitted(app, people, practice_record)
    second = submitted(app, people, {**practice_record, "title": "Second practice", "topics": ["math"]}, "other")
    decide(app, people, second, ("reviewer", "approve"))
    with app.app_context():
        reviewer = user(people["reviewer2"])
        everything = vetting_queue.queue(reviewer, {})
        assert [i.revision.id for i in everything.items] == [first, second]
        assert everything.counts == {"submitted": 1, "in_review": 1}
        assert [i.revision.id for i in vetting_queue.queue(reviewer, {"topic": "math"}).items] == [second]
        assert [i.revision.id for i in vetting_queue.queue(reviewer, {"state": "submitted"}).items] == [first]
        assert [i.revision.id for i in vetting_queue.queue(reviewer, {"county": "Kern"}).items] == [second]
    client = app.test_client()
    login(client, people["reviewer2"])
    page = client.get("/review")
    assert page.status_code == 200
    assert "Second practice" in page.text and "Sample Valley Unified" in page.text
    assert '<svg class="chart"' in page.text and "Median time from submission to a decision" in page.text


def test_stats_count_received_and_decided_per_month_and_the_median(app, people, practice_record):
    rid = submitted(app, people, practice_record)
    decide(app, people, rid, ("reviewer", "request_changes"))
    with app.app_context():
        stats = vetting_queue.stats()
    assert stats.months[-1].received == 1 and stats.months[-1].decided == 1
    assert stats.median_days == 0.0
    assert len(stats.months) == 12


def test_editing_a_published_practice_goes_through_vetting_while_the_published_one_stays(
        app, people, practice_record, client):
    rid = submitted(app, people, practice_record)
    decide(app, people, rid, ("reviewer", "approve"), ("reviewer2", "approve"))
    with app.app_context():
        slug = db.session.get(Revision, rid).practice.slug
        new = service.revise(user(people["contributor"]), slug)
        service.save_draft(user(people["contributor"]), new.id,
                           {**practice_record, "summary": "A new summary under vetting."})
        service.submit(user(people["contributor"]), new.id)
        new_id = new.id
    assert practice_record["summary"] in client.get(f"/practices/{slug}").text
    decide(app, people, new_id, ("reviewer", "approve"), ("reviewer2", "approve"))
    assert "A new summary under vetting." in client.get(f"/practices/{slug}").text
    assert state(app, rid) == "superseded"


def test_an_admin_archives_a_published_practice(app, people, practice_record, client):
    app.config["REVIEWS_REQUIRED"] = 1
    rid = submitted(app, people, practice_record)
    decide(app, people, rid, ("reviewer", "approve"))
    with app.app_context():
        slug = db.session.get(Revision, rid).practice.slug
        with pytest.raises(NotFound):
            service.archive(user(people["reviewer"]), slug)
    login(client, people["admin"])
    assert client.post(f"/admin/practices/{slug}/archive", data={"comment": "Out of date"}).status_code == 302
    assert client.get(f"/practices/{slug}").status_code == 404
    assert state(app, rid) == "archived"
    assert "Out of date" in client.get("/admin/audit?action=archive").text


def test_reviewers_and_previews_show_the_lea_context_that_was_submitted(app, client, people, practice_record):
    """The context the contributor describes is applied to the LEA only at publish; until then the review page
    and the preview show it, not the LEA's current profile."""
    practice_record["lea"] |= {"enrollment": 4321, "el_pct": 31.5, "data_year": "2018-19"}
    rid = submitted(app, people, practice_record)
    with app.app_context():
        lea = db.session.get(Revision, rid).practice.lea
        assert lea.enrollment is None  # the profile is unchanged until the practice is published
    login(client, people["reviewer"])
    page = client.get(f"/review/{rid}").text
    assert "4,321" in page and "31.5%" in page and "Figures from 2018-19." in page
    login(client, people["contributor"])
    preview = client.get(f"/submissions/{rid}/preview").text
    assert "4,321" in preview and "Figures from 2018-19." in preview
