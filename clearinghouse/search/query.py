"""From what a person typed to the words to look for: quotes, acronyms, synonyms, word families.

No query parser runs on user text: the text is cut into quoted phrases and plain words by one regex,
words go through the indexing tokenizer, and the result is a list of Groups. A group is one "word" of
the query for every-word matching (a synonym group counts as one word); its alternatives (Alts) are
single terms or phrases, any of which satisfies the group. Whatever the input (quotes unbalanced,
operators, wildcards, field:value, 2,000 characters of anything), the outcome is a list of groups,
possibly empty, never an exception.

Spelling correction needs the index's vocabulary and lives in spelling.py; here a group only says
whether it may be corrected (a plain single word typed outside quotes).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from clearinghouse.search import analysis
from clearinghouse.search.synonyms import SYNONYMS, WORD_FAMILIES

MAX_GROUPS = 24  # words of a query that are searched; the rest of a pasted essay is ignored
MAX_QUERY_CHARS = 2_000
TYPED = 1.0  # weight of what was typed
FAMILY = 0.9  # another form of the same word ("suspended" for "suspensions")
SYNONYM = 0.8  # another way to say it ("English learner" for "EL")
RELATED = 0.5  # a weaker relation, written "~truancy" in synonyms.py
# Acronyms of four letters or more whose lower-case spelling is also an English word ("avid readers").
ORDINARY_WORDS = frozenset({"avid", "sped"})
WEAK = 0.3  # weight of a question word or other filler ("how", "did", "among"): not required

# Words of a question that say little about what is searched: they never decide whether a document
# matches every word, and weigh little in the score (the stop words of analysis.STOP are dropped
# altogether). A query made only of them is searched as typed.
WEAK_WORDS = frozenset(
    """how what which why who whom whose where did do does done doing can could would should might must
    shall has had having been being was were am our ours my mine their theirs they them its his her
    he she i me our any some such very too much many more most less few lot lots get gets getting got
    make makes made help helps helped helping among about into onto over under than then there here
    just also only other others way ways thing things something anything kind sort really please find
    show tell know need needs want wants looking look like reduce reducing reduced improve improving
    improved increase increasing increased use using used work works working best good better new""".split()
)

_QUOTES = str.maketrans({c: '"' for c in "\u201c\u201d\u201e\u201f\u00ab\u00bb\u2033\uff02"})
_QUOTED = re.compile(r'"([^"]*)"')


@dataclass(frozen=True)
class Alt:
    """One way to satisfy a group: a term (one element) or a phrase (several, in order)."""

    terms: tuple[str, ...]
    weight: float

    @property
    def is_phrase(self) -> bool:
        return len(self.terms) > 1


@dataclass
class Group:
    text: str  # as typed
    start: int  # span in the (normalized) query
    end: int
    alts: list[Alt]
    correctable: bool = False
    stem: str | None = None  # the typed word's term, for a correctable group
    correction: str | None = None  # the corrected word, when the engine corrected it
    key: frozenset = field(default=frozenset(), compare=False)
    weak: bool = False  # a question word or filler (WEAK_WORDS): not required, weighs little


@dataclass(frozen=True)
class _Synonyms:
    acronyms: dict[str, int]  # acronym -> group number
    phrases: dict[str, list[tuple[tuple[str, ...], int]]]  # first term -> [(terms, group)], longest first
    members: list[list[Alt]]  # group number -> its members as alternatives (weight TYPED)
    related: list[frozenset]  # group number -> the terms of its weaker ("~") members
    broader: list[frozenset]  # group number -> the terms of its broader ("<") members
    families: dict[str, tuple[str, ...]]  # term -> the terms of its word family


def _member_terms(member: str) -> tuple[str, ...]:
    tokens = analysis.tokens(member)
    if len(tokens) == 1 and analysis.acronym_of(member) == member:
        return (member,)
    return tuple(t.term for t in tokens if t.term)


@lru_cache(maxsize=1)
def synonyms() -> _Synonyms:
    acronyms: dict[str, int] = {}
    phrases: dict[str, list[tuple[tuple[str, ...], int]]] = {}
    members: list[list[Alt]] = []
    related: list[frozenset] = []
    broader: list[frozenset] = []
    for number, group in enumerate(SYNONYMS):
        alts = []
        weaker = set()
        wider = set()
        for written in group:
            member = written.lstrip("~<")
            terms = _member_terms(member)
            if not terms:
                continue
            if written.startswith("~"):
                weaker.add(terms)
            if written.startswith("<"):
                wider.add(terms)
            if not terms:
                continue
            alt = Alt(terms, TYPED)
            if alt not in alts:
                alts.append(alt)
            if terms == (member,):
                acronyms.setdefault(member, number)
            else:
                phrases.setdefault(terms[0], []).append((terms, number))
        members.append(alts)
        related.append(frozenset(weaker))
        broader.append(frozenset(wider))
    for entries in phrases.values():
        entries.sort(key=lambda e: -len(e[0]))
    families: dict[str, tuple[str, ...]] = {}
    for family in WORD_FAMILIES:
        terms = tuple(dict.fromkeys(t for word in family for t in _member_terms(word)))
        for term in terms:
            families[term] = tuple(dict.fromkeys(families.get(term, ()) + terms))
    return _Synonyms(acronyms, phrases, members, related, broader, families)


def synonym_phrases() -> frozenset[tuple[str, ...]]:
    """Every multi-word synonym member, as terms: indexed as single terms by new indexes."""
    return frozenset(a.terms for alts in synonyms().members for a in alts if a.is_phrase)


def normalize(q: str) -> str:
    q = unicodedata.normalize("NFKC", q or "")[:MAX_QUERY_CHARS]
    return q.translate(_QUOTES)


def query_acronym(word: str) -> str | None:
    """The synonym-list acronym a typed word names: "ELs", "ell" and "ELL" name ELL; "El" names none
    (capitalised like a name: "El Dorado")."""
    table = synonyms().acronyms
    written = analysis.acronym_of(word)
    if written:
        return written if written in table else None
    if word.isalpha() and word.islower():
        upper = word.upper()
        if upper in table:
            return upper
        if upper.endswith("S") and upper[:-1] in table:
            return upper[:-1]
    return None


def with_families(alts: list[Alt]) -> list[Alt]:
    families = synonyms().families
    out = list(alts)
    for alt in alts:
        if not alt.is_phrase:
            for term in families.get(alt.terms[0], ()):
                extra = Alt((term,), alt.weight * FAMILY)
                if all(a.terms != extra.terms for a in out):
                    out.append(extra)
    return out


def _synonym_group(number: int, typed: tuple[str, ...], as_typed: str | None = None) -> list[Alt]:
    """A synonym group's alternatives: what was typed first (an acronym typed in lower case also as
    the word typed: "eld" finds a write-up that writes "eld"), then the other members, a little lower
    (a weaker "~" member, or any member when a weaker one was typed, lower still)."""
    syn = synonyms()
    weaker = syn.related[number]
    wider = syn.broader[number]
    expansion = RELATED if typed in weaker | wider else SYNONYM
    alts = [Alt(a.terms, TYPED if a.terms == typed else RELATED if a.terms in weaker else expansion)
            for a in syn.members[number] if a.terms == typed or a.terms not in wider]
    if as_typed and all(a.terms != (as_typed,) for a in alts):
        alts.insert(0, Alt((as_typed,), TYPED))
    alts.sort(key=lambda a: -a.weight)
    return with_families(alts)


def _plain_groups(text: str, offset: int) -> list[Group]:
    syn = synonyms()
    tokens = [t for t in analysis.tokens(text) if t.term]
    groups = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        acronym = query_acronym(tok.text)
        if acronym:
            # An acronym typed in lower case ("eld", not "els") is also the word as typed.
            lower = tok.text.islower() and len(tok.text) >= 3 and tok.text.upper() == acronym
            alts = _synonym_group(syn.acronyms[acronym], (acronym,), tok.term if lower else None)
            if not lower and len(acronym) >= 4 and acronym.lower() not in ORDINARY_WORDS:
                # "MTSS" also finds a write-up that writes "our mtss" (four letters or more in lower case are
                # the acronym, not a word: unlike "eld" or "sel"), a little below the capitals.
                alts = with_families([*alts, Alt((analysis.tokens(acronym.lower())[0].term,), SYNONYM)])
            groups.append(Group(tok.text, offset + tok.start, offset + tok.end, alts))
            i += 1
            continue
        matched = None
        for terms, number in syn.phrases.get(tok.term, ()):
            n = len(terms)
            if tuple(t.term for t in tokens[i : i + n]) == terms:
                matched = (terms, number, n)
                break
        if matched:
            terms, number, n = matched
            last = tokens[i + n - 1]
            alts = _synonym_group(number, terms)
            # A one-word member may be a misspelling that stems like it ("attendence"): spelling.py checks.
            single = n == 1 and tok.text.isalpha() and len(tok.text) >= 4
            groups.append(Group(text[tok.start : last.end], offset + tok.start, offset + last.end, alts,
                                single, tok.term if single else None))
            i += n
            continue
        weak = tok.text.lower() in WEAK_WORDS
        alts = with_families([Alt((tok.term,), WEAK if weak else TYPED)])
        correctable = tok.text.isalpha() and len(tok.text) >= 4 and len(alts) == 1
        groups.append(Group(tok.text, offset + tok.start, offset + tok.end, alts, correctable and not weak,
                            tok.term, weak=weak))
        i += 1
    return groups


def _phrase_group(text: str, offset: int) -> Group | None:
    tokens = [t for t in analysis.tokens(text) if t.term]
    if not tokens:
        return None
    terms = tuple(t.acronym if t.acronym and analysis.acronym_of(t.text) else t.term for t in tokens)
    return Group(f'"{text.strip()}"', offset - 1, offset + len(text) + 1, [Alt(terms, TYPED)])


def parse(q: str) -> list[Group]:
    """The groups of a normalized query (see normalize()), in the order typed, duplicates removed."""
    groups: list[Group] = []
    pos = 0
    for m in _QUOTED.finditer(q):
        groups.extend(_plain_groups(q[pos : m.start()].replace('"', " "), pos))
        phrase = _phrase_group(m.group(1), m.start(1))
        if phrase:
            groups.append(phrase)
        pos = m.end()
    groups.extend(_plain_groups(q[pos:].replace('"', " "), pos))
    out = []
    seen = set()
    for g in groups:
        g.key = frozenset(a.terms for a in g.alts)
        if g.key not in seen:
            seen.add(g.key)
            out.append(g)
    return out[:MAX_GROUPS]


def highlight_terms(groups: list[Group]) -> tuple[frozenset[str], tuple[tuple[str, ...], ...]]:
    """Single terms and phrases to mark in a hit."""
    terms = set()
    phrases = []
    for g in groups:
        for alt in g.alts:
            if alt.is_phrase:
                phrases.append(alt.terms)
            else:
                terms.add(alt.terms[0])
    return frozenset(terms), tuple(dict.fromkeys(phrases))
