"""Read access to one Whoosh segment, with what is worth computing once per segment cached.

A segment's files never change once written (deletions live in the TOC, not in the segment), so
everything derived from them is cached on the SegmentView for as long as the segment exists: facet
value bitmaps, document lengths, sort keys, and recently used posting lists (an LRU bounded by
postings). A new index generation keeps the views of the segments it shares with the previous one;
only new segments (a commit adds a small one) are read afresh.

Everything is read through Whoosh's public reader API (term infos, lexicons, cursors, column
readers, field lengths) except what ondisk.py reads whole: posting lists, and the two numeric columns
every segment needs (document lengths, publication times).
"""

from __future__ import annotations

from array import array
from collections import OrderedDict

from whoosh.reading import SegmentReader, TermNotFound

from clearinghouse.search import analysis, bitmaps, ondisk
from clearinghouse.search.schema import FACET_SEPARATOR, parse_ident

K1 = 1.2  # BM25 term-frequency saturation
B = 0.75  # BM25 length normalization


class Postings:
    """A term's (or phrase's) documents in one segment: bitmap, doc ids, weights (None = all 1)."""

    __slots__ = ("bitmap", "ids", "weights", "_saturated")

    def __init__(self, bitmap: int, ids: array, weights: array | None):
        self.bitmap = bitmap
        self.ids = ids
        self.weights = weights
        self._saturated: tuple[list[float], array] | None = None

    def __len__(self) -> int:
        return len(self.ids)

    def saturated(self, norms: list[float]) -> array:
        """BM25's w / (w + norm) per posting, for the segment's current norms (SegmentView.norms)."""
        cached = self._saturated
        if cached is None or cached[0] is not norms:
            if self.weights is None:
                values = array("d", [1.0 / (1.0 + norms[d]) for d in self.ids])
            else:
                values = array("d", [w / (w + norms[d]) for d, w in zip(self.ids, self.weights, strict=True)])
            cached = self._saturated = (norms, values)
        return cached[1]


NO_POSTINGS = Postings(0, array("I"), None)


class PostingCache:
    """LRU of Postings bounded by the total number of postings held."""

    def __init__(self, budget: int):
        self.budget = budget
        self.size = 0
        self.items: OrderedDict = OrderedDict()

    def get(self, key):
        found = self.items.get(key)
        if found is not None:
            self.items.move_to_end(key)
        return found

    def put(self, key, value: Postings) -> None:
        cost = len(value) + 16
        if cost > self.budget:
            return
        old = self.items.pop(key, None)
        if old is not None:
            self.size -= len(old) + 16
        self.items[key] = value
        self.size += cost
        while self.size > self.budget:
            _, dropped = self.items.popitem(last=False)
            self.size -= len(dropped) + 16


class SegmentView:
    def __init__(self, storage, schema, segment, cache_budget: int):
        self.segid = segment.segment_id()
        self.reader = SegmentReader(storage, schema, segment)
        self.size = segment.doc_count_all()
        self.text_length = self.reader.field_length("text")  # all documents' lengths, summed
        self.cache = PostingCache(cache_budget)
        self._facets: dict[str, int] | None = None
        self._facet_groups: dict[str, dict[str, int]] | None = None
        self._norms: tuple[float, list[float]] | None = None
        self._title_keys: list[str] | None = None
        self._idents: list[tuple[str, str]] | None = None
        # Open or read every file now: a later merge may delete this segment's files, and an open
        # file stays readable while a file opened later would not exist.
        self._postfile = ondisk.open_postings(self.reader)
        self._columns = {
            name: self.reader.column_reader(name, translate=False) for name in ("ident", "title_key", "display")
        }
        self._lengths = ondisk.read_lengths(self.reader, "text")
        self._published = ondisk.read_numeric_column(self.reader, "published", "q")

    def close(self) -> None:
        self._postfile.close()
        self.reader.close()

    # Postings

    def doc_frequency(self, fieldname: str, term: str) -> int:
        return self.reader.doc_frequency(fieldname, term)

    def read(self, fieldname: str, term: str, with_values: bool = False):
        """(ids, weights | None, values | None) of a posting list, or None when the term is absent."""
        try:
            info = self.reader.term_info(fieldname, term)
        except TermNotFound:
            return None
        return ondisk.read_postings(self._postfile, info, with_values)

    def postings(self, fieldname: str, term: str) -> Postings:
        key = (fieldname, term)
        found = self.cache.get(key)
        if found is None:
            got = self.read(fieldname, term)
            if got is None:
                found = NO_POSTINGS
            else:
                ids, weights, _ = got
                found = Postings(bitmaps.from_ids(ids, self.size), ids, weights)
            self.cache.put(key, found)
        return found

    def positions(self, term: str, docs: set[int]) -> dict[int, array]:
        """Positions of a text term in the given documents."""
        got = self.read("text", term, with_values=True)
        if got is None:
            return {}
        ids, _, values = got
        return {d: array("I", values[i]) for i, d in enumerate(ids) if d in docs}

    def phrase(self, terms: tuple[str, ...]) -> Postings:
        """Documents where the terms occur at consecutive positions; weight = occurrences, each
        weighted by the part of the document it is in (analysis.PARTS)."""
        key = ("phrase", terms)
        found = self.cache.get(key)
        if found is not None:
            return found
        parts = [self.postings("text", t) for t in terms]
        candidates = parts[0].bitmap
        for p in parts[1:]:
            candidates &= p.bitmap
        ids = array("I")
        weights = array("f")
        if candidates:
            docs = set(bitmaps.to_ids(candidates))
            found_positions = [self.positions(t, docs) for t in terms]
            first = found_positions[0]
            boost_at = analysis.boost_at
            body = analysis.BODY_START
            for d in sorted(docs):
                starts = set(first[d])
                for i in range(1, len(terms)):
                    starts.intersection_update([p - i for p in found_positions[i][d]])
                    if not starts:
                        break
                if starts:
                    ids.append(d)
                    weights.append(sum(1.0 if p >= body else boost_at(p) for p in starts))
        found = Postings(bitmaps.from_ids(ids, self.size), ids, weights) if ids else NO_POSTINGS
        self.cache.put(key, found)
        return found

    # Per-document data

    def facet_bitmaps(self) -> dict[str, int]:
        """{"county:Kern": bitmap, ...} for every facet value in the segment."""
        if self._facets is None:
            facets = {}
            for value in self.reader.lexicon("facet"):
                term = value.decode("utf-8")
                got = self.read("facet", term)
                if got is not None and FACET_SEPARATOR in term:
                    facets[term] = bitmaps.from_ids(got[0], self.size)
            self._facets = facets
        return self._facets

    def facet_groups(self) -> dict[str, dict[str, int]]:
        """{"county": {"Kern": bitmap, ...}, ...}"""
        if self._facet_groups is None:
            groups: dict[str, dict[str, int]] = {}
            for term, bits in self.facet_bitmaps().items():
                facet, _, value = term.partition(FACET_SEPARATOR)
                groups.setdefault(facet, {})[value] = bits
            self._facet_groups = groups
        return self._facet_groups

    def lengths(self) -> list[int]:
        """Text length (in tokens, as Whoosh stores it: one lossy byte) of every document."""
        return self._lengths

    def norms(self, avg_length: float) -> list[float]:
        """k1 * (1 - b + b * length / avg_length) per document (the BM25 length normalization),
        kept while the index-wide average length stays within 1%."""
        cached = self._norms
        if cached is None or abs(cached[0] - avg_length) > 0.01 * avg_length:
            k1b = K1 * (1 - B)
            k1bl = K1 * B / avg_length
            cached = self._norms = (avg_length, [k1b + k1bl * n for n in self.lengths()])
        return cached[1]

    def published(self) -> array:
        """Publication time (epoch microseconds) of every document."""
        return self._published

    def title_keys(self) -> list[str]:
        if self._title_keys is None:
            self._title_keys = [b.decode("utf-8") for b in self._columns["title_key"]]
        return self._title_keys

    def idents(self) -> list[tuple[str, str]]:
        """(slug, stamp) of every document, deleted ones included."""
        if self._idents is None:
            self._idents = [parse_ident(b) for b in self._columns["ident"]]
        return self._idents

    def ident(self, docnum: int) -> tuple[str, str]:
        if self._idents is not None:
            return self._idents[docnum]
        return parse_ident(self._columns["ident"][docnum])

    def display(self, docnum: int) -> tuple[str, str, str]:
        """(title, summary, body) as plain text, for highlighting."""
        value = self._columns["display"][docnum]
        return value if value else ("", "", "")

    def lexicon_cursor(self):
        """A cursor over the text terms (for Automata.find_matches)."""
        return self.reader.cursor("text")
