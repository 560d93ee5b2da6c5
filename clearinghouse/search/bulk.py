"""Bulk indexing for a full rebuild: Whoosh segments written without Whoosh's posting pool.

Whoosh's SegmentWriter pushes every posting through a sorting pool (a tuple per posting, sorted,
spilled to disk and merged) and then looks up each posting's document length: about 10 us per posting,
and a 50,000-practice rebuild has ~30 million postings. Documents arrive in docnum order, so postings
per term are already sorted: this builder appends them to compact per-term arrays and hands each
posting list to ondisk.TermsWriter, which writes W3 blocks; per-document data goes through Whoosh's
own codec writer. Any Whoosh reader reads the result, later Whoosh commits merge it
(tests/search/test_ondisk.py compares it with what Whoosh's writer writes). Each worker process
builds its own segments; the caller puts them in one TOC.
"""

from __future__ import annotations

import multiprocessing
import queue
import threading
import traceback
from array import array
from collections.abc import Callable, Iterable

from whoosh.codec.whoosh3 import W3Codec
from whoosh.index import TOC
from whoosh.util.numeric import byte_to_length, length_to_byte

from clearinghouse.search import analysis, ondisk
from clearinghouse.search.schema import index_fields

FLUSH_POSTINGS = 12_000_000  # start a new segment beyond this many buffered postings (~300 MB)
BATCH = 64  # documents per message to a worker


class SegmentBuilder:
    """Accumulates documents (in docnum order) and writes them as one or more W3 segments."""

    def __init__(self, storage, schema, indexname: str):
        self.storage = storage
        self.schema = schema
        self.indexname = indexname
        self.codec = W3Codec()
        self.shortcuts = schema["text"].format.shortcuts()
        self.segments = []
        self._start()

    def _start(self) -> None:
        self.segment = self.codec.new_segment(self.storage, self.indexname)
        self.perdoc = self.codec.per_document_writer(self.storage, self.segment)
        # term -> (docnums, weights, position counts, positions)
        self.text: dict[str, tuple[array, array, array, array]] = {}
        self.ids: dict[str, dict[str, array]] = {"facet": {}, "slug": {}}
        self.lengths = array("I")
        self.docnum = 0
        self.buffered = 0

    def add(self, doc: dict) -> None:
        fields = index_fields(doc)
        schema = self.schema
        d = self.docnum
        perdoc = self.perdoc
        perdoc.start_doc(d)
        text = self.text
        length = 0
        nterms = 0
        for term, plist, weight, freq in analysis.index_terms(fields["text"], self.shortcuts):
            entry = text.get(term)
            if entry is None:
                entry = text[term] = (array("I"), array("f"), array("I"), array("I"))
            entry[0].append(d)
            entry[1].append(weight)
            entry[2].append(len(plist))
            entry[3].extend(plist)
            length += freq
            nterms += 1
        self.buffered += nterms
        # Block statistics use the length as stored (one byte, lossy), as Whoosh's writer does.
        self.lengths.append(byte_to_length(length_to_byte(length)))
        for fieldname in ("facet", "slug"):
            values = fields.get(fieldname)
            if values is None:
                continue
            table = self.ids[fieldname]
            for value in [values] if isinstance(values, str) else values:
                ids = table.get(value)
                if ids is None:
                    ids = table[value] = array("I")
                ids.append(d)
        # Per-document data exactly as SegmentWriter.add_document writes it, fields in name order.
        for fieldname in sorted(fields):
            fieldobj = schema[fieldname]
            value = fields[fieldname]
            perdoc.add_field(fieldname, fieldobj, value if fieldobj.stored else None,
                             length if fieldname == "text" else 0)
            if fieldobj.column_type is not None:
                perdoc.add_column_value(fieldname, fieldobj.column_type, fieldobj.to_column_value(value))
        perdoc.finish_doc()
        self.docnum += 1
        if self.buffered > FLUSH_POSTINGS:
            self.flush()

    def flush(self) -> None:
        """Write the buffered documents as a finished segment."""
        if not self.docnum:
            return
        self.perdoc.close()
        terms = ondisk.TermsWriter(self.storage, self.segment, ("facet", "slug", "text"))
        for fieldname in sorted(terms.fieldmap):
            if fieldname == "text":
                lengths = self.lengths
                for term in sorted(self.text):
                    ids, weights, counts, positions = self.text.pop(term)
                    terms.add(fieldname, term, ids, weights, counts, positions, lengths)
            else:
                table = self.ids[fieldname]
                for term in sorted(table):
                    terms.add(fieldname, term, table[term])
        terms.close()
        self.segment.set_doc_count(self.docnum)
        self.segments.append(self.segment)
        self._start()

    def finish(self) -> list:
        self.flush()
        return self.segments


def _worker(storage, schema, indexname, jobs, results) -> None:
    try:
        builder = SegmentBuilder(storage, schema, indexname)
        while True:
            batch = jobs.get()
            if batch is None:
                break
            for doc in batch:
                builder.add(doc)
        results.put(("ok", builder.finish()))
    except BaseException:
        results.put(("error", traceback.format_exc()))


def fill(ix, docs: Iterable[dict], procs: int = 1, progress: Callable[[int], None] | None = None) -> int:
    """Index `docs` into the empty Whoosh index `ix` as its first generation; returns their number."""
    segments, count = build_segments(ix.storage, ix.schema, ix.indexname, docs, procs=procs, progress=progress)
    TOC(ix.schema, segments, 1).write(ix.storage, ix.indexname)
    return count


def build_segments(
    storage,
    schema,
    indexname: str,
    docs: Iterable[dict],
    procs: int = 1,
    progress: Callable[[int], None] | None = None,
) -> tuple[list, int]:
    """Index `docs` into new segments of the index at `storage`; returns (segments, document count).

    With procs > 1 the documents are shared out in batches to that many worker processes, each
    writing its own segments; this process only reads `docs` and reports progress.
    """
    done = 0
    docs = _unique(docs)
    if procs <= 1:
        builder = SegmentBuilder(storage, schema, indexname)
        for doc in docs:
            builder.add(doc)
            done += 1
            if progress:
                progress(done)
        return builder.finish(), done

    # fork is fastest and needs no importable __main__; a process running other threads forks unsafely.
    method = "fork" if threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods() else "spawn"
    ctx = multiprocessing.get_context(method)
    jobs = [ctx.Queue(4) for _ in range(procs)]
    results = ctx.Queue()
    workers = [ctx.Process(target=_worker, args=(storage, schema, indexname, q, results), daemon=True) for q in jobs]
    for w in workers:
        w.start()
    segments = []
    finished = False
    try:
        batch: list[dict] = []
        turn = 0
        for doc in docs:
            batch.append(doc)
            if len(batch) >= BATCH:
                _put(jobs[turn % procs], batch, workers)
                turn += 1
                done += len(batch)
                batch = []
                if progress:
                    progress(done)
        if batch:
            _put(jobs[turn % procs], batch, workers)
            done += len(batch)
            if progress:
                progress(done)
        for q in jobs:
            _put(q, None, workers)
        for _ in workers:
            status, payload = _get(results, workers)
            if status != "ok":
                raise RuntimeError("index worker failed:\n" + payload)
            segments.extend(payload)
        finished = True
    finally:
        for w in workers:
            if not finished:
                w.terminate()
            w.join(timeout=30)
            if w.is_alive():
                w.kill()
    return segments, done


def _unique(docs: Iterable[dict]) -> Iterable[dict]:
    seen = set()
    for doc in docs:
        slug = doc["slug"]
        if slug in seen:
            raise ValueError(f"two documents with slug {slug!r}")
        seen.add(slug)
        yield doc


def _put(q, item, workers) -> None:
    while True:
        try:
            q.put(item, timeout=1)
            return
        except queue.Full:
            if not all(w.is_alive() for w in workers):
                raise RuntimeError("an index worker died") from None


def _get(results, workers):
    while True:
        try:
            return results.get(timeout=1)
        except queue.Empty:
            if not any(w.is_alive() for w in workers):
                try:
                    return results.get(timeout=1)
                except queue.Empty:
                    raise RuntimeError("index workers died without a result") from None
