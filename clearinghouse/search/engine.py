"""The search engine: the one object the app uses to index practices and search them.

    engine = SearchEngine(index_dir)
    engine.rebuild(docs, total, progress)      # a fresh index, switched in atomically
    engine.upsert(doc) / engine.delete(slug)   # visible to every process once they return
    engine.update(upserts, deletes)            # several in one commit
    engine.search(q, filters, sort, page, per_page) -> SearchResult
    engine.stamps() -> {slug: stamp}           # for "index check"
    engine.status() -> IndexStatus             # which version and generation is live

It puts together the parts, each in its module: storage.py (version folders, the CURRENT pointer,
locks, the journal of writes made during a rebuild, garbage collection), snapshot.py (the live index
generation a search reads), query.py (what was typed, as groups of terms and phrases), spelling.py
(typo correction), evaluation.py (bitmaps, BM25 ranking, facet counts, the page), bulk.py (the
rebuild's segment writer).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from clearinghouse.search import bitmaps, bulk, query, spelling
from clearinghouse.search.evaluation import SORTS, Hit, Search, SearchResult, clean_filters
from clearinghouse.search.schema import FACETS
from clearinghouse.search.snapshot import Snapshots
from clearinghouse.search.storage import INDEX_FORMAT, IndexBusy, IndexFolder, IndexOutdated

__all__ = ["FACETS", "INDEX_FORMAT", "Hit", "IndexBusy", "IndexOutdated", "IndexStatus", "SearchEngine",
           "SearchResult", "SORTS"]


@dataclass(frozen=True)
class IndexStatus:
    version: str  # the live version folder
    generation: int  # its Whoosh generation: one more per commit
    segments: int
    documents: int


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
        self.folder = IndexFolder(self.index_dir, lock_timeout=lock_timeout, write_attempts=write_attempts,
                                  grace_seconds=grace_seconds)
        self.rebuild_procs = rebuild_procs if rebuild_procs is not None else min(2, os.cpu_count() or 1)
        self._lock = threading.RLock()
        self._snapshots = Snapshots(self.folder, cache_postings)

    def close(self) -> None:
        with self._lock:
            self._snapshots.close()

    # ----- reading -------------------------------------------------------------------------------

    def exists(self) -> bool:
        """True when a full rebuild by this code's index format has completed (an index created
        empty on first use is not one)."""
        return self.folder.exists()

    def status(self) -> IndexStatus:
        """The live index as searches see it now."""
        with self._lock:
            snap = self._snapshots.current()
            return IndexStatus(snap.version, snap.generation, len(snap.parts), snap.doc_count)

    def stamps(self) -> dict[str, str]:
        """{slug: stamp} of every document in the index."""
        with self._lock:
            snap = self._snapshots.current()
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
        correct: bool = True,
        facets: Iterable[str] | None = None,
    ) -> SearchResult:
        """Practices matching `q` under `filters` ({facet: [values]}: OR within a facet, AND across).

        Every word of q must match (match="all"); when no document has them all, documents with
        most of them are returned (match="some"); "none" when nothing matches. Empty q: everything
        under the filters. sort: relevance (score; newest for an empty q), newest, title (A-Z,
        ignoring case). Facet counts are for every facet value present; a value of facet F counts
        documents matching q and every filter except F's. Only the page's hits are highlighted.
        A word the index does not know is corrected (spelling.py) and the corrected query is run, with
        its synonyms: result.suggestion is that query, result.corrections the words changed;
        correct=False searches the words exactly as typed. facets: the facets to count (default all; empty: none).
        Any q is accepted; unknown facet names, sorts and pages below 1 raise ValueError."""
        if sort not in SORTS:
            raise ValueError(f"sort must be one of {SORTS}, not {sort!r}")
        if page < 1 or per_page < 1:
            raise ValueError("page and per_page start at 1")
        wanted = clean_filters(filters)
        names = FACETS if facets is None else tuple(f for f in FACETS if f in set(facets))
        if facets is not None and (unknown := set(facets) - set(FACETS)):
            raise ValueError(f"unknown facet {sorted(unknown)[0]!r}")
        with self._lock:
            snap = self._snapshots.current()
            text = query.normalize(q or "")
            groups = query.parse(text)
            corrections = spelling.correct(snap, groups) if correct else {}
            suggestion = None
            if corrections:
                suggestion = spelling.suggestion(text, groups)
                groups = spelling.corrected_groups(suggestion, groups)
            return Search(snap, suggestion or text, groups, wanted, sort, page, per_page, corrections,
                          suggestion, names).run()

    # ----- writing -------------------------------------------------------------------------------

    def upsert(self, doc: dict) -> None:
        """Add or replace a document (by slug). Visible to searches in every process when it returns."""
        self.update(upserts=[doc])

    def delete(self, slug: str) -> None:
        """Remove a document, if present."""
        self.update(deletes=[slug])

    def update(self, upserts: Iterable[dict] = (), deletes: Iterable[str] = ()) -> None:
        """Upsert and delete several documents in one index commit (deletes first). Nothing is
        written when a document cannot be indexed; IndexBusy when the index stays locked."""
        ops = [{"op": "delete", "slug": slug} for slug in deletes]
        ops += [{"op": "upsert", "doc": doc} for doc in {d["slug"]: d for d in upserts}.values()]
        if ops:
            self.folder.apply(ops)

    def rebuild(
        self,
        docs: Iterable[dict],
        total: int | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> int:
        """Index `docs` into a new version and switch to it; returns the number indexed.

        Searches keep answering from the old version meanwhile; upserts and deletes made during the
        rebuild are applied to both. Raises IndexBusy if another rebuild is running."""
        procs = self.rebuild_procs if total is None or total >= 2000 else 1
        return self.folder.rebuild(lambda ix: bulk.fill(ix, docs, procs=procs, progress=progress))
