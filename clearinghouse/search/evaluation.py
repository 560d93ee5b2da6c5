"""How one query is evaluated against one index snapshot: bitmaps, ranking, facet counts, the page.

- the query arrives as groups of alternatives (query.py); a group is satisfied by any alternative;
- per segment, each alternative's documents are a bitmap (a Python int) from its cached posting
  list; phrases are checked on positions only in documents that have all their terms;
- every-word match = AND of the groups' bitmaps; if that is empty under the filters, any-word match
  (OR), ranked by how many groups a document matches;
- facet counts: for each facet, popcount(match AND the other facets' filters AND value bitmap), with
  value bitmaps built once per segment: exact for multi-valued fields and ~microseconds per value;
- only the matching documents are scored (BM25 on the weighted term frequencies), only the page's
  hits are read and highlighted.
Measure before changing (bench/engine_bench.py).
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from itertools import repeat
from math import log
from operator import add

from clearinghouse.search import analysis, bitmaps, highlight, query, tags
from clearinghouse.search.schema import FACETS
from clearinghouse.search.segments import K1, NO_POSTINGS, SegmentView
from clearinghouse.search.snapshot import Snapshot

SORTS = ("relevance", "newest", "title")


@dataclass
class Hit:
    slug: str
    score: float
    highlights: dict[str, str] = field(default_factory=dict)
    complete: bool = True  # matched every word of the query (else: a related practice, most of them)


@dataclass
class SearchResult:
    """One page of a search. hits[i].highlights: "title" and "summary" (whole, escaped, matches in
    <mark>), and "body" (an escaped snippet) when the body matched."""

    total: int
    page: int
    per_page: int
    hits: list[Hit]
    facets: dict[str, dict[str, int]]
    suggestion: str | None
    match: str  # "all" | "some" | "none"
    query: str = ""  # the query as searched (normalized)
    corrections: dict[str, str] = field(default_factory=dict)  # typed word -> corrected word



class Search:
    """The evaluation of one query against one snapshot."""

    def __init__(self, snap: Snapshot, text: str, groups: list[query.Group], filters: dict[str, tuple[str, ...]],
                 sort: str, page: int, per_page: int, corrections: dict[str, str], suggestion: str | None,
                 facets: tuple[str, ...] = FACETS):
        self.snap = snap
        self.facet_names = facets
        self.text = text
        self.groups = groups
        self.filters = filters
        self.sort = sort
        self.page = page
        self.per_page = per_page
        self.corrections = corrections
        self.suggestion = suggestion

    def run(self) -> SearchResult:
        snap = self.snap
        groups = self.groups
        # Question words and fillers ("how", "did", "among") are never required, unless nothing else was typed.
        required = [j for j, g in enumerate(groups) if not g.weak] or list(range(len(groups)))
        # A quoted phrase is exact: the tags count only for words typed outside quotes.
        named = [(facet, value, [j for j in covered if not groups[j].text.startswith('"')])
                 for facet, value, covered in tags.named(self.text, [(g.start, g.end) for g in groups])]
        named = [n for n in named if n[2]]
        pairs = set(_nearby(groups)) - {a for g in groups for a in g.alts}
        alts = list(dict.fromkeys([a for g in groups for a in g.alts] + list(pairs)))
        # Per segment: each alternative's postings, each group's bitmap (with the documents tagged with
        # a value the group names), the tags' bitmaps, each facet's filter bitmap.
        postings = []
        group_bits = []
        tag_bits = []
        filter_bits = []
        for part in snap.parts:
            view = part.view
            by_facet = view.facet_groups()
            found = {a: _postings(view, a, snap.shortcuts) for a in alts if a not in pairs}
            for a in pairs:  # nearby pairs: positions are compared only where that is cheap
                found[a] = _nearby_postings(view, a, found)
            postings.append(found)
            bits = []
            for g in groups:
                b = 0
                for a in g.alts:
                    b |= found[a].bitmap
                bits.append(b)
            tagged = []
            for facet, value, covered in named:
                t = by_facet.get(facet, {}).get(value, 0) & part.alive
                tagged.append(t)
                for j in covered:
                    bits[j] |= t
            group_bits.append([b & part.alive for b in bits])
            tag_bits.append(tagged)
            filter_bits.append(
                {
                    facet: _or(by_facet.get(facet, {}).get(v, 0) for v in values)
                    for facet, values in self.filters.items()
                }
            )

        def all_filters(i: int, skip: str | None = None) -> int:
            b = snap.parts[i].alive
            for facet, fb in filter_bits[i].items():
                if facet != skip:
                    b &= fb
            return b

        needed = [[bits[j] for j in required] for bits in group_bits]
        every = [_and(bits, part.alive) for bits, part in zip(needed, snap.parts, strict=True)]
        complete = [e & all_filters(i) for i, e in enumerate(every)]
        # Beneath the practices with every word, those with most of them (at least half), in the same list,
        # when those with every word do not fill a page; when none has every word and none has half, those
        # with any.
        most = max(1, -(-len(required) // 2)) if len(required) > 1 else len(required) + 1
        if sum(c.bit_count() for c in complete) >= self.per_page:
            most = len(required) + 1
        related = [_at_least(bits, most) & ~e for bits, e in zip(needed, every, strict=True)]
        query_bits = [e | r for e, r in zip(every, related, strict=True)]
        matched = [q & all_filters(i) for i, q in enumerate(query_bits)]
        total = sum(m.bit_count() for m in matched)
        match = "all" if any(complete) else "some" if total else "none"
        if groups and not total:
            some = [_or(bits) & part.alive for bits, part in zip(needed, snap.parts, strict=True)]
            matched = [s & all_filters(i) for i, s in enumerate(some)]
            total = sum(m.bit_count() for m in matched)
            match = "some" if total else "none"
            query_bits = some if total else every
        elif not groups:
            matched = complete
            total = sum(m.bit_count() for m in matched)
            match = "all" if total else "none"

        facets = self._facets(query_bits, all_filters)
        ranked = self._rank(matched, complete, postings, needed, tag_bits) if total else []
        start = (self.page - 1) * self.per_page
        marks = query.highlight_terms(groups)
        hits = [self._hit(i, d, score, marks, bool(complete[i] >> d & 1))
                for i, d, score in ranked[start : start + self.per_page]]
        return SearchResult(total, self.page, self.per_page, hits, facets, self.suggestion, match, self.text,
                            self.corrections)

    def _facets(self, query_bits: list[int], all_filters) -> dict[str, dict[str, int]]:
        """For each facet, every value some live document has, with the number of documents that
        match the query and every filter but this facet's own; values filtered on are always there."""
        names = self.facet_names
        counts: dict[str, dict[str, int]] = {facet: {} for facet in names}
        if not names:
            return counts
        for i, part in enumerate(self.snap.parts):
            base_all = query_bits[i] & all_filters(i)
            alive = part.alive
            groups = part.view.facet_groups()
            for facet in names:
                values = groups.get(facet)
                if not values:
                    continue
                base = query_bits[i] & all_filters(i, facet) if facet in self.filters else base_all
                c = counts[facet]
                for value, bits in values.items():
                    if bits & alive:
                        c[value] = c.get(value, 0) + (base & bits).bit_count()
        out = {}
        for facet, c in counts.items():
            for value in self.filters.get(facet, ()):
                c.setdefault(value, 0)
            out[facet] = dict(sorted(c.items(), key=lambda kv: (-kv[1], kv[0])))
        return out

    def _rank(self, matched, complete, postings, group_bits, tag_bits) -> list[tuple[int, int, float]]:
        """The first page*per_page hits in order: (part index, local doc, score). Practices with every
        word first, then by how many words they have; ties go to the lower document number
        (heapq.nlargest/nsmallest keep the first of equal keys)."""
        snap = self.snap
        k = self.page * self.per_page
        cover = len(group_bits[0]) > 1 if group_bits else False
        relevance = self.sort == "relevance" and self.groups
        if relevance:
            n = max(snap.doc_count, 1)
            idf = {}
            for a in postings[0]:
                df = sum((p[a].bitmap & part.alive).bit_count() for p, part in zip(postings, snap.parts, strict=True))
                idf[a] = log(1.0 + (n - df + 0.5) / (df + 0.5))
        candidates = []  # (sort key, global doc, part, doc, score), best first per part
        for i, part in enumerate(snap.parts):
            if not matched[i]:
                continue
            docs = bitmaps.to_ids(matched[i])
            view = part.view
            scores = None
            if relevance:
                scores = _bm25(docs, matched[i], postings[i], idf, view.norms(snap.avg_length))
                _tag_bonus(scores, tag_bits, i, n)
                key = scores.__getitem__
            elif self.sort == "title":
                titles = view.title_keys()
                key = titles.__getitem__
            else:
                key = view.published().__getitem__
            if cover:
                coverage = _coverage(docs, group_bits[i], complete[i])
                if self.sort == "title":
                    top = heapq.nsmallest(k, docs, key=lambda d: (-coverage[d], titles[d]))
                else:
                    top = heapq.nlargest(k, docs, key=lambda d: (coverage[d], key(d)))
            elif self.sort == "title":
                top = heapq.nsmallest(k, docs, key=key)
            else:
                top = heapq.nlargest(k, docs, key=key)
            for d in top:
                sort_key = key(d) if not cover else (
                    (-coverage[d], key(d)) if self.sort == "title" else (coverage[d], key(d)))
                candidates.append((sort_key, part.offset + d, i, d, scores[d] if scores else 0.0))
        if self.sort == "title":
            best = heapq.nsmallest(k, candidates, key=lambda c: (c[0], c[1]))
        else:
            best = heapq.nlargest(k, candidates, key=lambda c: (c[0], -c[1]))
        return [(i, d, score) for _, _, i, d, score in best]

    def _hit(self, i: int, d: int, score: float, marks, complete: bool) -> Hit:
        view = self.snap.parts[i].view
        slug, _ = view.ident(d)
        title, summary, body = view.display(d)
        terms, phrases = marks
        highlights = {"title": highlight.whole(title, terms, phrases),
                      "summary": highlight.whole(summary, terms, phrases)}
        body_html = highlight.snippet(body, terms, phrases)
        if body_html:
            highlights["body"] = body_html
        return Hit(slug, score, highlights, complete)


def _postings(view: SegmentView, alt: query.Alt, shortcuts: frozenset):
    if not alt.is_phrase:
        return view.postings("text", alt.terms[0])
    if alt.terms in shortcuts:
        return view.postings("text", analysis.shortcut_term(alt.terms))
    return view.phrase(alt.terms)


def _bm25(docs: list[int], matched: int, postings: dict, idf: dict, norms: list[float]) -> dict[int, float]:
    """BM25 of each matched document, summed over the query's alternatives: idf * (k1 + 1) * w /
    (w + norm), w the weighted term frequency (a title word counts four times, analysis.PARTS), norm
    = k1 * (1 - b + b * length / average length). The per-posting part is cached with the postings;
    what runs per query is C-level: a dict built from two arrays, and maps over the matched docs."""
    total = None
    for alt, p in postings.items():
        hit = p.bitmap & matched
        if not hit:
            continue
        c = idf[alt] * alt.weight * (K1 + 1)
        saturated = p.saturated(norms)
        if hit == matched and len(p.ids) == len(docs):  # exactly the matched documents, in order
            column = map(c.__mul__, saturated)
        else:
            table = dict(zip(p.ids, saturated, strict=True))
            found = map(table.__getitem__, docs) if hit == matched else map(table.get, docs, repeat(0.0))
            column = map(c.__mul__, found)
        total = list(column) if total is None else list(map(add, total, column))
    if total is None:
        return dict.fromkeys(docs, 0.0)
    return dict(zip(docs, total, strict=True))


def _coverage(docs: list[int], group_bits: list[int], complete: int) -> dict[int, int]:
    """How many of the required words each document has; every word ranks above any fewer."""
    coverage = dict.fromkeys(docs, 0)
    for bits in group_bits:
        for d in bitmaps.to_ids(bits):
            if d in coverage:
                coverage[d] += 1
    for d in bitmaps.to_ids(complete):
        coverage[d] = len(group_bits) + 1
    return coverage


def _at_least(bits: list[int], k: int) -> int:
    """Documents in at least k of the bitmaps."""
    if k > len(bits):
        return 0
    levels = [-1] + [0] * k  # levels[j]: documents in at least j of the bitmaps seen so far
    for b in bits:
        for j in range(k, 0, -1):
            levels[j] |= levels[j - 1] & b
    return levels[k]


NEARBY = 0.4  # weight of two typed words found next to each other, in the order typed
TAGGED = 1.0  # weight of a vocabulary value named in the query, on the practices tagged with it


NEARBY_CANDIDATES = 300  # a pair's positions are compared in at most this many documents of a segment


def _nearby_postings(view: SegmentView, alt: query.Alt, found: dict):
    """A nearby pair's postings, or none when too many documents have both words (the comparison of
    positions would cost more than the ranking it refines)."""
    return view.phrase(alt.terms) if _candidates(view, alt, found) <= NEARBY_CANDIDATES else NO_POSTINGS


def _candidates(view: SegmentView, alt: query.Alt, found: dict) -> int:
    bits = -1
    for t in alt.terms:
        p = found.get(query.Alt((t,), query.TYPED)) or view.postings("text", t)
        bits &= p.bitmap
    return bits.bit_count() if bits != -1 else 0


def _nearby(groups: list[query.Group]) -> list[query.Alt]:
    """Scoring-only phrases: each pair of consecutive typed words (not question words), as typed."""
    out = []
    for a, b in zip(groups, groups[1:], strict=False):
        if a.weak or b.weak or a.text.startswith('"') or b.text.startswith('"'):
            continue
        first, second = a.alts[0].terms, b.alts[0].terms
        out.append(query.Alt(first + second, NEARBY))
    return out


def _tag_bonus(scores: dict[int, float], tag_bits: list[list[int]], i: int, n: int) -> None:
    """Add to each document tagged with a value the query names (an idf-weighted constant)."""
    for t in tag_bits[i]:
        if not t:
            continue
        df = t.bit_count()
        bonus = TAGGED * log(1.0 + (n - df + 0.5) / (df + 0.5))
        for d in bitmaps.to_ids(t):
            if d in scores:
                scores[d] += bonus


def _and(bits: list[int], start: int) -> int:
    for b in bits:
        start &= b
    return start


def _or(bits) -> int:
    out = 0
    for b in bits:
        out |= b
    return out


def clean_filters(filters: dict[str, list[str]] | None) -> dict[str, tuple[str, ...]]:
    """{facet: values} without empty values or duplicates; ValueError for an unknown facet."""
    out = {}
    for facet, values in (filters or {}).items():
        if facet not in FACETS:
            raise ValueError(f"unknown facet {facet!r}")
        if isinstance(values, str):
            values = [values]
        cleaned = tuple(dict.fromkeys(str(v) for v in values or () if str(v)))
        if cleaned:
            out[facet] = cleaned
    return out
