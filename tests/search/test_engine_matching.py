"""What a query finds: fields and weights, stemming, synonyms, acronyms, phrases, every word or most."""

from __future__ import annotations

import random

import pytest

from clearinghouse.search.engine import SearchEngine

from .documents import BY_SLUG, CORPUS, complete, practice, search, slugs, well_formed

# ----- what is searched, and how it is weighted --------------------------------------------------------


@pytest.mark.parametrize(
    "where, word",
    [("title", "quokka"), ("summary", "wombat"), ("problem", "numbat"), ("root_causes", "bilby"),
     ("journey", "dingo"), ("actions", "dugong"), ("outcomes", "kookaburra"), ("lessons", "platypus"),
     ("keywords", "echidna"), ("lea_name", "wallaby")],
)
def test_every_field_is_searched(tmp_path, where, word):
    sections = {name: f"Plain words about {name}." for name in
                ("problem", "root_causes", "journey", "actions", "outcomes", "lessons")}
    doc = practice("target", "A title", "A summary.", sections=sections)
    if where in sections:
        doc["sections"][where] += f" And {word}."
    elif where == "keywords":
        doc["keywords"] = [word]
    elif where == "lea_name":
        doc["lea_name"] = f"{word.title()} Unified"
    else:
        doc[where] += f" {word}"
    e = SearchEngine(tmp_path)
    e.rebuild([doc, practice("other", "Other", "Nothing here.")])
    assert slugs(search(e, word)) == ["target"]


def test_title_and_summary_weigh_more_than_the_body(tmp_path):
    filler = " ".join(["Plain filler sentence about schools."] * 6)
    docs = [
        practice("in-body", "Tutoring program", "A district program.", f"{filler} The wombat method. {filler}"),
        practice("in-title", "The wombat method", "A district program.", f"{filler} {filler}"),
        practice("in-summary", "Tutoring program", "The wombat method for districts.", f"{filler} {filler}"),
    ]
    e = SearchEngine(tmp_path)
    e.rebuild(docs)
    result = search(e, "wombat")
    assert slugs(result) == ["in-title", "in-summary", "in-body"]
    assert result.hits[0].score > result.hits[1].score > result.hits[2].score > 0


# ----- stemming, synonyms, acronyms, phrases --------------------------------------------------------------


@pytest.mark.parametrize(
    "q, expected",
    [
        ("suspensions", {"pbis-suspensions"}),  # the doc says "suspended" too; "suspension" only in one
        ("suspended", {"pbis-suspensions"}),
        ("reclassify", {"el-leaders", "newcomers"}),  # "reclassification" and "reclassify"/"reclassified"
        ("reclassification", {"el-leaders", "newcomers"}),
        ("counselor", {"truancy-board", "a-g"}),
    ],
)
def test_stemming(engine, q, expected):
    assert expected <= set(slugs(search(engine, q)))


def test_suspensions_finds_a_document_that_only_says_suspended(tmp_path):
    e = SearchEngine(tmp_path)
    e.rebuild([practice("only-suspended", "Discipline", "Fewer students were suspended.")])
    assert slugs(search(e, "suspensions")) == ["only-suspended"]


@pytest.mark.parametrize(
    "q, expected",
    [
        ("EL", {"el-leaders", "newcomers"}),  # "English Learners", "ELs"; "Multilingual learners"
        ("ELL", {"el-leaders", "newcomers"}),
        ("ells", {"el-leaders", "newcomers"}),
        ("English language learner", {"el-leaders", "newcomers"}),
        ("emergent bilingual", {"el-leaders", "newcomers"}),
        ("multilingual learners", {"el-leaders", "newcomers"}),
        ("SWD", {"inclusion"}),
        # pbis-suspensions is tagged "Students with disabilities": a tag counts as the words of its name
        ("special education", {"inclusion", "pbis-suspensions"}),
        ("IEP", {"inclusion"}),
        ("students with disabilities", {"inclusion", "pbis-suspensions"}),
        ("FY", {"foster-liaisons"}),
        ("foster youth", {"foster-liaisons"}),
        ("PBIS", {"pbis-suspensions"}),
        ("positive behavior interventions and supports", {"pbis-suspensions"}),
        ("SEL", {"sel"}),
        ("social emotional learning", {"sel"}),
        ("PLC", {"plc"}),
        ("professional learning community", {"plc"}),
        ("MTSS", {"mtss"}),
        ("multi-tiered systems of supports", {"mtss"}),
        ("CI", {"mtss"}),
        ("PDSA", {"mtss", "plc"}),
        ("plan do study act", {"mtss", "plc"}),
        ("chronic absenteeism", {"attendance-outreach", "truancy-board"}),
        ("attendance", {"attendance-outreach", "truancy-board"}),
        ("truancy", {"attendance-outreach", "truancy-board"}),
        ("exclusionary discipline", {"pbis-suspensions", "restorative"}),
        ("suspension", {"pbis-suspensions", "restorative"}),
        ("A-G", {"a-g"}),
        ("a–g", {"a-g"}),
        ("CTE", {"a-g"}),
        ("career technical education", {"a-g"}),
        ("dual enrollment", {"a-g"}),
        ("ELD", {"el-leaders"}),
        ("English language development", {"el-leaders"}),
        ("TK", {"tk"}),
        ("transitional kindergarten", {"tk"}),
    ],
)
def test_synonyms_and_acronyms(engine, q, expected):
    result = search(engine, q)
    assert result.match == "all"
    assert set(slugs(result)) == expected


def test_short_acronyms_do_not_match_ordinary_words(engine):
    # el-dorado-math has "El Dorado", "elementary", "FY 2023-24" (a fiscal year), "Civic",
    # and "English teachers and the learners" (not the phrase "English learners").
    for q in ("EL", "FY", "CI", "English learners"):
        assert "el-dorado-math" not in slugs(search(engine, q)), q
    assert complete(search(engine, "El Dorado")) == ["el-dorado-math"]


def test_multi_word_synonyms_match_as_phrases(tmp_path):
    e = SearchEngine(tmp_path)
    e.rebuild([
        practice("apart", "Learners first", "English is taught in the morning."),
        practice("together", "Morning routines", "English learners read first."),
    ])
    assert slugs(search(e, "EL")) == ["together"]
    assert slugs(search(e, "English learner")) == ["together"]


def test_quoted_phrases_match_as_phrases(engine):
    assert slugs(search(engine, '"root cause analysis"')) == ["root-cause"]
    assert set(slugs(search(engine, "root cause analysis"))) == {"root-cause", "scattered"}
    assert slugs(search(engine, '"analysis root cause"')) == []


def test_quoted_phrase_does_not_expand_synonyms(engine):
    assert slugs(search(engine, '"English learners"')) == ["el-leaders"]


# ----- every word first, then most words ------------------------------------------------------------------


def test_every_word_matching_comes_first(engine):
    result = search(engine, "foster graduation")
    assert result.match == "all" and slugs(result) == ["foster-liaisons"]


def test_a_synonym_group_counts_as_one_word(engine):
    result = search(engine, "english learners reclassification")
    assert result.match == "all"
    assert set(slugs(result)) == {"el-leaders", "newcomers"}


def test_fallback_to_most_words_when_none_has_all(engine):
    # No document has all three; "inclusion" has two of them (IEP, reading), the others one.
    result = search(engine, "IEP reading hearings")
    assert result.match == "some"
    assert result.hits[0].slug == "inclusion"
    # Only those with at least half of the words: truancy-board has "hearings" only.
    assert slugs(result) == ["inclusion"] and not result.hits[0].complete


def test_nothing_matches(engine):
    result = search(engine, "xylophone zeppelin")
    assert (result.match, result.total, result.hits) == ("none", 0, [])
    assert all(count == 0 for counts in result.facets.values() for count in counts.values())


def test_empty_query_lists_everything_under_the_filters(engine):
    everything = search(engine, "")
    assert everything.match == "all" and everything.total == len(CORPUS)
    filtered = search(engine, "  ", filters={"county": ["Tulare"]})
    assert set(slugs(filtered)) == {"attendance-outreach", "truancy-board"}


# ----- any text is safe -----------------------------------------------------------------------------------


JUNK = [
    '"', '"unbalanced', 'unbalanced"', '""', '" "', "(", ")", "((a", "a AND b", "AND", "OR NOT", "NOT",
    "*", "?", "math*", "te?cher", ":", "title:math", "county:Kern", "-", "- -", "--math", "+math",
    "a OR (b AND NOT c)", "[", "]", "{", "}", "^", "~", "math~2", "\\", "\\\\", "/", "'", "'quoted'",
    "\x00", "\u200b", "\ufeff", "😀 math", "日本語の検索", "العربية", "Ελληνικά", "e\u0301cole",
    ".*+?[](){}|^$", "%s %d {0}", "<script>alert(1)</script>", "&amp;", "a" * 500,
    " ".join(["the"] * 300), "EL " * 400, '"' * 1000, "x:" * 700, "(" * 1000 + ")" * 999,
    "".join(chr(c) for c in range(32, 2000)), "math " * 400, "ab-cd-ef" * 250,
]


@pytest.mark.parametrize("q", JUNK, ids=range(len(JUNK)))
@pytest.mark.parametrize("sort", ["relevance", "newest", "title"])
def test_any_text_is_safe(engine, q, sort):
    result = engine.search(q, {"county": ["Kern"]}, sort=sort)
    well_formed(result, per_page=20)
    assert all(BY_SLUG[h.slug]["county"] == ["Kern"] for h in result.hits)


def test_two_thousand_characters_of_junk_get_a_well_formed_answer(engine):
    rng = random.Random(3)
    alphabet = 'abcdefghijklmnopqrstuvwxyz ABCDEF"():*?-+\\/[]{}<>&|!~^'
    matches = set()
    for _ in range(20):
        q = "".join(rng.choice(alphabet) for _ in range(2000))
        result = engine.search(q, {}, per_page=100)
        well_formed(result, per_page=100)
        matches.add(result.match)
    assert "all" not in matches  # no write-up has the 24 random "words" searched


@pytest.mark.parametrize("sort", ["relevance", "newest", "title"])
def test_when_no_document_has_every_word_more_words_matched_rank_first(tmp_path, sort):
    e = SearchEngine(tmp_path)
    e.rebuild([
        practice("one-a", "Alpha and delta only", days=3),
        practice("two", "Alpha, bravo and charlie", days=1),
        practice("one-b", "Bravo and delta only", days=2),
        practice("none", "Delta"),  # one word of four: not shown
    ])
    result = e.search("alpha bravo charlie delta", {}, sort=sort)
    assert result.match == "some" and result.total == 3
    assert slugs(result)[0] == "two"
    assert set(slugs(result)[1:]) == {"one-a", "one-b"}
    if sort != "relevance":  # "Alpha only" is both newer and first by title
        assert slugs(result)[1:] == ["one-a", "one-b"]
