"""Search as users and client tools see it: the page, the API contract, facet counts, the index kept true."""

from __future__ import annotations

import json
import logging

import pytest
from sqlalchemy import select

from clearinghouse.accounts import service as accounts
from clearinghouse.extensions import db
from clearinghouse.models import Practice, Revision, Tag
from clearinghouse.schemas import FILTER_VOCABULARIES
from clearinghouse.search import service as search
from clearinghouse.vetting import service as vetting

from .conftest import seed_records


def api(client, **params):
    response = client.get("/api/v1/search", query_string=params)
    assert response.status_code == 200, response.json
    return response.json


def slugs(body):
    return [r["slug"] for r in body["results"]]


# ----------------------------------------------------------------- finding the right practice (seed content)

@pytest.mark.parametrize(
    "query, expected_first",
    [
        ("kindergarten readiness", "kindergarten-readiness-meetings-with-families-before-school-starts"),
        ("LEAD teacher leaders", "teacher-leaders-for-english-learners-the-lead-program"),
        ("PBIS", "refocusing-a-rural-districts-improvement-work-on-pbis"),
        ("positive behavioral interventions and supports", "refocusing-a-rural-districts-improvement-work-on-pbis"),
        ("data warehouse", "a-county-continuous-improvement-process-backed-by-a-shared-data-warehouse"),
        ("full-service community school", "redesigning-a-k-8-school-as-a-full-service-community-school"),
        ("Integrated Math I", "supports-for-students-not-yet-ready-for-integrated-math-i"),
        ("lesson study", "math-lesson-study-and-a-special-education-review-for-first-best-instruction"),
        ("plan-do-study-act", "county-lcap-network-using-pdsa-cycles-and-root-cause-protocols"),
        ("online course", "rebuilding-math-intervention-after-an-online-course-drew-few-students"),
        ("charter compact", "district-charter-compact-for-high-performing-public-schools"),
        ("democratic leadership", "democratic-leadership-through-new-department-chairs-in-a-credit-recovery-charter"),
        ("Guiding Coalition", "intensive-assistance-model-built-on-guiding-coalitions-and-plcs"),
    ],
)
def test_educators_words_find_the_right_practice_first(seeded, query, expected_first):
    body = api(seeded.test_client(), q=query)
    assert body["match"] == "all"
    assert slugs(body)[0] == expected_first, slugs(body)[:3]


def test_stemming_synonyms_and_acronyms(seeded):
    client = seeded.test_client()
    pbis = "refocusing-a-rural-districts-improvement-work-on-pbis"
    assert pbis in slugs(api(client, q="suspensions"))
    lead = "teacher-leaders-for-english-learners-the-lead-program"
    for words in ["ELL", "English language learners", "emergent bilingual", "EL"]:
        assert lead in slugs(api(client, q=words, per_page=100)), words
    assert lead in slugs(api(client, q="LTEL", per_page=100))
    pdsa = "county-lcap-network-using-pdsa-cycles-and-root-cause-protocols"
    assert pdsa in slugs(api(client, q="PDSA"))


@pytest.mark.parametrize("typo, fixed, expected", [
    ("reclasification", "reclassification", "teacher-leaders-for-english-learners-the-lead-program"),
    ("mathmatics", "mathematics", "supports-for-students-not-yet-ready-for-integrated-math-i"),
    ("kindergarden", "kindergarten", "kindergarten-readiness-meetings-with-families-before-school-starts"),
])
def test_typos_still_find_results_and_suggest_the_correction(seeded, typo, fixed, expected):
    body = api(seeded.test_client(), q=typo, per_page=100)
    assert expected in slugs(body)
    assert body["suggestion"] == fixed


def test_quoted_phrases_match_as_phrases(seeded):
    client = seeded.test_client()
    phrase = api(client, q='"lesson study"', per_page=100)
    loose = api(client, q="lesson study", per_page=100)
    assert phrase["total"] >= 1 and phrase["total"] <= loose["total"]
    for slug in slugs(phrase):
        detail = client.get(f"/api/v1/practices/{slug}").json
        assert "lesson study" in json.dumps(detail).lower()


def test_a_search_for_what_is_not_held_says_so(seeded):
    client = seeded.test_client()
    none = api(client, q="zyxwvut quorble")
    assert none["match"] == "none" and none["total"] == 0 and none["results"] == []
    some = api(client, q="kindergarten zyxwvut")
    assert some["match"] == "some" and some["total"] >= 1
    page = client.get("/search", query_string={"q": "kindergarten zyxwvut"}).text
    assert "No practice contains every word you searched for" in page
    empty = client.get("/search", query_string={"q": "zyxwvut quorble"}).text
    assert "No practice matches" in empty and "What to try" in empty


@pytest.mark.parametrize("text", [
    '"unbalanced quote', "(parentheses", "AND", "OR NOT AND", "*", "?", ":", "-", "title:evil", "math*",
    "a" * 2000, "((()))\"\"''", "😀 ñandú", "\\", "NOT", "-math", "field:[a TO b]", "~2", "^3", "<script>",
    " ", "%", "'; DROP TABLE practices; --",
])
def test_any_text_is_safe(seeded, text):
    client = seeded.test_client()
    assert client.get("/api/v1/search", query_string={"q": text}).status_code == 200
    assert client.get("/search", query_string={"q": text}).status_code == 200


def test_very_long_searches_are_cut_with_a_notice_on_the_page_and_refused_by_the_api(seeded):
    client = seeded.test_client()
    page = client.get("/search", query_string={"q": "math " * 500})
    assert page.status_code == 200 and "only the first 2,000 were used" in page.text
    response = client.get("/api/v1/search", query_string={"q": "m" * 2001})
    assert response.status_code == 400 and "q" in response.json["error"]["fields"]


# ----------------------------------------------------------------- the API contract

def test_api_answer_has_the_contract_shape(seeded):
    body = api(seeded.test_client(), q="math", per_page=5)
    assert set(body) == {"query", "total", "page", "per_page", "results", "facets", "suggestion", "match"}
    assert body["query"] == "math" and body["page"] == 1 and body["per_page"] == 5
    result = body["results"][0]
    assert set(result) == {"slug", "title", "summary", "url", "lea", "evidence_level", "published_at", "highlights"}
    assert set(result["lea"]) == {"name", "county", "locale", "type"}
    assert any("<mark>" in h for h in result["highlights"].values())
    assert list(body["facets"]) == list(FILTER_VOCABULARIES)
    for values in body["facets"].values():
        for value in values:
            assert set(value) == {"value", "label", "count"}


@pytest.mark.parametrize("params, name", [
    ({"per_page": 1000}, "per_page"), ({"per_page": 0}, "per_page"), ({"page": 0}, "page"),
    ({"page": "x"}, "page"), ({"priority": 99}, "priority"), ({"topic": "astrology"}, "topic"),
    ({"county": "Orange Cty"}, "county"), ({"sort": "random"}, "sort"), ({"evidence": "anecdote"}, "evidence"),
])
def test_bad_parameters_answer_400_naming_the_parameter(client, params, name):
    response = client.get("/api/v1/search", query_string=params)
    assert response.status_code == 400
    assert response.is_json and name in response.json["error"]["fields"]
    assert name in response.json["error"]["message"]


def test_empty_query_lists_everything_under_the_filters_and_sorts(seeded):
    client = seeded.test_client()
    everything = api(client, per_page=100)
    assert everything["total"] == client.get("/api/v1/practices").json["total"]
    by_title = api(client, sort="title", per_page=100)
    titles = [r["title"].lower() for r in by_title["results"]]
    assert titles == sorted(titles)
    newest = api(client, sort="newest", per_page=100)
    dates = [r["published_at"] for r in newest["results"]]
    assert dates == sorted(dates, reverse=True)
    paged = api(client, per_page=5, page=2)
    assert slugs(paged) == slugs(api(client, per_page=10))[5:10]


def _db_facets(app, matched: set[str]) -> dict[str, dict[str, int]]:
    """Facet values of each published practice, from the database."""
    with app.app_context():
        values: dict[str, dict[str, set[str]]] = {}
        for revision in db.session.execute(select(Revision).where(Revision.state == "published")).scalars():
            slug, lea = revision.practice.slug, revision.practice.lea
            own = {key: set(revision.codes(key)) for key in ("priority", "student_group", "grade_span",
                                                              "indicator", "topic", "tier")}
            own |= {"evidence": {revision.evidence_level}, "locale": {lea.locale} - {None},
                    "lea_type": {lea.type}, "county": {lea.county}}
            values[slug] = own
    return values


@pytest.mark.parametrize("q, filters", [
    ("", {}),
    ("math", {}),
    ("", {"topic": ["math", "leadership"]}),
    ("students", {"grade_span": ["9_12"], "locale": ["rural", "city"]}),
    ("improvement", {"priority": ["4"], "student_group": ["english_learners", "foster_youth"], "evidence": ["local"]}),
    ("", {"county": ["Kern", "San Bernardino"], "tier": ["tier1"]}),
])
def test_facet_counts_are_exactly_right_for_the_query_and_the_other_filters(seeded, q, filters):
    client = seeded.test_client()
    matched = set(slugs(api(client, q=q, per_page=100)))  # what the words alone match
    values = _db_facets(seeded, matched)
    body = api(client, q=q, per_page=100, **filters)

    def passes(slug, skip):
        return all(values[slug][f] & set(chosen) for f, chosen in filters.items() if f != skip)

    expected_results = {s for s in matched if passes(s, None)}
    assert set(slugs(body)) == expected_results and body["total"] == len(expected_results)
    for facet in FILTER_VOCABULARIES:
        expected = {}
        for slug in matched:
            if passes(slug, facet):
                for value in values[slug][facet]:
                    expected[value] = expected.get(value, 0) + 1
        got = {v["value"]: v["count"] for v in body["facets"][facet] if v["count"]}
        assert got == expected, facet
        for chosen in filters.get(facet, []):  # a chosen value is always listed, even with no match
            assert chosen in {v["value"] for v in body["facets"][facet]}


def test_highlights_mark_the_words_and_escape_the_write_up(app, tmp_path, practice_record):
    practice_record["sections"]["journey"] = 'We tried <script>alert("x")</script> tutoring after school.'
    path = tmp_path / "p.json"
    path.write_text(json.dumps([practice_record]))
    assert app.test_cli_runner().invoke(args=["practices", "import", str(path), "--publish"]).exit_code == 0
    client = app.test_client()
    body = api(client, q="tutoring script")
    highlight = " ".join(body["results"][0]["highlights"].values())
    assert "<mark>" in highlight and "<script>" not in highlight
    assert "&lt;script&gt;" in highlight.replace("<mark>", "").replace("</mark>", "")
    page = client.get("/search", query_string={"q": "tutoring script"}).text
    assert "<script>alert" not in page and "<mark>" in page


# ----------------------------------------------------------------- the search page

def test_the_page_holds_its_whole_state_in_the_url(seeded):
    client = seeded.test_client()
    html = client.get("/search", query_string=[("q", "math"), ("topic", "math"), ("topic", "leadership"),
                                              ("sort", "title")]).text
    assert 'method="get"' in html and 'value="math"' in html
    assert "Topic: Mathematics" in html and "Topic: Leadership" in html  # the chips
    chip = html[html.index("Topic: Mathematics") - 300:html.index("Topic: Mathematics")]
    assert "topic=leadership" in chip and "topic=math&" not in chip  # removing one keeps the other
    assert 'value="title" selected' in html
    assert 'name="topic" value="math" checked' in html


def test_the_page_says_what_it_corrected_and_offers_the_words_as_typed(seeded):
    client = seeded.test_client()
    html = client.get("/search", query_string={"q": "attendence"}).text
    assert "Showing results for <em>attendance</em>" in html
    assert "Search instead for" in html and "exact=1" in html
    body = api(client, q="attendence")
    assert body["suggestion"] == "attendance" and body["total"] == api(client, q="attendance")["total"] > 0
    exact = api(client, q="attendence", exact=1)
    assert exact["suggestion"] is None
    html = client.get("/search", query_string={"q": "reclasification"}).text
    assert "Showing results for <em>reclassification</em>" in html


def test_no_correction_into_an_unrelated_word_and_nothing_found_is_said_plainly(seeded):
    client = seeded.test_client()
    for q in ("quantum lacrosse spaceship", "transportation bus", "cafeteria food waste composting"):
        assert api(client, q=q)["suggestion"] is None, q
    body = api(client, q="quantum lacrosse spaceship")
    assert (body["match"], body["total"]) == ("none", 0)
    html = client.get("/search", query_string={"q": "quantum lacrosse spaceship"}).text
    assert "No practice matches" in html and "Remove a filter" in html


def test_chronic_absenteeism_never_matches_only_through_attended(seeded):
    client = seeded.test_client()
    for result in api(client, q="chronic absenteeism", per_page=100)["results"]:
        text = " ".join(result["highlights"].values()).lower()
        assert "<mark>chronic" in text or "<mark>truan" in text, (result["slug"], text[:300])


def test_partial_matches_come_below_complete_ones_marked(seeded):
    client = seeded.test_client()
    with seeded.test_request_context():
        hits = search.search("PBIS kindergarten", {}, "relevance", 1, 50).result.hits
    flags = [h.complete for h in hits]
    assert True in flags and False in flags and flags == sorted(flags, reverse=True)
    html = client.get("/search", query_string={"q": "PBIS kindergarten", "per_page": 50}).text
    heading = html.index("Related practices that match some of your words")
    assert html.index("not every word you searched for") > heading


def test_invalid_filters_on_the_page_are_explained_not_an_error(seeded):
    response = seeded.test_client().get("/search", query_string={"q": "math", "priority": "99", "page": "0"})
    assert response.status_code == 200
    assert "It was left out of this search" in response.text


# ----------------------------------------------------------------- the index stays true

def _import(app, tmp_path, record, name="p.json"):
    path = tmp_path / name
    path.write_text(json.dumps([record]))
    result = app.test_cli_runner().invoke(args=["practices", "import", str(path), "--publish"])
    assert result.exit_code == 0, result.output


def test_publishing_editing_and_archiving_update_the_index(app, tmp_path, practice_record):
    client = app.test_client()
    practice_record["sections"]["actions"] = "We introduced the quokkaplan for families."
    _import(app, tmp_path, practice_record)
    assert api(client, q="quokkaplan")["total"] == 1
    practice_record["sections"]["actions"] = "We introduced the wombatplan for families."
    _import(app, tmp_path, practice_record, "edited.json")
    assert api(client, q="quokkaplan")["match"] == "none"
    assert api(client, q="wombatplan")["total"] == 1
    with app.app_context():
        admin, _ = accounts.create_user("admin@example.org", ["admin"], password="a long admin password")
        vetting.archive(admin, "attendance-teams-that-call-home-on-day-two", "out of date")
    assert api(client, q="wombatplan")["match"] == "none"
    assert app.test_cli_runner().invoke(args=["index", "check"]).exit_code == 0


def test_a_bulk_import_rebuilds_the_index_once_and_it_agrees(tmp_path, practice_record):
    from .conftest import make_app

    app = make_app(tmp_path, BULK_IMPORT=2)
    records = []
    for word in ["quokka", "axolotl", "narwhal"]:
        record = json.loads(json.dumps(practice_record))
        record["title"] = f"The {word} routine"
        records.append(record)
    path = tmp_path / "bulk.json"
    path.write_text(json.dumps(records))
    result = app.test_cli_runner().invoke(args=["practices", "import", str(path), "--publish"])
    assert result.exit_code == 0, result.output
    assert api(app.test_client(), q="narwhal")["total"] == 1
    assert app.test_cli_runner().invoke(args=["index", "check"]).exit_code == 0


def test_a_failed_index_update_keeps_the_change_logs_it_and_check_reports_it(app, tmp_path, practice_record,
                                                                            monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise OSError("disk full")

    with app.app_context():
        monkeypatch.setattr(search.engine(), "update", broken)
    with caplog.at_level(logging.ERROR):
        _import(app, tmp_path, practice_record)
    assert "index update failed" in caplog.text
    monkeypatch.undo()
    assert app.test_client().get("/api/v1/practices").json["total"] == 1  # the database kept it
    runner = app.test_cli_runner()
    check = runner.invoke(args=["index", "check"])
    assert check.exit_code != 0
    assert "missing: attendance-teams-that-call-home-on-day-two" in check.output
    repaired = runner.invoke(args=["index", "check", "--repair"])
    assert repaired.exit_code == 0 and "Repaired" in repaired.output
    assert runner.invoke(args=["index", "check"]).exit_code == 0


def test_check_finds_extra_and_stale_entries(seeded):
    with seeded.app_context():
        doc = search.document(db.session.execute(select(Revision).where(Revision.state == "published")).scalars()
                              .first())
        search.engine().update(upserts=[doc | {"slug": "ghost-practice"}, doc | {"stamp": "0:0"}], deletes=[])
    check = seeded.test_cli_runner().invoke(args=["index", "check"])
    assert check.exit_code != 0
    assert "extra: ghost-practice" in check.output and f"stale: {doc['slug']}" in check.output


def test_rebuild_builds_a_fresh_index_from_the_database(seeded):
    with seeded.app_context():
        search.engine().update(upserts=[], deletes=["teacher-leaders-for-english-learners-the-lead-program"])
    runner = seeded.test_cli_runner()
    assert runner.invoke(args=["index", "check"]).exit_code != 0
    rebuilt = runner.invoke(args=["index", "rebuild"])
    assert rebuilt.exit_code == 0 and f"Indexed {len(seed_records())} published practices" in rebuilt.output
    assert runner.invoke(args=["index", "check"]).exit_code == 0


def test_tags_in_the_database_are_what_the_facets_count(seeded):
    with seeded.app_context():
        count = db.session.execute(
            select(Tag.revision_id).join(Revision).where(Revision.state == "published", Tag.vocabulary == "topic",
                                                         Tag.code == "math")
        ).all()
        practices = db.session.execute(select(Practice)).scalars().all()
    body = api(seeded.test_client())
    math = next(v for v in body["facets"]["topic"] if v["value"] == "math")
    assert math["count"] == len(count) and len(practices) == body["total"]
