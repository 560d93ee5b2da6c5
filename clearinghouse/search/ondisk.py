"""The one place that reads and writes Whoosh's on-disk format below its public API: W3 posting lists
and numeric columns.

Whoosh's public API reads a posting list one posting at a time (matcher.next(), .id(), .weight(): a
few Python calls per posting, ids and weights 2-3x slower than decoding the list whole) and writes
postings only through SegmentWriter's sorting pool (~10 us a posting; a 50,000-practice rebuild has
~30 million). So a search decodes whole posting lists here (read_postings) and a rebuild writes them
here (TermsWriter). Likewise a column reader gives one value per call (~3 us a document, 20-40x a
single read): the two numeric columns every segment needs whole when it is opened (text lengths for
BM25, publication times for sorting and empty queries) are read here in one call each
(read_numeric_column). Everything else in clearinghouse/search goes through Whoosh's public API: its
readers, column readers, cursors, term infos, codecs' writers, TOC and Index functions.

The facts of whoosh-reloaded 2.7.5's W3 codec (whoosh/codec/whoosh3.py) relied on, each checked both
ways against Whoosh's own writer and reader by tests/search/test_ondisk.py:

1. A term's postings are either inlined in its term info (W3TermInfo.is_inlined(), then
   inlined_postings() gives (ids, weights, values)) or one extent (W3TermInfo.extent(): offset and
   byte length) of the segment's posting file (W3Codec.POSTS_EXT). W3TermInfo.from_bytes leaves that
   length a 1-tuple.
2. An extent is WHOOSH3_HEADER_MAGIC (4 bytes), then blocks of at most 128 postings. A block is a
   big-endian int, the byte length of the rest of the block, negative for the last block; a pickled
   tuple (postings in the block, last id, max weight, compression level, min length byte, max length
   byte); then the data: a pickle, zlib-compressed when the level is not 0, of (ids as deltas, the
   first from 0; weights: None when all are 1.0, one float when all are equal, else a tuple; values:
   a tuple of each posting's value bytes, or None for formats without values).
3. Whoosh's reader reads any pickle protocol and takes the compression from each block's info.
   The blocks written here use pickle protocol 5, uncompressed: Whoosh's protocol 2 turns every
   bytes value into a function call (6x slower to write, 4x slower to read), and zlib at ~20 MB/s is
   the largest cost of writing and of reading postings, for half their size.
4. The term index (W3Codec.TERMS_EXT) is an OrderedHashWriter table written in key order, keyed by
   pack_ushort(field number) + the term's UTF-8 bytes, its extras["fieldmap"] mapping field name to
   number; the value is W3TermInfo.to_bytes() of a term info built with TermInfo's public
   constructor (weight, doc frequency, min and max length, max weight, first and last id).
5. A NumericColumn of a segment is the file W3Codec.column_filename(segment, field name) (inside the
   compound file when the segment has one): the values of documents 0, 1, ... packed big-endian, no
   header; documents past the end have the column's default. The lengths of field F are such a
   column of typecode "B" (length_to_byte), named "_F_len".
"""

from __future__ import annotations

import io
import pickle
import zlib
from array import array
from itertools import accumulate, chain

from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3Codec, W3TermInfo
from whoosh.filedb.filetables import OrderedHashWriter
from whoosh.system import pack_ushort, unpack_int
from whoosh.util.numeric import byte_to_length, length_to_byte

BLOCK = 128  # postings per block, Whoosh's default
PICKLE = 5  # see fact 3


def open_postings(reader):
    """The posting file of a SegmentReader's segment (compound or not), opened now: a later merge may
    delete the segment's files, and a file open before stays readable."""
    return reader.segment().open_file(reader.storage(), W3Codec.POSTS_EXT)


def read_numeric_column(reader, fieldname: str, typecode: str, default=0) -> array:
    """Every document's value of a NumericColumn of a SegmentReader's segment, in one read (fact 5)."""
    segment = reader.segment()
    storage = reader.storage()
    n = segment.doc_count_all()
    name = W3Codec.column_filename(segment, fieldname)
    values = array(typecode)
    if storage.file_exists(name):
        count = min(storage.file_length(name) // values.itemsize, n)
        f = storage.open_file(name)
        try:
            values = f.get_array(0, typecode, count)
        finally:
            f.close()
    values.extend(array(typecode, [default]) * (n - len(values)))
    return values


_LENGTH_OF_BYTE = [byte_to_length(b) for b in range(256)]


def read_lengths(reader, fieldname: str) -> list[int]:
    """Every document's length of a field, as reader.doc_field_length() gives it (0 for none)."""
    table = _LENGTH_OF_BYTE
    return [table[b] for b in read_numeric_column(reader, f"_{fieldname}_len", "B")]


def read_postings(postfile, info: W3TermInfo, with_values: bool = False):
    """(ids, weights or None when all 1.0, values or None) of one term: its info from the public
    reader.term_info(), its posting file from open_postings() (facts 1-3)."""
    if info.is_inlined():
        ids, weights, values = info.inlined_postings()
        weights = None if all(w == 1.0 for w in weights) else array("f", weights)
        return array("I", ids), weights, (tuple(values) if with_values else None)
    offset, length = info.extent()
    if isinstance(length, tuple):
        length = length[0]
    buf = io.BytesIO(postfile.get(offset, length))
    buf.seek(len(WHOOSH3_HEADER_MAGIC))
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


def _materialize(weights: array | None, n: int) -> array:
    return weights if weights is not None else array("f", [1.0]) * n


class TermsWriter:
    """Writes a new segment's term index and posting file (facts 2-4). Fields get their numbers in
    name order; add() takes fields in that order and each field's terms in sorted order."""

    def __init__(self, storage, segment, fieldnames):
        self.fieldmap = {name: number for number, name in enumerate(sorted(fieldnames))}
        self.tindex = OrderedHashWriter(segment.create_file(storage, W3Codec.TERMS_EXT))
        self.tindex.extras["fieldmap"] = self.fieldmap
        self.postfile = segment.create_file(storage, W3Codec.POSTS_EXT)

    def add(self, fieldname: str, term: str, ids, weights=None, counts=None, positions=None, lengths=None):
        """One posting list. ids ascending; without weights an Existence field (weights 1, no
        values); else per posting its weight and its count of positions, the positions of all
        postings in one array, and lengths: every document's length as stored (one lossy byte)."""
        info = _write_postings(self.postfile, ids, weights, counts, positions, lengths)
        self.tindex.add(pack_ushort(self.fieldmap[fieldname]) + term.encode("utf-8"), info.to_bytes())

    def close(self) -> None:
        self.tindex.close()
        self.postfile.close()


def _write_postings(postfile, ids, weights, counts, positions, lengths) -> W3TermInfo:
    """One posting list in W3 blocks, as W3PostingsWriter writes it (ids, weights, values, block
    statistics), and its term info."""
    start = postfile.tell()
    postfile.write(WHOOSH3_HEADER_MAGIC)
    n = len(ids)
    offset = 0
    minlength = None
    maxlength = 0
    maxweight = 0.0
    for i in range(0, n, BLOCK):
        block_ids = ids[i : i + BLOCK]
        deltas = [b - a for a, b in zip(chain((0,), block_ids), block_ids, strict=False)]  # b[0] - 0, b[1] - b[0] ...
        if weights is None:
            block_weights = None
            block_max = 1.0
            values = None
            mn = mx = 0
        else:
            w = weights[i : i + BLOCK]
            block_max = max(w)
            block_weights = None if block_max == 1.0 and min(w) == 1.0 else (
                w[0] if min(w) == block_max else tuple(w))
            values = []
            for c in counts[i : i + BLOCK]:
                values.append(positions[offset : offset + c].tobytes())
                offset += c
            values = tuple(values)
            block_lengths = [lengths[d] for d in block_ids]
            mn = min(block_lengths)
            mx = max(block_lengths)
            minlength = mn if minlength is None else min(minlength, mn)
            maxlength = max(maxlength, mx)
        maxweight = max(maxweight, block_max)
        data = pickle.dumps((tuple(deltas), block_weights, values), PICKLE)
        header = pickle.dumps((len(block_ids), block_ids[-1], block_max, 0, length_to_byte(mn or None),
                               length_to_byte(mx)), PICKLE)
        size = len(header) + len(data)
        postfile.write_int(-size if i + BLOCK >= n else size)
        postfile.write(header)
        postfile.write(data)
    total_weight = float(sum(weights)) if weights is not None else float(n)
    info = W3TermInfo(total_weight, n, minlength, maxlength, maxweight, ids[0], ids[-1])
    info.set_extent(start, postfile.tell() - start)
    return info
