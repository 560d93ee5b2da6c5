"""The reading pages: home, browse, a practice, an LEA, errors — as a visitor sees them."""

from __future__ import annotations

import json
import re

from clearinghouse.practices.queries import vocabulary_counts

LEAD = "/practices/teacher-leaders-for-english-learners-the-lead-program"


def import_published(app, records, tmp_path):
    path = tmp_path / "records.json"
    path.write_text(json.dumps(records))
    result = app.test_cli_runner().invoke(args=["practices", "import", str(path), "--publish"])
    assert result.exit_code == 0, result.output


def test_every_page_has_one_h1_a_skip_link_and_a_title_naming_it(seeded):
    client = seeded.test_client()
    for url in ["/", "/browse", "/browse/student_group/english_learners", LEAD, "/leas/1", "/no-such-page"]:
        html = client.get(url).text
        assert html.count("<h1") == 1, url
        assert 'href="#main"' in html and 'id="main"' in html, url
        assert re.search(r"<title>[^<]+· Promising Practices Clearinghouse</title>", html), url


def test_home_has_search_entry_points_with_counts_and_recent_practices(seeded):
    html = seeded.test_client().get("/").text
    assert 'role="search"' in html and 'name="q"' in html
    for heading in ["By state priority", "By student group", "By grade span", "By Dashboard indicator"]:
        assert heading in html
    with seeded.app_context():
        el = vocabulary_counts("student_group")["english_learners"]
    assert re.search(
        r'href="/browse/student_group/english_learners">English learners</a> <span class="count">' + str(el), html
    )
    assert "Recently published" in html and html.count('class="card"') == 6


def test_browse_lists_the_tagged_practices_paginated(app, tmp_path, practice_record):
    records = []
    for n in range(23):
        record = json.loads(json.dumps(practice_record))
        record["title"] = f"Attendance practice number {n:02d}"
        records.append(record)
    other = json.loads(json.dumps(practice_record)) | {"title": "Math only", "student_groups": ["foster_youth"]}
    import_published(app, records + [other], tmp_path)
    client = app.test_client()
    first = client.get("/browse/student_group/homeless").text
    assert "23 published practices, page 1 of 2." in first
    assert first.count('class="card"') == 20
    assert "Math only" not in first
    second = client.get("/browse/student_group/homeless?page=2").text
    assert second.count('class="card"') == 3
    assert 'rel="prev"' in second
    assert client.get("/browse/student_group/martians").status_code == 404
    assert client.get("/browse/colour/blue").status_code == 404


def test_practice_page_shows_every_part_of_the_write_up(app, tmp_path, practice_record):
    import_published(app, [practice_record], tmp_path)
    html = app.test_client().get("/practices/attendance-teams-that-call-home-on-day-two").text
    for text in [
        "Attendance teams that call home on day two",
        "A rural district cut chronic absenteeism",
        "Sample Valley Unified", "Fresno", "Rural", "4,200", "81.5%", "24%", "0.8%",  # the context card
        "Local outcome data", "no formal study",  # evidence level in plain words
        "Problem of practice", "Root causes", "The journey", "What we did", "Outcomes", "Lessons for others",
        "<strong>chronically absent</strong>", "<li>Week 1: lists</li>",  # Markdown rendered
        "Chronic absenteeism rate", "25%", "17%", "-8 points", "2018-19",  # the metrics table
        "$42,000", "Two part-time attendance clerks", "2019–2021",
        "Pat Example", "Director of Student Services", "mailto:pat@example.org",
        "https://example.org/script.pdf", "print.css",
    ]:
        assert text in html, text
    assert html.index("Problem of practice") < html.index("Root causes") < html.index("The journey") \
        < html.index("What we did") < html.index("Lessons for others")
    # each tag links to its browse listing
    assert 'href="/browse/priority/5"' in html and 'href="/browse/topic/attendance"' in html
    assert 'href="/browse/grade_span/k_5"' in html and 'href="/browse/tier/tier2"' in html


def test_markdown_is_sanitized(app, tmp_path, practice_record):
    practice_record["sections"]["journey"] = (
        'Hello <script>alert("x")</script> <img src=x onerror=alert(1)>\n\n'
        '[click](javascript:alert(1)) [fine](https://ok.example) <a href="https://x.example" onclick="evil()">raw</a>'
    )
    import_published(app, [practice_record], tmp_path)
    html = app.test_client().get("/practices/attendance-teams-that-call-home-on-day-two").text
    journey = html[html.index('id="journey"'):html.index('id="actions"')]
    assert "<script" not in journey and "<img" not in journey and '<a href="https://x.example"' not in journey
    assert 'href="javascript' not in journey
    assert "&lt;script&gt;" in journey  # shown as the text the writer typed, not run
    assert 'href="https://ok.example"' in journey


def test_unknown_slug_gets_a_friendly_404(client):
    response = client.get("/practices/no-such-practice")
    assert response.status_code == 404
    assert "We couldn&#39;t find that page" in response.text or "We couldn't find that page" in response.text
    assert 'href="/search"' in response.text


def test_lea_page_lists_its_published_practices(seeded):
    client = seeded.test_client()
    html = client.get(LEAD).text
    lea_link = re.search(r'href="(/leas/\d+)"', html).group(1)
    lea_page = client.get(lea_link).text
    assert "Anaheim Union High School District" in lea_page
    assert "Teacher leaders for English learners" in lea_page
    assert client.get("/leas/99999").status_code == 404


def test_the_seed_content_is_complete_and_tagged(seeded):
    client = seeded.test_client()
    listing = client.get("/api/v1/practices?per_page=100").json
    assert listing["total"] >= 16
    names = {r["lea"]["name"] for r in listing["results"]}
    for lea in ["Anaheim", "Borrego Springs", "Dos Palos", "Kern County", "Local District Central", "Newark",
                "Palo Verde", "Pomona", "Sausalito Marin City", "Victor Valley", "YouthBuild",
                "Academy of Careers", "Sacramento City Unified", "Sacramento County Office of Education"]:
        assert any(lea.lower() in name.lower() for name in names), lea
    ace = next(r for r in listing["results"] if "Academy of Careers" in r["lea"]["name"])
    detail = client.get(f"/api/v1/practices/{ace['slug']}").json
    assert "Of the 30 students invited to the online course, 8 enrolled" in detail["sections"]["outcomes"]
    assert detail["evidence_level"] == "local" and detail["outcome_metrics"][0]["result"] == 8
    assert "online course" in detail["sections"]["setbacks"]  # what did not work has its own section


def test_healthz(seeded):
    assert seeded.test_client().get("/healthz").json["status"] == "ok"
