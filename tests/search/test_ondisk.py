"""ondisk.py against Whoosh itself, both ways, on the same documents.

(a) read_postings decodes segments written by Whoosh's own writer (zlib-compressed blocks, posting
    lists of several blocks; and postings inlined in the term info) exactly as Whoosh's public
    matchers read them.
(b) segments written by the bulk builder (ondisk.TermsWriter) read through Whoosh's public reader
    and searcher exactly as the segment Whoosh's writer writes: terms, postings, term statistics,
    lengths, columns, stored fields, search results and scores.
(c) the numeric columns read whole equal what Whoosh's column reader and doc_field_length give one
    document at a time, in segments of both writers (Whoosh's in a compound file).
"""

from __future__ import annotations

import pickle
from array import array

import pytest
from whoosh import index
from whoosh.codec.whoosh3 import W3Codec, W3TermInfo
from whoosh.query import And, Or, Phrase, Term

from clearinghouse.search import bulk, ondisk
from clearinghouse.search.schema import FACETS, build_schema, index_fields

from .documents import random_documents

COLUMNS = ("ident", "published", "title_key", "display")


def whoosh_written(path, docs):
    path.mkdir()
    ix = index.create_in(str(path), build_schema())
    writer = ix.writer()
    for doc in docs:
        writer.add_document(**index_fields(doc))
    writer.commit()
    return ix


def bulk_written(path, docs):
    path.mkdir()
    ix = index.create_in(str(path), build_schema())
    assert bulk.fill(ix, docs) == len(docs)
    return ix


def postings(reader, fieldname: str, term: str) -> list[tuple]:
    """(id, weight, value) of each posting, as Whoosh's public matcher reads it. (items_as("weight")
    would decode a weight from the value instead: for the text field, the count of positions.)"""
    out = []
    m = reader.postings(fieldname, term)
    while m.is_active():
        out.append((m.id(), m.weight(), m.value()))
        m.next()
    return out


def first_block_compression(postfile, info) -> int:
    """The compression level in the first block's info (fact 2 of ondisk.py): after the 4-byte magic
    and the 4-byte block length, a pickle; pickle.loads ignores the bytes after it."""
    offset, length = info.extent()
    length = length[0] if isinstance(length, tuple) else length
    return pickle.loads(postfile.get(offset + 8, min(length - 8, 200)))[3]


def test_read_postings_decodes_what_whoosh_writes_as_whoosh_reads_it(tmp_path):
    docs = random_documents(400)  # the common words are in nearly every document: several blocks
    ix = whoosh_written(tmp_path / "whoosh", docs)
    seen = {"compressed": 0, "several blocks": 0}
    with ix.reader() as reader:  # one segment: a SegmentReader
        postfile = ondisk.open_postings(reader)
        for fieldname, term in reader.all_terms():
            info = reader.term_info(fieldname, term)
            text = term.decode("utf-8")
            ids, weights, values = ondisk.read_postings(postfile, info, with_values=fieldname == "text")
            want = postings(reader, fieldname, text)
            assert list(ids) == [d for d, _, _ in want]
            assert (list(weights) if weights is not None else [1.0] * len(ids)) == [w for _, w, _ in want]
            if fieldname == "text":
                assert list(values) == [v for _, _, v in want]
            seen["compressed"] += first_block_compression(postfile, info) > 0
            seen["several blocks"] += info.doc_frequency() > ondisk.BLOCK
        postfile.close()
    assert seen["compressed"] > 50 and seen["several blocks"] > 10


def test_read_postings_decodes_inlined_postings_as_whoosh_reads_them():
    # Whoosh 2.7.5's writer cannot inline postings (W3PostingsWriter calls a missing set_inline), but
    # its format and reader have them: a term info that carries its postings, read via a ListMatcher.
    info = W3TermInfo(7.0, 2, 3, 9, 5.0, 4, 11)
    info.set_inlined([4, 11], [2.0, 5.0], [array("I", [0, 20_003]).tobytes(), array("I", [7]).tobytes()])
    info = W3TermInfo.from_bytes(info.to_bytes())
    fieldtype = build_schema()["text"]
    m = W3Codec().postings_reader(None, info, fieldtype.format)
    want = []
    while m.is_active():
        want.append((m.id(), m.weight(), m.value()))
        m.next()
    ids, weights, values = ondisk.read_postings(None, info, with_values=True)
    assert list(zip(ids, weights, values, strict=True)) == want and len(want) == 2


def test_bulk_segments_read_through_whoosh_as_whoosh_segments(tmp_path):
    docs = random_documents(300)
    with (whoosh_written(tmp_path / "whoosh", docs).reader() as a,
          bulk_written(tmp_path / "bulk", docs).reader() as b):
        terms = list(a.all_terms())
        assert terms == list(b.all_terms()) and len(terms) > 50
        for fieldname, term in terms:
            text = term.decode("utf-8")
            assert postings(a, fieldname, text) == postings(b, fieldname, text)
            if fieldname == "text":
                assert list(a.postings(fieldname, text).items_as("positions")) == list(
                    b.postings(fieldname, text).items_as("positions"))
            ta, tb = a.term_info(fieldname, term), b.term_info(fieldname, term)
            assert (ta.doc_frequency(), ta.weight(), ta.min_length(), ta.max_length(), ta.max_weight(),
                    ta.min_id(), ta.max_id()) == (tb.doc_frequency(), tb.weight(), tb.min_length(),
                                                   tb.max_length(), tb.max_weight(), tb.min_id(), tb.max_id())
        assert a.doc_count_all() == b.doc_count_all() == len(docs)
        for n in range(len(docs)):
            assert a.doc_field_length(n, "text") == b.doc_field_length(n, "text")
            assert a.stored_fields(n) == b.stored_fields(n)
        for column in COLUMNS:
            assert list(a.column_reader(column)) == list(b.column_reader(column))
        assert (a.field_length("text"), a.min_field_length("text"), a.max_field_length("text")) == (
            b.field_length("text"), b.min_field_length("text"), b.max_field_length("text"))


@pytest.mark.parametrize(
    "q",
    [
        Term("text", "english"),
        Term("text", "EL"),
        Term("text", "english learner"),  # a shortcut phrase, indexed as one term
        And([Term("text", "student"), Term("text", "suspens")]),
        Or([Term("text", "math"), Term("text", "mathemat"), Term("text", "a-g")]),
        Phrase("text", ["profession", "learn"]),
        Term("facet", f"{FACETS[0]}:San Bernardino"),
        Term("slug", "d7"),
    ],
    ids=str,
)
def test_whoosh_searches_bulk_segments_as_whoosh_segments(tmp_path, q):
    docs = random_documents(300)
    with (whoosh_written(tmp_path / "whoosh", docs).searcher() as a,
          bulk_written(tmp_path / "bulk", docs).searcher() as b):
        want = [(hit.docnum, hit.score) for hit in a.search(q, limit=None)]
        assert [(hit.docnum, hit.score) for hit in b.search(q, limit=None)] == want and want


@pytest.mark.parametrize("writer", [whoosh_written, bulk_written], ids=["whoosh writer", "bulk writer"])
def test_numeric_columns_read_whole_as_whoosh_reads_them_one_by_one(tmp_path, writer):
    docs = random_documents(300)
    with writer(tmp_path / "ix", docs).reader() as reader:
        assert reader.segment().is_compound() == (writer is whoosh_written)
        published = list(reader.column_reader("published", translate=False))
        assert list(ondisk.read_numeric_column(reader, "published", "q")) == published and len(set(published)) == 300
        lengths = [reader.doc_field_length(d, "text") or 0 for d in range(len(docs))]
        assert ondisk.read_lengths(reader, "text") == lengths and min(lengths) > 50
        assert ondisk.read_numeric_column(reader, "no_such_column", "q", 7).tolist() == [7] * len(docs)
