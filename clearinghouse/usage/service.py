"""Counting views and downloads the COUNTER way, and reading the counts back for the pages.

Rules (COUNTER Code of Practice, release 5):
- robots, crawlers and scripts are not counted (the COUNTER-Robots list, through the counter-robots package);
- the same visitor asking for the same thing (kind, practice or collection, format) twice within 30 seconds counts
  once: the later request replaces the earlier one ("double-click filtering");
- a visitor is a sha256 hash of the day's random salt, the IP address and the user agent. The salt lives in one
  database row per UTC day (so every worker and server agrees) and is deleted when the day is over; an event
  stores only the hash, never the address, the user agent or the signed-in user.

A counted request costs one UPDATE (the double-click check, on an index) and, when it is new, one INSERT, in a
transaction of its own on its own connection, so the page's session is untouched. Counting never breaks a page:
a failure is logged and the page is served.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from urllib.parse import urlsplit

import counter_robots
from flask import Request, current_app
from sqlalchemy import Connection, delete, func, insert, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException

from .. import permissions
from ..chart import last_months, month_name
from ..extensions import db
from ..models import DOWNLOAD_FORMATS, Collection, Practice, UsageEvent, UsageSalt
from ..models.types import utcnow

log = logging.getLogger(__name__)

DOUBLE_CLICK = timedelta(seconds=30)
_SALT = "usage_salt"  # app.extensions key: (day, salt) of the current day, this worker's copy of the row

# The clock of the counting; tests replace it to step past the 30 seconds or into the next day.
clock = utcnow


# ---------------------------------------------------------------- counting


def record_view(request: Request, practice_id: int) -> bool:
    """Count a read of a practice's page. Answers whether it was counted (False for robots, double clicks...)."""
    return _record(request, "view", practice_id=practice_id)


def record_download(request: Request, format: str, *, practice_id: int | None = None,
                    collection_id: int | None = None) -> bool:
    """Count a download of a practice or of a whole collection, in `format` ("pdf", "json" or "csv").

    Call it from the download view once the file is sure to be served (after the permission check).
    """
    if format not in DOWNLOAD_FORMATS:
        raise ValueError(f"unknown download format {format!r}")
    if (practice_id is None) == (collection_id is None):
        raise ValueError("count a download of a practice or of a collection")
    return _record(request, "download", practice_id=practice_id, collection_id=collection_id, format=format)


def is_robot(user_agent: str) -> bool:
    """A robot, crawler or script by the COUNTER-Robots list (an empty user agent is one too)."""
    return counter_robots.is_robot_or_machine(user_agent)


def countable(request: Request) -> bool:
    """A person's GET: not a robot, not a HEAD request, not a browser's speculative prefetch."""
    if not current_app.config.get("USAGE_COUNTING", True) or request.method != "GET":
        return False
    purpose = request.headers.get("Sec-Purpose", "") + request.headers.get("Purpose", "")
    return "prefetch" not in purpose and not is_robot(request.user_agent.string)


def _record(request: Request, kind: str, *, practice_id: int | None = None, collection_id: int | None = None,
            format: str | None = None) -> bool:
    if not countable(request):
        return False
    now = clock()
    try:
        with db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":  # a lost count on a crash is acceptable; waiting for disk is not
                conn.execute(text("SET LOCAL synchronous_commit TO OFF"))
            visitor = visitor_hash(_salt(conn, now.date()), request)
            same = [UsageEvent.visitor == visitor, UsageEvent.kind == kind,
                    UsageEvent.occurred_at > now - DOUBLE_CLICK]
            for column, value in ((UsageEvent.practice_id, practice_id), (UsageEvent.collection_id, collection_id),
                                  (UsageEvent.format, format)):
                same.append(column == value if value is not None else column.is_(None))
            if conn.execute(update(UsageEvent).where(*same).values(occurred_at=now)).rowcount:
                return False
            conn.execute(insert(UsageEvent).values(
                occurred_at=now, day=now.date(), kind=kind, format=format, practice_id=practice_id,
                collection_id=collection_id, from_collection_id=_referring_collection(conn, request),
                visitor=visitor))
        return True
    except SQLAlchemyError:
        log.exception("a usage count was lost")
        return False


def visitor_hash(salt: str, request: Request) -> str:
    return hashlib.sha256(
        "\n".join((salt, request.remote_addr or "", request.user_agent.string)).encode()).hexdigest()


def _salt(conn: Connection, day: date) -> str:
    """The salt of `day`: made on its first counted request (one row, shared by every worker); the salts of the
    days before are deleted then."""
    cached = current_app.extensions.get(_SALT)
    if cached and cached[0] == day:
        return cached[1]
    dialect_insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    conn.execute(dialect_insert(UsageSalt).values(day=day, salt=secrets.token_hex(32)).on_conflict_do_nothing())
    salt = conn.execute(select(UsageSalt.salt).where(UsageSalt.day == day)).scalar_one()
    conn.execute(delete(UsageSalt).where(UsageSalt.day < day))
    current_app.extensions[_SALT] = (day, salt)
    return salt


def discard_old_salts(today: date | None = None) -> int:
    """Delete the salts of the days before `today` (the counting does it too; this is for a quiet day's cron).
    Answers how many were deleted."""
    today = today or clock().date()
    with db.engine.begin() as conn:
        deleted = conn.execute(delete(UsageSalt).where(UsageSalt.day < today)).rowcount
    cached = current_app.extensions.get(_SALT)
    if cached and cached[0] < today:
        current_app.extensions.pop(_SALT, None)
    return deleted


def _referring_collection(conn: Connection, request: Request) -> int | None:
    """The collection whose page linked here (a same-site Referer naming a collection page), or None."""
    referrer = urlsplit(request.referrer or "")
    if not referrer.path or referrer.netloc != request.host:
        return None
    try:
        endpoint, args = current_app.url_map.bind(request.host).match(referrer.path, method="GET")
    except HTTPException:
        return None
    if endpoint != "collections.collection":
        return None
    return conn.execute(select(Collection.id).where(Collection.slug == args["slug"])).scalar_one_or_none()


# ---------------------------------------------------------------- reading the counts


@dataclass
class PracticeUsage:
    views: int
    downloads: int
    since: date | None  # when counting began on this site (None: nothing counted yet)

    @property
    def since_month(self) -> str:
        return month_name(self.since.strftime("%Y-%m")) if self.since else ""


def counting_since() -> date | None:
    return db.session.execute(select(func.min(UsageEvent.day))).scalar_one_or_none()


def practice_usage(practice_id: int) -> PracticeUsage:
    """What a practice's page shows: its views and downloads, and since when the site counts."""
    counts = dict(db.session.execute(
        select(UsageEvent.kind, func.count()).where(UsageEvent.practice_id == practice_id).group_by(UsageEvent.kind)
    ).all())
    return PracticeUsage(counts.get("view", 0), counts.get("download", 0), counting_since())


@dataclass
class MonthUsage:
    month: str  # "2026-03"
    views: int = 0
    downloads: int = 0
    visitors: int = 0  # unique visitors, day by day (a salt lasts a day), added up over the month


@dataclass
class Ranked:
    title: str
    slug: str | None  # for a link; None when the page is not there for the reader (archived, private)
    count: int
    formats: dict[str, int] = field(default_factory=dict)


@dataclass
class CollectionUsage:
    title: str
    slug: str | None
    readers: int  # views of practices reached from the collection's page
    downloads: int


@dataclass
class UsageStats:
    whole_site: bool
    months: list[MonthUsage]
    most_viewed: list[Ranked]
    most_downloaded: list[Ranked]
    collections: list[CollectionUsage]
    since: date | None

    @property
    def since_month(self) -> str:
        return month_name(self.since.strftime("%Y-%m")) if self.since else ""

    @property
    def totals(self) -> MonthUsage:
        return MonthUsage("all", sum(m.views for m in self.months), sum(m.downloads for m in self.months),
                          sum(m.visitors for m in self.months))


TOP = 10


def stats(actor, months: int = 12) -> UsageStats:
    """The statistics page for `actor`: the site's usage for admins, their collections' for facilitators."""
    permissions.require(permissions.may_see_usage(actor))
    scope = permissions.usage_filter(actor)
    today = clock().date()
    keys = last_months(today.year, today.month, months)
    first_day = date(int(keys[0][:4]), int(keys[0][5:]), 1)
    by_month = {key: MonthUsage(key) for key in keys}
    in_window = [scope, UsageEvent.day >= first_day]
    for day, kind, count in db.session.execute(
        select(UsageEvent.day, UsageEvent.kind, func.count()).where(*in_window)
        .group_by(UsageEvent.day, UsageEvent.kind)
    ).all():
        month, counted = by_month.get(day.strftime("%Y-%m")), kind + "s"  # "views", "downloads"
        if month is not None:
            setattr(month, counted, getattr(month, counted) + count)
    for day, count in db.session.execute(
        select(UsageEvent.day, func.count(UsageEvent.visitor.distinct())).where(*in_window).group_by(UsageEvent.day)
    ).all():
        month = by_month.get(day.strftime("%Y-%m"))
        if month is not None:
            month.visitors += count
    return UsageStats(
        whole_site=permissions.usage_scope_is_site(actor), months=list(by_month.values()),
        most_viewed=_top_practices(scope, "view"), most_downloaded=_top_practices(scope, "download"),
        collections=_collections(actor), since=counting_since(),
    )


def _top_practices(scope, kind: str) -> list[Ranked]:
    rows = db.session.execute(
        select(UsageEvent.practice_id, func.count().label("n"))
        .where(scope, UsageEvent.kind == kind, UsageEvent.practice_id.is_not(None))
        .group_by(UsageEvent.practice_id).order_by(func.count().desc(), UsageEvent.practice_id).limit(TOP)
    ).all()
    formats: dict[int, dict[str, int]] = defaultdict(dict)
    if kind == "download" and rows:
        for practice_id, fmt, count in db.session.execute(
            select(UsageEvent.practice_id, UsageEvent.format, func.count())
            .where(UsageEvent.kind == kind, UsageEvent.practice_id.in_([r[0] for r in rows]))
            .group_by(UsageEvent.practice_id, UsageEvent.format)
        ).all():
            formats[practice_id][fmt] = count
    practices = {p.id: p for p in db.session.execute(
        select(Practice).where(Practice.id.in_([r[0] for r in rows]))).scalars()}
    ranked = []
    for practice_id, count in rows:
        practice = practices[practice_id]
        published = practice.published_revision
        shown = published or practice.latest_revision
        ranked.append(Ranked(shown.title if shown else practice.slug, practice.slug if published else None, count,
                             {f: formats[practice_id].get(f, 0) for f in DOWNLOAD_FORMATS
                              if formats[practice_id].get(f)}))
    return ranked


def _collections(actor) -> list[CollectionUsage]:
    """The collections that send the most readers to practices (and how often each was downloaded)."""
    readers = dict(db.session.execute(
        select(UsageEvent.from_collection_id, func.count())
        .where(permissions.usage_referrer_filter(actor), UsageEvent.kind == "view")
        .group_by(UsageEvent.from_collection_id)
    ).all())
    downloads = dict(db.session.execute(
        select(UsageEvent.collection_id, func.count())
        .where(permissions.usage_filter(actor), UsageEvent.collection_id.is_not(None))
        .group_by(UsageEvent.collection_id)
    ).all())
    ids = [i for i in set(readers) | set(downloads) if i is not None]
    found = {c.id: c for c in db.session.execute(select(Collection).where(Collection.id.in_(ids))).scalars()}
    rows = [CollectionUsage(c.title, c.slug if permissions.may_view_collection(actor, c) else None,
                            readers.get(c.id, 0), downloads.get(c.id, 0)) for c in found.values()]
    rows.sort(key=lambda r: (-r.readers, -r.downloads, r.title))
    return rows[:TOP]
