"""Every route × every kind of user: the answer each gets. Hidden things answer 404, never 403."""

from __future__ import annotations

import pytest

from clearinghouse.alerts import service as alerts
from clearinghouse.collections import service as collections
from clearinghouse.extensions import db
from clearinghouse.models import Revision
from clearinghouse.vetting import service

from .conftest import login
from .vetting_helpers import decide, submitted, user

KINDS = ("visitor", "contributor", "other", "reviewer", "facilitator", "admin")

# (method, path template, {kind: status}); `draft` is the contributor's draft, `sub` their submitted revision,
# `slug` their published practice. Visitors are sent to sign in (302) only on the pages every account has
# (permissions.PAGES_FOR_EVERY_ACCOUNT); anything else that needs a role or ownership is hidden from them (404).
R = 302  # redirect: to sign in (visitors, on pages every account has), or after a successful form
TABLE = [
    ("GET", "/", dict(visitor=200, contributor=200, other=200, reviewer=200, facilitator=200, admin=200)),
    ("GET", "/practices/{slug}", dict(visitor=200, contributor=200, other=200, reviewer=200, facilitator=200,
                                      admin=200)),
    ("GET", "/leas/{lea}", dict(visitor=200, contributor=200, other=200, reviewer=200, facilitator=200, admin=200)),
    ("GET", "/peers", dict(visitor=200, contributor=200, other=200, reviewer=200, facilitator=200, admin=200)),
    ("GET", "/peers?lea={lea}", dict(visitor=200, contributor=200, other=200, reviewer=200, facilitator=200,
                                     admin=200)),
    ("GET", "/peers/help", dict(visitor=200, contributor=200, other=200, reviewer=200, facilitator=200, admin=200)),
    ("GET", "/api/v1/leas", dict(visitor=200, contributor=200, other=200, reviewer=200, facilitator=200, admin=200)),
    ("GET", "/api/v1/peers?lea={lea}", dict(visitor=200, contributor=200, other=200, reviewer=200, facilitator=200,
                                            admin=200)),
    ("GET", "/submit", dict(visitor=R, contributor=200, other=200, reviewer=200, facilitator=200, admin=200)),
    ("GET", "/my/submissions", dict(visitor=R, contributor=200, other=200, reviewer=200, facilitator=200,
                                    admin=200)),
    ("GET", "/account", dict(visitor=R, contributor=200, other=200, reviewer=200, facilitator=200, admin=200)),
    ("GET", "/submissions/{draft}", dict(visitor=404, contributor=200, other=404, reviewer=404, facilitator=404,
                                         admin=404)),
    ("GET", "/submissions/{draft}/edit", dict(visitor=404, contributor=200, other=404, reviewer=404,
                                              facilitator=404, admin=404)),
    ("GET", "/submissions/{draft}/preview", dict(visitor=404, contributor=200, other=404, reviewer=404,
                                                 facilitator=404, admin=404)),
    ("GET", "/submissions/{sub}", dict(visitor=404, contributor=200, other=404, reviewer=200, facilitator=404,
                                       admin=200)),
    ("GET", "/submissions/{sub}/edit", dict(visitor=404, contributor=404, other=404, reviewer=404, facilitator=404,
                                            admin=404)),
    ("GET", "/submissions/999999", dict(visitor=404, contributor=404, other=404, reviewer=404, facilitator=404,
                                        admin=404)),
    ("GET", "/review", dict(visitor=404, contributor=404, other=404, reviewer=200, facilitator=404, admin=200)),
    ("GET", "/review/{sub}", dict(visitor=404, contributor=404, other=404, reviewer=200, facilitator=404, admin=200)),
    ("GET", "/review/{draft}", dict(visitor=404, contributor=404, other=404, reviewer=404, facilitator=404,
                                    admin=404)),
    ("GET", "/admin/users", dict(visitor=404, contributor=404, other=404, reviewer=404, facilitator=404, admin=200)),
    ("GET", "/admin/audit", dict(visitor=404, contributor=404, other=404, reviewer=404, facilitator=404, admin=200)),
    ("GET", "/admin/mail", dict(visitor=404, contributor=404, other=404, reviewer=404, facilitator=404, admin=200)),
    # Usage statistics: the whole site for admins, their collections' practices for facilitators; hidden otherwise.
    ("GET", "/stats", dict(visitor=404, contributor=404, other=404, reviewer=404, facilitator=200, admin=200)),
    # Collections, all curated by the facilitator: `public` (holding `slug`), `unlisted` and `private`.
    ("GET", "/collections", dict(visitor=200, contributor=200, other=200, reviewer=200, facilitator=200, admin=200)),
    ("GET", "/collections/{public}", dict(visitor=200, contributor=200, other=200, reviewer=200, facilitator=200,
                                          admin=200)),
    ("GET", "/collections/{unlisted}", dict(visitor=200, contributor=200, other=200, reviewer=200, facilitator=200,
                                            admin=200)),
    ("GET", "/collections/{private}", dict(visitor=404, contributor=404, other=404, reviewer=404, facilitator=200,
                                           admin=404)),
    ("GET", "/collections/new", dict(visitor=404, contributor=404, other=404, reviewer=404, facilitator=200,
                                     admin=404)),
    ("GET", "/collections/{public}/edit", dict(visitor=404, contributor=404, other=404, reviewer=404, facilitator=200,
                                               admin=404)),
    ("GET", "/collections/{private}/edit", dict(visitor=404, contributor=404, other=404, reviewer=404, facilitator=200,
                                                admin=404)),
    # Alerts: `search` is the contributor's saved search.
    ("GET", "/account/alerts", dict(visitor=R, contributor=200, other=200, reviewer=200, facilitator=200, admin=200)),
    ("GET", "/alerts/unsubscribe/not-a-token", dict(visitor=404, contributor=404, other=404, reviewer=404,
                                                    facilitator=404, admin=404)),
    # Feeds and downloads: published practices only; a collection's as its page, except that a private
    # collection has no feed at all (feed readers are signed out).
    ("GET", "/feeds/practices.atom", dict(visitor=200, contributor=200, other=200, reviewer=200, facilitator=200,
                                          admin=200)),
    ("GET", "/feeds/search.atom?q=practice", dict(visitor=200, contributor=200, other=200, reviewer=200,
                                                  facilitator=200, admin=200)),
    ("GET", "/collections/{public}.atom", dict(visitor=200, contributor=200, other=200, reviewer=200,
                                               facilitator=200, admin=200)),
    ("GET", "/collections/{unlisted}.atom", dict(visitor=200, contributor=200, other=200, reviewer=200,
                                                 facilitator=200, admin=200)),
    ("GET", "/collections/{private}.atom", dict(visitor=404, contributor=404, other=404, reviewer=404,
                                                facilitator=404, admin=404)),
    ("GET", "/practices/{slug}.pdf", dict(visitor=200, contributor=200, other=200, reviewer=200, facilitator=200,
                                          admin=200)),
    ("GET", "/practices/{slug}.json", dict(visitor=200, contributor=200, other=200, reviewer=200,
                                           facilitator=200, admin=200)),
    ("GET", "/practices/{slug}.csv", dict(visitor=200, contributor=200, other=200, reviewer=200, facilitator=200,
                                          admin=200)),
    ("GET", "/practices/{draft_slug}.pdf", dict(visitor=404, contributor=404, other=404, reviewer=404,
                                                facilitator=404, admin=404)),
    ("GET", "/practices/{draft_slug}.json", dict(visitor=404, contributor=404, other=404, reviewer=404,
                                                 facilitator=404, admin=404)),
    ("GET", "/collections/{unlisted}.json", dict(visitor=200, contributor=200, other=200, reviewer=200,
                                                 facilitator=200, admin=200)),
    ("GET", "/collections/{public}.csv", dict(visitor=200, contributor=200, other=200, reviewer=200,
                                              facilitator=200, admin=200)),
    ("GET", "/collections/{private}.pdf", dict(visitor=404, contributor=404, other=404, reviewer=404,
                                               facilitator=200, admin=404)),
    ("GET", "/collections/{private}.json", dict(visitor=404, contributor=404, other=404, reviewer=404,
                                                facilitator=200, admin=404)),
    ("GET", "/collections/{private}.csv", dict(visitor=404, contributor=404, other=404, reviewer=404,
                                               facilitator=200, admin=404)),
    ("GET", "/search.csv?q=practice", dict(visitor=200, contributor=200, other=200, reviewer=200, facilitator=200,
                                           admin=200)),
    # Changes last: each kind of user gets a fresh site, so these do not affect the reads above.
    ("POST", "/submissions/{draft}/edit", dict(visitor=404, contributor=R, other=404, reviewer=404, facilitator=404,
                                               admin=404)),
    ("POST", "/review/{sub}/claim", dict(visitor=404, contributor=403, other=404, reviewer=R, facilitator=404,
                                         admin=403)),
    ("POST", "/review/{sub}/assign", dict(visitor=404, contributor=403, other=404, reviewer=403, facilitator=404,
                                          admin=400)),
    ("POST", "/practices/{slug}/revise", dict(visitor=404, contributor=R, other=404, reviewer=404, facilitator=404,
                                              admin=404)),
    ("POST", "/admin/users/{contributor_id}/roles", dict(visitor=404, contributor=404, other=404, reviewer=404,
                                                         facilitator=404, admin=R)),
    ("POST", "/collections", dict(visitor=404, contributor=403, other=403, reviewer=403, facilitator=400,
                                  admin=403)),  # the facilitator's form lacks a title
    ("POST", "/collections/{public}/feature", dict(visitor=404, contributor=404, other=404, reviewer=404,
                                                   facilitator=R, admin=R)),
    ("POST", "/collections/{private}/feature", dict(visitor=404, contributor=404, other=404, reviewer=404,
                                                    facilitator=404, admin=404)),  # only public ones
    ("POST", "/collections/{public}/edit", dict(visitor=404, contributor=404, other=404, reviewer=404,
                                                facilitator=400, admin=404)),
    ("POST", "/collections/{public}/items/{slug}", dict(visitor=404, contributor=404, other=404, reviewer=404,
                                                        facilitator=R, admin=404)),
    ("POST", "/collections/{public}/items/{slug}/remove", dict(visitor=404, contributor=404, other=404, reviewer=404,
                                                               facilitator=R, admin=404)),
    ("POST", "/collections/{public}/follow", dict(visitor=R, contributor=R, other=R, reviewer=R, facilitator=R,
                                                  admin=R)),
    ("POST", "/collections/{private}/follow", dict(visitor=R, contributor=404, other=404, reviewer=404,
                                                   facilitator=R, admin=404)),
    ("POST", "/collections/{private}/unfollow", dict(visitor=R, contributor=404, other=404, reviewer=404,
                                                     facilitator=R, admin=404)),
    ("POST", "/collections/{private}/curators", dict(visitor=404, contributor=404, other=404, reviewer=404,
                                                     facilitator=R, admin=404)),
    ("POST", "/collections/{private}/delete", dict(visitor=404, contributor=404, other=404, reviewer=404,
                                                   facilitator=R, admin=404)),
    ("POST", "/admin/mail/retry", dict(visitor=404, contributor=404, other=404, reviewer=404, facilitator=404,
                                       admin=R)),
    ("POST", "/account/tokens", dict(visitor=R, contributor=400, other=400, reviewer=400, facilitator=400,
                                     admin=400)),  # every account has tokens (this form lacks a name)
    ("POST", "/submit", dict(visitor=R, contributor=R, other=R, reviewer=R, facilitator=400,
                             admin=400)),  # accounts without an LEA must name the draft's LEA
    ("POST", "/admin/practices/{slug}/archive", dict(visitor=404, contributor=404, other=404, reviewer=404,
                                                     facilitator=404, admin=R)),
    ("POST", "/alerts/searches", dict(visitor=R, contributor=400, other=400, reviewer=400, facilitator=400,
                                      admin=400)),  # the form lacks a name
    ("POST", "/account/alerts/searches/{search}/rename", dict(visitor=404, contributor=400, other=404, reviewer=404,
                                                              facilitator=404, admin=404)),
    ("POST", "/account/alerts/searches/{search}/delete", dict(visitor=404, contributor=R, other=404, reviewer=404,
                                                              facilitator=404, admin=404)),
]


@pytest.mark.parametrize("kind", KINDS)
def test_every_route_answers_each_kind_of_user_as_the_permissions_say(kind, app, client, people, practice_record):
    app.config["REVIEWS_REQUIRED"] = 1
    published = submitted(app, people, {**practice_record, "title": "Published practice"})
    decide(app, people, published, ("reviewer2", "approve"))
    sub = submitted(app, people, practice_record)
    with app.app_context():
        draft, _ = service.start_draft(user(people["contributor"]), {"title": "A private draft"})
        ids = {"draft": draft.id, "draft_slug": draft.practice.slug, "sub": sub,
               "slug": db.session.get(Revision, published).practice.slug,
               "contributor_id": people["contributor"].id,
               "lea": db.session.get(Revision, published).practice.lea_id}
        facilitator = user(people["facilitator"])
        for visibility in ("public", "unlisted", "private"):
            ids[visibility] = collections.create_collection(
                facilitator, {"title": f"A {visibility} collection", "visibility": visibility}).slug
        collections.add_item(facilitator, ids["public"], {"practice": ids["slug"]})
        ids["search"] = alerts.save_search(user(people["contributor"]), "Attendance", "q=attendance").id
    login(client, people.get(kind))
    answers = {}
    for method, template, expected in TABLE:
        path = template.format(**ids)
        response = client.open(path, method=method, data={"role": "reviewer", "grant": "1"})
        answers[(method, template)] = (response.status_code, expected[kind])
    wrong = {route: got for route, got in answers.items() if got[0] != got[1]}
    assert wrong == {}, f"{kind}: (status, expected) {wrong}"


def test_someone_elses_draft_answers_404_even_to_an_admin(app, client, people):
    with app.app_context():
        draft_id = service.start_draft(user(people["contributor"]), {"title": "Secret"})[0].id
    for kind in ("other", "reviewer", "admin"):
        fresh = app.test_client()
        login(fresh, people[kind])
        page = fresh.get(f"/submissions/{draft_id}")
        assert page.status_code == 404 and "Secret" not in page.text
