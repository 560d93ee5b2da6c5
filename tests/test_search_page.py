"""The search page's HTML: what each result card says, the filter disclosure, and long facets cut short."""

from __future__ import annotations

import json
import re
from html import unescape
from types import SimpleNamespace

import pytest

from clearinghouse.search.views import FACET_LONG, FACET_SHOWN, _facet_groups, _marked_words


def page(client, *params) -> str:
    response = client.get("/search", query_string=list(params))
    assert response.status_code == 200
    return response.text


def text(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def cards(html: str) -> list[str]:
    return re.findall(r'<article class="card">(.*?)</article>', html, re.S)


def card_for(html: str, title: str) -> str:
    found = [c for c in cards(html) if title in text(c)]
    assert found, f"no card for {title!r}"
    return text(found[0])


def _publish(app, tmp_path, records):
    path = tmp_path / "practices.json"
    path.write_text(json.dumps(records))
    result = app.test_cli_runner().invoke(args=["practices", "import", str(path), "--publish"])
    assert result.exit_code == 0, result.output


# ----------------------------------------------------------------- the card

def test_a_card_shows_lea_county_years_evidence_and_when_it_was_added(app, tmp_path, practice_record):
    ongoing = json.loads(json.dumps(practice_record))
    ongoing.update(title="Attendance mentors who started in 2021", timeline={"start_year": 2021})
    unknown = json.loads(json.dumps(practice_record))
    unknown.update(title="Attendance letters without a timeline", evidence_level="descriptive",
                   outcome_metrics=[])
    unknown.pop("timeline")
    _publish(app, tmp_path, [practice_record, ongoing, unknown])

    html = page(app.test_client(), ("q", "attendance"))
    with app.app_context():
        from clearinghouse.extensions import db
        from clearinghouse.models import Practice
        added = db.session.query(Practice).first().published_at
    day = f"{added.day} {added:%B %Y}"

    card = card_for(html, "Attendance teams that call home on day two")
    assert "Sample Valley Unified" in card and "Fresno County" in card
    assert "2019–2021" in card
    assert "Local outcome data" in card  # the label from EVIDENCE_LEVELS, not the code
    assert f"Added {day}" in card

    assert "2021–ongoing" in card_for(html, "Attendance mentors who started in 2021")
    no_years = card_for(html, "Attendance letters without a timeline")
    assert "Years:" not in no_years and "ongoing" not in no_years and "–" not in no_years
    assert "Described; no outcome data reported yet" in no_years


@pytest.mark.parametrize("start, end, shown", [
    (2017, 2019, "2017–2019"), (2021, None, "2021–ongoing"), (2019, 2019, "2019"), (None, None, ""),
    (None, 2020, "until 2020"),
])
def test_the_years_the_work_ran(app, start, end, shown):
    macros = app.jinja_env.get_template("macros.html").module
    assert str(macros.work_years(SimpleNamespace(start_year=start, end_year=end))).strip() == shown


def test_highlights_stay_and_a_partial_match_names_the_words_it_matched(seeded):
    client = seeded.test_client()
    html = page(client, ("q", "kindergarten zyxwvut"))
    assert "No practice contains every word you searched for" in html
    first = cards(html)[0]
    assert "<mark>" in first  # the engine's highlighted snippet, rendered as HTML
    assert re.search(r'<p class="card-why">Matches <strong>kindergarten</strong>', first, re.I)
    full = page(client, ("q", "kindergarten"))
    assert "<mark>" in cards(full)[0] and "card-why" not in full  # every word matched: nothing to explain


def test_marked_words_are_read_from_the_highlights_as_plain_text():
    highlights = {"title": "<mark>Math</mark> PLCs", "summary": "more <mark>math</mark> &amp; <mark>R&amp;D</mark>",
                  "body": "…<mark>PLCs</mark>…"}
    assert _marked_words(highlights) == ["Math", "R&D", "PLCs"]
    assert _marked_words({}) == []


# ----------------------------------------------------------------- the filter disclosure

def test_the_disclosure_counts_the_active_filters(seeded):
    client = seeded.test_client()
    html = page(client, ("q", "math"), ("topic", "math"), ("grade_span", "9_12"))
    summary = re.search(r'<summary class="facets-summary">(.*?)</summary>', html, re.S).group(1)
    assert text(summary).strip() == "Filter results (2 active)"
    assert "with 2 filters" in text(html)
    plain = page(client, ("q", "math"))
    summary = re.search(r'<summary class="facets-summary">(.*?)</summary>', plain, re.S).group(1)
    assert text(summary).strip() == "Filter results"
    panel = re.search(r'<details class="facets-panel"[^>]*>', plain).group(0)
    assert " open" not in panel  # closed without JavaScript: on a phone the results come first


def test_the_page_has_a_skip_link_the_count_as_heading_and_apply_beside_the_heading(seeded):
    client = seeded.test_client()
    html = page(client, ("q", "english learners"))
    main = html[html.index("<main"):]
    assert re.search(r'^<main[^>]*>\s*<a class="skip-link skip-results" href="#results-heading">Skip to results</a>',
                     main)
    heading = re.search(r'<h2 id="results-heading"[^>]*>(.*?)</h2>', html, re.S)
    assert 'tabindex="-1"' in heading.group(0) and "data-focus-on-load" in heading.group(0)
    assert re.match(r"\s*\d+ practices match “english learners”", text(heading.group(1)))
    assert 'role="status"' in heading.group(1)
    head = re.search(r'<div class="facets-head">(.*?)</div>', html, re.S).group(1)
    assert "Narrow the results" in head and "Apply filters" in head
    assert html.count(">Apply filters</button>") == 2
    assert "data-focus-on-load" not in page(client)  # a plain /search does not take focus


# ----------------------------------------------------------------- long facets

def test_a_long_facet_shows_its_top_values_and_show_all_n(seeded):
    client = seeded.test_client()
    facets = client.get("/api/v1/search").json["facets"]
    topics = [v for v in facets["topic"] if v["count"]]
    assert len(topics) > FACET_LONG  # the seed has a long topic facet
    html = page(client)
    fieldset = re.search(r"<legend>Topic</legend>(.*?)</fieldset>", html, re.S).group(1)
    top, more = fieldset.split('<details class="facet-more">')
    assert f"Show all {len(topics)} topics" in text(more)
    assert top.count('type="checkbox"') == FACET_SHOWN
    assert fieldset.count('type="checkbox"') == len(topics)  # every value is still there
    best = sorted(topics, key=lambda v: -v["count"])[:FACET_SHOWN]
    assert all(f'value="{v["value"]}"' in top for v in best)
    grades = re.search(r"<legend>Grade span</legend>(.*?)</fieldset>", html, re.S).group(1)
    assert "facet-more" not in grades  # short facets are shown whole


def test_a_chosen_value_is_always_among_the_shown_values(seeded):
    client = seeded.test_client()
    facets = client.get("/api/v1/search").json["facets"]
    rare = min((v for v in facets["topic"] if v["count"]), key=lambda v: v["count"])
    html = page(client, ("topic", rare["value"]))
    fieldset = re.search(r"<legend>Topic</legend>(.*?)</fieldset>", html, re.S).group(1)
    top = fieldset.split('<details class="facet-more">')[0]
    assert f'name="topic" value="{rare["value"]}" checked' in top


def test_facet_groups_rank_by_count_and_keep_chosen_values():
    values = [{"value": str(i), "label": f"V{i}", "count": i} for i in range(1, 13)]
    (group,) = _facet_groups({"topic": values}, {"topic": ["1"]})
    assert [v["value"] for v in group["top"]] == ["12", "11", "10", "9", "8", "7", "1"]
    assert [v["value"] for v in group["rest"]] == ["2", "3", "4", "5", "6"]  # vocabulary order
    assert group["total"] == 12 and group["plural"] == "topics" and group["chosen"] == 1
    short = values[:FACET_LONG]
    (group,) = _facet_groups({"topic": short}, {})
    assert group["top"] == short and group["rest"] == []
    (group,) = _facet_groups({"lea_type": values}, {})
    assert group["plural"] == "LEA types"


def test_no_facet_is_a_scroll_box(seeded):
    html = page(seeded.test_client(), ("q", "english learners"))
    assert not re.search(r'class="[^"]*\blong\b', html)
    assert "overflow" not in html
