"""Matched words marked in a hit's text: HTML-escaped text with only <mark>...</mark> added.

A word is marked when its index term is one the query looked for, a phrase when its terms follow
each other, decided by the indexing tokenizer (analysis.classify), so highlights agree with matching.
Tokenizing a whole 1,000-word body for each of 20 hits would cost more than the search itself, so the
few candidate words are found first with str.find: an English stem is a prefix of its word (give or
take a final "y" that became "i"), and acronyms are matched as written. Only candidates are
classified; the body yields a snippet around the densest cluster of matches.
"""

from __future__ import annotations

import re
from functools import lru_cache
from html import escape

from clearinghouse.search import analysis

SNIPPET_CHARS = 260
SNIPPET_LEAD = 70  # characters of context before the first match of a snippet
CLUSTER_CHARS = 240  # matches within this distance count as one cluster


_WORD_REST = re.compile(r"\w*")


class _Finder:
    """Finds the words that may have one of a set of terms: words starting with a term's stem
    (lower-case text, str.find), acronyms as written, hyphenated terms by regex."""

    def __init__(self, words: set[str]):
        hyphenated = set(analysis.HYPHENATED.values())
        self.acronyms = sorted(w for w in words if w not in hyphenated and analysis.acronym_of(w) == w)
        self.prefixes = sorted(
            {w[:-1] if w.endswith("i") and len(w) > 2 else w for w in words
             if w not in hyphenated and w not in self.acronyms},
            key=len, reverse=True,
        )
        joined = [analysis.DASH_CLASS.join(re.escape(x) for x in w.split("-")) for w in words & hyphenated]
        self.hyphenated = re.compile(r"\b(?:" + "|".join(joined) + r")(?!\w)", re.IGNORECASE) if joined else None
        self.fallback = (
            re.compile(r"\b(?:" + "|".join(map(re.escape, self.prefixes)) + r")\w*", re.IGNORECASE)
            if self.prefixes else None
        )

    def __call__(self, text: str) -> list[tuple[int, int]]:
        found = []
        if self.prefixes:
            if text.isascii():
                low = text.lower()
                for prefix in self.prefixes:
                    i = low.find(prefix)
                    while i != -1:
                        if i == 0 or not (low[i - 1].isalnum() or low[i - 1] == "_"):
                            found.append((i, _WORD_REST.match(low, i + len(prefix)).end()))
                        i = low.find(prefix, i + 1)
            else:  # lower() may change lengths outside ASCII
                found.extend(m.span() for m in self.fallback.finditer(text))
        for acronym in self.acronyms:
            i = text.find(acronym)
            while i != -1:
                end = i + len(acronym)
                if end < len(text) and text[end] == "s":
                    end += 1
                if (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")) and (
                    end == len(text) or not (text[end].isalnum() or text[end] == "_")
                ):
                    found.append((i, end))
                i = text.find(acronym, i + 1)
        if self.hyphenated is not None and analysis.HYPHEN_HINT.search(text):
            found.extend(m.span() for m in self.hyphenated.finditer(text))
        return sorted(set(found))


@lru_cache(maxsize=256)
def _finder(terms: frozenset[str], phrases: tuple[tuple[str, ...], ...]) -> _Finder | None:
    words = set(terms) | {p[0] for p in phrases}
    return _Finder(words) if words else None


def _term(word: str):
    """(term, acronym) of a word as the indexer sees it; acronym None unless written as one."""
    t = analysis.classify(analysis.join_hyphenated(word))
    if t is None:
        return None, None
    if t.__class__ is analysis.Acronym:
        return str(t), t.acronym
    return t, None


def _next_terms(text: str, pos: int, count: int) -> list[tuple[str, str | None, int]]:
    """The next `count` indexed tokens after pos: (term, acronym, end)."""
    out = []
    for m in analysis.TOKEN_RE.finditer(text, pos):
        term, acronym = _term(m.group())
        if term is None:
            continue
        out.append((term, acronym, m.end()))
        if len(out) == count:
            break
    return out


def _spans(text: str, terms: frozenset[str], phrases: tuple[tuple[str, ...], ...]) -> list[tuple[int, int]]:
    finder = _finder(terms, phrases)
    if finder is None or not text:
        return []
    by_first: dict[str, list[tuple[str, ...]]] = {}
    for phrase in phrases:
        by_first.setdefault(phrase[0], []).append(phrase)
    spans = []
    for start, end in finder(text):
        term, acronym = _term(text[start:end])
        if term is None:
            continue
        if acronym in analysis.NOT_ACRONYM_BEFORE_NUMBER:
            after = _next_terms(text, end, 1)
            if after and after[0][0][:1].isdigit():
                acronym = None
        if term in terms or (acronym is not None and acronym in terms):
            spans.append((start, end))
        for phrase in by_first.get(term, []) + (by_first.get(acronym, []) if acronym else []):
            rest = _next_terms(text, end, len(phrase) - 1)
            if len(rest) == len(phrase) - 1 and all(
                want in (t, a) for want, (t, a, _) in zip(phrase[1:], rest, strict=True)
            ):
                spans.append((start, rest[-1][2]))
    spans.sort()
    merged: list[list[int]] = []
    for s, e in spans:
        if merged and (s <= merged[-1][1] or not text[merged[-1][1] : s].strip()):
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    return [(s, e) for s, e in merged]


def _render(text: str, spans: list[tuple[int, int]], start: int, end: int) -> str:
    out = []
    pos = start
    for s, e in spans:
        if s < start or e > end:
            continue
        out.append(escape(text[pos:s]))
        out.append(f"<mark>{escape(text[s:e])}</mark>")
        pos = e
    out.append(escape(text[pos:end]))
    return "".join(out)


def whole(text: str, terms: frozenset[str], phrases: tuple[tuple[str, ...], ...]) -> str:
    """All of a short text (title, summary), escaped, with its matches marked."""
    return _render(text, _spans(text, terms, phrases), 0, len(text)) if text else ""


def snippet(text: str, terms: frozenset[str], phrases: tuple[tuple[str, ...], ...]) -> str | None:
    """About SNIPPET_CHARS of a long text around its densest cluster of matches, or None."""
    spans = _spans(text, terms, phrases)
    if not spans:
        return None
    best_i, best_score = 0, (-1, -1)
    j = 0
    for i in range(len(spans)):
        while j < len(spans) and spans[j][0] - spans[i][0] < CLUSTER_CHARS:
            j += 1
        words = {text[s:e].lower() for s, e in spans[i:j]}
        score = (len(words), j - i)
        if score > best_score:
            best_i, best_score = i, score
    first_start, first_end = spans[best_i]
    start = max(0, first_start - SNIPPET_LEAD)
    if start:
        space = text.find(" ", start, first_start)
        start = space + 1 if space != -1 else first_start
    end = min(len(text), max(start + SNIPPET_CHARS, first_end))
    if end < len(text):
        space = text.rfind(" ", first_end, end)
        end = space if space != -1 else end
    html = _render(text, spans, start, end).strip()
    return ("\u2026 " if start else "") + html + (" \u2026" if end < len(text) else "")
