"""Saved searches, followed collections, digest choices, one-click unsubscribes, and `send_due`, which mails the
digests that are due.

"New" for a subscription: a saved search matches a practice first published after the search was saved (the same
search the page runs, through the search engine, complete matches only: the page's "related practices" beneath
are not news); a followed collection matches a published practice added to it after the follow. A practice is
listed to a user at most once, ever: the ledger (AlertDelivery, unique per user and practice) is written in the
transaction that queues the email, one transaction per user, so a second run sends nothing and a run that stops
halfway leaves the rest for the next one. One run at a time: a JobLock row claimed with UPDATE … WHERE.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import parse_qsl, urlencode

from flask import current_app, render_template, url_for
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from marshmallow import ValidationError
from sqlalchemy import delete, exists, func, or_, select, true, update
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import MultiDict

from .. import permissions
from ..errors import Conflict, NotFound, ValidationFailed
from ..extensions import db
from ..mail import send_after_commit
from ..models import (
    DIGESTS,
    AlertDelivery,
    AlertSettings,
    Collection,
    CollectionFollow,
    CollectionItem,
    JobLock,
    Practice,
    Revision,
    SavedSearch,
    User,
)
from ..models.alert import DEFAULT_DIGEST
from ..models.types import utcnow
from ..practices.queries import PUBLISHED
from ..schemas import FILTER_VOCABULARIES, MAX_QUERY, SearchArgsSchema
from ..search import service as search
from ..unit_of_work import atomic

log = logging.getLogger(__name__)

NAME_MAX = 100
PERIODS = {"daily": timedelta(days=1), "weekly": timedelta(days=7)}
# A digest counts as due this much early, so an hourly cron that starts a few seconds sooner than yesterday's
# run still sends today's daily digest instead of waiting an extra hour.
DUE_SLACK = timedelta(minutes=30)
LOCK = "alerts-send"
LOCK_STALE = timedelta(minutes=30)  # a run that stopped heartbeating this long ago has died: its lock is free
UNSUBSCRIBE_MAX_AGE = 365 * 24 * 3600  # seconds an unsubscribe link keeps working
SEARCH_PAGE = 100  # hits read per engine call when matching a saved search
NO_SEARCH = "There is no such saved search."
NO_COLLECTION = "There is no such collection."
BAD_LINK = "This unsubscribe link is not valid. Sign in and manage your alerts from your account instead."
OLD_LINK = "This unsubscribe link has expired. Sign in and manage your alerts from your account instead."

save_atomic = atomic(lambda: Conflict("That changed at the same moment elsewhere. Reload the page and try again."))


# ---------------------------------------------------------------- saved searches


def canonical_query(raw: str) -> str:
    """The search page's parameters as one stable query string (the query, the filters, the sort, exact), without
    paging; refuses what the page would leave out, so a saved search never silently differs from what was seen."""
    try:
        parsed = SearchArgsSchema().load(MultiDict(parse_qsl(raw or "")))
    except ValidationError as exc:
        raise ValidationFailed("This search has a filter the site does not know, so it cannot be saved.",
                               {"search": "Remove the unknown filter and try again."}) from exc
    pairs: list[tuple[str, str]] = []
    if parsed["q"].strip():
        pairs.append(("q", parsed["q"].strip()[:MAX_QUERY]))
    for key in FILTER_VOCABULARIES:
        pairs.extend((key, code) for code in dict.fromkeys(parsed[key]))
    if parsed["sort"] != "relevance":
        pairs.append(("sort", parsed["sort"]))
    if parsed["exact"]:
        pairs.append(("exact", "1"))
    return urlencode(pairs)


def search_args(saved: SavedSearch) -> dict:
    """The saved search's parameters, parsed as the search page parses them."""
    return SearchArgsSchema().load(MultiDict(parse_qsl(saved.query_string)))


def clean_name(name: str | None) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationFailed("Give the search a name.",
                               {"name": "Give the search a name, for example “Attendance, rural districts”."})
    if len(name) > NAME_MAX:
        raise ValidationFailed("The name is too long.",
                               {"name": f"Use at most {NAME_MAX} characters (this one has {len(name)})."})
    return name


def _require_subscriber(actor) -> User:
    permissions.require(permissions.may_subscribe(actor))
    return actor


@save_atomic
def save_search(actor, name: str | None, raw_query: str) -> SavedSearch:
    user = _require_subscriber(actor)
    saved = SavedSearch(user_id=user.id, name=clean_name(name), query_string=canonical_query(raw_query),
                        created_at=utcnow())
    db.session.add(saved)
    db.session.commit()
    return saved


def own_search(actor, search_id: int) -> SavedSearch:
    """The actor's saved search; anyone else's (and a missing one) is not found."""
    saved = db.session.get(SavedSearch, search_id)
    if saved is None or not permissions.may_subscribe(actor) or saved.user_id != actor.id:
        raise NotFound(NO_SEARCH)
    return saved


@save_atomic
def rename_search(actor, search_id: int, name: str | None) -> SavedSearch:
    saved = own_search(actor, search_id)
    saved.name = clean_name(name)
    db.session.commit()
    return saved


@save_atomic
def delete_search(actor, search_id: int) -> None:
    db.session.delete(own_search(actor, search_id))
    db.session.commit()


def saved_searches(actor) -> list[SavedSearch]:
    return list(db.session.execute(
        select(SavedSearch).where(SavedSearch.user_id == actor.id).order_by(SavedSearch.created_at, SavedSearch.id)
    ).scalars())


# ---------------------------------------------------------------- followed collections


def _collection(slug: str) -> Collection | None:
    return db.session.execute(select(Collection).where(Collection.slug == slug)).scalar_one_or_none()


def _follow_row(user_id: int, collection_id: int) -> CollectionFollow | None:
    return db.session.get(CollectionFollow, (user_id, collection_id))


@save_atomic
def follow(actor, slug: str) -> Collection:
    """Follow a collection the actor may see (following twice changes nothing)."""
    collection = _collection(slug)
    if collection is None or not permissions.may_follow_collection(actor, collection):
        raise NotFound(NO_COLLECTION)
    if _follow_row(actor.id, collection.id) is None:
        db.session.add(CollectionFollow(user_id=actor.id, collection_id=collection.id, created_at=utcnow()))
        db.session.commit()
    return collection


@save_atomic
def unfollow(actor, slug: str) -> Collection:
    """Stop following (also a collection that has since become hidden from the actor)."""
    collection = _collection(slug)
    row = None
    if collection is not None and permissions.may_subscribe(actor):
        row = _follow_row(actor.id, collection.id)
    if row is None:
        if collection is None or not permissions.may_follow_collection(actor, collection):
            raise NotFound(NO_COLLECTION)
        return collection
    db.session.delete(row)
    db.session.commit()
    return collection


def is_following(actor, collection: Collection) -> bool:
    return permissions.may_subscribe(actor) and _follow_row(actor.id, collection.id) is not None


def followed(actor) -> list[CollectionFollow]:
    return list(db.session.execute(
        select(CollectionFollow).where(CollectionFollow.user_id == actor.id).order_by(CollectionFollow.created_at)
    ).scalars())


# ---------------------------------------------------------------- the digest choice


def digest_of(user: User) -> str:
    settings = db.session.get(AlertSettings, user.id)
    return settings.digest if settings else DEFAULT_DIGEST


def _settings(user_id: int) -> AlertSettings:
    settings = db.session.get(AlertSettings, user_id)
    if settings is None:
        settings = AlertSettings(user_id=user_id, digest=DEFAULT_DIGEST)
        db.session.add(settings)
    return settings


@save_atomic
def set_digest(actor, digest: str) -> str:
    user = _require_subscriber(actor)
    if digest not in DIGESTS:
        raise ValidationFailed("Choose how often to get alert emails.",
                               {"digest": "Choose daily, weekly or off."})
    settings = _settings(user.id)
    if settings.digest == "off" and digest != "off":
        settings.resumed_at = utcnow()
    settings.digest = digest
    db.session.commit()
    return digest


# ---------------------------------------------------------------- one-click unsubscribe (RFC 8058)


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="clearinghouse-unsubscribe")


def unsubscribe_token(user_id: int, what: str = "all") -> str:
    """A signed link naming the user and what to stop: "all" (the digest), "search:<id>" or "collection:<id>"."""
    return _signer().dumps({"u": user_id, "s": what})


@dataclass
class Unsubscribe:
    user: User
    what: str
    label: str  # what the link stops, in words
    done: bool = False  # already stopped (the saved search or the follow is gone, the digest is off)


def read_unsubscribe(token: str) -> Unsubscribe:
    """What an unsubscribe link stops; NotFound for a link that is forged, broken or expired."""
    try:
        data = _signer().loads(token, max_age=UNSUBSCRIBE_MAX_AGE)
    except SignatureExpired as exc:
        raise NotFound(OLD_LINK) from exc
    except BadSignature as exc:
        raise NotFound(BAD_LINK) from exc
    user = db.session.get(User, data.get("u")) if isinstance(data, dict) and isinstance(data.get("u"), int) \
        else None
    what = str(data.get("s", "")) if isinstance(data, dict) else ""
    if user is None:
        raise NotFound(BAD_LINK)
    kind, _, key = what.partition(":")
    if what == "all":
        return Unsubscribe(user, what, "all alert emails (your digest)", digest_of(user) == "off")
    if kind == "search" and key.isdigit():
        saved = db.session.get(SavedSearch, int(key))
        if saved is None or saved.user_id != user.id:
            return Unsubscribe(user, what, "alerts for a saved search", True)
        return Unsubscribe(user, what, f"alerts for your saved search “{saved.name}”")
    if kind == "collection" and key.isdigit():
        collection = db.session.get(Collection, int(key))
        row = _follow_row(user.id, int(key))
        label = f"alerts for the collection “{collection.title}”" if collection else "alerts for a collection"
        return Unsubscribe(user, what, label, row is None)
    raise NotFound(BAD_LINK)


@save_atomic
def unsubscribe(token: str) -> Unsubscribe:
    """Stop what the link names (safe to repeat)."""
    found = read_unsubscribe(token)
    kind, _, key = found.what.partition(":")
    if found.what == "all":
        _settings(found.user.id).digest = "off"  # turning it back on later starts afresh (resumed_at)
    elif kind == "search":
        db.session.execute(delete(SavedSearch).where(SavedSearch.id == int(key),
                                                     SavedSearch.user_id == found.user.id))
    else:
        db.session.execute(delete(CollectionFollow).where(CollectionFollow.collection_id == int(key),
                                                          CollectionFollow.user_id == found.user.id))
    db.session.commit()
    found.done = True
    return found


# ---------------------------------------------------------------- what is due, and the digests


def is_due(digest: str, last: datetime | None, now: datetime) -> bool:
    if digest not in PERIODS:
        return False
    return last is None or now - last >= PERIODS[digest] - DUE_SLACK


def _subscribers() -> list[User]:
    """Active users with a saved search or a followed collection, by id (the order every run takes)."""
    has_search = exists().where(SavedSearch.user_id == User.id)
    has_follow = exists().where(CollectionFollow.user_id == User.id)
    return list(db.session.execute(
        select(User).where(User.active.is_(True), User.confirmed_at.is_not(None), or_(has_search, has_follow))
        .order_by(User.id)
    ).scalars())


def due_users(now: datetime) -> list[User]:
    due = []
    for user in _subscribers():
        settings = db.session.get(AlertSettings, user.id)
        digest, last = (settings.digest, settings.last_digest_at) if settings else (DEFAULT_DIGEST, None)
        if is_due(digest, last, now):
            due.append(user)
    return due


@dataclass
class Entry:
    revision: Revision
    matched: list[str] = field(default_factory=list)  # "saved search “…”", "collection “…”"

    @property
    def practice(self) -> Practice:
        return self.revision.practice


def _listed(user: User):
    """The practices already listed to the user (the ledger), as a subquery."""
    return select(AlertDelivery.practice_id).where(AlertDelivery.user_id == user.id)


def _unsent_published(user: User, since: datetime):
    """Published revisions of practices first published after `since`, not yet listed to the user."""
    return (select(Revision).join(Revision.practice)
            .where(Revision.state == PUBLISHED, Practice.published_at > since, Practice.id.not_in(_listed(user))))


def _search_matches(saved: SavedSearch, since: datetime, candidates: dict[str, Revision]) -> set[str]:
    """The candidates first published after `since` that the saved search finds (complete matches; newest first,
    reading only as far back as `since`)."""
    args = search_args(saved)
    filters = {key: args[key] for key in FILTER_VOCABULARIES if args[key]}
    wanted = {slug for slug, r in candidates.items() if r.practice.published_at > since}
    found: set[str] = set()
    page = 1
    while wanted - found:
        result = search.engine().search(args["q"], filters, sort="newest", page=page, per_page=SEARCH_PAGE,
                                        correct=not args["exact"])
        complete = [hit.slug for hit in result.hits if hit.complete]
        found |= wanted.intersection(complete)
        if len(complete) < len(result.hits) or len(result.hits) < SEARCH_PAGE:
            break  # the complete matches are exhausted
        oldest = db.session.execute(select(func.min(Practice.published_at))
                                    .where(Practice.slug.in_(complete))).scalar()
        if oldest is None or oldest <= since:
            break
        page += 1
    return found


def new_for(user: User) -> list[Entry]:
    """The practices the user's digest lists now, newest first, each once, with what it matched."""
    entries: dict[int, Entry] = {}

    def note(revision: Revision, label: str) -> None:
        entry = entries.setdefault(revision.practice_id, Entry(revision))
        if label not in entry.matched:
            entry.matched.append(label)

    settings = db.session.get(AlertSettings, user.id)
    resumed = settings.resumed_at if settings else None

    def counted_from(created: datetime) -> datetime:
        return max(created, resumed) if resumed else created

    searches = saved_searches(user)
    if searches:
        earliest = min(counted_from(s.created_at) for s in searches)
        candidates = {r.practice.slug: r for r in db.session.execute(_unsent_published(user, earliest)).scalars()}
        for saved in searches:
            for slug in sorted(_search_matches(saved, counted_from(saved.created_at), candidates)):
                note(candidates[slug], f"saved search “{saved.name}”")
    rows = db.session.execute(
        select(CollectionItem, Revision)
        .join(CollectionFollow, (CollectionFollow.collection_id == CollectionItem.collection_id)
              & (CollectionFollow.user_id == user.id))
        .join(Revision, (Revision.practice_id == CollectionItem.practice_id) & (Revision.state == PUBLISHED))
        .where(CollectionItem.added_at > CollectionFollow.created_at,
               CollectionItem.practice_id.not_in(_listed(user)),
               CollectionItem.added_at > resumed if resumed else true())
        .order_by(CollectionItem.collection_id, CollectionItem.position)
    ).all()
    for item, revision in rows:
        if permissions.may_view_collection(user, item.collection):  # it may have turned private since
            note(revision, f"collection “{item.collection.title}”")
    return sorted(entries.values(), key=lambda e: (e.practice.published_at, e.practice.id), reverse=True)


def _unsubscribe_url(user_id: int, what: str = "all") -> str:
    return url_for("alerts.unsubscribe", token=unsubscribe_token(user_id, what), _external=True)


def compose(user: User, entries: list[Entry]) -> tuple[str, str, dict]:
    """The digest's subject, plain-text body and headers (List-Unsubscribe with RFC 8058 one-click)."""
    count = len(entries)
    subject = f"{count} new practice{'' if count == 1 else 's'} for your alerts"
    stop_links = [(f"your saved search “{s.name}”", _unsubscribe_url(user.id, f"search:{s.id}"))
                  for s in saved_searches(user)]
    stop_links += [(f"the collection “{f.collection.title}”",
                    _unsubscribe_url(user.id, f"collection:{f.collection_id}")) for f in followed(user)]
    everything = _unsubscribe_url(user.id)
    body = render_template(
        "alerts/digest.txt", user=user, entries=entries, manage=url_for("alerts.manage", _external=True),
        stop_all=everything, stop_links=stop_links,
        url_for_practice=lambda p: url_for("practices.practice", slug=p.slug, _external=True),
    )
    headers = {"List-Unsubscribe": f"<{everything}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    return subject, body, headers


# ---------------------------------------------------------------- the run


class LockHeld(Exception):
    """Another `flask alerts send` holds the lock."""


def _holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{id(object())}"[:100]


def claim_lock(holder: str, now: datetime | None = None) -> bool:
    """Take the lock if it is free or stale; True when this holder has it. One UPDATE … WHERE: on SQLite and
    PostgreSQL alike only one of two concurrent claims changes the row."""
    now = now or utcnow()
    if db.session.get(JobLock, LOCK) is None:
        try:
            db.session.add(JobLock(name=LOCK))
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
    claimed = db.session.execute(
        update(JobLock).where(JobLock.name == LOCK,
                              or_(JobLock.holder.is_(None), JobLock.locked_at < now - LOCK_STALE))
        .values(holder=holder, locked_at=now)
    ).rowcount
    db.session.commit()
    return claimed == 1


def _still_held(holder: str) -> bool:
    """Refresh the lock inside the current transaction; False when a later run took it over (we were stale)."""
    return db.session.execute(
        update(JobLock).where(JobLock.name == LOCK, JobLock.holder == holder).values(locked_at=utcnow())
    ).rowcount == 1


def release_lock(holder: str) -> None:
    db.session.rollback()
    db.session.execute(update(JobLock).where(JobLock.name == LOCK, JobLock.holder == holder)
                       .values(holder=None, locked_at=None))
    db.session.commit()


@dataclass
class SendReport:
    due: int = 0
    mailed: int = 0
    practices: int = 0  # practice listings (a practice in two users' digests counts twice)


def send_due(now: datetime | None = None, progress: Callable[[str], None] | None = None) -> SendReport:
    """Mail every digest that is due; LockHeld when another run is at it. One transaction per user: its ledger
    rows, its outbox message and its last-digest time commit together (the outbox sends after the commit)."""
    now = now or utcnow()
    holder = _holder()
    if not claim_lock(holder, now):
        raise LockHeld("another `flask alerts send` is running; this one sent nothing")
    report = SendReport()
    try:
        users = due_users(now)
        report.due = len(users)
        for user in users:
            if not _still_held(holder):
                raise RuntimeError("another run took the lock over (this one was too slow and counted as dead); "
                                   "stopping: the digests not sent yet are left to it")
            listed = _send_one(user, now)
            if listed:
                report.mailed += 1
                report.practices += listed
                if progress:
                    progress(f"Mailed {user.email}: {listed} practice{'' if listed == 1 else 's'}.")
    finally:
        release_lock(holder)
    return report


def _send_one(user: User, now: datetime) -> int:
    """One user's digest in one transaction; answers how many practices it listed (0: nothing new)."""
    entries = new_for(user)
    settings = _settings(user.id)
    settings.last_digest_at = now
    if entries:
        subject, body, headers = compose(user, entries)
        [message] = send_after_commit([user.email], subject, body, headers)
        db.session.flush()
        db.session.add_all(AlertDelivery(user_id=user.id, practice_id=e.practice.id, message_id=message.id,
                                         matched=e.matched, sent_at=now) for e in entries)
    try:
        db.session.commit()
    except IntegrityError:  # a ledger row exists already (a run we raced): this digest is not sent
        db.session.rollback()
        log.warning("digest for user %s skipped: already listed by another run", user.id)
        return 0
    return len(entries)
