"""Usage counts: COUNTER's rules (robots out, double clicks once, visitors by a daily salt), no personal data
stored, the practice page's totals and the statistics page with its scope."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from flask import request
from sqlalchemy import select, text

from clearinghouse.collections import service as collections
from clearinghouse.extensions import db
from clearinghouse.models import Practice, UsageEvent, UsageSalt
from clearinghouse.usage import service as usage

from .conftest import login
from .vetting_helpers import user

LEAD = "teacher-leaders-for-english-learners-the-lead-program"
PBIS = "refocusing-a-rural-districts-improvement-work-on-pbis"
BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148"
IP = "203.0.113.7"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 16, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(usage, "clock", fake)
    return fake


def visitor(app, ip: str = IP, agent: str = BROWSER, person=None):
    client = app.test_client()
    client.environ_base.update({"REMOTE_ADDR": ip, "HTTP_USER_AGENT": agent})
    login(client, person)
    return client


def events(app) -> list[UsageEvent]:
    with app.app_context():
        return list(db.session.execute(select(UsageEvent).order_by(UsageEvent.id)).scalars())


def practice_id(app, slug: str) -> int:
    with app.app_context():
        return db.session.execute(select(Practice.id).where(Practice.slug == slug)).scalar_one()


def test_robots_and_scripts_are_not_counted_people_are(seeded, clock):
    for agent in ("Googlebot/2.1 (+http://www.google.com/bot.html)",
                  "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
                  "python-requests/2.32.3", "curl/8.5.0", ""):
        assert visitor(seeded, agent=agent).get(f"/practices/{LEAD}").status_code == 200
    assert events(seeded) == []
    visitor(seeded).get(f"/practices/{LEAD}")
    assert [(e.kind, e.practice_id) for e in events(seeded)] == [("view", practice_id(seeded, LEAD))]


def test_head_requests_and_prefetches_are_not_counted(seeded, clock):
    client = visitor(seeded)
    client.head(f"/practices/{LEAD}")
    client.get(f"/practices/{LEAD}", headers={"Sec-Purpose": "prefetch"})
    assert events(seeded) == []


def test_the_same_visitor_within_30_seconds_counts_once_after_31_seconds_twice(seeded, clock):
    client = visitor(seeded)
    client.get(f"/practices/{LEAD}")
    clock.advance(seconds=20)
    client.get(f"/practices/{LEAD}")  # a double click: the later request replaces the first
    assert len(events(seeded)) == 1 and events(seeded)[0].occurred_at == clock.now
    clock.advance(seconds=31)
    client.get(f"/practices/{LEAD}")
    assert len(events(seeded)) == 2
    client.get(f"/practices/{PBIS}")  # another practice is another item
    assert len(events(seeded)) == 3


def test_double_clicks_are_filtered_per_format_of_a_download(seeded, clock):
    client = visitor(seeded)
    for path in (f"/practices/{LEAD}.pdf", f"/practices/{LEAD}.pdf", f"/practices/{LEAD}.csv",
                 f"/practices/{LEAD}"):
        assert client.get(path).status_code == 200
    assert sorted((e.kind, e.format) for e in events(seeded)) == [("download", "csv"), ("download", "pdf"),
                                                                  ("view", None)]


def test_download_counts_refuse_unknown_formats_and_need_one_thing(seeded):
    with seeded.test_request_context(f"/practices/{LEAD}.pdf", headers={"User-Agent": BROWSER}):
        with pytest.raises(ValueError):
            usage.record_download(request, "docx", practice_id=1)
        with pytest.raises(ValueError):
            usage.record_download(request, "pdf")
        assert usage.record_download(request, "pdf", practice_id=practice_id(seeded, LEAD)) is True
        assert usage.record_download(request, "pdf", practice_id=practice_id(seeded, LEAD)) is False


def test_no_address_user_agent_or_user_is_stored_with_an_event(seeded, people, clock):
    signed_in = visitor(seeded, person=people["contributor"])
    signed_in.get(f"/practices/{LEAD}")
    visitor(seeded, ip="198.51.100.23", agent=PHONE).get(f"/practices/{PBIS}")
    with seeded.app_context():
        rows = [tuple(r) for table in ("usage_events", "usage_salts")
                for r in db.session.execute(text(f"SELECT * FROM {table}")).all()]
        columns = set(UsageEvent.__table__.columns.keys())
    dump = repr(rows)
    assert len(rows) == 3  # two events, one salt
    for secret in (IP, "198.51.100.23", BROWSER, PHONE, "Firefox", "iPhone", people["contributor"].email):
        assert secret not in dump
    assert not columns & {"ip", "user_agent", "user_id", "session"}
    assert all(re.fullmatch(r"[0-9a-f]{64}", e.visitor) for e in events(seeded))


def test_two_visitors_are_two_unique_visitors_one_visitor_reading_twice_is_one(seeded, people, clock):
    first = visitor(seeded)
    first.get(f"/practices/{LEAD}")
    first.get(f"/practices/{PBIS}")
    visitor(seeded, ip="198.51.100.23").get(f"/practices/{LEAD}")
    assert month_row(stats_page(seeded, people["admin"]), "2026-11") == ["3", "0", "2"]


def test_the_salt_of_yesterday_is_gone_once_the_day_changes(seeded, runner, clock):
    client = visitor(seeded)
    client.get(f"/practices/{LEAD}")
    with seeded.app_context():
        (day1, salt1), = db.session.execute(select(UsageSalt.day, UsageSalt.salt)).all()
    clock.advance(days=1)
    client.get(f"/practices/{LEAD}")
    with seeded.app_context():
        salts = db.session.execute(select(UsageSalt.day, UsageSalt.salt)).all()
    assert [day for day, _ in salts] == [day1 + timedelta(days=1)] and salts[0][1] != salt1
    first, second = events(seeded)
    assert first.visitor != second.visitor  # yesterday's hash cannot be matched with today's visits
    assert seeded.extensions["usage_salt"][1] != salt1  # and this worker's copy is today's


def test_a_quiet_day_loses_its_salt_by_the_daily_command(seeded, runner, clock):
    visitor(seeded).get(f"/practices/{LEAD}")
    clock.advance(days=1)
    result = runner.invoke(args=["usage", "discard-salts"])
    assert result.exit_code == 0 and "Deleted 1 old salt" in result.output
    with seeded.app_context():
        assert db.session.execute(select(UsageSalt)).all() == []


def test_the_practice_page_shows_its_views_and_downloads_since_counting_began(seeded, clock):
    client = visitor(seeded)
    page = client.get(f"/practices/{LEAD}").text
    assert "Viewed 1 time · downloaded 0 times since November 2026" in page
    client.get(f"/practices/{LEAD}.pdf")
    visitor(seeded, ip="198.51.100.23").get(f"/practices/{LEAD}.json")
    clock.advance(minutes=5)
    assert "Viewed 2 times · downloaded 2 times since November 2026" in client.get(f"/practices/{LEAD}").text


def stats_page(app, person) -> str:
    client = app.test_client()
    login(client, person)
    page = client.get("/stats")
    assert page.status_code == 200
    return page.text


def month_row(page: str, month: str) -> list[str]:
    row = re.search(rf'<tr data-month="{month}">(.*?)</tr>', page).group(1)
    return re.findall(r"<td>(\d+)</td>", row)


@pytest.mark.parametrize("kind", [None, "contributor", "reviewer"])
def test_the_statistics_page_is_not_found_for_visitors_contributors_and_reviewers(seeded, people, kind):
    client = seeded.test_client()
    login(client, people.get(kind))
    assert client.get("/stats").status_code == 404
    assert "Statistics" not in client.get("/").text


def test_admins_see_the_site_facilitators_only_their_collections(seeded, people, clock):
    with seeded.app_context():
        facilitator = user(people["facilitator"])
        mine = collections.create_collection(facilitator, {"title": "EL network picks", "visibility": "private"})
        collections.add_item(facilitator, mine.slug, {"practice": LEAD})
        mine_slug, mine_id = mine.slug, mine.id
    reader = visitor(seeded)
    reader.get(f"/practices/{LEAD}", headers={"Referer": f"http://localhost/collections/{mine_slug}"})
    reader.get(f"/practices/{PBIS}")
    reader.get(f"/practices/{PBIS}.csv")
    with seeded.test_request_context("/collections/x.pdf", headers={"User-Agent": BROWSER},
                                     environ_base={"REMOTE_ADDR": IP}):
        usage.record_download(request, "pdf", collection_id=mine_id)
    assert [e.from_collection_id for e in events(seeded) if e.kind == "view"] == [mine_id, None]

    admin = stats_page(seeded, people["admin"])
    assert month_row(admin, "2026-11") == ["2", "2", "1"]
    assert f'href="/practices/{LEAD}"' in admin and f'href="/practices/{PBIS}"' in admin
    assert "CSV 1" in admin
    assert "EL network picks" in admin and f'href="/collections/{mine_slug}"' not in admin  # private: no link

    facilitator_page = stats_page(seeded, people["facilitator"])
    assert "in your collections" in facilitator_page
    assert month_row(facilitator_page, "2026-11") == ["1", "1", "1"]  # LEAD's view, the collection's download
    assert f'href="/practices/{LEAD}"' in facilitator_page and PBIS not in facilitator_page
    collections_table = facilitator_page.split('id="collections-heading"', 1)[1]
    assert re.search(rf'href="/collections/{mine_slug}">EL network picks</a></th><td>1</td><td>1</td>',
                     collections_table)


def test_the_chart_shows_the_numbers_of_the_table(seeded, people, clock):
    reader = visitor(seeded)
    for days_back, path in ((40, f"/practices/{LEAD}"), (40, f"/practices/{LEAD}.pdf"),
                            (0, f"/practices/{LEAD}"), (0, f"/practices/{PBIS}"), (0, f"/practices/{PBIS}.csv")):
        clock.now = datetime(2026, 11, 16, 12, 0, tzinfo=UTC) - timedelta(days=days_back, minutes=len(path))
        reader.get(path)
    clock.now = datetime(2026, 11, 16, 12, 0, tzinfo=UTC)
    page = stats_page(seeded, people["admin"])
    svg = page.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert 'role="img"' in svg and "<title" in svg and "<desc" in svg
    bars = {(css, month): int(value) for css, month, value in
            re.findall(r'<rect [^>]*class="(views|downloads)" data-month="([\d-]+)" data-value="(\d+)"', svg)}
    table = {}
    for month, cells in re.findall(r'<tr data-month="([\d-]+)">(.*?)</tr>', page):
        views, downloads_, _ = (int(n) for n in re.findall(r"<td>(\d+)</td>", cells))
        table[("views", month)], table[("downloads", month)] = views, downloads_
    assert bars == table and len(bars) == 24
    assert (bars[("views", "2026-10")], bars[("downloads", "2026-10")]) == (1, 1)
    assert (bars[("views", "2026-11")], bars[("downloads", "2026-11")]) == (2, 1)
    assert "style=" not in page


REFUSE_INSERTS = {
    "sqlite": ["CREATE TRIGGER refuse BEFORE INSERT ON usage_events BEGIN SELECT RAISE(ABORT, 'disk full'); END"],
    "postgresql": ["CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'disk full'; END $$ "
                   "LANGUAGE plpgsql",
                   "CREATE TRIGGER refuse BEFORE INSERT ON usage_events FOR EACH ROW EXECUTE FUNCTION refuse()"],
}


def test_a_failed_count_never_breaks_the_page(seeded, clock):
    with seeded.app_context():
        for statement in REFUSE_INSERTS[db.engine.dialect.name]:
            db.session.execute(text(statement))
        db.session.commit()
    page = visitor(seeded).get(f"/practices/{LEAD}")
    assert page.status_code == 200 and "Teacher leaders" in page.text
    assert events(seeded) == []


def test_a_collection_download_counts_against_the_collection_and_a_search_export_not_at_all(seeded, people, clock):
    with seeded.app_context():
        collection = collections.create_collection(user(people["facilitator"]), {"title": "Starter set",
                                                                                  "visibility": "public"})
        collections.add_item(user(people["facilitator"]), collection.slug, {"practice": LEAD})
        slug, collection_id = collection.slug, collection.id
    client = visitor(seeded)
    assert client.get(f"/collections/{slug}.csv").status_code == 200
    assert client.get("/search.csv?q=english").status_code == 200
    assert [(e.kind, e.format, e.collection_id, e.practice_id) for e in events(seeded)] == [
        ("download", "csv", collection_id, None)]
