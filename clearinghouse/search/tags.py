"""Words of a query that name a vocabulary value: "rural", "foster youth", "middle school", "charter", "Kern".

A practice tagged with the value counts as having that word (a write-up from a rural district need
not say "rural") and ranks a little higher, so tags help rank, not only filter. The values and their
labels come from clearinghouse/taxonomy.py; ALIASES adds the other ways people write some of them.
Only short, unambiguous names are used: the long labels of topics and priorities are left out.
"""

from __future__ import annotations

from functools import lru_cache

from clearinghouse import taxonomy
from clearinghouse.search import analysis

# Facets whose labels are names people type ("Rural", "Foster youth", "Kern").
NAMED_FACETS = ("locale", "lea_type", "county", "student_group")
ALIASES: dict[tuple[str, str], tuple[str, ...]] = {
    ("grade_span", "prek"): ("preschool", "pre-K", "prekindergarten", "transitional kindergarten"),
    ("grade_span", "k_5"): ("elementary", "elementary school"),
    ("grade_span", "6_8"): ("middle school", "junior high"),
    ("grade_span", "9_12"): ("high school",),
    ("lea_type", "charter"): ("charter", "charter school"),
    ("lea_type", "county_office"): ("county office",),
    ("locale", "city"): ("urban",),
    ("locale", "suburb"): ("suburban",),
    ("locale", "town"): ("small town", "small-town"),
    ("student_group", "english_learners"): ("English learner", "English language learner",
                                            "emergent bilingual", "multilingual learner"),
    ("student_group", "students_with_disabilities"): ("special education",),
    ("student_group", "homeless"): ("homeless", "homelessness"),
    ("student_group", "socioeconomically_disadvantaged"): ("low-income",),
}
SKIPPED = frozenset({("student_group", "all_students"), ("lea_type", "district")})  # too common to say anything


def _terms(text: str) -> tuple[str, ...]:
    return tuple(t.term for t in analysis.tokens(text) if t.term)


@lru_cache(maxsize=1)
def table() -> dict[tuple[str, ...], list[tuple[str, str]]]:
    """term sequence -> [(facet, value)] it names."""
    out: dict[tuple[str, ...], list[tuple[str, str]]] = {}
    names: dict[tuple[str, str], set[str]] = {}
    for facet in NAMED_FACETS:
        for code, label in taxonomy.VOCABULARIES[facet].values.items():
            names.setdefault((facet, code), set()).add(label)
    for key, aliases in ALIASES.items():
        names.setdefault(key, set()).update(aliases)
    for key, labels in names.items():
        if key in SKIPPED:
            continue
        for label in labels:
            terms = _terms(label)
            if terms and key not in out.setdefault(terms, []):
                out[terms].append(key)
    return out


def named(text: str, spans: list[tuple[int, int]]) -> list[tuple[str, str, list[int]]]:
    """(facet, value, indexes of the spans it covers) for each vocabulary value named in a query's
    text; spans are the character spans of the query's groups. Longest names first, no overlaps."""
    found = table()
    longest = max((len(k) for k in found), default=0)
    toks = [t for t in analysis.tokens(text) if t.term]
    out = []
    i = 0
    while i < len(toks):
        for n in range(min(longest, len(toks) - i), 0, -1):
            key = tuple(t.term for t in toks[i : i + n])
            if key in found:
                start, end = toks[i].start, toks[i + n - 1].end
                covered = [j for j, (s, e) in enumerate(spans) if s < end and e > start]
                out.extend((facet, value, covered) for facet, value in found[key])
                i += n
                break
        else:
            i += 1
    return out
