"""The pages about the site: /about, /rubric, /accessibility, /privacy (one h1 each, linked from every footer)."""

from __future__ import annotations

import re

import pytest

from clearinghouse.taxonomy import EVIDENCE_LEVELS, EVIDENCE_REQUIREMENTS
from clearinghouse.vetting import rubric

PAGES = {"/about": "About the clearinghouse", "/rubric": "The vetting rubric", "/accessibility": "Accessibility",
         "/privacy": "Privacy"}


@pytest.mark.parametrize("path,heading", PAGES.items())
def test_each_page_answers_with_one_h1_a_title_and_the_footer_links(client, path, heading):
    response = client.get(path)
    assert response.status_code == 200
    page = response.text
    assert re.findall(r"<h1[^>]*>(.*?)</h1>", page) == [heading]
    assert f"<title>{heading} · " in page
    footer = page[page.index('<footer'):]
    for linked in PAGES:
        assert f'href="{linked}"' in footer, linked


def test_every_page_links_to_the_four_pages_in_its_footer(client):
    footer = client.get("/").text.split("<footer", 1)[1]
    assert all(f'href="{p}"' in footer for p in PAGES)


def test_the_rubric_page_shows_the_rubric_and_the_evidence_rules(client):
    page = client.get("/rubric").text
    for number, criterion in rubric.RUBRIC:
        assert criterion in page, number
        assert rubric.NAMES[number] in page
    for label in EVIDENCE_LEVELS.values.values():
        assert f"<dt>{label}</dt>" in page
    for rule in EVIDENCE_REQUIREMENTS.values():
        assert rule in page


def test_the_about_page_says_how_vetting_works(app, client):
    app.config["REVIEWS_REQUIRED"] = 2
    page = client.get("/about").text
    assert "2 reviewers" in page and "another LEA" in page and "six-criterion" in page
    assert 'href="/rubric"' in page


def test_accessibility_names_the_target_and_how_to_report(app, client):
    page = client.get("/accessibility").text
    assert "WCAG" in page and "2.1" in page and "AA" in page
    assert f'href="mailto:{app.config["CONTACT_EMAIL"]}"' in page


def test_privacy_says_what_is_stored_and_that_there_is_no_tracking(client):
    page = client.get("/privacy").text
    assert "no third-party analytics and no tracking" in page and "one-way hash" in page and "cookie" in page
    # The usage counts: what is stored, and the daily salt that is deleted.
    words = " ".join(page.split())
    assert 'id="usage"' in page and "does not store your network (IP) address" in words and "salt" in words
