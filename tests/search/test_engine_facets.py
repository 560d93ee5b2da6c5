"""Filters, facet counts (checked against a brute-force count), sorting and pages."""

from __future__ import annotations

import random

import pytest

from clearinghouse.search.engine import FACETS, Hit, SearchEngine

from .documents import BY_SLUG, CORPUS, practice, search, slugs

# ----- filters and facets -----------------------------------------------------------------------------------


def test_filters_or_within_a_facet_and_across_facets(engine):
    either = search(engine, "", filters={"county": ["Tulare", "Kern"]})
    assert set(slugs(either)) == {"attendance-outreach", "truancy-board", "pbis-suspensions", "tk"}
    both = search(engine, "", filters={"county": ["Tulare", "Kern"], "tier": ["tier2"]})
    assert set(slugs(both)) == {"attendance-outreach", "pbis-suspensions"}
    with_query = search(engine, "attendance", filters={"county": ["Tulare", "Kern"], "tier": ["tier2"]})
    assert slugs(with_query) == ["attendance-outreach"]


def test_unknown_filter_value_matches_nothing_and_unknown_facet_is_an_error(engine):
    assert search(engine, "", filters={"county": ["Atlantis"]}).total == 0
    with pytest.raises(ValueError):
        engine.search("", {"colour": ["red"]})


def brute_force_counts(docs, matches, filters):
    """For each facet F: count of docs matching the query and every filter except F's own."""
    def passes(doc, skip=None):
        return all(set(doc[f]) & set(vals) for f, vals in filters.items() if f != skip)

    counts = {}
    for facet in FACETS:
        c = {}
        for doc in docs:
            for value in doc[facet]:
                c.setdefault(value, 0)
                if matches(doc) and passes(doc, facet):
                    c[value] += 1
        for value in filters.get(facet, []):
            c.setdefault(value, 0)
        counts[facet] = c
    return counts


@pytest.fixture(scope="module")
def random_corpus(tmp_path_factory):
    rng = random.Random(42)
    words = ["alpha", "bravo", "delta", "kilo", "lima", "oscar", "tango", "zulu"]
    vocab = {
        "priority": [str(i) for i in range(1, 11)], "student_group": ["english_learners", "foster_youth",
        "homeless", "hispanic", "white"], "grade_span": ["prek", "k_5", "6_8", "9_12"],
        "indicator": ["ela", "math", "suspension"], "topic": ["math", "literacy", "mtss", "fiscal"],
        "tier": ["tier1", "tier2", "tier3"], "evidence": ["local", "promising"],
        "locale": ["city", "rural"], "lea_type": ["district", "charter"],
        "county": ["Kern", "Marin", "San Bernardino"],
    }
    docs = []
    for i in range(120):
        present = rng.sample(words, rng.randint(1, 4))
        facets = {f: rng.sample(v, rng.randint(0 if f == "locale" else 1, min(3, len(v)))) for f, v in vocab.items()}
        for f in ("evidence", "lea_type", "county"):
            facets[f] = facets[f][:1]
        doc = practice(f"r{i}", f"Practice {i}", " ".join(present) + ".", days=i, **facets)
        doc["words"] = set(present)
        docs.append(doc)
    e = SearchEngine(tmp_path_factory.mktemp("random"))
    # Two segments plus a deletion and a replacement: counts must be right across segments.
    e.rebuild(docs[:100])
    for doc in docs[100:]:
        e.upsert(doc)
    e.delete("r7")
    replaced = dict(docs[8], county=["Marin"], words={"zulu"}, summary="zulu.")
    e.upsert(replaced)
    live = [d for d in docs if d["slug"] not in ("r7", "r8")] + [replaced]
    yield e, live
    e.close()


@pytest.mark.parametrize(
    "q, filters",
    [
        ("", {}),
        ("alpha", {}),
        ("alpha bravo", {}),
        ("zulu", {"county": ["Marin"]}),
        ("kilo", {"county": ["Kern", "Marin"], "tier": ["tier2"]}),
        ("", {"student_group": ["foster_youth", "homeless"], "grade_span": ["k_5"], "priority": ["3"]}),
        ("delta lima", {"topic": ["math"], "locale": ["rural"], "evidence": ["local"]}),
        ("tango", {"county": ["Nowhere"]}),  # none: no document is in Nowhere
        ("alpha 1999", {}),  # some: no document has 1999, those with alpha are shown
        ("kilo tango 1999", {"tier": ["tier2"], "locale": ["city"]}),
        ("1999", {}),  # none: nothing has it
    ],
)
def test_facet_counts_equal_a_brute_force_count(random_corpus, q, filters):
    e, docs = random_corpus
    words = q.split()

    def every_word(doc):
        return all(w in doc["words"] for w in words)

    def some_word(doc):
        return any(w in doc["words"] for w in words)

    most = max(1, -(-len(words) // 2)) if len(words) > 1 else len(words) + 1

    def most_words(doc):  # every word, or at least half of them (shown beneath, as related practices)
        return every_word(doc) or sum(w in doc["words"] for w in words) >= most

    def found(matches):
        return {d["slug"] for d in docs if matches(d) and all(set(d[f]) & set(v) for f, v in filters.items())}

    result = e.search(q, filters, per_page=200)
    if found(every_word) or not words:
        match, matches = "all", most_words
    elif found(most_words):
        match, matches = "some", most_words
    elif found(some_word):
        match, matches = "some", some_word
    else:  # nothing to show; the counts say what the other values of each facet would find
        match, matches = "none", every_word
    assert result.match == match
    assert set(slugs(result)) == found(matches) and result.total == len(found(matches))
    assert result.facets == brute_force_counts(docs, matches, filters)


def test_the_brute_force_cases_cover_every_kind_of_match(random_corpus):
    e, _ = random_corpus
    kinds = {e.search(q, f).match for q, f in [("alpha", {}), ("alpha 1999", {}), ("tango", {"county": ["Nowhere"]})]}
    assert kinds == {"all", "some", "none"}


# ----- sorting and pages ------------------------------------------------------------------------------------


def test_sort_newest_and_title(engine):
    newest = slugs(search(engine, "", sort="newest"))
    assert newest == [d["slug"] for d in sorted(CORPUS, key=lambda d: d["published_at"], reverse=True)]
    titles = [BY_SLUG[s]["title"] for s in slugs(search(engine, "", sort="title"))]
    assert titles == sorted(titles, key=str.casefold)
    assert titles.index("Raising A-G completion") > titles.index("Newcomer pathways")


def test_title_sort_ignores_case(tmp_path):
    e = SearchEngine(tmp_path)
    e.rebuild([practice("c", "cherry practice"), practice("b", "Banana practice"), practice("a", "apple practice")])
    assert slugs(search(e, "practice", sort="title")) == ["a", "b", "c"]


def test_relevance_scores_descend(engine):
    result = search(engine, "students")
    scores = [h.score for h in result.hits]
    assert len(scores) > 3 and scores == sorted(scores, reverse=True)


def test_pages_partition_the_results(engine):
    all_hits = slugs(engine.search("", {}, sort="title", per_page=100))
    pages = [slugs(engine.search("", {}, sort="title", page=p, per_page=5)) for p in (1, 2, 3, 4, 5)]
    assert [s for page in pages for s in page] == all_hits
    assert engine.search("", {}, page=99, per_page=5).hits == []
    assert engine.search("", {}, page=99, per_page=5).total == len(CORPUS)


def test_bad_arguments_are_errors(engine):
    with pytest.raises(ValueError):
        engine.search("x", {}, sort="random")
    with pytest.raises(ValueError):
        engine.search("x", {}, page=0)


def test_result_types(engine):
    result = engine.search("PBIS", {})
    assert isinstance(result.hits[0], Hit) and result.page == 1 and result.per_page == 20
    assert list(result.facets) == list(FACETS)
    counts = result.facets["priority"]
    assert list(counts.values()) == sorted(counts.values(), reverse=True)
