"""Highlights: matched words marked in escaped text, only for the page's hits."""

from __future__ import annotations

import re

from clearinghouse.search import highlight as highlight_module

from .documents import search

# ----- highlights -------------------------------------------------------------------------------------------


def test_highlights_are_escaped_with_only_mark_tags(engine):
    hit = search(engine, "family math").hits[0]
    assert hit.slug == "family-nights"
    title, summary = hit.highlights["title"], hit.highlights["summary"]
    assert "&lt;script&gt;" in title and "<script" not in title
    assert "&lt;b&gt;" in summary and "&amp;" in summary
    for html in hit.highlights.values():
        assert re.sub(r"</?mark>", "", html).count("<") == 0
    assert "<mark>Family</mark>" in title or "<mark>Family nights</mark>" in title
    assert "<mark>math</mark>" in summary


def test_highlights_mark_synonyms_phrases_and_acronyms(engine):
    hit = search(engine, "EL").hits
    el = next(h for h in hit if h.slug == "el-leaders")
    assert "<mark>English learners</mark>" in el.highlights["title"]
    assert "<mark>ELs</mark>" in el.highlights["body"]
    assert "<mark>English Learners</mark>" in el.highlights["body"]


def test_highlight_does_not_mark_words_that_did_not_match(engine):
    # No document has both words; el-dorado-math is shown for "courses", and its "El Dorado" is no EL.
    result = search(engine, "EL courses")
    assert result.match == "some"
    body = next(h for h in result.hits if h.slug == "el-dorado-math").highlights["body"]
    assert "El Dorado families asked for more <mark>courses</mark>" in body
    assert "<mark>El" not in body


def test_only_the_page_is_highlighted(engine, monkeypatch):
    calls = []
    original = highlight_module.snippet
    monkeypatch.setattr(highlight_module, "snippet", lambda *a: calls.append(1) or original(*a))
    result = engine.search("students", {}, per_page=2)
    assert result.total > 2 and len(result.hits) == 2 and len(calls) == 2
