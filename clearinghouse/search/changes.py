"""The search change log (a transactional outbox) and each node's position in it.

Every change that affects search appends a row to `search_changes` in the transaction that makes it (`record`,
called for each practice the services publish, edit or archive). Each node's index folder holds APPLIED, the id
of the last row that index has applied; service.catch_up applies the rows past it. Applying a row makes the index
agree with the database for that practice as it is now, so applying a row twice, or late, is harmless.

Rows are numbered in commit order: on PostgreSQL, writers take one transaction-level advisory lock just before
they append (everything else already flushed, so no deadlock), which makes a row with a higher id never commit
before one with a lower id; on SQLite writes are serialized anyway. A reader that has seen row N has therefore
seen every row below N that will ever exist.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from flask import Flask
from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

from ..extensions import db
from ..models import Practice, Revision, SearchChange
from ..models.types import utcnow
from ..practices.queries import PUBLISHED
from ..unit_of_work import before_commit_batch

log = logging.getLogger(__name__)
POSITION = "APPLIED"  # in the index folder: {"change_id": N} — the last row this index applied
KEEP = 20_000  # rows kept in the log; a node further behind rebuilds (SEARCH_REBUILD_AFTER is below this)
_ADVISORY_KEY = 7_303_185  # pg_advisory_xact_lock key that orders the appends


def record(slug: str) -> None:
    """Append a change row for this practice when the current transaction commits (in that same transaction)."""
    before_commit_batch(db.session(), "search-changes", slug, _append)


def record_rebuild(session: Session | None = None) -> None:
    """Ask every node to rebuild its index from the database (committed by the caller)."""
    session = session or db.session()
    _lock_log(session)
    session.add(SearchChange(kind="rebuild", practice_id=None, created_at=utcnow()))


def _append(slugs: set, session: Session) -> None:
    session.flush()  # every other row lock first: the advisory lock is the last lock this transaction takes
    practices = dict(session.execute(select(Practice.slug, Practice.id).where(Practice.slug.in_(slugs))).all())
    published = set(session.execute(
        select(Revision.practice_id).where(Revision.state == PUBLISHED, Revision.practice_id.in_(practices.values()))
    ).scalars())
    _lock_log(session)
    now = utcnow()
    for slug in sorted(slugs):
        pid = practices.get(slug)
        if pid is not None:
            session.add(SearchChange(practice_id=pid, kind="upsert" if pid in published else "delete", created_at=now))


def _lock_log(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ADVISORY_KEY})


def latest_id() -> int:
    """The id of the newest row (0 when the log is empty)."""
    return db.session.execute(select(func.coalesce(func.max(SearchChange.id), 0))).scalar_one()


def pending(after: int, limit: int = 1000) -> list[tuple[int, str, str | None]]:
    """(id, kind, slug) of the rows past `after`, oldest first."""
    return [tuple(row) for row in db.session.execute(
        select(SearchChange.id, SearchChange.kind, Practice.slug)
        .outerjoin(Practice, Practice.id == SearchChange.practice_id)
        .where(SearchChange.id > after).order_by(SearchChange.id).limit(limit)
    ).all()]


def oldest_pending(after: int) -> datetime | None:
    """When the oldest row past `after` was written (None when there is none)."""
    return db.session.execute(
        select(SearchChange.created_at).where(SearchChange.id > after).order_by(SearchChange.id).limit(1)
    ).scalar()


def prune() -> int:
    """Drop rows far older than any node still applies (a node that far behind rebuilds). Returns rows dropped."""
    cutoff = latest_id() - KEEP
    if cutoff <= 0:
        return 0
    result = db.session.execute(delete(SearchChange).where(SearchChange.id <= cutoff))
    db.session.commit()
    return result.rowcount or 0


# ----- this node's position ---------------------------------------------------------------------------------


def read_position(index_dir: str | os.PathLike) -> int | None:
    """The last change id this index applied; None when unknown (no index built by rebuild, or folder gone)."""
    try:
        with open(Path(index_dir) / POSITION, encoding="utf-8") as f:
            return int(json.load(f)["change_id"])
    except (FileNotFoundError, ValueError, KeyError, TypeError):
        return None


def write_position(index_dir: str | os.PathLike, change_id: int) -> None:
    """Record the position atomically (a reader sees the old or the new file, never half of one)."""
    folder = Path(index_dir)
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f"{POSITION}.{secrets.token_hex(4)}.tmp"
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump({"change_id": change_id, "written_at": time.time()}, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, folder / POSITION)
    finally:
        tmp.unlink(missing_ok=True)


# ----- the follower: one thread per worker process -----------------------------------------------------------


class Follower:
    """Runs `step` (in an app context) every `interval` seconds, or sooner when woken; one per process."""

    def __init__(self, app: Flask, step: Callable[[], None], interval: float):
        self.app, self.step, self.interval = app, step, interval
        self.wake = threading.Event()
        self.stopped = False
        self.pid = os.getpid()
        self.failing_since: float | None = None
        self._last_logged = 0.0
        self.thread = threading.Thread(target=self._run, name="search-follower", daemon=True)
        self.thread.start()

    def stop(self) -> None:
        """End the thread after its current round (the app's owner is done with it)."""
        self.stopped = True
        self.wake.set()
        self.thread.join(10)

    def _run(self) -> None:
        while not self.stopped:
            with self.app.app_context():
                try:
                    self.step()
                    if self.failing_since is not None:
                        log.warning("search follower: applying changes works again")
                    self.failing_since = None
                except Exception:  # noqa: BLE001 — the change stays in the log; try again on the next round
                    self.failing_since = self.failing_since or time.monotonic()
                    if time.monotonic() - self._last_logged > 60:  # one log line a minute while it fails
                        self._last_logged = time.monotonic()
                        log.exception("search follower: could not apply the change log (it stays queued)")
                    db.session.rollback()
                finally:
                    db.session.remove()
            self.wake.wait(self.interval)
            self.wake.clear()


_followers: dict[str, Follower] = {}
_followers_lock = threading.Lock()


def follow(app: Flask, step: Callable[[], None]) -> Follower | None:
    """This process's follower for the app's index, started on first call (after a fork, a new one)."""
    interval = float(app.config.get("SEARCH_FOLLOW_SECONDS") or 0)
    if interval <= 0:
        return None
    key = app.config["SEARCH_INDEX_DIR"]
    with _followers_lock:
        found = _followers.get(key)
        if found is None or found.pid != os.getpid():
            found = _followers[key] = Follower(app, step, interval)
        return found


def stop_following(app: Flask) -> None:
    """Stop this process's follower for the app's index, if it has one."""
    with _followers_lock:
        found = _followers.pop(app.config["SEARCH_INDEX_DIR"], None)
    if found is not None and found.pid == os.getpid():
        found.stop()
