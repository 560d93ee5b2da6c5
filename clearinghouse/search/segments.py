"""Read access to one Whoosh segment, with what is worth computing once per segment cached.

A segment's files never change once written (deletions live in the TOC, not in the segment), so
everything derived from them is cached on the SegmentView for as long as the segment exists: facet
value bitmaps, document lengths, sort keys, and recently used posting lists (an LRU bounded by
postings). A new index generation keeps the views of the segments it shares with the previous one;
only new segments (a commit adds a small one) are read afresh.

Posting lists are decoded here rather than through Whoosh matchers: a whole W3 posting list is one
read, then per block one unpickle, and the doc ids are summed from deltas with itertools.accumulate.
"""

from __future__ import annotations

import io
import pickle
import zlib
from array import array
from collections import OrderedDict
from itertools import accumulate

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3TermInfo
from whoosh.reading import SegmentReader
from whoosh.system import pack_ushort, unpack_int
from whoosh.util.numeric import byte_to_length

from clearinghouse.search import analysis, bitmaps
from clearinghouse.search.schema import FACET_SEPARATOR, parse_ident

_LENGTH_OF_BYTE = [byte_to_length(i) for i in range(256)]
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
        self._terms = self.reader._terms
        self._tindex = self._terms._tindex
        self._postfile = self._terms._postfile
        self._fieldmap = self._terms._fieldmap
        self._perdoc = self.reader._perdoc
        self.cache = PostingCache(cache_budget)
        self._facets: dict[str, int] | None = None
        self._facet_groups: dict[str, dict[str, int]] | None = None
        self._lengths: list[int] | None = None
        self._norms: tuple[float, list[float]] | None = None
        self._published: array | None = None
        self._title_keys: list[str] | None = None
        self._idents: list[tuple[str, str]] | None = None
        # Open every column now: a later merge may delete this segment's files, and an open file
        # stays readable while a file opened later would not exist.
        schema_fields = ("ident", "published", "title_key", "display")
        self._columns = {
            name: self.reader.column_reader(name, translate=False) for name in schema_fields
        }
        self._length_column = self._perdoc._cached_reader("_text_len", LENGTHS_COLUMN)

    def close(self) -> None:
        self.reader.close()

    # Postings

    def _key(self, fieldname: str, term: str) -> bytes | None:
        num = self._fieldmap.get(fieldname)
        if num is None:
            return None
        return pack_ushort(num) + term.encode("utf-8")

    def doc_frequency(self, fieldname: str, term: str) -> int:
        key = self._key(fieldname, term)
        if key is None:
            return 0
        try:
            raw = self._tindex[key]
        except KeyError:
            return 0
        return W3TermInfo.from_bytes(raw).doc_frequency()

    def read(self, fieldname: str, term: str, with_values: bool = False):
        """(ids, weights | None, values | None) of a posting list, or None when the term is absent."""
        key = self._key(fieldname, term)
        if key is None:
            return None
        try:
            info = W3TermInfo.from_bytes(self._tindex[key])
        except KeyError:
            return None
        if info.is_inlined():
            ids, weights, values = info.inlined_postings()
            return (array("I", ids), _weights_or_none(weights, len(ids)),
                    tuple(values) if with_values else None)
        offset, length = info.extent()
        if isinstance(length, tuple):  # W3TermInfo.from_bytes leaves it an unpacked 1-tuple
            length = length[0]
        buf = io.BytesIO(self._postfile.get(offset, length))
        buf.seek(4)  # header magic
        ids = array("I")
        weights: array | None = None
        values: list = []
        last = False
        while not last:
            blocklength = unpack_int(buf.read(4))[0]
            last = blocklength < 0
            start = buf.tell()
            count, _, _, compression, _, _ = pickle.load(buf)
            data = buf.read(abs(blocklength) - (buf.tell() - start))
            if compression:
                data = zlib.decompress(data)
            deltas, block_weights, block_values = pickle.loads(data)
            ids.extend(accumulate(deltas))  # each block's deltas start from 0
            if block_weights is None or isinstance(block_weights, float):
                if block_weights not in (None, 1.0):
                    weights = _materialize(weights, len(ids) - count)
                    weights.extend(array("f", [block_weights]) * count)
                elif weights is not None:
                    weights.extend(array("f", [1.0]) * count)
            else:
                weights = _materialize(weights, len(ids) - count)
                weights.extend(block_weights)
            if with_values:
                values.extend(block_values)
        return ids, weights, (tuple(values) if with_values else None)

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
            num = self._fieldmap.get("facet")
            if num is not None:
                prefix = pack_ushort(num)
                for key in self._tindex.keys_from(prefix):
                    if not key.startswith(prefix):
                        break
                    term = key[len(prefix):].decode("utf-8")
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
        if self._lengths is None:
            reader = self._length_column
            if reader is None:
                self._lengths = [0] * self.size
            else:
                n = min(reader._count, self.size)
                raw = reader._dbfile.get(reader._basepos, n) if n else b""
                table = _LENGTH_OF_BYTE
                self._lengths = [table[b] for b in raw] + [0] * (self.size - n)
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
        if self._published is None:
            reader = self._columns["published"]
            n = min(reader._count, self.size)
            values = array("q")
            if n:
                values.frombytes(reader._dbfile.get(reader._basepos, n * 8))
                if values.itemsize == 8 and array("q", [1]).tobytes()[0] == 1:
                    values.byteswap()  # stored big-endian
            values.extend(array("q", [0]) * (self.size - n))
            self._published = values
        return self._published

    def _var_bytes(self, name: str) -> list[bytes]:
        reader = self._columns[name]
        if not hasattr(reader, "_offsets"):  # a segment without this column
            return [b""] * self.size
        lengths = reader._lengths
        offsets = reader._offsets
        total = (offsets[-1] + lengths[-1]) if len(lengths) else 0
        blob = reader._dbfile.get(reader._basepos, total) if total else b""
        out = [blob[o : o + n] for o, n in zip(offsets, lengths, strict=True)]
        out.extend([b""] * (self.size - len(out)))
        return out

    def title_keys(self) -> list[str]:
        if self._title_keys is None:
            self._title_keys = [b.decode("utf-8") for b in self._var_bytes("title_key")]
        return self._title_keys

    def idents(self) -> list[tuple[str, str]]:
        """(slug, stamp) of every document, deleted ones included."""
        if self._idents is None:
            self._idents = [parse_ident(b) for b in self._var_bytes("ident")]
        return self._idents

    def ident(self, docnum: int) -> tuple[str, str]:
        if self._idents is not None:
            return self._idents[docnum]
        return parse_ident(self._columns["ident"][docnum])

    def display(self, docnum: int) -> tuple[str, str, str]:
        """(title, summary, body) as plain text, for highlighting."""
        value = self._columns["display"][docnum]
        return value if value else ("", "", "")

    def lexicon_cursor(self, schema):
        return self._terms.cursor("text", schema["text"])


def _weights_or_none(weights, n: int) -> array | None:
    if all(w == 1.0 for w in weights):
        return None
    return array("f", weights)


def _materialize(weights: array | None, n: int) -> array:
    return weights if weights is not None else array("f", [1.0]) * n
