"""LEAs like mine: the measure on hand-made LEAs whose right order is obvious, the API, the pages, similar practices."""

from __future__ import annotations

import copy
import itertools

import pytest

from clearinghouse.extensions import db
from clearinghouse.models import LEA
from clearinghouse.peers import service
from clearinghouse.practices import queries
from clearinghouse.practices.importing import import_practices
from clearinghouse.practices.interchange import RawRecord

from .conftest import SAMPLE, login

_titles = itertools.count(1)

ME = dict(type="district", county="Fresno", locale="rural", enrollment=3000, unduplicated_pct=80.0, el_pct=20.0,
          swd_pct=12.0, foster_youth_pct=0.5, homeless_pct=2.0, grade_spans=["k_5", "6_8", "9_12"],
          data_year="2015-16")


def lea_record(name: str, title: str | None = None, tags: dict | None = None, **context) -> dict:
    """A practice record of the LEA `name` with the context `context` (ME's where not given)."""
    record = copy.deepcopy(SAMPLE)
    record["title"] = title or f"Practice {next(_titles)} of {name}"
    record["lea"] = {"name": name, **{**ME, **context}}
    record.update(tags or {})
    return record


def publish(app, *records: dict) -> dict[str, int]:
    """Import and publish the records; answers LEA name -> id."""
    with app.app_context():
        report = import_practices([RawRecord(i, r) for i, r in enumerate(records, start=1)], publish=True)
        assert not report.errors, [str(e) for e in report.errors]
        return {lea.name: lea.id for lea in queries.all_leas()}


def add_lea(app, name: str, **context) -> int:
    """An LEA without practices (it can be matched, never listed as a peer)."""
    with app.app_context():
        lea = LEA(name=name, **{**ME, **context})
        db.session.add(lea)
        db.session.commit()
        return lea.id


def ranking(app, lea_id: int, **needs) -> service.PeerAnswer:
    with app.app_context():
        answer = service.peers_for_lea(lea_id, service.Needs(**needs))
        answer.names = [p.lea.name for p in answer.leas]
        return answer


# ---------------------------------------------------------------- the measure


def test_a_near_twin_comes_first(app):
    me = add_lea(app, "Me Unified")
    publish(app,
            lea_record("Twin Unified", enrollment=3100, unduplicated_pct=81.0, el_pct=21.0, swd_pct=12.5),
            lea_record("Bigger Unified", enrollment=6500, unduplicated_pct=86.0, el_pct=30.0),
            lea_record("Richer Unified", enrollment=2800, unduplicated_pct=68.0, el_pct=12.0),
            lea_record("Town Unified", locale="town", enrollment=3500, unduplicated_pct=75.0, el_pct=25.0))
    answer = ranking(app, me)
    assert answer.names[0] == "Twin Unified"
    assert answer.leas[0].similarity > 0.8 and all(0 < p.similarity <= 1 for p in answer.leas)
    assert [p.similarity for p in answer.leas] == sorted((p.similarity for p in answer.leas), reverse=True)


def test_a_city_district_never_ranks_above_a_rural_twin(app):
    me = add_lea(app, "Rural Me Unified")
    publish(app, lea_record("City Twin Unified", locale="city"), lea_record("Suburb Twin Unified", locale="suburb"),
            lea_record("Town Twin Unified", locale="town"), lea_record("Rural Twin Unified", locale="rural"))
    names = ranking(app, me).names
    assert names == ["Rural Twin Unified", "Town Twin Unified", "City Twin Unified", "Suburb Twin Unified"]
    # the same locale first, the same broad kind (rural-ish) next, urban last (ties by name)


def test_the_large_numbers_of_enrollment_do_not_outweigh_the_percentages(app):
    me = add_lea(app, "Me Unified")
    publish(app,
            lea_record("Same Mix Bigger Unified", enrollment=8000),  # 5,000 more students, the same students
            lea_record("Same Size Other Mix Unified", unduplicated_pct=94.0, el_pct=45.0, swd_pct=20.0))
    assert ranking(app, me).names == ["Same Mix Bigger Unified", "Same Size Other Mix Unified"]


def test_one_variable_far_off_cannot_outweigh_all_the_others(app):
    me = add_lea(app, "Me Unified")
    publish(app,
            # identical but for English learners, very far off: its difference is capped
            lea_record("One Far Off Unified", el_pct=70.0),
            # off on every variable at once
            lea_record("All A Bit Off Unified", enrollment=8700, unduplicated_pct=94.0, el_pct=35.0, swd_pct=22.0,
                       foster_youth_pct=2.5, homeless_pct=6.0))
    answer = ranking(app, me)
    assert answer.names == ["One Far Off Unified", "All A Bit Off Unified"]
    assert "Largest difference: English learners 70% vs 20%" in answer.leas[0].reasons[0]


def test_calipers_unduplicated_within_15_points_and_enrollment_within_a_third_to_three_times(app):
    me = add_lea(app, "Me Unified")
    publish(app,
            lea_record("Twenty Points Away Unified", unduplicated_pct=60.0),
            lea_record("Fourteen Points Away Unified", unduplicated_pct=94.0),
            lea_record("Four Times Bigger Unified", enrollment=12000),
            lea_record("Quarter Size Unified", enrollment=750),
            lea_record("Nearly Three Times Unified", enrollment=8900),
            lea_record("A Third Unified", enrollment=1000))
    names = ranking(app, me).names
    assert "Twenty Points Away Unified" not in names
    assert "Four Times Bigger Unified" not in names and "Quarter Size Unified" not in names
    assert {"Fourteen Points Away Unified", "Nearly Three Times Unified", "A Third Unified"} <= set(names)


def test_a_caliper_is_not_applied_to_a_figure_one_of_them_does_not_report(app):
    me = add_lea(app, "Me Unified", unduplicated_pct=None)
    publish(app, lea_record("Far Unduplicated Unified", unduplicated_pct=20.0))
    answer = ranking(app, me)
    assert answer.names == ["Far Unduplicated Unified"]
    assert "unduplicated pupils" in answer.leas[0].reasons[1]  # said to be missing, weights renormalized


def test_only_leas_of_the_same_kind_are_compared(app):
    me = add_lea(app, "Elementary Me", grade_spans=["k_5", "6_8"])
    publish(app, lea_record("High School Twin", grade_spans=["9_12"]),
            lea_record("Unified Twin", grade_spans=["k_5", "6_8", "9_12"]),
            lea_record("County Office Twin", type="county_office", grade_spans=["k_5", "6_8"]),
            lea_record("Charter Elementary Twin", type="charter", grade_spans=["k_5"]),
            lea_record("Spans Unknown Twin", grade_spans=None))
    answer = ranking(app, me)
    assert answer.kind == "elementary"
    assert set(answer.names) == {"Charter Elementary Twin", "Spans Unknown Twin"}
    unknown = next(p for p in answer.leas if p.lea.name == "Spans Unknown Twin")
    assert any("could not be checked" in r for r in unknown.reasons)
    # grade spans unknown: any district or charter school, but still never a county office
    vague = add_lea(app, "Spans Unknown Me", grade_spans=None)
    assert "County Office Twin" not in ranking(app, vague).names and ranking(app, vague).kind == "unknown"
    office = add_lea(app, "County Office Me", type="county_office", grade_spans=None)
    assert ranking(app, office).names == ["County Office Twin"]


def test_fewer_than_five_peers_is_a_weak_match_and_the_list_is_not_padded(app):
    me = add_lea(app, "Me Unified")
    publish(app, *(lea_record(f"Peer {n} Unified", enrollment=3000 + 100 * n) for n in range(4)),
            lea_record("Too Rich Unified", unduplicated_pct=40.0))
    answer = ranking(app, me)
    assert answer.weak_match and len(answer.leas) == 4 and "Too Rich Unified" not in answer.names
    assert "Weak match" in answer.message
    publish(app, lea_record("Peer 5 Unified", enrollment=3500))
    answer = ranking(app, me)
    assert not answer.weak_match and answer.message is None and len(answer.leas) == 5


def test_the_explanation_gives_both_figures_and_the_year(app):
    me = add_lea(app, "Me Unified", enrollment=2900, unduplicated_pct=88.0, el_pct=31.0, foster_youth_pct=0.2)
    publish(app, lea_record("Dos Twin Unified", enrollment=2300, unduplicated_pct=91.0, el_pct=27.0,
                            foster_youth_pct=1.3))
    sentence = ranking(app, me).leas[0].reasons[0]
    assert sentence.startswith("Rural district like yours; ")
    assert "2,300 students (you: 2,900)" in sentence
    assert "91% unduplicated (you: 88%)" in sentence and "27% English learners (you: 31%)" in sentence
    assert "figures from 2015–16" in sentence
    assert "Largest difference: foster youth 1.3% vs 0.2%." in sentence


def test_the_explanation_names_both_years_when_they_differ(app):
    me = add_lea(app, "Me Unified", data_year="2018-19")
    publish(app, lea_record("Older Figures Unified", locale="town"))
    sentence = ranking(app, me).leas[0].reasons[0]
    assert "figures from 2015–16 (yours: 2018–19)" in sentence
    assert sentence.startswith("Town district (you: rural district)")


def test_practices_rank_by_similarity_and_fit_and_outcomes_never_choose_peers(app):
    me = add_lea(app, "Me Unified")
    untagged = {"dashboard_indicators": ["math"], "student_groups": ["all_students"], "outcome_metrics": [],
                "evidence_level": "descriptive"}
    publish(app,
            lea_record("Twin Unified", title="Twin's math practice", tags=untagged),
            lea_record("Twin Unified", title="Twin's attendance practice"),  # SAMPLE: chronic absenteeism
            lea_record("Less Alike Unified", title="Less alike attendance practice", enrollment=7000,
                       unduplicated_pct=90.0))
    answer = ranking(app, me, indicators=["chronic_absenteeism"], student_groups=[])
    titles = [r.revision.title for r in answer.results]
    assert titles[0] == "Twin's attendance practice"
    assert titles.index("Less alike attendance practice") > 0
    first = answer.results[0]
    assert any("Chronic absenteeism" in r for r in first.reasons) and any("Reports outcome data" in r
                                                                          for r in first.reasons)
    # outcome data change no one's similarity: both practices of the twin carry the twin's similarity
    twin = [r.similarity for r in answer.results if r.lea.name == "Twin Unified"]
    assert len(set(twin)) == 1


def test_a_profile_by_hand_is_matched_like_an_lea(app):
    publish(app, lea_record("Twin Unified"))
    with app.app_context():
        answer = service.peers_for({"type": "district", "locale": "rural", "enrollment": 3000,
                                    "unduplicated_pct": 80.0, "grade_span": ["k_5", "9_12"]})
    assert [p.lea.name for p in answer.leas] == ["Twin Unified"] and answer.kind == "unified"


# ---------------------------------------------------------------- the API


@pytest.fixture
def five(app):
    ids = publish(app, *(lea_record(f"Peer {n} Unified", enrollment=3000 + 200 * n, county="Kern" if n % 2 else
                                    "Fresno") for n in range(5)),
                  lea_record("Town Charter", type="charter", locale="town", county="Kern"))
    return ids


def test_peers_api_answers_the_documented_shape(client, five):
    answer = client.get(f"/api/v1/peers?lea={five['Peer 0 Unified']}&indicator=chronic_absenteeism").json
    assert set(answer) >= {"leas", "results", "weak_match"} and answer["weak_match"] is False
    first = answer["leas"][0]
    assert first["name"] == "Peer 1 Unified" and 0 < first["similarity"] <= 1 and first["reasons"]
    assert {"id", "enrollment", "unduplicated_pct", "published_practices"} <= set(first)
    result = answer["results"][0]
    assert {"slug", "title", "summary", "url", "lea", "evidence_level", "similarity", "reasons"} <= set(result)
    assert result["lea"]["id"] in {p["id"] for p in answer["leas"]}
    assert all(p["name"] != "Peer 0 Unified" for p in answer["leas"])  # never itself


def test_peers_api_with_a_profile(client, five):
    answer = client.get("/api/v1/peers?type=district&locale=rural&enrollment=3000&unduplicated_pct=80"
                        "&grade_span=k_5&grade_span=9_12").json
    assert answer["profile"]["grade_spans"] == ["k_5", "9_12"] and answer["kind"] == "unified"
    assert answer["leas"][0]["name"] == "Peer 0 Unified"


@pytest.mark.parametrize("query, field", [
    ("type=district&enrollment=-5", "enrollment"),
    ("type=district&unduplicated_pct=101", "unduplicated_pct"),
    ("type=district&el_pct=150", "el_pct"),
    ("type=district&locale=moon", "locale"),
    ("type=school", "type"),
    ("type=district&grade_span=k_12", "grade_span"),
    ("type=district&indicator=happiness", "indicator"),
    ("lea=abc", "lea"),
    ("", "type"),
])
def test_peers_api_refuses_bad_parameters_with_400(client, query, field):
    response = client.get("/api/v1/peers?" + query)
    assert response.status_code == 400
    assert field in response.json["error"]["fields"]


def test_peers_api_unknown_lea_is_404(client):
    response = client.get("/api/v1/peers?lea=98765")
    assert response.status_code == 404 and response.json["error"]["status"] == 404


def test_leas_api_filters_paginates_and_counts(client, five, app):
    add_lea(app, "No Practice Yet Unified", county="Kern")
    everyone = client.get("/api/v1/leas").json
    assert everyone["total"] == 7
    kern = client.get("/api/v1/leas?county=Kern").json
    assert {r["name"] for r in kern["results"]} == {"Peer 1 Unified", "Peer 3 Unified", "Town Charter",
                                                   "No Practice Yet Unified"}
    assert [r["name"] for r in client.get("/api/v1/leas?type=charter").json["results"]] == ["Town Charter"]
    assert [r["name"] for r in client.get("/api/v1/leas?locale=town").json["results"]] == ["Town Charter"]
    assert [r["name"] for r in client.get("/api/v1/leas?q=unified+peer+3").json["results"]] == ["Peer 3 Unified"]
    page = client.get("/api/v1/leas?per_page=2&page=2").json
    assert page["total"] == 7 and page["page"] == 2 and len(page["results"]) == 2
    counts = {r["name"]: r["published_practices"] for r in everyone["results"]}
    assert counts["No Practice Yet Unified"] == 0 and counts["Peer 0 Unified"] == 1
    one = client.get(f"/api/v1/leas/{five['Peer 2 Unified']}").json
    assert one["name"] == "Peer 2 Unified" and one["enrollment"] == 3400 and one["data_year"] == "2015-16"
    assert client.get("/api/v1/leas/98765").status_code == 404
    for bad in ("county=Atlantis", "locale=moon", "type=school", "per_page=0", "page=0"):
        assert client.get("/api/v1/leas?" + bad).status_code == 400, bad


def _properties(spec: dict, name: str) -> set[str]:
    return set(spec["components"]["schemas"][name]["properties"])


def test_the_openapi_document_describes_the_lea_and_peer_answers(client, five):
    spec = client.get("/api/v1/openapi.json").json
    assert {"/leas", "/leas/{id}", "/peers"} <= set(spec["paths"])
    params = {p["name"] for p in spec["paths"]["/peers"]["get"]["parameters"]}
    assert {"lea", "type", "locale", "enrollment", "unduplicated_pct", "el_pct", "foster_youth_pct", "swd_pct",
            "homeless_pct", "grade_span", "indicator", "student_group"} <= params
    answer = client.get(f"/api/v1/peers?lea={five['Peer 0 Unified']}").json
    assert set(answer) <= _properties(spec, "PeersResult")
    assert set(answer["leas"][0]) <= _properties(spec, "PeerLEA")
    assert set(answer["results"][0]) <= _properties(spec, "PeerPractice")
    assert set(client.get("/api/v1/leas").json) <= _properties(spec, "LEAList")
    assert set(client.get(f"/api/v1/leas/{five['Peer 0 Unified']}").json) <= _properties(spec, "LEAEntry")


# ---------------------------------------------------------------- pages


def test_the_peers_page_shows_the_matches_with_their_sentences(client, five):
    html = client.get(f"/peers?lea={five['Peer 0 Unified']}").text
    assert "<title>LEAs like Peer 0 Unified" in html and html.count("<h1") == 1
    assert "Rural district like yours" in html and "figures from 2015–16" in html
    assert "Weak match" not in html and "Practices from LEAs like yours" in html


def test_the_peers_page_says_when_the_match_is_weak(client, app):
    ids = publish(app, lea_record("Alone Unified"), lea_record("Too Rich Unified", unduplicated_pct=40.0))
    html = client.get(f"/peers?lea={ids['Alone Unified']}").text
    assert "Weak match: No LEA with published practices passed the calipers" in html
    answer = client.get(f"/api/v1/peers?lea={ids['Alone Unified']}").json
    assert answer["weak_match"] is True and answer["leas"] == [] and answer["message"].startswith("Weak match")


def test_a_profile_with_too_few_figures_is_told_what_to_give(client, five):
    answer = client.get("/api/v1/peers?type=district&locale=rural").json
    assert answer["weak_match"] is True and answer["leas"] == [] and "Describe your LEA by hand" in answer["message"]


def test_the_peers_page_shows_bad_answers_beside_the_form(client):
    response = client.get("/peers?type=district&enrollment=-3&unduplicated_pct=130")
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.text and "must be a percentage between 0 and 100" in response.text


def test_a_signed_in_user_starts_from_their_own_lea(app, client, people):
    publish(app, lea_record("Sample Valley Unified", county="Fresno"), lea_record("Neighbor Unified"))
    login(client, people["contributor"])
    html = client.get("/peers").text
    assert "<h1>LEAs like Sample Valley Unified</h1>" in html and "Neighbor Unified" in html


def test_the_help_page_states_the_weights_and_calipers(client):
    html = client.get("/peers/help").text
    assert html.count("<h1") == 1
    for weight in service.WEIGHTS.values():
        assert f"<td>{weight}</td>" in html
    assert "renormalized" in html and "e<sup>−distance</sup>" in html
    assert f"more than {int(service.UNDUPLICATED_CALIPER)}" in html


def test_an_lea_profile_shows_its_context_with_years_and_links_to_its_peers(client, five):
    lea_id = five["Peer 2 Unified"]
    html = client.get(f"/leas/{lea_id}").text
    assert "3,400" in html and "(2015–16)" in html and "Grades 6 to 8" in html
    assert f'href="/peers?lea={lea_id}">LEAs like this one' in html
    assert "Practice" in html and "Peer 2 Unified" in html


# ---------------------------------------------------------------- similar practices


def test_similar_practices_exclude_the_practice_itself_and_unpublished_ones(seeded):
    with seeded.app_context():
        revision = queries.get_published("teacher-leaders-for-english-learners-the-lead-program")
        draft_title = revision.title + " (draft copy)"
        import_practices([RawRecord(1, {**lea_record("Draft Unified"), "title": draft_title,
                                        "summary": revision.summary, "keywords": revision.keywords,
                                        "topics": revision.codes("topic"),
                                        "student_groups": revision.codes("student_group"),
                                        "grade_spans": revision.codes("grade_span")})], publish=False)
        similar = service.similar_practices(revision)
        titles = [s.revision.title for s in similar]
        assert similar and revision.title not in titles and draft_title not in titles
        assert all(s.revision.state == "published" for s in similar) and all(s.reason for s in similar)
        assert any("English learners" in s.reason for s in similar)
    page = seeded.test_client().get("/practices/teacher-leaders-for-english-learners-the-lead-program").text
    assert "Similar practices" in page and titles[0] in page.replace("&#39;", "'").replace("&amp;", "&")
    assert draft_title not in page


def test_similar_practices_prefer_content_and_shared_tags(app):
    publish(app,
            lea_record("A Unified", title="Day-two attendance calls to families"),
            lea_record("B Unified", title="Attendance calls on the second day of absence"),
            lea_record("C Unified", title="Algebra readiness summer bridge",
                       tags={"topics": ["math"], "dashboard_indicators": ["math"], "student_groups": ["hispanic"],
                             "grade_spans": ["9_12"], "keywords": ["algebra"], "outcome_metrics": [],
                             "evidence_level": "descriptive",
                             "summary": "Summer algebra bridge for incoming ninth graders."}))
    with app.app_context():
        revision = next(r for r in queries.list_published().items if r.title.startswith("Day-two"))
        similar = service.similar_practices(revision)
        assert similar[0].revision.title == "Attendance calls on the second day of absence"
        assert "also about attendance" in similar[0].reason
        assert "Algebra readiness summer bridge" not in [s.revision.title for s in similar[:1]]
