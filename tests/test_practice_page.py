"""A practice page: the at-a-glance box, when the work ran, sources cited, the story before the tags."""

from __future__ import annotations

import re
from pathlib import Path

from clearinghouse.extensions import db
from clearinghouse.models import Revision

from .vetting_helpers import decide, submitted


def published(app, people, record) -> str:
    app.config["REVIEWS_REQUIRED"] = 1
    rid = submitted(app, people, record)
    decide(app, people, rid, ("reviewer", "approve"))
    with app.app_context():
        return db.session.get(Revision, rid).practice.slug


def glance_of(page: str) -> str:
    match = re.search(r'<section class="glance".*?</section>', page, re.S)
    assert match, "no at-a-glance box"
    return re.sub(r"\s+", " ", match[0])


def test_the_at_a_glance_box_sits_near_the_top_with_who_where_when_cost_evidence_and_key_result(
        app, client, people, practice_record):
    slug = published(app, people, practice_record)
    page = client.get(f"/practices/{slug}").text
    glance = glance_of(page)
    assert page.index('class="glance"') < page.index('class="practice-layout"')
    for text in ("<dt>Who</dt><dd>Sample Valley Unified (School district)</dd>",
                 "<dt>Where</dt><dd>Fresno County",
                 "<dt>When the work ran</dt><dd>2019–2021</dd>",
                 "<dt>Cost</dt><dd>$42,000</dd>",
                 "<dt>Evidence level</dt><dd>Local outcome data</dd>",
                 "<dt>Key result</dt><dd>Chronic absenteeism rate (All students): 25% in 2018-19 → 17% in 2020-21"):
        assert text in glance, text


def test_no_key_result_without_an_outcome_result(app, client, people, practice_record):
    record = {**practice_record, "evidence_level": "descriptive", "outcome_metrics": [
        {"label": "Attendance rate", "baseline": 91.0, "unit": "percent"}]}
    page = client.get(f"/practices/{published(app, people, record)}").text
    assert "Key result" not in glance_of(page)


def test_the_dates_say_when_the_work_ran_and_when_it_was_added(app, client, people, practice_record):
    slug = published(app, people, practice_record)
    page = client.get(f"/practices/{slug}").text
    assert re.search(r'<p class="published">Work ran 2019–2021 · added to the clearinghouse \d{1,2} \w+ \d{4}</p>',
                     page)
    assert "Published " not in page
    undated = published(app, people, {**practice_record, "title": "Undated", "timeline": None})
    assert re.search(r'<p class="published">Added to the clearinghouse \d', client.get(f"/practices/{undated}").text)


def test_sources_are_cited_and_linked_only_when_they_have_an_address(app, client, people, practice_record):
    record = {**practice_record, "resources": [
        {"title": "LCAP 2019-20", "kind": "source", "publisher": "Sample Valley Unified", "date": "June 2019"},
        {"title": "Call script", "kind": "tool", "url": "https://example.org/script.pdf"}]}
    page = re.sub(r"\s+", " ", client.get(f"/practices/{published(app, people, record)}").text)
    assert ('<span class="resource-kind">Source:</span> <cite>LCAP 2019-20</cite>, Sample Valley Unified, June 2019'
            in page)
    assert ('<span class="resource-kind">Tool or template:</span> '
            '<a href="https://example.org/script.pdf" rel="noopener noreferrer">Call script</a>') in page


def test_the_story_comes_before_the_tags_and_the_similar_slot_ends_the_story(app, client, people, practice_record):
    page = client.get(f"/practices/{published(app, people, practice_record)}").text
    assert page.index('id="problem"') < page.index('id="tags-heading"')
    assert page.index('class="practice-aside"') < page.index('class="practice-story"')
    template = Path(__file__).resolve().parent.parent / "templates" / "practices" / "practice.html"
    assert '{% include "practices/_similar.html" ignore missing %}' in template.read_text()
