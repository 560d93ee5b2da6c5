"""Saved searches, followed collections and digests: what arrives over real SMTP, once, across two runs, a run
killed halfway and two runs at once; the due logic; the one-click unsubscribe; who may do what."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from clearinghouse.alerts import service as alerts
from clearinghouse.collections import service as collections
from clearinghouse.extensions import db
from clearinghouse.models import AlertDelivery, JobLock, OutboxMessage, SavedSearch
from clearinghouse.models.types import utcnow
from clearinghouse.practices import importing
from clearinghouse.practices.interchange import RawRecord

from .conftest import login, make_app
from .vetting_helpers import user

CASEY = "casey@sample-valley.example.org"
OLIVE = "olive@other-hills.example.org"
WEEK = timedelta(days=7, minutes=1)


def publish(app, record: dict) -> str:
    """Import `record` published (a new practice, or a new published version of the one with its title)."""
    with app.app_context():
        report = importing.import_practices([RawRecord(1, record)], publish=True)
        assert not report.errors, [str(e) for e in report.errors]
        return db.session.execute(select(func.max(AlertDelivery.id))).scalar() or 0


def variant(record: dict, title: str, **changes) -> dict:
    return {**record, "title": title, **changes}


MATH = {"topics": ["math"], "dashboard_indicators": ["math"]}


def signed_in(app, person):
    client = app.test_client()
    login(client, person)
    return client


def save(client, name: str, search: str, status: int = 302):
    response = client.post("/alerts/searches", data={"name": name, "search": search})
    assert response.status_code == status, response.text
    return response


def send(app, now=None) -> alerts.SendReport:
    with app.app_context():
        return alerts.send_due(now=now)


def digests(mailbox, address: str) -> list:
    return [m for m in mailbox.to(address) if "for your alerts" in str(m["Subject"])]


def test_a_saved_search_sends_one_digest_with_headers_and_links_and_a_second_run_sends_nothing(
        app, people, mailbox, practice_record, runner):
    publish(app, variant(practice_record, "Attendance calls before the search was saved"))
    save(signed_in(app, people["contributor"]), "Attendance ideas", "q=attendance&topic=attendance&page=3")
    publish(app, practice_record)  # "Attendance teams that call home on day two"
    publish(app, variant(practice_record, "Math coaching for new teachers", **MATH))  # not attendance
    result = runner.invoke(args=["alerts", "send"])
    assert result.exit_code == 0, result.output
    assert f"Mailed {CASEY}: 1 practice." in result.output
    assert "mailed 1 user(s), listing 1 practice(s)" in result.output
    [mail] = digests(mailbox, CASEY)
    body = mail.get_content()
    assert mail["Subject"] == "1 new practice for your alerts"
    assert "Attendance teams that call home on day two" in body and "Sample Valley Unified" in body
    assert "A rural district cut chronic absenteeism" in body
    assert "http://localhost/practices/attendance-teams-that-call-home-on-day-two" in body
    assert "Found by your saved search “Attendance ideas”" in body
    assert "before the search was saved" not in body and "Math coaching" not in body
    assert "Manage your alerts: http://localhost/account/alerts" in body
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = str(mail["List-Unsubscribe"])
    assert unsubscribe.startswith("<http://localhost/alerts/unsubscribe/") and unsubscribe.endswith(">")
    assert f"List-Unsubscribe: {unsubscribe}\r\n".encode() in mail.raw  # one plain line, not encoded words

    again = runner.invoke(args=["alerts", "send"])
    assert again.exit_code == 0 and "mailed 0 user(s)" in again.output
    assert send(app, now=utcnow() + WEEK).mailed == 0  # due again, but nothing new: the ledger
    assert len(digests(mailbox, CASEY)) == 1


def test_the_saved_search_keeps_the_query_and_every_filter_and_reruns_from_the_alerts_page(app, people):
    client = signed_in(app, people["contributor"])
    save(client, "EL, rural", "q=newcomers&student_group=english_learners&locale=rural&exact=1&page=2&per_page=50")
    with app.app_context():
        [saved] = db.session.execute(select(SavedSearch)).scalars()
        assert saved.query_string == "q=newcomers&student_group=english_learners&locale=rural&exact=1"
    page = client.get("/account/alerts").text
    assert "EL, rural" in page
    assert 'href="/search?q=newcomers&amp;student_group=english_learners&amp;locale=rural&amp;exact=1"' in page


@pytest.mark.parametrize("name, message", [("   ", "Give the search a name"),
                                           ("x" * 101, "Use at most 100 characters (this one has 101)")])
def test_a_search_without_a_name_or_with_a_long_one_is_refused_beside_the_field(app, people, name, message):
    client = signed_in(app, people["contributor"])
    page = save(client, name, "q=attendance", status=400).text
    assert message in page and 'aria-invalid="true"' in page and 'value="q=attendance"' in page
    if name.strip():
        assert f'value="{name}"' in page  # what was typed stays
    with app.app_context():
        assert db.session.execute(select(func.count()).select_from(SavedSearch)).scalar() == 0


def test_the_search_page_offers_saving_to_signed_in_users_and_sign_in_to_visitors(seeded, people):
    visitor = seeded.test_client().get("/search?q=attendance&topic=attendance").text
    assert "Sign in to save this search" in visitor and 'action="/alerts/searches"' not in visitor
    page = signed_in(seeded, people["contributor"]).get("/search?q=attendance&topic=attendance").text
    assert 'action="/alerts/searches"' in page and 'value="q=attendance&amp;topic=attendance"' in page


def test_renaming_and_deleting_a_saved_search(app, people):
    client = signed_in(app, people["contributor"])
    save(client, "Old name", "q=attendance")
    with app.app_context():
        search_id = db.session.execute(select(SavedSearch.id)).scalar_one()
    bad = client.post(f"/account/alerts/searches/{search_id}/rename", data={f"s{search_id}-name": ""})
    assert bad.status_code == 400 and "Give the search a name" in bad.text
    client.post(f"/account/alerts/searches/{search_id}/rename", data={f"s{search_id}-name": "New name"})
    assert "New name" in client.get("/account/alerts").text
    other = signed_in(app, people["other"])
    assert other.post(f"/account/alerts/searches/{search_id}/delete").status_code == 404
    assert other.post(f"/account/alerts/searches/{search_id}/rename",
                      data={f"s{search_id}-name": "Mine now"}).status_code == 404
    assert client.post(f"/account/alerts/searches/{search_id}/delete").status_code == 302
    assert "New name" not in client.get("/account/alerts").text


def test_only_practices_published_after_the_subscription_and_never_again_when_republished(
        app, people, mailbox, practice_record):
    old = variant(practice_record, "Attendance work published long ago")
    publish(app, old)
    save(signed_in(app, people["contributor"]), "Attendance", "q=attendance")
    publish(app, {**old, "summary": "An edited summary, published again after the search was saved."})
    assert send(app).mailed == 0  # re-publishing a practice older than the search is not news
    publish(app, practice_record)
    assert send(app, now=utcnow() + WEEK).mailed == 1
    publish(app, {**practice_record, "summary": "Edited: the team now calls on day two and day five."})
    assert send(app, now=utcnow() + 2 * WEEK).mailed == 0  # the edited version does not alert again
    [mail] = digests(mailbox, CASEY)
    assert "Attendance teams that call home on day two" in mail.get_content()


def test_a_followed_collection_lists_practices_added_after_the_follow_once_with_every_match(
        app, people, mailbox, practice_record):
    first = variant(practice_record, "Attendance calls, added before the follow", **MATH)
    publish(app, first)
    publish(app, variant(practice_record, "Math practice added after the follow", **MATH))
    with app.app_context():
        facilitator = user(people["facilitator"])
        slug = collections.create_collection(facilitator, {"title": "EL network picks", "visibility": "public"}).slug
        collections.add_item(facilitator, slug, {"practice": "attendance-calls-added-before-the-follow"})
    client = signed_in(app, people["contributor"])
    page = client.get(f"/collections/{slug}").text
    assert f'action="/collections/{slug}/follow"' in page
    assert client.post(f"/collections/{slug}/follow").status_code == 302
    assert f'action="/collections/{slug}/unfollow"' in client.get(f"/collections/{slug}").text
    save(client, "Attendance", "q=attendance")
    publish(app, practice_record)
    with app.app_context():
        facilitator = user(people["facilitator"])
        collections.add_item(facilitator, slug, {"practice": "math-practice-added-after-the-follow"})
        collections.add_item(facilitator, slug, {"practice": "attendance-teams-that-call-home-on-day-two"})
    assert send(app).practices == 2
    [mail] = digests(mailbox, CASEY)
    body = mail.get_content()
    assert "added before the follow" not in body
    assert "Math practice added after the follow" in body
    assert body.count("Attendance teams that call home on day two") == 1
    assert "Found by your saved search “Attendance”; your collection “EL network picks”" in body
    assert "Stop alerts for the collection “EL network picks”: http://localhost/alerts/unsubscribe/" in body
    assert "EL network picks" in client.get("/account/alerts").text
    assert f'href="/collections/{slug}"' in client.get("/account/alerts").text
    client.post(f"/collections/{slug}/unfollow", data={"back": "alerts"})
    assert f'href="/collections/{slug}"' not in client.get("/account/alerts").text


def test_a_private_collection_cannot_be_followed_by_someone_who_cannot_see_it(app, people):
    with app.app_context():
        slug = collections.create_collection(user(people["facilitator"]), {"title": "Curators only"}).slug
    client = signed_in(app, people["contributor"])
    assert client.post(f"/collections/{slug}/follow").status_code == 404
    assert client.post("/collections/no-such-collection/follow").status_code == 404
    assert "Curators only" not in client.get("/account/alerts").text


def test_daily_weekly_and_off_decide_when_a_digest_is_due(app, people, practice_record):
    for kind, digest in (("contributor", "daily"), ("other", "weekly"), ("reviewer2", "off")):
        client = signed_in(app, people[kind])
        save(client, "Everything", "")
        assert client.post("/account/alerts/digest", data={"digest": digest}).status_code == 302
    start = utcnow()

    def due(hours: float) -> set[str]:
        with app.app_context():
            return {u.email for u in alerts.due_users(start + timedelta(hours=hours))}

    everyone = {CASEY, OLIVE}
    assert due(0) == everyone  # never sent: due at once (off never)
    send(app, now=start)
    assert due(23) == set()
    assert due(24) == {CASEY}
    send(app, now=start + timedelta(hours=24))
    assert due(24 * 7) == everyone
    assert alerts.is_due("daily", start, start + timedelta(hours=23, minutes=31))  # an hourly cron a bit early
    assert not alerts.is_due("off", None, start)


def test_the_digest_choice_refuses_an_unknown_value(app, people):
    client = signed_in(app, people["contributor"])
    response = client.post("/account/alerts/digest", data={"digest": "hourly"})
    assert response.status_code == 400 and "Choose daily, weekly or off" in response.text
    assert re.search(r'<input checked[^>]*value="weekly"', client.get("/account/alerts").text)  # the default


def test_one_click_unsubscribe_posts_without_csrf_and_a_get_only_asks(tmp_path, people, mailbox, practice_record):
    strict = make_app(tmp_path / "strict")  # CSRF on, as in production
    from .conftest import _register

    with strict.app_context():
        casey = _register("contributor", CASEY, {"name": "Sample Valley Unified", "county": "Fresno",
                                                  "type": "district"}, mailbox)
    with strict.app_context():
        saved = alerts.save_search(db.session.get(alerts.User, casey.id), "Attendance", "q=attendance")
        search_token = alerts.unsubscribe_token(casey.id, f"search:{saved.id}")
        all_token = alerts.unsubscribe_token(casey.id)
    client = strict.test_client()
    page = client.get(f"/alerts/unsubscribe/{all_token}")
    assert page.status_code == 200 and "<button" in page.text and "all alert emails" in page.text
    with strict.app_context():
        assert alerts.digest_of(db.session.get(alerts.User, casey.id)) == "weekly"  # a GET changes nothing
    one_click = client.post(f"/alerts/unsubscribe/{all_token}", data={"List-Unsubscribe": "One-Click"})
    assert one_click.status_code == 200 and "Done" in one_click.text
    with strict.app_context():
        assert alerts.digest_of(db.session.get(alerts.User, casey.id)) == "off"
    assert client.post(f"/alerts/unsubscribe/{search_token}").status_code == 200
    with strict.app_context():
        assert db.session.get(SavedSearch, saved.id) is None
    assert client.post(f"/alerts/unsubscribe/{search_token}").status_code == 200  # twice is fine
    for bad in (all_token[:-3] + "abc", "nonsense"):
        for method in ("GET", "POST"):
            answer = client.open(f"/alerts/unsubscribe/{bad}", method=method)
            assert answer.status_code == 404 and "This unsubscribe link is not valid" in answer.text
    # The site's other forms still need their CSRF token.
    assert client.post("/account/alerts/digest", data={"digest": "off"}).status_code in (302, 400)


def test_an_expired_unsubscribe_link_says_so(app, people, monkeypatch):
    with app.app_context():
        token = alerts.unsubscribe_token(people["contributor"].id)
    monkeypatch.setattr(alerts, "UNSUBSCRIBE_MAX_AGE", -1)
    answer = app.test_client().get(f"/alerts/unsubscribe/{token}")
    assert answer.status_code == 404 and "expired" in answer.text


def test_the_unsubscribe_link_in_the_digest_works(app, people, mailbox, practice_record):
    save(signed_in(app, people["contributor"]), "Attendance", "q=attendance")
    publish(app, practice_record)
    send(app)
    [mail] = digests(mailbox, CASEY)
    path = str(mail["List-Unsubscribe"]).strip("<>").removeprefix("http://localhost")
    assert app.test_client().post(path, data={"List-Unsubscribe": "One-Click"}).status_code == 200
    publish(app, variant(practice_record, "Attendance, another practice"))
    assert send(app, now=utcnow() + WEEK).mailed == 0


def test_two_runs_at_once_send_each_digest_once(app, people, mailbox, practice_record):
    for kind in ("contributor", "other"):
        save(signed_in(app, people[kind]), "Attendance", "q=attendance")
    publish(app, practice_record)
    start = threading.Barrier(2)
    outcomes = []

    def run():
        with app.app_context():
            start.wait()
            try:
                outcomes.append(alerts.send_due().mailed)
            except alerts.LockHeld:
                outcomes.append("lock held")

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sum(o for o in outcomes if o != "lock held") == 2, outcomes
    assert len(digests(mailbox, CASEY)) == 1 and len(digests(mailbox, OLIVE)) == 1


def test_a_held_lock_stops_a_second_run_until_it_is_stale(app, people):
    with app.app_context():
        assert alerts.claim_lock("first run")
        assert not alerts.claim_lock("second run")
        assert alerts.claim_lock("second run", now=utcnow() + alerts.LOCK_STALE + timedelta(minutes=1))
        alerts.release_lock("second run")
        assert alerts.claim_lock("third run")


def _cli_env(app) -> dict:
    config = app.config
    return {**os.environ, "APP_ENV": "test", "DATABASE_URL": config["SQLALCHEMY_DATABASE_URI"],
            "SEARCH_INDEX_DIR": config["SEARCH_INDEX_DIR"], "INSTANCE_DIR": config["INSTANCE_DIR"],
            "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(config["MAIL_PORT"]), "MAIL_TIMEOUT": "30",
            "SITE_URL": "http://localhost"}


def test_a_run_killed_halfway_sends_the_rest_next_time_and_never_twice(app, people, mailbox, practice_record,
                                                                       runner):
    for kind in ("contributor", "other"):
        save(signed_in(app, people[kind]), "Attendance", "q=attendance")
    publish(app, practice_record)
    held = mailbox.hold(CASEY)  # the first user's digest: committed, then stuck in the mail server
    process = subprocess.Popen([sys.executable, "-m", "flask", "--app", "clearinghouse", "alerts", "send"],
                               env=_cli_env(app), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert held.arrived.wait(60), process.communicate(timeout=5)
        process.send_signal(signal.SIGKILL)
        process.wait(10)
    finally:
        held.released.set()
    assert mailbox.messages == []
    with app.app_context():
        listed = {d.user_id for d in db.session.execute(select(AlertDelivery)).scalars()}
        assert listed == {people["contributor"].id}  # the first user's transaction committed, the second's never ran
        assert db.session.execute(select(func.count()).select_from(OutboxMessage)
                                  .where(OutboxMessage.sent_at.is_(None))).scalar() == 1
    skipped = runner.invoke(args=["alerts", "send"])
    assert skipped.exit_code == 0 and "another `flask alerts send` is running" in skipped.output
    with app.app_context():  # half an hour later the dead run's lock is stale
        lock = db.session.get(JobLock, alerts.LOCK)
        lock.locked_at -= alerts.LOCK_STALE
        db.session.commit()
    mailbox.holds.clear()
    rest = runner.invoke(args=["alerts", "send"])
    assert rest.exit_code == 0 and f"Mailed {OLIVE}: 1 practice." in rest.output, rest.output
    assert CASEY not in rest.output
    assert runner.invoke(args=["mail", "send"]).exit_code == 0  # the outbox retries the first user's message
    assert len(digests(mailbox, CASEY)) == 1 and len(digests(mailbox, OLIVE)) == 1
    assert runner.invoke(args=["alerts", "send"]).exit_code == 0
    assert runner.invoke(args=["mail", "send"]).exit_code == 0
    assert len(mailbox.messages) == 2


def test_a_failing_run_exits_non_zero_with_the_reason(app, people, runner, monkeypatch):
    save(signed_in(app, people["contributor"]), "Attendance", "q=attendance")

    def broken(user):
        raise RuntimeError("the search index is gone")

    monkeypatch.setattr(alerts, "new_for", broken)
    result = runner.invoke(args=["alerts", "send"])
    assert result.exit_code == 1 and "Error: RuntimeError: the search index is gone" in result.output
    with app.app_context():
        assert alerts.claim_lock("next run")  # the failed run let go of the lock


def test_turning_the_digest_back_on_never_sends_what_was_published_while_it_was_off(
        app, people, mailbox, practice_record):
    client = signed_in(app, people["contributor"])
    save(client, "Attendance", "q=attendance")
    client.post("/account/alerts/digest", data={"digest": "off"})
    publish(app, variant(practice_record, "Attendance work published while alerts were off"))
    assert send(app).due == 0
    client.post("/account/alerts/digest", data={"digest": "weekly"})
    assert send(app).mailed == 0  # due again, but what came while it was off is not news now
    publish(app, practice_record)
    assert send(app, now=utcnow() + WEEK).mailed == 1
    [mail] = digests(mailbox, CASEY)
    assert "while alerts were off" not in mail.get_content()
    assert "Attendance teams that call home on day two" in mail.get_content()
