"""Atom feeds: newly published practices, a search's newest matches, and a collection's practices."""

from __future__ import annotations

import copy
import xml.etree.ElementTree as ET
from datetime import datetime

import pytest

from clearinghouse.accounts import service as accounts
from clearinghouse.collections import service as collections
from clearinghouse.practices.importing import import_practices
from clearinghouse.practices.interchange import RawRecord
from clearinghouse.vetting import service as vetting

from .conftest import PASSWORD, SAMPLE

A = "{http://www.w3.org/2005/Atom}"
HOSTILE = "Tricky <script>alert(1)</script> & co"
HOSTILE_SLUG = "tricky-script-alert-1-script-co"
SUMMARY = "Read <b onmouseover=alert(2)>this</b> & weep."


def record(title: str, **changes) -> dict:
    return {**copy.deepcopy(SAMPLE), "title": title, **changes}


@pytest.fixture
def site(app):
    """Published practices (one with a hostile title), a draft, an archived practice, and a facilitator's
    public and private collections."""
    with app.app_context():
        import_practices([RawRecord(1, record("Day-two attendance calls")),
                          RawRecord(2, record(HOSTILE, summary=SUMMARY)),
                          RawRecord(3, record("Archived reading clinics",
                                              summary="Saturday zebra clinics for readers."))], publish=True)
        import_practices([RawRecord(1, record("A draft about attendance"))], publish=False)
        facilitator, _ = accounts.create_user("fran@example.org", ["facilitator"], password=PASSWORD, name="Fran")
        for visibility in ("public", "unlisted", "private"):
            collections.create_collection(facilitator, {"title": f"Attendance {visibility}",
                                                        "network": "Central Valley Attendance Network",
                                                        "visibility": visibility})
            collections.add_item(facilitator, f"attendance-{visibility}",
                                 {"practice": "day-two-attendance-calls", "note": "Start <here> & now."})
        # Added before it was archived: the collection page keeps it, marked; the feed leaves it out.
        collections.add_item(facilitator, "attendance-public", {"practice": "archived-reading-clinics"})
        admin, _ = accounts.create_user("admin@example.org", ["admin"], password=PASSWORD)
        vetting.archive(admin, "archived-reading-clinics", "Replaced by a newer write-up.")
        collections.add_item(facilitator, "attendance-unlisted", {"practice": HOSTILE_SLUG})
    return app


def parse(response) -> ET.Element:
    assert response.status_code == 200, response.text
    assert response.content_type == "application/atom+xml; charset=utf-8"
    return ET.fromstring(response.data)


def check_feed(feed: ET.Element, self_url: str) -> list[ET.Element]:
    """The elements RFC 4287 requires of a feed and of each entry; answers the entries."""
    assert feed.tag == f"{A}feed"
    for name in ("id", "title", "updated"):
        assert (feed.findtext(f"{A}{name}") or "").strip(), name
    links = {link.get("rel", "alternate"): link.get("href") for link in feed.findall(f"{A}link")}
    assert links["self"] == self_url and links["alternate"].startswith("http://localhost/")
    assert feed.find(f"{A}author/{A}name") is not None
    entries = feed.findall(f"{A}entry")
    for entry in entries:
        for name in ("id", "title", "updated", "published", "summary"):
            assert (entry.findtext(f"{A}{name}") or "").strip(), name
        datetime.fromisoformat(entry.findtext(f"{A}updated"))
        assert entry.find(f"{A}link").get("href").startswith("http://localhost/practices/")
        assert entry.find(f"{A}author/{A}name").text
    return entries


def titles(entries) -> list[str]:
    return [entry.findtext(f"{A}title") for entry in entries]


def test_the_practices_feed_lists_published_practices_newest_first_with_stable_tag_ids(site):
    client = site.test_client()
    first = check_feed(parse(client.get("/feeds/practices.atom")), "http://localhost/feeds/practices.atom")
    assert titles(first) == [HOSTILE, "Day-two attendance calls"]  # no draft, nothing archived
    year = datetime.now().year
    assert first[1].findtext(f"{A}id") == f"tag:localhost,{year}:practice/day-two-attendance-calls"
    again = parse(site.test_client().get("/feeds/practices.atom")).findall(f"{A}entry")
    assert [e.findtext(f"{A}id") for e in again] == [e.findtext(f"{A}id") for e in first]


def test_a_feed_escapes_a_hostile_title_and_summary(site):
    response = site.test_client().get("/feeds/practices.atom")
    assert b"<script>" not in response.data and b"<b " not in response.data
    assert b"Tricky &lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in response.data
    entry = parse(response).findall(f"{A}entry")[0]
    assert entry.findtext(f"{A}title") == HOSTILE  # shown as the text it is, never run
    assert entry.findtext(f"{A}summary") == SUMMARY


def test_the_search_feed_takes_the_search_parameters_and_lists_the_newest_matches(site):
    client = site.test_client()
    url = "/feeds/search.atom?q=attendance&student_group=homeless"
    feed = parse(client.get(url))
    entries = check_feed(feed, f"http://localhost{url}")
    assert set(titles(entries)) == {"Day-two attendance calls", HOSTILE}  # not the draft about attendance
    title = feed.findtext(f"{A}title")
    assert "“attendance”" in title and "Student group: Students experiencing homelessness" in title
    assert [e.findtext(f"{A}id") for e in entries] == [
        e.findtext(f"{A}id") for e in parse(client.get(url)).findall(f"{A}entry")]
    assert titles(parse(client.get("/feeds/search.atom?q=zebra")).findall(f"{A}entry")) == []
    # Odd parameters are left out as on the search page, never an error.
    assert parse(client.get("/feeds/search.atom?student_group=martians&page=x")).tag == f"{A}feed"


def test_a_collection_feed_carries_the_curators_notes_and_leaves_archived_practices_out(site):
    client = site.test_client()
    feed = parse(client.get("/collections/attendance-public.atom"))
    entries = check_feed(feed, "http://localhost/collections/attendance-public.atom")
    assert titles(entries) == ["Day-two attendance calls"]
    assert entries[0].findtext(f"{A}summary").startswith("Curator’s note: Start <here> & now. — ")
    assert feed.findtext(f"{A}subtitle") == "Central Valley Attendance Network"
    assert feed.findtext(f"{A}author/{A}name") == "Fran"
    unlisted = check_feed(parse(client.get("/collections/attendance-unlisted.atom")),
                          "http://localhost/collections/attendance-unlisted.atom")
    assert titles(unlisted) == [HOSTILE, "Day-two attendance calls"]  # the latest added first


def test_a_private_collection_has_no_feed_even_for_its_curator(site):
    assert site.test_client().get("/collections/attendance-private.atom").status_code == 404
    curator = site.test_client()
    curator.post("/login", data={"email": "fran@example.org", "password": PASSWORD})
    assert curator.get("/collections/attendance-private").status_code == 200
    assert curator.get("/collections/attendance-private.atom").status_code == 404
    assert site.test_client().get("/collections/no-such-collection.atom").status_code == 404


def test_pages_link_their_feeds_in_the_head_and_visibly(site):
    client = site.test_client()
    home = client.get("/").text
    assert '<link rel="alternate" type="application/atom+xml" title="New practices (Atom feed)" ' \
           'href="/feeds/practices.atom">' in home
    assert '<a href="/feeds/practices.atom" type="application/atom+xml">Feed</a>' in home
    search = client.get("/search?q=attendance&student_group=homeless&sort=title").text
    head = search.split("</head>")[0]
    assert 'href="/feeds/search.atom?q=attendance&amp;student_group=homeless"' in head
    public = client.get("/collections/attendance-public").text
    assert 'type="application/atom+xml" title="Attendance public (Atom feed)" ' \
           'href="/collections/attendance-public.atom"' in public.split("</head>")[0]
    curator = site.test_client()
    curator.post("/login", data={"email": "fran@example.org", "password": PASSWORD})
    assert ".atom" not in curator.get("/collections/attendance-private").text
