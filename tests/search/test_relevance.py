"""Relevance on hand-made corpora: synonyms as concepts, additive expansions, partial matches beneath complete
ones, question words, tag words, nearby words, exact quoted phrases, typo corrections that are typos."""

from __future__ import annotations

import pytest

from clearinghouse.search import query
from clearinghouse.search.engine import SearchEngine
from clearinghouse.search.synonyms import SYNONYMS

from .documents import complete, practice, search, slugs

# ----- every synonym entry --------------------------------------------------------------------------------


def _entry_id(entry):
    return entry[0].lstrip("~<")


@pytest.mark.parametrize("entry", SYNONYMS, ids=_entry_id)
def test_each_synonym_entry_finds_every_member_and_no_decoy(tmp_path, entry):
    members = [m.lstrip("~<") for m in entry]
    broader = {m.lstrip("<") for m in entry if m.startswith("<")}
    docs = [practice(f"m{i}", "A practice", f"Our work on {m} this year.") for i, m in enumerate(members)]
    # The decoy has the words of every member, but never a member: scattered, in reverse order, short acronyms
    # in lower case (so not written as acronyms; four letters or more in lower case are the acronym, below).
    words = [w for m in members if " " in m or "-" in m for w in reversed(m.replace("-", " ").split())]
    words += [m.lower() for m in members if m.isupper() and (len(m) < 4 or m.lower() in query.ORDINARY_WORDS)]
    decoy = " Then many other things happened there. ".join(words)
    docs.append(practice("decoy", "Notes", "", decoy))
    e = SearchEngine(tmp_path)
    e.rebuild(docs)
    for i, typed in enumerate(members):
        found = set(slugs(search(e, typed)))
        assert "decoy" not in found, typed
        for j, other in enumerate(members):
            if other in broader and i != j:
                assert f"m{j}" not in found, (typed, other)  # a broader word is not found from the others
            else:
                assert f"m{j}" in found, (typed, other)
    e.close()


def test_expansions_rank_below_the_words_typed(tmp_path):
    e = SearchEngine(tmp_path)
    e.rebuild([
        practice("synonym", "A practice", "Our work on chronic absence this year."),
        practice("typed", "A practice", "Our work on chronic absenteeism this year."),
    ])
    assert slugs(search(e, "chronic absenteeism")) == ["typed", "synonym"]
    assert slugs(search(e, "chronic absence")) == ["synonym", "typed"]
    e.close()


def test_no_expansion_is_a_bare_common_word():
    common = {"attend", "support", "plan", "team", "student", "school", "learn", "educ", "program", "offic"}
    for entry in SYNONYMS:
        for member in entry:
            if member.startswith("<"):
                continue  # a broader word ("attendance") is searched only when typed
            for group in query.parse(member):
                expansions = [a.terms[0] for a in group.alts if a.weight < query.TYPED and not a.is_phrase]
                assert not set(expansions) & common, (member, expansions)


# ----- an expansion adds to what was typed -------------------------------------------------------------------


@pytest.fixture(scope="module")
def lower(tmp_path_factory):
    e = SearchEngine(tmp_path_factory.mktemp("lower"))
    e.rebuild([
        practice("eld", "Rebuilding the block", "Minutes for the eld block and our lcap goals."),
        practice("ELD", "Designated ELD", "English language development every day."),
        practice("pdsa", "Cycles", "Three pdsa cycles on readiness."),
        practice("dorado", "El Dorado", "A district in El Dorado."),
        practice("mtss", "A tiered support team", "What staff now call our mtss."),
        practice("avid", "Reading clubs", "Avid readers meet weekly."),
    ])
    yield e
    e.close()


@pytest.mark.parametrize("q, expected", [
    ("eld", {"eld", "ELD"}), ("lcap", {"eld"}), ("pdsa", {"pdsa"}), ("ELD", {"ELD"}),
    # Four capitals or more also find the acronym written in lower case; not an ordinary word ("avid").
    ("MTSS", {"mtss"}), ("LCAP", {"eld"}), ("PDSA", {"pdsa"}), ("AVID", set()),
])
def test_a_lower_case_acronym_keeps_the_word_typed(lower, q, expected):
    assert set(slugs(search(lower, q))) == expected


def test_a_two_letter_lower_case_acronym_does_not_match_a_name(lower):
    assert "dorado" not in slugs(search(lower, "els"))


# ----- beyond the exact match --------------------------------------------------------------------------------


def test_related_practices_come_beneath_the_complete_ones_marked(tmp_path):
    e = SearchEngine(tmp_path)
    e.rebuild([
        practice("two-of-three", "Home visits for families", "Home visits every week."),
        practice("all", "Home visits for foster families", "Visits at home."),
        practice("one", "Families", "Family nights."),
    ])
    result = search(e, "home visits foster")
    assert result.match == "all" and result.total == 2
    assert slugs(result) == ["all", "two-of-three"]
    assert [h.complete for h in result.hits] == [True, False]
    assert complete(result) == ["all"]
    e.close()


# ----- questions in plain words, tags ------------------------------------------------------------------------


def test_a_plain_words_question_ranks_the_right_practice_first(tmp_path):
    e = SearchEngine(tmp_path)
    e.rebuild([
        practice("city-foster", "Mentors for foster youth", "A city district cut chronic absence among foster youth.",
                 locale=["city"], student_group=["foster_youth"]),
        practice("rural-all", "Home visits in a small district", "How did we reduce chronic absence? Home visits.",
                 locale=["rural"]),
        practice("target", "Attendance mentors",
                 "Mentors cut chronic absence among foster youth in our small district.",
                 locale=["rural"], student_group=["foster_youth"]),
        practice("wordy", "How did a small team do it", "What did we do? How did it go? Among many things, a lot."),
    ])
    result = search(e, "how did a small rural district reduce chronic absence among foster youth")
    assert result.hits[0].slug == "target"
    assert "wordy" not in slugs(result)[:3]
    e.close()


def test_a_tag_counts_as_the_word_it_names(tmp_path):
    e = SearchEngine(tmp_path)
    e.rebuild([
        practice("tagged", "Home visits", "Visits to families.", locale=["rural"]),
        practice("untagged", "Home visits", "Visits to families.", locale=["city"]),
    ])
    result = search(e, "rural home visits")
    assert result.match == "all" and complete(result) == ["tagged"]
    e.close()


# ----- proximity and phrases ---------------------------------------------------------------------------------


def test_words_next_to_each_other_rank_above_scattered_ones(tmp_path):
    e = SearchEngine(tmp_path)
    e.rebuild([
        practice("scattered", "A practice", "", sections={"journey": "Visits were weekly. We started.",
                                                           "actions": "The home office helped. Then more."}),
        practice("nearby", "A practice", "", sections={"journey": "We started home visits weekly.",
                                                        "actions": "The office helped. Then more."}),
    ])
    assert slugs(search(e, "home visits")) == ["nearby", "scattered"]
    e.close()


def test_a_quoted_phrase_is_exact(tmp_path):
    e = SearchEngine(tmp_path)
    e.rebuild([
        practice("exact", "A practice", "We cut chronic absence."),
        practice("synonym", "A practice", "Fewer students were chronically absent."),
        practice("scattered", "A practice", "A chronic illness, and the absence of a nurse."),
    ])
    assert slugs(search(e, '"chronic absence"')) == ["exact"]
    assert set(slugs(search(e, "chronic absence"))) == {"exact", "synonym"}
    e.close()


# ----- typos -------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def typos(tmp_path_factory):
    e = SearchEngine(tmp_path_factory.mktemp("typos"))
    e.rebuild([
        practice("a", "Across the district", "The ELD block and attendance across schools; a person in charge."),
        practice("b", "Transforming schedules", "We completed the work and improved attendance."),
        practice("c", "Social emotional learning", "Students with disabilities and emergent bilingual students."),
    ])
    yield e
    e.close()


@pytest.mark.parametrize("q", ["quantum lacrosse spaceship", "black students", "teacher pension",
                               "transportation bus", "composting food"])
def test_no_correction_into_an_unrelated_word(typos, q):
    result = search(typos, q)
    assert result.suggestion is None and result.corrections == {}, result.suggestion


def test_nothing_matches_is_said_plainly(typos):
    result = search(typos, "quantum lacrosse spaceship")
    assert (result.match, result.total, result.suggestion) == ("none", 0, None)


@pytest.mark.parametrize("q, fixed", [
    ("attendence", "attendance"), ("socail emotional learning", "social emotional learning"),
    ("emergent bilingal", "emergent bilingual"),
])
def test_a_typo_is_corrected_and_the_corrected_query_runs_with_its_synonyms(typos, q, fixed):
    result = search(typos, q)
    assert result.suggestion == fixed
    assert set(slugs(result)) == set(slugs(search(typos, fixed)))
    assert search(typos, q, correct=False).suggestion is None
