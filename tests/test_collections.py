"""Collections through the pages: creating, visibility, co-curators, curating without JavaScript, featuring."""

from __future__ import annotations

import re

import pytest
from flask import render_template

from clearinghouse.accounts import service as accounts
from clearinghouse.collections import service
from clearinghouse.extensions import db
from clearinghouse.models import Collection, Practice
from clearinghouse.vetting import service as vetting

from .conftest import PASSWORD, Person, login
from .vetting_helpers import decide, submitted, user

LEAD = "teacher-leaders-for-english-learners-the-lead-program"
PBIS = "refocusing-a-rural-districts-improvement-work-on-pbis"
MATH = "math-plcs-for-a-newly-adopted-curriculum"


@pytest.fixture
def second_facilitator(app) -> Person:
    with app.app_context():
        person, _ = accounts.create_user("fern@example.org", ["facilitator"], password=PASSWORD, name="Fern")
        return Person("facilitator2", person.email, person.id)


def as_(app, person):
    client = app.test_client()
    login(client, person)
    return client


def create(client, **fields) -> str:
    data = {"title": "English learners: where to start", "network": "Central Valley EL Coordinators Network",
            "description": "Start with **these**.", "visibility": "public", **fields}
    response = client.post("/collections", data=data)
    assert response.status_code == 302, response.text
    return response.headers["Location"].split("/collections/")[1].removesuffix("/edit")


def add(client, slug: str, practice: str, note: str = "", follow_redirects: bool = False, **extra):
    return client.post("/collections/add", data={"collection": slug, "practice": practice, "note": note, **extra},
                       follow_redirects=follow_redirects)


def titles_in_order(page: str) -> list[str]:
    items = page.split('<ol class="collection-items', 1)[1].split("</ol>", 1)[0]
    return re.findall(r'<li class="collection-item[^"]*" id="item-([^"]+)"', items)


def test_a_facilitator_creates_a_collection_with_a_sanitized_description(seeded, people):
    client = as_(seeded, people["facilitator"])
    slug = create(client, description="Read **these** first.<script>alert(1)</script> [x](javascript:alert(1))")
    assert slug == "english-learners-where-to-start"
    page = client.get(f"/collections/{slug}")
    assert page.status_code == 200
    assert "<h1>English learners: where to start</h1>" in page.text
    assert "Central Valley EL Coordinators Network" in page.text
    assert "<strong>these</strong>" in page.text
    assert "<script>alert" not in page.text and 'href="javascript' not in page.text
    assert "Curated by Facilitator" in page.text


def test_only_facilitators_create_collections(seeded, people):
    for kind in ("contributor", "reviewer", "admin"):
        client = as_(seeded, people[kind])
        assert client.get("/collections/new").status_code == 404
        assert client.post("/collections", data={"title": "Mine"}).status_code == 403
    assert as_(seeded, people["facilitator"]).get("/collections/new").status_code == 200


def test_a_collection_without_a_title_is_refused_beside_the_field(seeded, people):
    client = as_(seeded, people["facilitator"])
    response = client.post("/collections", data={"title": " ", "visibility": "sideways"})
    assert response.status_code == 400
    assert "Title is required." in response.text
    assert "Visibility must be one of public, unlisted, private." in response.text
    with seeded.app_context():
        assert db.session.query(Collection).count() == 0


def test_slugs_are_unique_and_never_a_form_address(seeded, people):
    client = as_(seeded, people["facilitator"])
    assert create(client) == "english-learners-where-to-start"
    assert create(client) == "english-learners-where-to-start-2"
    assert create(client, title="New") == "new-2"


def test_private_collections_are_hidden_unlisted_ones_reachable_by_link_only(seeded, people, second_facilitator):
    curator = as_(seeded, people["facilitator"])
    private = create(curator, title="Private drafts of a plan", visibility="private")
    unlisted = create(curator, title="Unlisted set for the network", visibility="unlisted")
    public = create(curator, title="Public set for everyone", visibility="public")
    assert curator.get(f"/collections/{private}").status_code == 200
    for person in (None, people["contributor"], people["admin"], second_facilitator):
        client = as_(seeded, person)
        hidden = client.get(f"/collections/{private}")
        assert hidden.status_code == 404 and "Private drafts" not in hidden.text
        assert client.get(f"/collections/{private}/edit").status_code in (302, 404)
        assert client.get(f"/collections/{unlisted}").status_code == 200
        index = client.get("/collections").text
        assert "Public set for everyone" in index
        assert "Unlisted set" not in index and "Private drafts" not in index
    assert as_(seeded, None).get(f"/collections/{public}").status_code == 200
    mine = curator.get("/collections").text
    assert "Collections you curate" in mine and "Private drafts of a plan" in mine


def test_changing_the_details_and_the_visibility(seeded, people):
    client = as_(seeded, people["facilitator"])
    slug = create(client)
    saved = client.post(f"/collections/{slug}/edit", data={"title": "Renamed", "network": "North Coast",
                                                            "description": "", "visibility": "private"})
    assert saved.status_code == 302
    assert "<h1>Renamed</h1>" in client.get(f"/collections/{slug}").text  # the address stays
    assert as_(seeded, None).get(f"/collections/{slug}").status_code == 404
    refused = client.post(f"/collections/{slug}/edit", data={"title": ""})
    assert refused.status_code == 400 and "Title is required." in refused.text


def test_co_curators_are_facilitators_added_by_email(seeded, people, second_facilitator):
    owner = as_(seeded, people["facilitator"])
    slug = create(owner, visibility="private")

    def add_curator(email):
        return owner.post(f"/collections/{slug}/curators", data={"email": email}, follow_redirects=True).text

    assert "No one has an account with the email address nobody@example.org." in add_curator("nobody@example.org")
    refused = add_curator(people["contributor"].email)
    assert "is not a facilitator: only facilitators curate collections." in refused
    assert "Fern now curates this collection too." in add_curator("FERN@example.org")
    assert "Fern already curates this collection." in add_curator("fern@example.org")

    co = as_(seeded, second_facilitator)
    assert co.get(f"/collections/{slug}").status_code == 200
    assert co.get(f"/collections/{slug}/edit").status_code == 200
    assert add(co, slug, LEAD).status_code == 302
    # Only the creator manages curators and deletes the collection.
    assert co.post(f"/collections/{slug}/curators", data={"email": "alex@example.org"}).status_code == 403
    assert co.post(f"/collections/{slug}/delete").status_code == 403
    assert owner.post(f"/collections/{slug}/curators/{second_facilitator.id}/remove").status_code == 302
    assert co.get(f"/collections/{slug}").status_code == 404


def test_curators_add_annotate_reorder_and_remove_without_javascript(seeded, people):
    client = as_(seeded, people["facilitator"])
    slug = create(client)
    practice_page = f"/practices/{LEAD}"
    added = add(client, slug, LEAD, "Start here if your reclassification rate is flat.", next=practice_page)
    assert added.status_code == 302 and added.headers["Location"].endswith(practice_page)
    assert add(client, slug, f"http://localhost/practices/{PBIS}").status_code == 302  # a pasted address works
    assert add(client, slug, MATH, "Then this.").status_code == 302
    page = client.get(f"/collections/{slug}").text
    assert titles_in_order(page) == [LEAD, PBIS, MATH]
    assert "Start here if your reclassification rate is flat." in page
    assert "Anaheim Union High School District" in page and "Orange" in page and "2017–2019" in page

    def item(practice, **data):
        response = client.post(f"/collections/{slug}/items/{practice}", data=data)
        assert response.status_code == 302 and response.headers["Location"].endswith(f"#item-{practice}")

    item(MATH, action="up")
    assert titles_in_order(client.get(f"/collections/{slug}").text) == [LEAD, MATH, PBIS]
    item(LEAD, action="down")
    assert titles_in_order(client.get(f"/collections/{slug}").text) == [MATH, LEAD, PBIS]
    item(MATH, action="up")  # already first: stays
    item(PBIS, note="Rural districts: read this one first.", position="1", action="save")
    page = client.get(f"/collections/{slug}").text
    assert titles_in_order(page) == [PBIS, MATH, LEAD] and "Rural districts: read this one first." in page
    item(PBIS, note="", position="99", action="save")  # past the end: last
    assert titles_in_order(client.get(f"/collections/{slug}").text) == [MATH, LEAD, PBIS]

    assert client.post(f"/collections/{slug}/items/{LEAD}/remove").status_code == 302
    page = client.get(f"/collections/{slug}").text
    assert titles_in_order(page) == [MATH, PBIS]
    assert client.get(f"/practices/{LEAD}").status_code == 200  # the practice itself is untouched
    edit = client.get(f"/collections/{slug}/edit").text
    assert 'value="2"' in edit and "Move up" in edit and "Remove" in edit


def test_adding_a_practice_twice_is_refused_with_a_message(seeded, people):
    client = as_(seeded, people["facilitator"])
    slug = create(client)
    add(client, slug, LEAD)
    again = add(client, slug, LEAD, follow_redirects=True)
    assert "is already in this collection (item 1)." in again.text
    unknown = add(client, slug, "no-such-practice", follow_redirects=True)
    assert "No published practice has the address &#39;no-such-practice&#39;." in unknown.text
    with seeded.app_context():
        assert len(db.session.query(Collection).one().items) == 1


def test_one_practice_belongs_to_several_collections(seeded, people):
    client = as_(seeded, people["facilitator"])
    first, second = create(client, title="First"), create(client, title="Second")
    add(client, first, LEAD)
    add(client, second, LEAD)
    with seeded.app_context():
        practice = db.session.query(Practice).filter_by(slug=LEAD).one()
        assert [c.title for c in service.collections_for_practice(practice)] == ["First", "Second"]


def test_an_archived_practice_stays_in_the_collection_marked_as_archived(seeded, people):
    client = as_(seeded, people["facilitator"])
    slug = create(client)
    add(client, slug, LEAD, "Start here.")
    with seeded.app_context():
        vetting.archive(user(people["admin"]), LEAD, "superseded by newer work")
    page = client.get(f"/collections/{slug}").text
    assert titles_in_order(page) == [LEAD]
    assert "Teacher leaders for English learners: the LEAD program" in page
    assert "(archived: no longer published)" in page and f'href="/practices/{LEAD}"' not in page
    assert "Start here." in page
    other = create(client, title="Another")
    refused = add(client, other, LEAD, follow_redirects=True)
    assert "is archived: only published practices can be added to a collection." in refused.text


def test_an_edited_practice_shows_its_current_published_version(app, people, practice_record):
    app.config["REVIEWS_REQUIRED"] = 1
    first = submitted(app, people, practice_record)
    decide(app, people, first, ("reviewer2", "approve"))
    with app.app_context():
        slug = vetting.get_submission(user(people["contributor"]), first).practice.slug
    client = as_(app, people["facilitator"])
    collection = create(client)
    add(client, collection, slug, "Call on day two.")
    with app.app_context():
        revision = vetting.revise(user(people["contributor"]), slug)
        vetting.save_draft(user(people["contributor"]), revision.id,
                           {**practice_record, "title": "Attendance teams that call home on day two, revised"})
        vetting.submit(user(people["contributor"]), revision.id)
        second = revision.id
    decide(app, people, second, ("reviewer2", "approve"))
    page = client.get(f"/collections/{collection}").text
    assert "Attendance teams that call home on day two, revised" in page and "Call on day two." in page


def test_the_index_searches_titles_and_networks(seeded, people):
    client = as_(seeded, people["facilitator"])
    create(client, title="Math PLCs to learn from", network="Bay Area Math Leads")
    create(client, title="Attendance first", network="Central Valley EL Coordinators Network")
    create(client, title="Hidden valley plans", visibility="private")
    visitor = seeded.test_client()
    by_title = visitor.get("/collections?q=math").text
    assert "Math PLCs to learn from" in by_title and "Attendance first" not in by_title
    by_network = visitor.get("/collections?q=central+valley").text
    assert "Attendance first" in by_network and "Math PLCs" not in by_network and "Hidden valley" not in by_network
    assert "1 public collection matching “central valley”" in by_network
    nothing = visitor.get("/collections?q=zebra%25").text
    assert "No public collection has those words" in nothing


def test_facilitators_and_admins_feature_public_collections_on_the_home_page(seeded, people):
    curator = as_(seeded, people["facilitator"])
    slug = create(curator, title="Featured start")
    add(curator, slug, LEAD)
    private = create(curator, title="Not public", visibility="private")
    assert "Featured collections" not in seeded.test_client().get("/").text
    assert as_(seeded, people["contributor"]).post(f"/collections/{slug}/feature", data={"featured": "1"}
                                                   ).status_code == 404
    assert as_(seeded, people["admin"]).post(f"/collections/{slug}/feature", data={"featured": "1"}
                                             ).status_code == 302
    assert curator.post(f"/collections/{private}/feature", data={"featured": "1"}).status_code == 404
    home = seeded.test_client().get("/").text
    assert "Featured collections" in home and "Featured start" in home and "Not public" not in home
    # A collection that stops being public stops being featured.
    curator.post(f"/collections/{slug}/edit", data={"title": "Featured start", "visibility": "unlisted"})
    assert "Featured collections" not in seeded.test_client().get("/").text


def test_the_practice_page_include_lists_public_collections_only(seeded, people):
    client = as_(seeded, people["facilitator"])
    public, private = create(client, title="Public with LEAD"), create(client, title="Private with LEAD",
                                                                      visibility="private")
    create(client, title="Empty one")
    add(client, public, LEAD)
    add(client, private, LEAD)
    with seeded.test_request_context():
        practice = db.session.query(Practice).filter_by(slug=LEAD).one()
        assert [c.title for c in service.collections_for_practice(practice)] == ["Public with LEAD"]
        html = render_template("collections/_on_practice.html", practice=practice)
    assert "Public with LEAD" in html and "Private with LEAD" not in html
    assert "Add to a collection" not in html  # a visitor (no one signed in) gets no form
    with seeded.test_request_context():
        from flask_login import login_user

        login_user(user(people["facilitator"]))
        practice = db.session.query(Practice).filter_by(slug=LEAD).one()
        html = render_template("collections/_on_practice.html", practice=practice)
        assert [c.title for c in service.curatable_collections(user(people["facilitator"]), practice)] == ["Empty one"]
    assert "Add to a collection" in html and '<option value="empty-one">Empty one</option>' in html


def test_the_search_result_include_offers_a_curators_collections(seeded, people):
    client = as_(seeded, people["facilitator"])
    create(client, title="Mine to fill")
    with seeded.test_request_context():
        from flask_login import login_user

        from clearinghouse.practices import queries

        login_user(user(people["facilitator"]))
        html = render_template("collections/_add_to_collection.html", revision=queries.get_published(LEAD))
    assert f'name="practice" value="{LEAD}"' in html and "Mine to fill" in html


def test_deleting_a_collection_keeps_its_practices(seeded, people):
    client = as_(seeded, people["facilitator"])
    slug = create(client)
    add(client, slug, LEAD)
    assert client.post(f"/collections/{slug}/delete").status_code == 302
    assert client.get(f"/collections/{slug}").status_code == 404
    assert client.get(f"/practices/{LEAD}").status_code == 200


def test_a_collection_has_an_atom_feed_except_when_private(seeded, people):
    client = as_(seeded, people["facilitator"])
    slug = create(client)
    add(client, slug, LEAD, "Start <here> & now.")
    feed = seeded.test_client().get(f"/collections/{slug}.atom")
    assert feed.status_code == 200 and feed.content_type.startswith("application/atom+xml")
    assert "<title>Teacher leaders for English learners: the LEAD program</title>" in feed.text
    assert "Curator’s note: Start &lt;here&gt; &amp; now." in feed.text
    private = create(client, title="Private", visibility="private")
    assert seeded.test_client().get(f"/collections/{private}.atom").status_code == 404


def test_collections_show_on_the_practice_page_and_curators_add_from_search_results(seeded, people):
    """The includes in place: the practice page lists the public collections; a curator's search results offer
    "Add to a collection"; a visitor sees neither form."""
    client = as_(seeded, people["facilitator"])
    public = create(client, title="Public with LEAD")
    add(client, public, LEAD)
    create(client, title="Still empty")
    page = client.get(f"/practices/{LEAD}").text
    assert "Public with LEAD" in page and '<option value="still-empty">Still empty</option>' in page
    results = client.get("/search?q=english+learners").text
    assert f'name="practice" value="{LEAD}"' in results and "Add to a collection" in results
    visitor = seeded.test_client()
    assert "Public with LEAD" in visitor.get(f"/practices/{LEAD}").text
    assert "Add to a collection" not in visitor.get("/search?q=english+learners").text
