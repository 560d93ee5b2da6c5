"""The search engine on a small corpus with known right answers.

Each test names the behaviour it proves; the corpus is written so that exactly the documents named
in a test should (or should not) match.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from clearinghouse.search import highlight as highlight_module
from clearinghouse.search.engine import FACETS, Hit, IndexBusy, SearchEngine, SearchResult
from clearinghouse.search.storage import IndexFolder

T0 = datetime(2023, 1, 1, tzinfo=UTC)


def practice(slug, title, summary="", body="", *, keywords=(), lea="Harbor Unified School District",
             days=0, sections=None, **facets):
    doc = {
        "slug": slug,
        "stamp": f"stamp-{slug}",
        "title": title,
        "summary": summary,
        "lea_name": lea,
        "sections": sections if sections is not None else {"journey": body},
        "keywords": list(keywords),
        "published_at": T0 + timedelta(days=days),
    }
    for facet in FACETS:
        doc[facet] = list(facets.get(facet, []))
    return doc


CORPUS = [
    practice(
        "el-leaders", "Teacher leaders for English learners",
        "Teacher leaders coached colleagues on designated ELD; reclassification rose by six points.",
        "Our English Learners needed more time with academic language. ELs met in small groups.",
        days=10, priority=["2", "4"], student_group=["english_learners"], grade_span=["6_8", "9_12"],
        indicator=["ela", "el_progress"], topic=["el_instruction", "leadership"], tier=["tier1"],
        evidence=["local"], locale=["city"], lea_type=["district"], county=["Orange"],
    ),
    practice(
        "el-dorado-math", "Mathematics pathways in the foothills",
        "A high school district aligned its mathematics courses and budget.",
        "El Dorado families asked for more courses. The FY 2023-24 budget paid for tutors in elementary "
        "classrooms. Civic groups helped. The English teachers and the learners met twice.",
        lea="El Dorado Union High School District", days=20, priority=["4", "7"],
        student_group=["all_students"], grade_span=["9_12"], indicator=["math"], topic=["math"],
        tier=["tier1"], evidence=["promising"], locale=["rural"], lea_type=["district"],
        county=["El Dorado"],
    ),
    practice(
        "pbis-suspensions", "Fewer suspensions with PBIS",
        "A middle school cut out-of-school suspensions in half.",
        "Students were suspended less often once positive behavioral interventions and supports began.",
        days=30, priority=["6"], student_group=["african_american", "students_with_disabilities"],
        grade_span=["6_8"], indicator=["suspension"], topic=["behavior_pbis", "school_climate"],
        tier=["tier1", "tier2"], evidence=["moderate"], locale=["suburb"], lea_type=["district"],
        county=["Kern"],
    ),
    practice(
        "restorative", "Restorative circles instead of exclusion",
        "Staff replaced exclusionary discipline with restorative conversations.",
        "Referrals fell over two years.", days=40, priority=["6"], student_group=["all_students"],
        grade_span=["9_12"], indicator=["suspension"], topic=["school_climate"], tier=["tier2"],
        evidence=["local"], locale=["city"], lea_type=["charter"], county=["Los Angeles"],
    ),
    practice(
        "attendance-outreach", "Home visits that brought students back",
        "Family liaisons called home on the second absence.",
        "Chronic absenteeism fell from 21 percent to 14 percent in two years.", days=50,
        priority=["5"], student_group=["socioeconomically_disadvantaged"], grade_span=["k_5"],
        indicator=["chronic_absenteeism"], topic=["attendance", "family_engagement"], tier=["tier2"],
        evidence=["local"], locale=["town"], lea_type=["district"], county=["Tulare"],
    ),
    practice(
        "truancy-board", "A school attendance review board that listens",
        "Counselors met families before any referral for truancy.", "Hearings moved to the evening.",
        days=60, priority=["5"], student_group=["all_students"], grade_span=["9_12"],
        indicator=["chronic_absenteeism"], topic=["attendance"], tier=["tier3"], evidence=["rationale"],
        locale=["rural"], lea_type=["county_office"], county=["Tulare"],
    ),
    practice(
        "foster-liaisons", "Liaisons for foster youth",
        "Each FY student had one adult who tracked credits.", "Foster youth graduation rose.", days=70,
        priority=["10"], student_group=["foster_youth"], grade_span=["9_12"], indicator=["graduation"],
        topic=["credit_recovery"], tier=["tier3"], evidence=["local"], locale=["city"],
        lea_type=["county_office"], county=["Fresno"],
    ),
    practice(
        "inclusion", "Co-teaching for students with disabilities",
        "General and special education teachers planned together.",
        "Every IEP team set one reading goal.", days=80, priority=["4"],
        student_group=["students_with_disabilities"], grade_span=["k_5", "6_8"], indicator=["ela"],
        topic=["special_education"], tier=["tier1"], evidence=["promising"], locale=["suburb"],
        lea_type=["district"], county=["San Diego"],
    ),
    practice(
        "mtss", "Building a multi-tiered system of supports",
        "Schools screened every student three times a year.",
        "Our multi-tiered systems of support teams met weekly. The PDSA cycle guided changes.",
        keywords=["continuous improvement"], days=90, priority=["4", "5"], student_group=["all_students"],
        grade_span=["k_5"], indicator=["ela", "math"], topic=["mtss", "continuous_improvement"],
        tier=["tier1", "tier2", "tier3"], evidence=["local"], locale=["city"], lea_type=["district"],
        county=["Sacramento"],
    ),
    practice(
        "plc", "Professional learning communities that look at student work",
        "Grade-level teams used plan-do-study-act cycles.", "PLC meetings protected weekly time.",
        days=100, priority=["2"], student_group=["all_students"], grade_span=["k_5"], indicator=["ela"],
        topic=["collaboration_plc", "professional_learning"], tier=["tier1"], evidence=["local"],
        locale=["suburb"], lea_type=["district"], county=["Sacramento"],
    ),
    practice(
        "a-g", "Raising A-G completion",
        "Counselors audited transcripts; CTE pathways and dual enrollment grew.",
        "Career technical education courses now count toward a–g.", days=110, priority=["7", "8"],
        student_group=["hispanic"], grade_span=["9_12"], indicator=["college_career"],
        topic=["college_career"], tier=["tier1"], evidence=["local"], locale=["town"],
        lea_type=["district"], county=["Merced"],
    ),
    practice(
        "newcomers", "Newcomer pathways",
        "Students learned how to reclassify and what the ELPAC measures.",
        "Multilingual learners who reclassified kept support.", days=120, priority=["4"],
        student_group=["english_learners"], grade_span=["9_12"], indicator=["el_progress"],
        topic=["el_instruction"], tier=["tier2"], evidence=["local"], locale=["city"],
        lea_type=["district"], county=["Orange"],
    ),
    practice(
        "family-nights", "<script>alert('x')</script> Family nights",
        "Parents & families <b>engaged</b> in math games.", "Family math nights ran monthly.",
        days=130, priority=["3"], student_group=["all_students"], grade_span=["k_5"],
        indicator=["family_engagement"], topic=["family_engagement", "math"], tier=["tier1"],
        evidence=["local"], locale=["city"], lea_type=["charter"], county=["Alameda"],
    ),
    practice(
        "tk", "Opening transitional kindergarten classrooms",
        "Three sites opened TK rooms.", "Teachers earned early childhood units.", days=140,
        priority=["1"], student_group=["all_students"], grade_span=["prek"], indicator=["basics"],
        topic=["early_learning"], tier=["tier1"], evidence=["local"], locale=["rural"],
        lea_type=["district"], county=["Kern"],
    ),
    practice(
        "sel", "Advisory periods for social-emotional learning",
        "Every student met an adult daily.", "Climate survey results improved in belonging.", days=150,
        priority=["6"], student_group=["all_students"], grade_span=["6_8"], indicator=["climate_survey"],
        topic=["school_climate"], tier=["tier1"], evidence=["local"], locale=["suburb"],
        lea_type=["district"], county=["Marin"],
    ),
    practice(
        "root-cause", "Starting with a root cause analysis",
        "The team interviewed students first.", "A root cause analysis showed schedules were the problem.",
        days=160, priority=["4"], student_group=["all_students"], grade_span=["6_8"], indicator=["math"],
        topic=["data_use", "continuous_improvement"], tier=["tier1"], evidence=["local"], locale=["city"],
        lea_type=["district"], county=["Fresno"],
    ),
    practice(
        "scattered", "Analysis of the budget",
        "Each cause was listed.", "The root of the matter: cause and analysis are separate here.",
        days=170, priority=["1"], student_group=["all_students"], grade_span=["9_12"], indicator=["basics"],
        topic=["fiscal"], tier=["tier1"], evidence=["local"], locale=["town"], lea_type=["district"],
        county=["Napa"],
    ),
]
BY_SLUG = {d["slug"]: d for d in CORPUS}


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    e = SearchEngine(tmp_path_factory.mktemp("index"))
    e.rebuild(CORPUS, total=len(CORPUS))
    yield e
    e.close()


def slugs(result: SearchResult) -> list[str]:
    return [h.slug for h in result.hits]


def search(engine, q, **kw) -> SearchResult:
    kw.setdefault("per_page", 100)
    return engine.search(q, kw.pop("filters", {}), **kw)


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
        ("special education", {"inclusion"}),
        ("IEP", {"inclusion"}),
        ("students with disabilities", {"inclusion"}),
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
    assert slugs(search(engine, "El Dorado")) == ["el-dorado-math"]


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


# ----- typos and suggestions -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "q, suggestion, expected",
    [
        ("reclasification", "reclassification", {"el-leaders", "newcomers"}),
        ("absenteesm", "absenteeism", {"attendance-outreach"}),
        # "mathematics" brings its word family: "math" in family-nights
        ("mathmatics", "mathematics", {"el-dorado-math", "family-nights"}),
        ("Mathmatics pathways", "Mathematics pathways", {"el-dorado-math"}),
    ],
)
def test_typos_find_results_and_suggest(engine, q, suggestion, expected):
    result = search(engine, q)
    assert result.match == "all" and set(slugs(result)) == expected
    assert result.suggestion == suggestion
    assert result.corrections == {q.split()[0]: suggestion.split()[0]}


def test_no_suggestion_for_words_the_index_knows(engine):
    result = search(engine, "mathematics")
    assert result.suggestion is None and result.corrections == {}


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
    assert {"inclusion", "truancy-board"} <= set(slugs(result))


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
    assert result.match in ("all", "some", "none")
    assert set(result.facets) == set(FACETS)


def test_two_thousand_characters_of_junk(engine):
    import random

    rng = random.Random(3)
    alphabet = 'abcdefghijklmnopqrstuvwxyz ABCDEF"():*?-+\\/[]{}<>&|!~^'
    for _ in range(20):
        q = "".join(rng.choice(alphabet) for _ in range(2000))
        engine.search(q, {})


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
    import random

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
        ("tango", {"county": ["Nowhere"]}),
    ],
)
def test_facet_counts_equal_a_brute_force_count(random_corpus, q, filters):
    e, docs = random_corpus
    words = q.split()

    def matches(doc):
        return all(w in doc["words"] for w in words)

    result = e.search(q, filters, per_page=200)
    expected_hits = {d["slug"] for d in docs if matches(d) and all(set(d[f]) & set(v) for f, v in filters.items())}
    assert result.match == ("all" if expected_hits or not words else result.match)
    if result.match == "all":
        assert set(slugs(result)) == expected_hits and result.total == len(expected_hits)
        assert result.facets == brute_force_counts(docs, matches, filters)


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
    hit = search(engine, "EL").hits
    assert all("El Dorado" not in h.highlights.get("body", "") or "<mark>El" not in h.highlights["body"] for h in hit)


def test_only_the_page_is_highlighted(engine, monkeypatch):
    calls = []
    original = highlight_module.snippet
    monkeypatch.setattr(highlight_module, "snippet", lambda *a: calls.append(1) or original(*a))
    result = engine.search("students", {}, per_page=2)
    assert result.total > 2 and len(result.hits) == 2 and len(calls) == 2


# ----- the index ---------------------------------------------------------------------------------------------


def test_stamps_and_exists(tmp_path):
    e = SearchEngine(tmp_path / "ix")
    assert not e.exists()
    assert e.search("anything", {}).total == 0  # an empty index is created on first use
    assert not e.exists()
    e.rebuild(CORPUS[:3])
    assert e.exists()
    assert e.stamps() == {d["slug"]: d["stamp"] for d in CORPUS[:3]}
    e.upsert(dict(CORPUS[0], stamp="newer"))
    e.delete(CORPUS[1]["slug"])
    assert e.stamps() == {CORPUS[0]["slug"]: "newer", CORPUS[2]["slug"]: CORPUS[2]["stamp"]}


def test_upsert_and_delete_are_seen_by_another_engine(tmp_path):
    reader, writer = SearchEngine(tmp_path), SearchEngine(tmp_path)
    writer.rebuild(CORPUS[:5])
    assert reader.search("quokka", {}).total == 0
    writer.upsert(practice("new", "The quokka project"))
    assert slugs(reader.search("quokka", {})) == ["new"]
    writer.upsert(practice("new", "The wombat project"))
    assert reader.search("quokka", {}).total == 0 and slugs(reader.search("wombat", {})) == ["new"]
    writer.delete("new")
    assert reader.search("wombat", {}).total == 0
    assert reader.search("", {}).total == 5


def test_rebuild_switches_versions_and_removes_old_ones(tmp_path):
    e = SearchEngine(tmp_path, grace_seconds=0)
    reader = SearchEngine(tmp_path)
    e.rebuild(CORPUS[:2])
    assert reader.search("", {}).total == 2
    progress = []
    e.rebuild(CORPUS, total=len(CORPUS), progress=progress.append)
    assert progress[-1] == len(CORPUS) and progress == sorted(progress)
    assert reader.search("", {}).total == len(CORPUS)
    versions = [p for p in tmp_path.iterdir() if p.is_dir()]
    assert len(versions) == 1


def test_searches_answer_and_writes_are_kept_during_a_rebuild(tmp_path):
    e = SearchEngine(tmp_path)
    other = SearchEngine(tmp_path)
    e.rebuild(CORPUS[:4])
    seen = []

    def docs():
        for i, doc in enumerate(CORPUS):
            if i == 6:
                seen.append(other.search("", {}).total)  # the old index answers meanwhile
                other.upsert(practice("during", "Written during the rebuild: quokka"))
                other.delete(CORPUS[0]["slug"])
            yield doc

    e.rebuild(docs())
    assert seen == [4]
    assert slugs(other.search("quokka", {})) == ["during"]
    assert CORPUS[0]["slug"] not in other.stamps()
    assert other.search("", {}).total == len(CORPUS)  # -1 deleted, +1 added


def test_a_second_rebuild_at_the_same_time_is_refused(tmp_path):
    e = SearchEngine(tmp_path)
    other = SearchEngine(tmp_path)
    errors = []

    def docs():
        try:
            other.rebuild(CORPUS[:1])
        except IndexBusy as exc:
            errors.append(exc)
        yield from CORPUS[:2]

    e.rebuild(docs())
    assert len(errors) == 1 and e.search("", {}).total == 2


def test_a_write_waits_for_the_lock_then_gives_up(tmp_path):
    e = SearchEngine(tmp_path, lock_timeout=0.2, write_attempts=2)
    e.rebuild(CORPUS[:1])
    with IndexFolder(tmp_path).lock():  # another writer holds the index
        other = SearchEngine(tmp_path, lock_timeout=0.2)
        with pytest.raises(IndexBusy):
            other.upsert(CORPUS[1])
    e.upsert(CORPUS[1])
    assert e.search("", {}).total == 2


def test_result_types(engine):
    result = engine.search("PBIS", {})
    assert isinstance(result.hits[0], Hit) and result.page == 1 and result.per_page == 20
    assert list(result.facets) == list(FACETS)
    counts = result.facets["priority"]
    assert list(counts.values()) == sorted(counts.values(), reverse=True)


def test_update_writes_several_changes_in_one_commit(tmp_path):
    e = SearchEngine(tmp_path)
    e.rebuild(CORPUS[:3])
    e.search("", {})
    before = e.status().generation
    e.update(upserts=[practice("n1", "First quokka"), practice("n2", "Second quokka")], deletes=[CORPUS[0]["slug"]])
    assert e.search("quokka", {}).total == 2 and e.status().generation == before + 1
    assert set(e.stamps()) == {"n1", "n2", CORPUS[1]["slug"], CORPUS[2]["slug"]}
    e.update()  # nothing to do: no commit
    assert e.search("", {}).total == 4 and e.status().generation == before + 1


def test_a_journal_left_by_a_rebuild_that_died_is_dropped(tmp_path):
    e = SearchEngine(tmp_path, grace_seconds=0)
    e.rebuild(CORPUS[:2])
    (tmp_path / "journal").write_text("")  # as a killed rebuild leaves it, with its half-built folder
    (tmp_path / "v-half-built").mkdir()
    e.upsert(practice("after", "After the crash"))
    assert not (tmp_path / "journal").exists() and not (tmp_path / "v-half-built").exists()
    assert e.search("", {}).total == 3


def test_a_rebuild_with_duplicate_slugs_fails_and_keeps_the_old_index(tmp_path):
    e = SearchEngine(tmp_path)
    e.rebuild(CORPUS[:2])
    with pytest.raises(ValueError):
        e.rebuild([CORPUS[0], CORPUS[1], dict(CORPUS[0], title="again")])
    assert e.search("", {}).total == 2 and len([p for p in tmp_path.iterdir() if p.is_dir()]) == 1


@pytest.mark.parametrize("sort", ["relevance", "newest", "title"])
def test_when_no_document_has_every_word_more_words_matched_rank_first(tmp_path, sort):
    e = SearchEngine(tmp_path)
    e.rebuild([
        practice("one-a", "Alpha only", days=3),
        practice("two", "Alpha and bravo", days=1),
        practice("one-b", "Bravo only", days=2),
        practice("none", "Delta"),
    ])
    result = e.search("alpha bravo charlie", {}, sort=sort)
    assert result.match == "some" and result.total == 3
    assert slugs(result)[0] == "two"
    assert set(slugs(result)[1:]) == {"one-a", "one-b"}
    if sort != "relevance":  # "Alpha only" is both newer and first by title
        assert slugs(result)[1:] == ["one-a", "one-b"]


def test_an_engine_used_before_a_fork_works_in_both_processes(tmp_path):
    import multiprocessing

    e = SearchEngine(tmp_path)
    e.rebuild(CORPUS)
    assert e.search("PBIS", {}).total == 1  # files open in the parent
    ctx = multiprocessing.get_context("fork")
    out = ctx.Queue()

    def child():
        out.put([e.search(q, {}).total for q in ("PBIS", "EL", "attendance", "")])

    processes = [ctx.Process(target=child) for _ in range(2)]
    for p in processes:
        p.start()
    parent = [e.search(q, {}).total for q in ("PBIS", "EL", "attendance", "")]
    for p in processes:
        p.join(30)
    assert [out.get(timeout=5) for _ in processes] == [parent, parent]
    assert parent == [1, 2, 2, len(CORPUS)]


def test_an_index_of_an_older_format_does_not_count_and_must_be_rebuilt(tmp_path):
    import json

    from clearinghouse.search.engine import IndexOutdated

    e = SearchEngine(tmp_path)
    e.rebuild(CORPUS[:2])
    pointer = json.loads((tmp_path / "CURRENT").read_text())
    (tmp_path / "CURRENT").write_text(json.dumps(dict(pointer, format=0)))
    stale = SearchEngine(tmp_path)
    assert not stale.exists()
    with pytest.raises(IndexOutdated):
        stale.search("x", {})
    with pytest.raises(IndexOutdated):
        stale.upsert(CORPUS[2])
    stale.rebuild(CORPUS[:3])
    assert stale.exists() and stale.search("", {}).total == 3
