"""Search as the app sees it: index upkeep (rebuild, the change log, checks) and queries; the documents come from
documents.py."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import select

from ..errors import Unavailable
from ..extensions import db
from ..models import LEA, Practice, Revision
from ..models.types import utcnow
from ..practices.queries import PUBLISHED, count_published, published_query
from ..signals import practice_changed
from ..taxonomy import VOCABULARIES
from ..unit_of_work import after_commit_batch
from . import changes
from .documents import document, published_documents
from .engine import FACETS, Hit, IndexBusy, SearchEngine, SearchResult

log = logging.getLogger(__name__)
_engines: dict[str, SearchEngine] = {}
_lock = threading.Lock()


def engine() -> SearchEngine:
    """This process's engine for the configured index (opened once, its searcher refreshed per search)."""
    path = current_app.config["SEARCH_INDEX_DIR"]
    with _lock:
        if path not in _engines:
            _engines[path] = SearchEngine(path)
        return _engines[path]


def rebuild(progress: Callable[[int], None] | None = None) -> int:
    """Build a fresh index from the database into a new folder and switch to it atomically; this node's index
    then counts as having applied the change log up to where the rebuild started reading."""
    total, start = _rebuild(progress)
    with engine().folder.lock(APPLY_LOCK, timeout=60.0):
        _advance_after_rebuild(start)
    return total


def _rebuild(progress: Callable[[int], None] | None = None) -> tuple[int, int]:
    start = changes.latest_id()  # the rebuild reads the database after this: every change up to it is in
    total = count_published()
    engine().rebuild(published_documents(), total=total, progress=progress)
    return total, start


def _advance_after_rebuild(start: int) -> None:
    """(Holding APPLY_LOCK.) A worker may have applied rows past `start` meanwhile: the rebuild replayed them."""
    index_dir = current_app.config["SEARCH_INDEX_DIR"]
    position = changes.read_position(index_dir)
    changes.write_position(index_dir, start if position is None or position > changes.latest_id()
                           else max(start, position))
    changes.prune()


# ----- following the change log (several nodes, each with its own index, on one database) -----------------

APPLY_LOCK = ".apply.lock"  # in the index folder: one worker of a node applies the log at a time


def follow_change_log(app) -> None:
    """Start this worker's follower thread (SEARCH_FOLLOW_SECONDS; 0 = none, the test default)."""
    changes.follow(app, catch_up)


def catch_up(wait: float = 0.0, rebuild_allowed: bool = True) -> str:
    """Apply the change log past this index's position, or rebuild when that is the way to catch up.

    Returns "current" (nothing to do), "applied", "rebuilt", "busy" (another worker of this node holds the
    apply lock longer than `wait`), or "rebuild needed" (when rebuild_allowed is False). Costs a file read
    and one SELECT when there is nothing to do.
    """
    index_dir = current_app.config["SEARCH_INDEX_DIR"]
    position = changes.read_position(index_dir)
    if position is not None and position == changes.latest_id() and index_exists():
        return "current"
    try:
        with engine().folder.lock(APPLY_LOCK, timeout=wait, wait=wait > 0):
            return _apply(index_dir, rebuild_allowed)
    except IndexBusy:
        return "busy"


def _apply(index_dir: str, rebuild_allowed: bool) -> str:
    position = changes.read_position(index_dir)
    latest = changes.latest_id()
    limit = current_app.config["SEARCH_REBUILD_AFTER"]
    reason = None
    if position is None or not index_exists():
        reason = "no index built from the database here yet"
    elif position > latest:
        reason = f"the index has applied change {position} but the log ends at {latest} (database restored?)"
    elif latest - position > limit:
        reason = f"{latest - position} changes behind (more than SEARCH_REBUILD_AFTER={limit})"
    status = "current"
    while reason is None:
        rows = changes.pending(position)
        if not rows:
            return status
        if any(kind == "rebuild" for _, kind, _ in rows):
            reason = "a rebuild of every node's index was asked for"
            break
        reindex(sorted({slug for _, _, slug in rows if slug}))
        position, status = rows[-1][0], "applied"
        changes.write_position(index_dir, position)
    if not rebuild_allowed:
        return "rebuild needed"
    log.warning("rebuilding the search index in %s: %s", index_dir, reason)
    _total, start = _rebuild()
    _advance_after_rebuild(start)
    return "rebuilt"


def behind() -> str | None:
    """Why this node's index is behind the change log and not catching up, or None.

    Behind means: a row past the index's position is older than SEARCH_BEHIND_GRACE seconds while no worker of
    this node is working on it (a long rebuild holds the apply lock and counts as catching up).
    """
    index_dir = current_app.config["SEARCH_INDEX_DIR"]
    position = changes.read_position(index_dir)
    if position is None:
        return None  # no position yet (an index not built by `flask index rebuild`): the counts decide
    oldest = changes.oldest_pending(position)
    if oldest is None:
        return None
    age = (utcnow() - oldest).total_seconds()
    if age < current_app.config["SEARCH_BEHIND_GRACE"]:
        return None
    try:
        with engine().folder.lock(APPLY_LOCK, wait=False):
            pass
    except IndexBusy:
        return None  # catching up right now
    return (f"the search index is behind: {changes.latest_id() - position} change(s) not applied, "
            f"the oldest {age:.0f} s ago")


def index_exists() -> bool:
    return engine().exists()


def health() -> str | None:
    """Why this node's index cannot answer searches truthfully (missing, empty, behind), or None when it can."""
    latest = changes.latest_id()
    published = count_published()
    indexed = indexed_count()
    if published and not indexed:
        return f"the search index is missing or empty while {published} practices are published"
    problem = behind()
    if problem:
        return problem
    position = changes.read_position(current_app.config["SEARCH_INDEX_DIR"])
    settled = position is None or (position == latest == changes.latest_id())  # no change in flight
    if settled and indexed != published:
        return f"the search index holds {indexed} practices, the database {published} (behind)"
    return None


@dataclass
class IndexReport:
    missing: list[str] = field(default_factory=list)  # published, not in the index
    stale: list[str] = field(default_factory=list)  # in the index with an older version
    extra: list[str] = field(default_factory=list)  # in the index, not published

    @property
    def ok(self) -> bool:
        return not (self.missing or self.stale or self.extra)


def check() -> IndexReport:
    indexed = engine().stamps()
    rows = db.session.execute(
        select(Practice.slug, Revision.id, Revision.version).join(Revision.practice).where(Revision.state == PUBLISHED)
    ).all()
    truth = {slug: f"{rid}:{version}" for slug, rid, version in rows}
    return IndexReport(
        missing=sorted(s for s in truth if s not in indexed),
        stale=sorted(s for s in truth if s in indexed and indexed[s] != truth[s]),
        extra=sorted(s for s in indexed if s not in truth),
    )


def repair(report: IndexReport) -> None:
    reindex(report.missing + report.stale + report.extra)


def reindex(slugs: list[str]) -> None:
    """Make the index agree with the database for these practices (published revision, or nothing): one write."""
    revisions = {
        r.practice.slug: r
        for r in db.session.execute(published_query(with_tags=True).where(Practice.slug.in_(slugs))).scalars()
    }
    engine().update(
        upserts=[document(revisions[s]) for s in slugs if s in revisions],
        deletes=[s for s in slugs if s not in revisions],
    )


_DEFERRED = "search-indexing-deferred"


@contextmanager
def indexing_deferred() -> Iterator[None]:
    """Publish without updating the index record by record; the caller rebuilds it once afterwards.

    For bulk loads: a full rebuild writes 50,000 practices far faster than as many incremental updates.
    """
    session = db.session()
    session.info[_DEFERRED] = True
    try:
        yield
    finally:
        session.info.pop(_DEFERRED, None)


def connect_indexing(app) -> None:
    """Keep the index in step with every practice the services publish, edit or archive (create_app calls it):
    each change is appended to the change log in its transaction, this node applies it after the commit, and
    every worker follows the log for the changes other nodes make."""
    practice_changed.connect(_on_practice_changed)
    app.before_request(lambda: follow_change_log(app))


def _on_practice_changed(slug: str, **_: object) -> None:
    changes.record(slug)
    reindex_after_commit(slug)


def reindex_after_commit(slug: str) -> None:
    """Update the index for a practice once the current transaction commits (nothing if it rolls back).

    Every practice changed in one transaction goes to the index together, in one index commit: by applying
    the change log (which holds them) when this index follows it, or the practices themselves otherwise.
    """
    if db.session().info.get(_DEFERRED):
        return
    app = current_app._get_current_object()

    def run(slugs: set) -> None:
        with app.app_context():
            try:
                if catch_up(wait=2.0, rebuild_allowed=False) in ("current", "applied"):
                    return
                reindex(sorted(slugs))
            except Exception:
                log.exception("index update failed for %d practice(s); it stays in the change log and is "
                              "applied on the next try", len(slugs))

    after_commit_batch(db.session(), "search-reindex", slug, run)


@dataclass
class SearchPage:
    result: SearchResult
    items: list[tuple[Revision, Hit]]  # the page's practices with their highlights, in result order

    @property
    def page(self) -> int:
        return self.result.page

    @property
    def pages(self) -> int:
        return max(1, -(-self.result.total // self.result.per_page))


REBUILDING = "Search is being rebuilt. Please try again in a few minutes; browsing by topic still works."


def index_version() -> str:
    """Changes whenever what a search can answer changes: a rebuild (a new version) or any write (a generation)."""
    status = engine().status()
    return f"{status.version}:{status.generation}"


def indexed_count() -> int:
    return engine().search("", {}, sort="newest", page=1, per_page=1).total


def search(q: str, filters: dict[str, list[str]], sort: str, page: int, per_page: int,
           correct: bool = True, facets: list[str] | None = None) -> SearchPage:
    """One page of results; correct=False searches the words exactly as typed (no spelling correction);
    facets: the facets to count (None: all)."""
    result = engine().search(q, filters, sort=sort, page=page, per_page=per_page, correct=correct, facets=facets)
    _available(result)
    slugs = [hit.slug for hit in result.hits]
    found = {
        r.practice.slug: r
        for r in db.session.execute(
            published_query().where(Practice.slug.in_(slugs))
        ).scalars()
    }
    return SearchPage(result, [(found[hit.slug], hit) for hit in result.hits if hit.slug in found])


def _available(result: SearchResult) -> None:
    if result.total == 0 and not index_exists() and count_published() and not indexed_count():
        # An empty index while practices are published is a missing index: never answer "no practice matches".
        log.error("search index missing or empty in %s: run `flask index rebuild`",
                  current_app.config["SEARCH_INDEX_DIR"])
        raise Unavailable(REBUILDING)


@dataclass(frozen=True)
class Card:
    """What a result shows of a practice (the API's search hit), read with one narrow query."""

    slug: str
    title: str
    summary: str
    evidence_level: str | None
    published_at: object
    lea: dict


def search_cards(q: str, filters: dict[str, list[str]], sort: str, page: int, per_page: int,
                 correct: bool = True, facets: list[str] | None = None) -> tuple[SearchResult, list[tuple[Card, Hit]]]:
    """search() for the API: the page's practices as Cards from one column query instead of ORM objects."""
    result = engine().search(q, filters, sort=sort, page=page, per_page=per_page, correct=correct, facets=facets)
    _available(result)
    slugs = [hit.slug for hit in result.hits]
    rows = db.session.execute(
        select(Practice.slug, Revision.title, Revision.summary, Revision.evidence_level, Practice.published_at,
               LEA.name, LEA.county, LEA.locale, LEA.type)
        .join(Revision.practice).join(Practice.lea)
        .where(Revision.state == PUBLISHED, Practice.slug.in_(slugs))
    ).all() if slugs else []
    found = {r[0]: Card(r[0], r[1], r[2], r[3], r[4], {"name": r[5], "county": r[6], "locale": r[7], "type": r[8]})
             for r in rows}
    return result, [(found[hit.slug], hit) for hit in result.hits if hit.slug in found]


def facet_listing(result: SearchResult, filters: dict[str, list[str]]) -> dict[str, list[dict]]:
    """Every counted facet's values with counts, in vocabulary order: those that have matches, and those chosen."""
    listing = {}
    for name in FACETS:
        if name not in result.facets:
            continue
        vocabulary = VOCABULARIES[name]
        counts = result.facets.get(name, {})
        chosen = set(filters.get(name, []))
        listing[name] = [
            {"value": code, "label": label, "count": counts.get(code, 0)}
            for code, label in vocabulary.values.items()
            if counts.get(code) or code in chosen
        ]
    return listing
