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
from collections.abc import Iterator
from typing import NamedTuple

from whoosh.analysis import STOP_WORDS
from whoosh.lang.porter2 import stem as _porter2

from clearinghouse.search.synonyms import HYPHENATED_TERMS, NOT_ACRONYM_BEFORE_NUMBER

_DASHES = "-\u2010\u2011\u2012\u2013\u2014"
_DASH_CLASS = "[" + re.escape(_DASHES) + "]"


def _hyphenated_pattern(term: str) -> str:
    return _DASH_CLASS.join(re.escape(part) for part in term.split("-"))


_SPECIAL = "|".join(_hyphenated_pattern(t) for t in HYPHENATED_TERMS)
TOKEN_RE = re.compile(
    (rf"(?<![\w{re.escape(_DASHES)}])(?:{_SPECIAL})(?![\w{re.escape(_DASHES)}])|" if _SPECIAL else "")
    + r"\w+(?:\.\w+)*",
    re.IGNORECASE,
)
_DASH_TRANS = str.maketrans({c: "-" for c in _DASHES})
HYPHENATED = frozenset(t.lower() for t in HYPHENATED_TERMS)

STOP = frozenset(STOP_WORDS)
MAX_ACRONYM = 7
_CACHE_LIMIT = 400_000


def stem(word: str) -> str:
    """Porter2, plus "-ify" joined with "-ification" ("reclassifi" -> "reclassif")."""
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


def _classify(token: str) -> str | tuple[str, str] | None:
    """A raw token's index term, (term, acronym) for an acronym, or None when it is dropped."""
    low = token.lower()
    if low in HYPHENATED or (len(low) > 2 and low.translate(_DASH_TRANS) in HYPHENATED):
        return low.translate(_DASH_TRANS)
    if (len(low) < 2 and not low.isdigit()) or low in STOP:
        return None
    term = stem(low)
    acronym = acronym_of(token)
    return (term, acronym) if acronym else term


_cache: dict[str, str | tuple[str, str] | None] = {}


def classify(token: str) -> str | tuple[str, str] | None:
    found = _cache.get(token, _cache)
    if found is _cache:
        if len(_cache) > _CACHE_LIMIT:
            _cache.clear()
        found = _cache[token] = _classify(token)
    return found


def _is_number(token: str) -> bool:
    return token[:1].isdigit()


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
    for _, start, end, boost in PARTS:
        if position < end:
            return boost
    return 1.0


def index_terms(value: str) -> Iterator[tuple[str, list[int], float]]:
    """(term, positions, weight) for every distinct term of a composite value (see compose())."""
    positions: dict[str, list[int]] = {}
    extra: dict[str, float] = {}  # weight above one per occurrence, from the boosted parts
    cache_get = _cache.get
    findall = TOKEN_RE.findall
    for (_, start, end, boost), part in zip(PARTS, value.split(PART_SEPARATOR), strict=False):
        pos = start
        bonus = boost - 1.0
        for piece in part.split(PIECE_SEPARATOR):
            tokens = findall(piece)
            for i, token in enumerate(tokens):
                t = cache_get(token, _cache)
                if t is _cache:
                    t = classify(token)
                if t is None:
                    continue
                if pos >= end:
                    break
                if t.__class__ is tuple:
                    t, acronym = t
                    if not (
                        acronym in NOT_ACRONYM_BEFORE_NUMBER and i + 1 < len(tokens) and _is_number(tokens[i + 1])
                    ):
                        plist = positions.get(acronym)
                        if plist is None:
                            positions[acronym] = [pos]
                        else:
                            plist.append(pos)
                        if bonus:
                            extra[acronym] = extra.get(acronym, 0.0) + bonus
                plist = positions.get(t)
                if plist is None:
                    positions[t] = [pos]
                else:
                    plist.append(pos)
                if bonus:
                    extra[t] = extra.get(t, 0.0) + bonus
                pos += 1
            pos += PIECE_GAP
    for term, plist in positions.items():
        yield term, plist, len(plist) + extra.get(term, 0.0)


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
    matches = list(TOKEN_RE.finditer(text))
    for i, m in enumerate(matches):
        raw = m.group()
        t = classify(raw)
        if t is None:
            out.append(Token(raw, None, None, m.start(), m.end(), pos))
            continue
        acronym = None
        if t.__class__ is tuple:
            t, acronym = t
            if acronym in NOT_ACRONYM_BEFORE_NUMBER and i + 1 < len(matches) and _is_number(matches[i + 1].group()):
                acronym = None
        out.append(Token(raw, t, acronym, m.start(), m.end(), pos))
        pos += 1
    return out
