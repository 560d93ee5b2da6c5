"""The index folder: version folders, the CURRENT pointer, locks, the journal, garbage collection.

Layout of index_dir: version folders ("v20250101120000-a1b2c3"), each a Whoosh index, and CURRENT, a
small JSON file naming the live one, replaced with os.replace. Writers (upsert, delete, the switch at
the end of a rebuild) hold an flock on index_dir/.lock; while a rebuild runs, upserts and deletes are
also written to index_dir/journal and replayed into the new index before the switch, so none is lost.
Readers take no lock (snapshot.py follows the pointer).
"""

from __future__ import annotations

import fcntl
import json
import os
import secrets
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.index import LockError

from clearinghouse.search.schema import build_schema, index_fields

INDEX_NAME = "MAIN"
POINTER = "CURRENT"
LOCK = ".lock"
REBUILD_LOCK = ".rebuild.lock"
JOURNAL = "journal"
# Version of what an index holds (schema, analysis, bulk layout), written into CURRENT: an index of
# another format does not count as existing, so `make run` rebuilds it. Bump on incompatible change.
INDEX_FORMAT = 2
GC_EVERY = 5.0  # seconds between a reader's looks for versions to remove


class IndexBusy(Exception):
    """The index could not be written: another writer held it past the timeout, or a rebuild runs."""


class IndexOutdated(RuntimeError):
    """The index was built by an older version of this code: rebuild it (flask index rebuild)."""


class IndexFolder:
    """The versions of one index and the rules for changing them; any number of processes may use
    the same folder at once."""

    def __init__(self, path: str | os.PathLike, *, lock_timeout: float = 10.0, write_attempts: int = 3,
                 grace_seconds: float = 120.0):
        self.path = Path(path)
        self.lock_timeout = lock_timeout
        self.write_attempts = max(1, write_attempts)
        self.grace_seconds = grace_seconds
        self._next_gc = 0.0
        self._collector: threading.Thread | None = None

    # ----- the pointer ---------------------------------------------------------------------------

    def exists(self) -> bool:
        """True when a full rebuild by this code's index format has completed (an index created
        empty on first use is not one)."""
        pointer = self.read_pointer()
        return bool(
            pointer
            and pointer.get("complete")
            and pointer.get("format") == INDEX_FORMAT
            and (self.path / pointer["version"]).is_dir()
        )

    def read_pointer(self) -> dict | None:
        try:
            with open(self.path / POINTER, encoding="utf-8") as f:
                return json.load(f)
        except FileNotFoundError:
            return None

    def pointer_signature(self) -> tuple:
        """What changes whenever the pointer is replaced; creates an empty index when there is none."""
        path = self.path / POINTER
        try:
            st = os.stat(path)
        except FileNotFoundError:
            self.ensure_pointer()
            st = os.stat(path)
        return st.st_ino, st.st_mtime_ns, st.st_size

    def current(self) -> dict:
        """The pointer (creating an empty index when there is none); IndexOutdated if its format is old."""
        pointer = self.read_pointer() or self.ensure_pointer()
        if pointer.get("format") != INDEX_FORMAT:
            raise IndexOutdated(f"the search index in {self.path} has an old format: rebuild it")
        return pointer

    def ensure_pointer(self) -> dict:
        """The pointer, creating an empty index first if there is none (under the write lock)."""
        pointer = self.read_pointer()
        if pointer is not None:
            return pointer
        self.path.mkdir(parents=True, exist_ok=True)
        with self.lock():
            pointer = self.read_pointer()
            if pointer is None:
                name, _ = self._new_version()
                pointer = {"version": name, "complete": False, "format": INDEX_FORMAT}
                self._write_pointer(pointer)
        return pointer

    def _write_pointer(self, data: dict) -> None:
        tmp = self.path / f"{POINTER}.{secrets.token_hex(4)}.tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(data, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path / POINTER)

    def _new_version(self) -> tuple[str, Path]:
        name = f"v{time.strftime('%Y%m%d%H%M%S')}-{secrets.token_hex(3)}"
        path = self.path / name
        path.mkdir(parents=True)
        whoosh_index.create_in(str(path), build_schema(), indexname=INDEX_NAME)
        return name, path

    # ----- locks ---------------------------------------------------------------------------------

    @contextmanager
    def lock(self, name: str = LOCK, timeout: float | None = None, wait: bool = True) -> Iterator[None]:
        """An inter-process lock on index_dir/<name> (flock), waiting up to `timeout` seconds (default
        lock_timeout); IndexBusy when it stays taken. LOCK is the write lock, REBUILD_LOCK a rebuild's."""
        self.path.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path / name, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + (self.lock_timeout if timeout is None else timeout)
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if not wait or time.monotonic() > deadline:
                        raise IndexBusy(f"the search index in {self.path} is busy ({name})") from None
                    time.sleep(0.01)
            yield
        finally:
            os.close(fd)  # releases the lock

    # ----- writing -------------------------------------------------------------------------------

    def apply(self, ops: list[dict]) -> None:
        """Apply journal-style operations ({"op": "upsert", "doc": ...} or {"op": "delete", "slug":
        ...}) to the live version in one Whoosh commit, and to the journal while a rebuild runs."""
        change = _changes(ops)  # fails here, before any lock, on a document it cannot index
        self.ensure_pointer()
        with self.lock():
            pointer = self.current()
            ix = whoosh_index.open_dir(str(self.path / pointer["version"]), indexname=INDEX_NAME)
            self._write(ix, change)
            if self._journal_open():  # a rebuild is running: it replays these before switching
                with open(self.path / JOURNAL, "a", encoding="utf-8") as f:
                    for op in ops:
                        f.write(json.dumps(op, default=_json_default) + "\n")
        self.collect_garbage()

    def _journal_open(self) -> bool:
        """Whether a rebuild is collecting writes (call holding the write lock). A journal left by a
        rebuild that died is removed: the rebuild lock is free then."""
        journal = self.path / JOURNAL
        if not journal.exists():
            return False
        try:
            with self.lock(REBUILD_LOCK, wait=False):
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
                    raise IndexBusy(f"the search index in {self.path} stayed locked") from None
                time.sleep(0.05 * (attempt + 1))
                continue
            try:
                change(writer)
            except BaseException:
                writer.cancel()
                raise
            writer.commit()
            return

    def rebuild(self, build: Callable[[object], int]) -> int:
        """A new version, filled by build(ix) (which returns the number of documents it wrote), the
        journal replayed into it, then switched to; returns build's count. Raises IndexBusy if
        another rebuild is running; on any failure the new version is removed and nothing changes."""
        self.path.mkdir(parents=True, exist_ok=True)
        with self.lock(REBUILD_LOCK, wait=False):
            with self.lock():
                (self.path / JOURNAL).write_text("")
            name, path = self._new_version()
            try:
                ix = whoosh_index.open_dir(str(path), indexname=INDEX_NAME)
                count = build(ix)
                with self.lock(timeout=max(60.0, self.lock_timeout)):
                    self._replay(ix)
                    old = self.read_pointer()
                    self._write_pointer(
                        {
                            "version": name,
                            "complete": True,
                            "format": INDEX_FORMAT,
                            "previous": old["version"] if old else None,
                            "switched_at": time.time(),
                        }
                    )
                    (self.path / JOURNAL).unlink(missing_ok=True)
            except BaseException:
                with self.lock(timeout=max(60.0, self.lock_timeout)):
                    (self.path / JOURNAL).unlink(missing_ok=True)
                shutil.rmtree(path, ignore_errors=True)
                raise
        self.collect_garbage()
        return count

    def _replay(self, ix) -> None:
        journal = self.path / JOURNAL
        lines = journal.read_text(encoding="utf-8").splitlines() if journal.exists() else []
        ops = [json.loads(line, object_hook=_json_hook) for line in lines if line.strip()]
        if ops:
            self._write(ix, _changes(ops))

    def collect_when_due(self) -> None:
        """For readers: every GC_EVERY seconds at most, look whether a replaced version has outlived its grace
        period; if so remove it in a background thread, so it goes whether or not anything is written later."""
        now = time.monotonic()
        if now < self._next_gc:
            return
        self._next_gc = now + GC_EVERY
        pointer = self.read_pointer()
        if not pointer:
            return
        if pointer.get("previous") and time.time() - pointer.get("switched_at", 0) < self.grace_seconds:
            self._next_gc = now + min(GC_EVERY, max(0.0, self.grace_seconds - (time.time() - pointer["switched_at"])))
            return
        try:
            old = [e for e in os.scandir(self.path)
                   if e.is_dir() and e.name.startswith("v") and e.name != pointer["version"]]
        except FileNotFoundError:
            return
        if old and not (self._collector and self._collector.is_alive()):
            self._collector = threading.Thread(target=self.collect_garbage, name="index-gc", daemon=True)
            self._collector.start()

    def collect_garbage(self) -> None:
        """Remove index versions no process should still need: all but the live one and, for
        grace_seconds after a switch, the one it replaced. Never while a rebuild runs."""
        try:
            with self.lock(REBUILD_LOCK, wait=False):
                pointer = self.read_pointer()
                if not pointer:
                    return
                keep = {pointer["version"]}
                if pointer.get("previous") and time.time() - pointer.get("switched_at", 0) < self.grace_seconds:
                    keep.add(pointer["previous"])
                for entry in self.path.iterdir():
                    if entry.is_dir() and entry.name.startswith("v") and entry.name not in keep:
                        shutil.rmtree(entry, ignore_errors=True)
        except IndexBusy:
            return


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
