"""Turning text into index terms: one tokenizer for indexing, querying and highlighting.

A word becomes its lower-case Porter2 stem ("Suspensions" -> "suspens"); small stop words and single
letters are dropped without taking a position, so phrases match across them ("students with
disabilities" == "students disabilities"). A word written as an acronym ("EL", "ELs", "RtI") also
yields the acronym term in capitals ("EL") at the same position, so acronym searches never match
ordinary words with the same letters ("El Dorado" gives only "el"). Terms listed in
synonyms.HYPHENATED_TERMS ("A-G") stay one word.

Indexing calls this for every word of every document, so the hot path is a regex `findall` and a dict
lookup per token; the work per distinct token is cached.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import NamedTuple

from whoosh.analysis import STOP_WORDS
from whoosh.lang.porter2 import stem as _porter2

from clearinghouse.search.synonyms import HYPHENATED_TERMS, NOT_ACRONYM_BEFORE_NUMBER

_DASHES = "-\u2010\u2011\u2012\u2013\u2014"
TOKEN_RE = re.compile(r"\w+(?:\.\w+)*")
# Hyphenated terms are rewritten to one word before tokenizing ("A-G" -> "A_G": same length, so
# character offsets stay right for highlighting). The cheap hint regex spares most texts the rewrite.
_JOIN = "_"
DASH_CLASS = "[" + re.escape(_DASHES) + "]"  # any dash, as a regex character class
# Cheap test first: a dash followed by the first letter of a hyphenated term's second part (also
# highlight.py's test for whether a text may hold a hyphenated term).
HYPHEN_HINT = re.compile(
    "|".join(DASH_CLASS + re.escape(term.split("-")[1][:1]) for term in HYPHENATED_TERMS) or "(?!)",
    re.IGNORECASE,
)
_HYPHENATED_RE = re.compile(
    r"\b(?:"
    + ("|".join(DASH_CLASS.join(re.escape(part) for part in term.split("-")) for term in HYPHENATED_TERMS) or "(?!)")
    + r")(?![\w" + re.escape(_DASHES) + r"])",
    re.IGNORECASE,
)
_DASH_TRANS = str.maketrans({c: _JOIN for c in _DASHES})
HYPHENATED = {t.lower().replace("-", _JOIN): t.lower() for t in HYPHENATED_TERMS}

STOP = frozenset(STOP_WORDS)
MAX_ACRONYM = 7
_CACHE_LIMIT = 400_000


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Porter2, plus "-ify" joined with "-ification" ("reclassifi" -> "reclassif"). Cached: the
    token cache holds raw tokens, and "Students" and "students" share this entry."""
    s = _porter2(word)
    if s.endswith("ifi"):
        s = s[:-1]
    return s


def acronym_of(token: str) -> str | None:
    """The acronym a token is written as ("ELs" -> "EL", "RtI" -> "RTI"), or None for a plain word."""
    core = token[:-1] if len(token) > 2 and token[-1] == "s" and token[-2].isupper() else token
    if not 2 <= len(core) <= MAX_ACRONYM or not core.isalpha():
        return None
    caps = sum(1 for c in core if c.isupper())
    if caps >= 2 and caps * 2 > len(core):
        return core.upper()
    return None


def join_hyphenated(text: str) -> str:
    """Text with hyphenated terms made one token ("A-G" -> "A_G"), offsets unchanged."""
    if not HYPHEN_HINT.search(text):
        return text
    return _HYPHENATED_RE.sub(lambda m: m.group().translate(_DASH_TRANS), text)


class Acronym(str):
    """The term of a token written as an acronym; .acronym is the acronym term ("EL")."""

    __slots__ = ("acronym",)


def _classify(token: str) -> str | None:
    low = token.lower()
    if low in HYPHENATED:
        return HYPHENATED[low]
    if (len(low) < 2 and not low.isdigit()) or low in STOP:
        return None
    term = stem(low)
    acronym = acronym_of(token)
    if acronym:
        term = Acronym(term)
        term.acronym = acronym
    return term


class _TermCache(dict):
    """raw token -> term (an Acronym for acronyms, None for dropped words); filled on first use."""

    def __missing__(self, token: str) -> str | None:
        if len(self) > _CACHE_LIMIT:
            self.clear()
        term = self[token] = _classify(token)
        return term


_cache = _TermCache()
classify = _cache.__getitem__


def _is_number(token: str) -> bool:
    return token[:1].isdigit()


def _acronym_before_number(acronym: str, raw: list[str], i: int) -> bool:
    return acronym in NOT_ACRONYM_BEFORE_NUMBER and i + 1 < len(raw) and _is_number(raw[i + 1])


# The composite "text" field: every searched part of a document in one field, each part in its own
# range of positions (so a position tells which part a word came from and phrases never span parts)
# and with its own weight (a word in the title counts four times a word in the body).
# (name, first position, last position + 1, boost). The body comes last: it has no length limit.
PARTS = (
    ("title", 0, 1_000, 4.0),
    ("lea_name", 1_000, 2_000, 1.5),
    ("keywords", 2_000, 10_000, 2.0),
    ("summary", 10_000, 20_000, 2.0),
    ("body", 20_000, 1 << 31, 1.0),
)
BODY_START = PARTS[-1][1]
PART_SEPARATOR = "\x1e"  # between parts of the composite value
PIECE_SEPARATOR = "\x1f"  # between pieces of a part (keywords, body sections): phrases do not cross
PIECE_GAP = 10


def boost_at(position: int) -> float:
    for _, _start, end, boost in PARTS:
        if position < end:
            return boost
    return 1.0


class Shortcuts:
    """Phrases indexed as one term (see shortcut_term()), found while indexing: a synonym phrase
    such as "English learner" is then one posting list to read instead of positions to compare."""

    def __init__(self, phrases: Iterable[tuple[str, ...]]):
        self.phrases = frozenset(p for p in phrases if len(p) > 1)
        self.by_first: dict[str, list[tuple[str, ...]]] = {}
        for phrase in sorted(self.phrases):
            self.by_first.setdefault(phrase[0], []).append(phrase)
        self.first = frozenset(self.by_first)

    def find(self, seq: list[str]) -> Iterator[tuple[int, str]]:
        """(index, shortcut term) of each shortcut phrase starting in a term sequence."""
        if self.first.isdisjoint(seq):
            return
        first = self.first
        by_first = self.by_first
        for i, t in enumerate(seq):
            if t in first:
                for phrase in by_first[t]:
                    if tuple(seq[i : i + len(phrase)]) == phrase:
                        yield i, shortcut_term(phrase)


def shortcut_term(phrase: tuple[str, ...]) -> str:
    """The term standing for a phrase: its terms joined by spaces (no token contains a space)."""
    return " ".join(phrase)


NO_SHORTCUTS = Shortcuts(())


@lru_cache(maxsize=16)
def shortcuts_for(phrases: frozenset[tuple[str, ...]]) -> Shortcuts:
    """The Shortcuts of an index's phrases (schema.PartPositions.phrases), built once per process."""
    return Shortcuts(phrases)


def index_terms(value: str, shortcuts: Shortcuts = NO_SHORTCUTS) -> list[tuple[str, list[int], float, int]]:
    """(term, positions, weight, frequency) for every distinct term of a composite value (see
    compose()). Acronym terms and shortcut phrases sit at the positions of the words they stand for
    and have frequency 0, so that they do not count in the document's length."""
    positions: dict[str, list[int]] = {}
    extra: dict[str, float] = {}  # weight above one per occurrence, from the boosted parts
    extras: dict[str, list[int]] = {}  # acronyms and shortcuts
    findall = TOKEN_RE.findall
    for (_, start, end, boost), part in zip(PARTS, value.split(PART_SEPARATOR), strict=False):
        pos = start
        bonus = boost - 1.0
        for piece in join_hyphenated(part).split(PIECE_SEPARATOR):
            raw = findall(piece)
            mapped = list(map(classify, raw))
            seq = list(filter(None, mapped))
            if pos + len(seq) > end:
                seq = seq[: max(0, end - pos)]
            get = positions.get
            for p, t in enumerate(seq, pos):
                plist = get(t)
                if plist is None:
                    positions[t] = [p]
                else:
                    plist.append(p)
            if bonus:
                for t in seq:
                    extra[t] = extra.get(t, 0.0) + bonus
            if Acronym in map(type, seq):
                p = pos
                for i, t in enumerate(mapped):
                    if t is None:
                        continue
                    if p >= end:
                        break
                    if t.__class__ is Acronym and not _acronym_before_number(t.acronym, raw, i):
                        extras.setdefault(t.acronym, []).append(p)
                        if bonus:
                            extra[t.acronym] = extra.get(t.acronym, 0.0) + bonus
                    p += 1
            for i, term in shortcuts.find(seq):
                extras.setdefault(term, []).append(pos + i)
                if bonus:
                    extra[term] = extra.get(term, 0.0) + bonus
            pos += len(seq) + PIECE_GAP
    out = [
        (term if term.__class__ is str else str(term), plist, len(plist) + extra.get(term, 0.0), len(plist))
        for term, plist in positions.items()
    ]
    out.extend((term, plist, len(plist) + extra.get(term, 0.0), 0) for term, plist in extras.items())
    return out


def compose(title: str, lea_name: str, keywords: list[str], summary: str, body_pieces: list[str]) -> str:
    """The composite value index_terms() reads: parts in PARTS order."""

    def clean(s: str) -> str:
        return s.replace(PART_SEPARATOR, " ").replace(PIECE_SEPARATOR, " ")

    return PART_SEPARATOR.join(
        (
            clean(title),
            clean(lea_name),
            PIECE_SEPARATOR.join(clean(k) for k in keywords),
            clean(summary),
            PIECE_SEPARATOR.join(clean(p) for p in body_pieces),
        )
    )


class Token(NamedTuple):
    text: str  # as written
    term: str | None  # index term (stem), None for a dropped word
    acronym: str | None  # the acronym term when written as one
    start: int
    end: int
    pos: int  # position (stop words take none)


def tokens(text: str) -> list[Token]:
    """Every token of a text with its terms and character span (for queries and highlighting)."""
    out = []
    pos = 0
    text = join_hyphenated(text)
    matches = list(TOKEN_RE.finditer(text))
    raw = [m.group() for m in matches]
    for i, m in enumerate(matches):
        t = classify(raw[i])
        if t is None:
            out.append(Token(raw[i], None, None, m.start(), m.end(), pos))
            continue
        acronym = None
        if t.__class__ is Acronym:
            acronym = None if _acronym_before_number(t.acronym, raw, i) else t.acronym
            t = str(t)
        out.append(Token(raw[i], t, acronym, m.start(), m.end(), pos))
        pos += 1
    return out
