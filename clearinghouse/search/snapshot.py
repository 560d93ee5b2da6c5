"""What a search reads: the live index generation, reopened only when it changed.

Each search checks the pointer (a stat) and the index generation (a listdir); when either changed it
opens the new generation, reusing the SegmentViews it already has of unchanged segments (a commit
adds one small segment; a merge replaces a few).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field

from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC, EmptyIndexError

from clearinghouse.search import bitmaps
from clearinghouse.search.segments import SegmentView
from clearinghouse.search.storage import INDEX_NAME, IndexFolder

OPEN_ATTEMPTS = 25


@dataclass
class Part:
    """One segment in one index generation."""

    view: SegmentView
    offset: int
    alive: int  # bitmap of documents not deleted
    live: int  # how many


@dataclass
class Snapshot:
    version: str
    generation: int
    parts: list[Part]
    doc_count: int
    avg_length: float
    schema: object
    shortcuts: frozenset  # phrases this index has as single terms (analysis.Shortcuts)
    corrected: dict = field(default_factory=dict)  # (word, stem, min_df) -> correction, this generation

    def df(self, term: str) -> int:
        return sum(p.view.doc_frequency("text", term) for p in self.parts)


class Snapshots:
    """The current Snapshot of an IndexFolder for one process (after a fork it reopens everything:
    file positions would be shared with the parent). Not thread-safe: the engine serializes calls."""

    def __init__(self, folder: IndexFolder, cache_postings: int):
        self.folder = folder
        self.cache_postings = cache_postings
        self._reset()

    def _reset(self) -> None:
        self._pid = os.getpid()
        self._pointer_sig: tuple | None = None
        self._version: str | None = None
        self._index = None  # the Whoosh index of _version
        self._views: dict[str, SegmentView] = {}
        self._snapshot: Snapshot | None = None

    def close(self) -> None:
        for view in self._views.values():
            view.close()
        self._reset()

    def current(self) -> Snapshot:
        """The current snapshot, reopened if the pointer or the index generation changed."""
        if os.getpid() != self._pid:
            self._reset()
        last_error: Exception | None = None
        for attempt in range(OPEN_ATTEMPTS):
            try:
                self._follow_pointer()
                snapshot = self._load_generation()
                self.folder.collect_when_due()
                return snapshot
            except (OSError, EOFError, ValueError, EmptyIndexError) as e:
                # A writer replaced a file or a rebuild removed an old version while we read it.
                last_error = e
                self._pointer_sig = None
                time.sleep(min(0.005 * (attempt + 1), 0.05))
        raise RuntimeError(f"cannot open the search index in {self.folder.path}") from last_error

    def _follow_pointer(self) -> None:
        sig = self.folder.pointer_signature()
        if sig == self._pointer_sig and self._index is not None:
            return
        pointer = self.folder.current()
        if pointer["version"] != self._version or self._index is None:
            for view in self._views.values():
                view.close()
            self._views = {}
            self._snapshot = None
            self._index = None
            storage = FileStorage(str(self.folder.path / pointer["version"]), readonly=True)
            self._index = storage.open_index(INDEX_NAME)
            self._version = pointer["version"]
        self._pointer_sig = sig

    def _load_generation(self) -> Snapshot:
        ix = self._index
        generation = ix.latest_generation()
        if generation < 0:
            raise FileNotFoundError(f"no index in {ix.storage.folder}")
        snap = self._snapshot
        if snap is not None and snap.generation == generation:
            return snap
        toc = TOC.read(ix.storage, INDEX_NAME, gen=generation)
        views: dict[str, SegmentView] = {}
        parts = []
        offset = 0
        total_length = 0
        try:
            for segment in toc.segments:
                sid = segment.segment_id()
                view = self._views.get(sid) or views.get(sid)
                if view is None:
                    view = SegmentView(ix.storage, toc.schema, segment, self.cache_postings)
                views[sid] = view
                n = segment.doc_count_all()
                deleted = list(segment.deleted_docs())
                alive = bitmaps.full(n) & ~bitmaps.from_ids(deleted, n) if deleted else bitmaps.full(n)
                parts.append(Part(view, offset, alive, alive.bit_count()))
                offset += n
                total_length += view.text_length
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
        self._snapshot = Snapshot(
            self._version, generation, parts, sum(p.live for p in parts), avg or 1.0, toc.schema,
            getattr(toc.schema["text"].format, "phrases", frozenset()),
        )
        return self._snapshot
