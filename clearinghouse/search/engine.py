"""The search engine: the one object the app uses to index practices and search them.

    engine = SearchEngine(index_dir)
    engine.rebuild(docs, total, progress)      # a fresh index, switched in atomically
    engine.upsert(doc) / engine.delete(slug)   # visible to every process once they return
    engine.update(upserts, deletes)            # several in one commit
    engine.search(q, filters, sort, page, per_page) -> SearchResult
    engine.stamps() -> {slug: stamp}           # for "index check"

Layout of index_dir: version folders ("v20250101120000-a1b2c3"), each a Whoosh index, and CURRENT, a
small JSON file naming the live one, replaced with os.replace. Writers (upsert, delete, the switch at
the end of a rebuild) hold an flock on index_dir/.lock; while a rebuild runs, upserts and deletes are
also written to index_dir/journal and replayed into the new index before the switch, so none is lost.
Searchers take no lock: each search checks CURRENT and the index generation (a stat and a listdir),
and when either changed opens the new one, reusing what it already read of unchanged segments.

How a search runs (measure before changing; bench/engine_bench.py):
- the query becomes groups of alternatives (query.py); a group is satisfied by any alternative;
- per segment, each alternative's documents are a bitmap (a Python int) from its cached posting
  list; phrases are checked on positions only in documents that have all their terms;
- every-word match = AND of the groups' bitmaps; if that is empty under the filters, any-word match
  (OR), ranked by how many groups a document matches;
- facet counts: for each facet, popcount(match AND the other facets' filters AND value bitmap), with
  value bitmaps built once per segment: exact for multi-valued fields and ~microseconds per value;
- only the matching documents are scored (BM25 on the weighted term frequencies), only the page's
  hits are read and highlighted.
"""

from __future__ import annotations

import fcntl
import heapq
import json
import os
import secrets
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from itertools import repeat
from math import log
from operator import add
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.codec.base import Automata
from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC, LockError
from whoosh.support.levenshtein import distance

from clearinghouse.search import analysis, bitmaps, bulk, highlight, query
from clearinghouse.search.schema import FACETS, build_schema, index_fields
from clearinghouse.search.segments import K1, SegmentView

__all__ = ["FACETS", "Hit", "IndexBusy", "IndexOutdated", "SearchEngine", "SearchResult", "SORTS"]

SORTS = ("relevance", "newest", "title")
INDEX_NAME = "MAIN"
POINTER = "CURRENT"
LOCK = ".lock"
REBUILD_LOCK = ".rebuild.lock"
JOURNAL = "journal"
MAX_CORRECTIONS = 3  # unknown words of a query that are looked up for a correction
MAX_CORRECTED_LENGTH = 24  # longer "words" are not words
MIN_CORRECTED_SHARE = 20  # a rare word is corrected to a word this many times as common
OPEN_ATTEMPTS = 25
# Version of what an index holds (schema, analysis, bulk layout), written into CURRENT: an index of
# another format does not count as existing, so `make run` rebuilds it. Bump on incompatible change.
INDEX_FORMAT = 1


class IndexBusy(Exception):
    """The index could not be written: another writer held it past the timeout, or a rebuild runs."""


class IndexOutdated(RuntimeError):
    """The index was built by an older version of this code: rebuild it (flask index rebuild)."""


@dataclass
class Hit:
    slug: str
    score: float
    highlights: dict[str, str] = field(default_factory=dict)


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


@dataclass
class _Part:
    """One segment in one index generation."""

    view: SegmentView
    offset: int
    alive: int  # bitmap of documents not deleted
    live: int  # how many


@dataclass
class _Snapshot:
    version: str
    generation: int
    parts: list[_Part]
    doc_count: int
    avg_length: float
    schema: object
    shortcuts: frozenset  # phrases this index has as single terms (analysis.Shortcuts)
    corrected: dict = field(default_factory=dict)  # (word, stem, min_df) -> correction, this generation

    def df(self, term: str) -> int:
        return sum(p.view.doc_frequency("text", term) for p in self.parts)


class SearchEngine:
    """The practice index in one folder. One instance per process (it keeps files and caches open;
    after a fork it reopens); thread-safe; any number of processes may search and write."""

    def __init__(
        self,
        index_dir: str | os.PathLike,
        *,
        lock_timeout: float = 10.0,
        write_attempts: int = 3,
        rebuild_procs: int | None = None,
        cache_postings: int = 3_000_000,
        grace_seconds: float = 120.0,
    ):
        """lock_timeout: seconds a write waits for the index; write_attempts: tries before IndexBusy;
        rebuild_procs: worker processes for rebuild (default: 2 when the machine has 2 cores);
        cache_postings: posting-list cache per segment, in postings (8 bytes each);
        grace_seconds: how long a replaced index version is kept for processes still reading it."""
        self.index_dir = Path(index_dir)
        self.lock_timeout = lock_timeout
        self.write_attempts = max(1, write_attempts)
        self.rebuild_procs = rebuild_procs if rebuild_procs is not None else min(2, os.cpu_count() or 1)
        self.cache_postings = cache_postings
        self.grace_seconds = grace_seconds
        self._lock = threading.RLock()
        self._reset()

    def _reset(self) -> None:
        self._pid = os.getpid()
        self._pointer_sig: tuple | None = None
        self._version: str | None = None
        self._storage: FileStorage | None = None
        self._views: dict[str, SegmentView] = {}
        self._snapshot: _Snapshot | None = None

    def close(self) -> None:
        with self._lock:
            for view in self._views.values():
                view.close()
            self._reset()

    # ----- the live index ------------------------------------------------------------------------

    def exists(self) -> bool:
        """True when a full rebuild by this code's index format has completed (an index created
        empty on first use is not one)."""
        pointer = self._read_pointer()
        return bool(
            pointer
            and pointer.get("complete")
            and pointer.get("format") == INDEX_FORMAT
            and (self.index_dir / pointer["version"]).is_dir()
        )

    def _current(self, pointer: dict) -> dict:
        if pointer.get("format") != INDEX_FORMAT:
            raise IndexOutdated(f"the search index in {self.index_dir} has an old format: rebuild it")
        return pointer

    def _read_pointer(self) -> dict | None:
        try:
            with open(self.index_dir / POINTER, encoding="utf-8") as f:
                return json.load(f)
        except FileNotFoundError:
            return None

    def _write_pointer(self, data: dict) -> None:
        tmp = self.index_dir / f"{POINTER}.{secrets.token_hex(4)}.tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(data, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.index_dir / POINTER)

    def _new_version(self) -> tuple[str, Path]:
        name = f"v{time.strftime('%Y%m%d%H%M%S')}-{secrets.token_hex(3)}"
        path = self.index_dir / name
        path.mkdir(parents=True)
        whoosh_index.create_in(str(path), build_schema(), indexname=INDEX_NAME)
        return name, path

    def _ensure_pointer(self) -> dict:
        """The pointer, creating an empty index first if there is none (under the write lock)."""
        pointer = self._read_pointer()
        if pointer is not None:
            return pointer
        self.index_dir.mkdir(parents=True, exist_ok=True)
        with self._exclusive():
            pointer = self._read_pointer()
            if pointer is None:
                name, _ = self._new_version()
                pointer = {"version": name, "complete": False, "format": INDEX_FORMAT}
                self._write_pointer(pointer)
        return pointer

    def _refresh(self) -> _Snapshot:
        """The current snapshot, reopened if the pointer or the index generation changed."""
        if os.getpid() != self._pid:  # forked: file positions are shared with the parent
            self._reset()
        last_error: Exception | None = None
        for attempt in range(OPEN_ATTEMPTS):
            try:
                self._follow_pointer()
                return self._load_generation()
            except (OSError, EOFError, ValueError, whoosh_index.EmptyIndexError) as e:
                # A writer replaced a file or a rebuild removed an old version while we read it.
                last_error = e
                self._pointer_sig = None
                time.sleep(min(0.005 * (attempt + 1), 0.05))
        raise RuntimeError(f"cannot open the search index in {self.index_dir}") from last_error

    def _follow_pointer(self) -> None:
        path = self.index_dir / POINTER
        try:
            st = os.stat(path)
        except FileNotFoundError:
            self._ensure_pointer()
            st = os.stat(path)
        sig = (st.st_ino, st.st_mtime_ns, st.st_size)
        if sig == self._pointer_sig and self._storage is not None:
            return
        pointer = self._current(self._read_pointer() or self._ensure_pointer())
        if pointer["version"] != self._version:
            for view in self._views.values():
                view.close()
            self._views = {}
            self._snapshot = None
            self._version = pointer["version"]
            self._storage = FileStorage(str(self.index_dir / self._version), readonly=True)
        self._pointer_sig = sig

    def _load_generation(self) -> _Snapshot:
        storage = self._storage
        generation = TOC._latest_generation(storage, INDEX_NAME)
        if generation < 0:
            raise FileNotFoundError(f"no index in {storage.folder}")
        snap = self._snapshot
        if snap is not None and snap.generation == generation:
            return snap
        toc = TOC.read(storage, INDEX_NAME, gen=generation)
        views: dict[str, SegmentView] = {}
        parts = []
        offset = 0
        total_length = 0
        try:
            for segment in toc.segments:
                sid = segment.segment_id()
                view = self._views.get(sid) or views.get(sid)
                if view is None:
                    view = SegmentView(storage, toc.schema, segment, self.cache_postings)
                views[sid] = view
                n = segment.doc_count_all()
                deleted = list(segment.deleted_docs())
                alive = bitmaps.full(n) & ~bitmaps.from_ids(deleted, n) if deleted else bitmaps.full(n)
                parts.append(_Part(view, offset, alive, alive.bit_count()))
                offset += n
                total_length += getattr(segment, "_fieldlengths", {}).get("text", 0)
        except BaseException:
            for sid, view in views.items():
                if sid not in self._views:
                    view.close()
            raise
        for sid, view in self._views.items():
            if sid not in views:
                view.close()
        self._views = views
        avg = total_length / offset if offset else 1.0
        self._snapshot = _Snapshot(
            self._version, generation, parts, sum(p.live for p in parts), avg or 1.0, toc.schema,
            getattr(toc.schema["text"].format, "phrases", frozenset()),
        )
        return self._snapshot

    # ----- reading -------------------------------------------------------------------------------

    def stamps(self) -> dict[str, str]:
        """{slug: stamp} of every document in the index."""
        with self._lock:
            snap = self._refresh()
            out = {}
            for part in snap.parts:
                idents = part.view.idents()
                for d in bitmaps.to_ids(part.alive):
                    slug, stamp = idents[d]
                    out[slug] = stamp
            return out

    def search(
        self,
        q: str | None,
        filters: dict[str, list[str]] | None = None,
        sort: str = "relevance",
        page: int = 1,
        per_page: int = 20,
    ) -> SearchResult:
        """Practices matching `q` under `filters` ({facet: [values]}: OR within a facet, AND across).

        Every word of q must match (match="all"); when no document has them all, documents with
        most of them are returned (match="some"); "none" when nothing matches. Empty q: everything
        under the filters. sort: relevance (score; newest for an empty q), newest, title (A-Z,
        ignoring case). Facet counts are for every facet value present; a value of facet F counts
        documents matching q and every filter except F's. Only the page's hits are highlighted.
        Any q is accepted; unknown facet names, sorts and pages below 1 raise ValueError."""
        if sort not in SORTS:
            raise ValueError(f"sort must be one of {SORTS}, not {sort!r}")
        if page < 1 or per_page < 1:
            raise ValueError("page and per_page start at 1")
        wanted = _clean_filters(filters)
        with self._lock:
            snap = self._refresh()
            text = query.normalize(q or "")
            groups = query.parse(text)
            corrections = self._correct(snap, groups)
            return _Search(snap, text, groups, wanted, sort, page, per_page, corrections).run()

    def _correct(self, snap: _Snapshot, groups: list[query.Group]) -> dict[str, str]:
        """Correct the words the index does not know (or barely knows, when a close word is far
        more common) against the index's own vocabulary; the corrected word joins the group."""
        out: dict[str, str] = {}
        rare = snap.doc_count // 2000
        attempts = 0
        for g in groups:
            if not g.correctable or attempts >= MAX_CORRECTIONS:
                continue
            df = snap.df(g.stem)
            if df > rare:
                continue
            attempts += 1
            key = (g.text.lower(), g.stem, max(1, df * MIN_CORRECTED_SHARE))
            if key not in snap.corrected:
                if len(snap.corrected) > 2000:
                    snap.corrected.clear()
                snap.corrected[key] = _best_correction(snap, *key)
            found = snap.corrected[key]
            if found is None:
                continue
            word, term = found
            g.correction = _same_case(word, g.text)
            corrected = query.with_families([query.Alt((term,), query.TYPED)])
            g.alts = (g.alts if df else []) + [a for a in corrected if a not in g.alts]
            out[g.text] = g.correction
        return out

    # ----- writing -------------------------------------------------------------------------------

    @contextmanager
    def _exclusive(self, name: str = LOCK, timeout: float | None = None, wait: bool = True) -> Iterator[None]:
        """An inter-process lock on index_dir/<name> (flock), waiting up to `timeout` seconds."""
        self.index_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.index_dir / name, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + (self.lock_timeout if timeout is None else timeout)
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if not wait or time.monotonic() > deadline:
                        raise IndexBusy(f"the search index in {self.index_dir} is busy ({name})") from None
                    time.sleep(0.01)
            yield
        finally:
            os.close(fd)  # releases the lock

    def upsert(self, doc: dict) -> None:
        """Add or replace a document (by slug). Visible to searches in every process when it returns."""
        self.update(upserts=[doc])

    def delete(self, slug: str) -> None:
        """Remove a document, if present."""
        self.update(deletes=[slug])

    def update(self, upserts: Iterable[dict] = (), deletes: Iterable[str] = ()) -> None:
        """Upsert and delete several documents in one index commit (deletes first)."""
        ops = [{"op": "delete", "slug": slug} for slug in deletes]
        ops += [{"op": "upsert", "doc": doc} for doc in {d["slug"]: d for d in upserts}.values()]
        if not ops:
            return
        change = _changes(ops)  # fails here, before any lock, on a document it cannot index
        self._ensure_pointer()
        with self._exclusive():
            pointer = self._current(self._read_pointer())
            ix = whoosh_index.open_dir(str(self.index_dir / pointer["version"]), indexname=INDEX_NAME)
            self._write(ix, change)
            if self._journal_open():  # a rebuild is running: it replays these before switching
                with open(self.index_dir / JOURNAL, "a", encoding="utf-8") as f:
                    for op in ops:
                        f.write(json.dumps(op, default=_json_default) + "\n")
        self._collect_garbage()

    def _journal_open(self) -> bool:
        """Whether a rebuild is collecting writes (call holding the write lock). A journal left by a
        rebuild that died is removed: the rebuild lock is free then."""
        journal = self.index_dir / JOURNAL
        if not journal.exists():
            return False
        try:
            with self._exclusive(REBUILD_LOCK, wait=False):
                journal.unlink(missing_ok=True)
                return False
        except IndexBusy:
            return True

    def _write(self, ix, change: Callable) -> None:
        for attempt in range(self.write_attempts):
            try:
                writer = ix.writer(timeout=self.lock_timeout)
            except LockError:
                if attempt + 1 == self.write_attempts:
                    raise IndexBusy(f"the search index in {self.index_dir} stayed locked") from None
                time.sleep(0.05 * (attempt + 1))
                continue
            try:
                change(writer)
            except BaseException:
                writer.cancel()
                raise
            writer.commit()
            return

    def rebuild(
        self,
        docs: Iterable[dict],
        total: int | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> int:
        """Index `docs` into a new version and switch to it; returns the number indexed.

        Searches keep answering from the old version meanwhile; upserts and deletes made during the
        rebuild are applied to both. Raises IndexBusy if another rebuild is running."""
        self.index_dir.mkdir(parents=True, exist_ok=True)
        with self._exclusive(REBUILD_LOCK, wait=False):
            with self._exclusive():
                (self.index_dir / JOURNAL).write_text("")
            name, path = self._new_version()
            try:
                ix = whoosh_index.open_dir(str(path), indexname=INDEX_NAME)
                procs = self.rebuild_procs if total is None or total >= 2000 else 1
                segments, count = bulk.build_segments(
                    ix.storage, ix.schema, INDEX_NAME, docs, procs=procs, progress=progress
                )
                TOC(ix.schema, segments, 1).write(ix.storage, INDEX_NAME)
                with self._exclusive(timeout=max(60.0, self.lock_timeout)):
                    self._replay(ix)
                    old = self._read_pointer()
                    self._write_pointer(
                        {
                            "version": name,
                            "complete": True,
                            "format": INDEX_FORMAT,
                            "previous": old["version"] if old else None,
                            "switched_at": time.time(),
                        }
                    )
                    (self.index_dir / JOURNAL).unlink(missing_ok=True)
            except BaseException:
                with self._exclusive(timeout=max(60.0, self.lock_timeout)):
                    (self.index_dir / JOURNAL).unlink(missing_ok=True)
                shutil.rmtree(path, ignore_errors=True)
                raise
        self._collect_garbage()
        return count

    def _replay(self, ix) -> None:
        journal = self.index_dir / JOURNAL
        lines = journal.read_text(encoding="utf-8").splitlines() if journal.exists() else []
        ops = [json.loads(line, object_hook=_json_hook) for line in lines if line.strip()]
        if ops:
            self._write(ix, _changes(ops))

    def _collect_garbage(self) -> None:
        """Remove index versions no process should still need: all but the live one and, for
        grace_seconds after a switch, the one it replaced. Never while a rebuild runs."""
        try:
            with self._exclusive(REBUILD_LOCK, wait=False):
                pointer = self._read_pointer()
                if not pointer:
                    return
                keep = {pointer["version"]}
                if pointer.get("previous") and time.time() - pointer.get("switched_at", 0) < self.grace_seconds:
                    keep.add(pointer["previous"])
                for entry in self.index_dir.iterdir():
                    if entry.is_dir() and entry.name.startswith("v") and entry.name not in keep:
                        shutil.rmtree(entry, ignore_errors=True)
        except IndexBusy:
            return


# ----- one search ----------------------------------------------------------------------------------


class _Search:
    """The evaluation of one query against one snapshot."""

    def __init__(self, snap, text, groups, filters, sort, page, per_page, corrections):
        self.snap = snap
        self.text = text
        self.groups = groups
        self.filters = filters
        self.sort = sort
        self.page = page
        self.per_page = per_page
        self.corrections = corrections

    def run(self) -> SearchResult:
        snap = self.snap
        groups = self.groups
        alts = list(dict.fromkeys(a for g in groups for a in g.alts))
        # Per segment: each alternative's postings, each group's bitmap, each facet's filter bitmap.
        postings = []
        group_bits = []
        filter_bits = []
        for part in snap.parts:
            view = part.view
            found = {a: _postings(view, a, snap.shortcuts) for a in alts}
            postings.append(found)
            bits = []
            for g in groups:
                b = 0
                for a in g.alts:
                    b |= found[a].bitmap
                bits.append(b & part.alive)
            group_bits.append(bits)
            by_facet = view.facet_groups()
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

        every = [_and(bits, part.alive) for bits, part in zip(group_bits, snap.parts, strict=True)]
        matched = [e & all_filters(i) for i, e in enumerate(every)]
        total = sum(m.bit_count() for m in matched)
        match = "all"
        query_bits = every
        if groups and not total:
            some = [_or(bits) & part.alive for bits, part in zip(group_bits, snap.parts, strict=True)]
            matched = [s & all_filters(i) for i, s in enumerate(some)]
            total = sum(m.bit_count() for m in matched)
            match = "some" if total else "none"
            query_bits = some if total else every
        elif not total:
            match = "none"

        facets = self._facets(query_bits, all_filters)
        ranked = self._rank(matched, postings, group_bits, match) if total else []
        start = (self.page - 1) * self.per_page
        marks = query.highlight_terms(groups)
        hits = [self._hit(i, d, score, marks) for i, d, score in ranked[start : start + self.per_page]]
        suggestion = _suggestion(self.text, groups) if self.corrections else None
        return SearchResult(total, self.page, self.per_page, hits, facets, suggestion, match, self.text,
                            self.corrections)

    def _facets(self, query_bits: list[int], all_filters) -> dict[str, dict[str, int]]:
        """For each facet, every value some live document has, with the number of documents that
        match the query and every filter but this facet's own; values filtered on are always there."""
        counts: dict[str, dict[str, int]] = {facet: {} for facet in FACETS}
        for i, part in enumerate(self.snap.parts):
            base_all = query_bits[i] & all_filters(i)
            alive = part.alive
            for facet, values in part.view.facet_groups().items():
                base = query_bits[i] & all_filters(i, facet) if facet in self.filters else base_all
                c = counts.setdefault(facet, {})
                for value, bits in values.items():
                    if bits & alive:
                        c[value] = c.get(value, 0) + (base & bits).bit_count()
        out = {}
        for facet, c in counts.items():
            for value in self.filters.get(facet, ()):
                c.setdefault(value, 0)
            out[facet] = dict(sorted(c.items(), key=lambda kv: (-kv[1], kv[0])))
        return out

    def _rank(self, matched, postings, group_bits, match) -> list[tuple[int, int, float]]:
        """The first page*per_page hits in order: (part index, local doc, score). Ties go to the
        lower document number (heapq.nlargest/nsmallest keep the first of equal keys)."""
        snap = self.snap
        k = self.page * self.per_page
        cover = match == "some" and len(self.groups) > 1
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
                key = scores.__getitem__
            elif self.sort == "title":
                titles = view.title_keys()
                key = titles.__getitem__
            else:
                key = view.published().__getitem__
            if cover:
                coverage = _coverage(docs, group_bits[i])
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

    def _hit(self, i: int, d: int, score: float, marks) -> Hit:
        view = self.snap.parts[i].view
        slug, _ = view.ident(d)
        title, summary, body = view.display(d)
        terms, phrases = marks
        highlights = {"title": highlight.whole(title, terms, phrases),
                      "summary": highlight.whole(summary, terms, phrases)}
        body_html = highlight.snippet(body, terms, phrases)
        if body_html:
            highlights["body"] = body_html
        return Hit(slug, score, highlights)


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


def _coverage(docs: list[int], group_bits: list[int]) -> dict[int, int]:
    coverage = dict.fromkeys(docs, 0)
    for bits in group_bits:
        for d in bitmaps.to_ids(bits):
            if d in coverage:
                coverage[d] += 1
    return coverage


def _and(bits: list[int], start: int) -> int:
    for b in bits:
        start &= b
    return start


def _or(bits) -> int:
    out = 0
    for b in bits:
        out |= b
    return out


def _clean_filters(filters: dict[str, list[str]] | None) -> dict[str, tuple[str, ...]]:
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


def _suggestion(text: str, groups: list[query.Group]) -> str:
    out = []
    pos = 0
    for g in sorted((g for g in groups if g.correction), key=lambda g: g.start):
        out.append(text[pos : g.start])
        out.append(g.correction)
        pos = g.end
    out.append(text[pos:])
    return " ".join("".join(out).split())


def _same_case(word: str, typed: str) -> str:
    if typed.isupper() and len(typed) > 1:
        return word.upper()
    if typed[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _edits1(word: str) -> list[str]:
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    out = [a + b[1:] for a, b in splits if b]
    out += [a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1]
    out += [a + c + b[1:] for a, b in splits if b for c in _LETTERS if c != b[0]]
    out += [a + c + b for a, b in splits for c in _LETTERS]
    return list(dict.fromkeys(out))


def _best_correction(snap: _Snapshot, word: str, stem: str, min_df: int) -> tuple[str, str] | None:
    """(corrected word, its term): the most common term of the index whose word is one edit away
    from `word`, else the most common term within two edits of `stem` (one for short stems)."""
    best = None
    spellings: dict[str, list[str]] = {}  # term -> the one-edit words that have it
    if word.isascii() and len(word) <= MAX_CORRECTED_LENGTH:
        for candidate in _edits1(word):
            term = analysis.classify(candidate)
            if term is None or term == stem:
                continue
            term = str(term)
            if term in spellings:
                spellings[term].append(candidate)
                continue
            spellings[term] = [candidate]
            df = snap.df(term)
            if df >= min_df and (best is None or (df, term) > best):
                best = (df, term)
    if best is None:
        if len(stem) > MAX_CORRECTED_LENGTH:
            return None
        dfa = Automata.levenshtein_dfa(stem, 2 if len(stem) >= 6 else 1, prefix=1)
        found = {}
        # The lexicon walk seeks on disk: walk the big segments, which hold 90% of the documents and
        # so nearly all of the vocabulary, not every small segment that recent commits added.
        covered = 0
        for part in sorted(snap.parts, key=lambda p: -p.view.size):
            if covered >= 0.9 * sum(p.view.size for p in snap.parts):
                break
            covered += part.view.size
            for term in Automata.find_matches(dfa, part.view.lexicon_cursor(snap.schema)):
                if term != stem and term.islower() and term not in found:
                    found[term] = snap.df(term)
        ranked = sorted((distance(stem, t), -df, t) for t, df in found.items() if df >= min_df)
        if not ranked:
            return None
        best = (-ranked[0][1], ranked[0][2])
    term = best[1]
    return _surface(snap, term, word, spellings.get(term, [])), term


SURFACE_DOCUMENTS = 5


def _surface(snap: _Snapshot, term: str, typed: str, candidates: list[str]) -> str:
    """How documents write a term (a stem is often no word): of the words with this term in a few
    documents, the most frequent of the candidate spellings, else the most frequent word; ties go
    to the spelling closest to what was typed."""
    counts: dict[str, int] = {}
    seen = 0
    for part in snap.parts:
        p = part.view.postings("text", term)
        for d in bitmaps.to_ids(p.bitmap & part.alive)[: SURFACE_DOCUMENTS - seen]:
            seen += 1
            for text in part.view.display(d):
                for t in analysis.tokens(text):
                    if t.term == term:
                        w = t.text.lower()
                        counts[w] = counts.get(w, 0) + 1
        if seen >= SURFACE_DOCUMENTS:
            break
    pool = [c for c in candidates if c in counts] or list(counts) or candidates or [term]
    return min(pool, key=lambda w: (-counts.get(w, 0), distance(w, typed), w))


def _changes(ops: list[dict]) -> Callable:
    """A function applying journal-style operations to a Whoosh writer, fields computed up front."""
    prepared = [("upsert", index_fields(op["doc"])) if op["op"] == "upsert" else ("delete", op["slug"]) for op in ops]

    def change(writer) -> None:
        for kind, value in prepared:
            if kind == "upsert":
                writer.update_document(**value)
            else:
                writer.delete_by_term("slug", value)

    return change


def _json_default(value):
    if isinstance(value, datetime):
        return {"__datetime__": value.isoformat()}
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _json_hook(obj: dict):
    if set(obj) == {"__datetime__"}:
        return datetime.fromisoformat(obj["__datetime__"])
    return obj
