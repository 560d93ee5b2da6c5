"""Atom feeds (RFC 4287) built with feedgen: newly published practices, a search's newest matches, a collection.

Only published practices appear (the queries and the search index hold nothing else). Each entry's id is a tag
URI naming the practice (`tag:<host>,<year published>:practice/<slug>`), so it never changes between requests or
servers; titles and summaries are plain text, which feedgen escapes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime

from feedgen.feed import FeedGenerator
from flask import current_app, request, url_for

from .. import permissions
from ..collections import service as collections
from ..models import Collection, Revision
from ..practices import queries
from ..search import service as search
from ..taxonomy import VOCABULARIES

SITE = "Promising Practices Clearinghouse"
NEWEST = 50  # entries in each feed
ATOM = "application/atom+xml"


@dataclass(frozen=True)
class Entry:
    id: str
    title: str
    link: str
    published: datetime
    updated: datetime
    summary: str
    author: str


def tag_host() -> str:
    """The tagging authority of entry ids: FEED_TAG_HOST, else the configured server name, else this request's host."""
    host = current_app.config.get("FEED_TAG_HOST") or current_app.config.get("SERVER_NAME") or request.host
    return host.split(":", 1)[0].lower()


def practice_tag(revision: Revision, within: str = "") -> str:
    practice = revision.practice
    return f"tag:{tag_host()},{practice.published_at.year}:{within}practice/{practice.slug}"


def practice_entry(revision: Revision, summary: str | None = None, tag_within: str = "") -> Entry:
    practice = revision.practice
    return Entry(
        id=practice_tag(revision, tag_within),
        title=revision.title,
        link=url_for("practices.practice", slug=practice.slug, _external=True),
        published=practice.published_at,
        updated=practice.updated_at or practice.published_at,
        summary=revision.summary if summary is None else summary,
        author=practice.lea.name,
    )


def atom(*, title: str, self_url: str, page_url: str, entries: list[Entry], authors: list[str],
         subtitle: str = "", empty_updated: datetime | None = None) -> bytes:
    """One Atom document; the feed's id is its own canonical address (stable for the same feed)."""
    feed = FeedGenerator()
    feed.id(self_url)
    feed.title(title)
    if subtitle:
        feed.subtitle(subtitle)
    feed.link(href=self_url, rel="self", type=ATOM)
    feed.link(href=page_url, rel="alternate", type="text/html")
    feed.language("en")
    feed.author([{"name": name} for name in (authors or [SITE])])
    feed.generator(SITE)
    feed.updated(max((e.updated for e in entries), default=empty_updated or datetime.now(UTC)))
    for entry in entries:
        item = feed.add_entry(order="append")
        item.id(entry.id)
        item.title(entry.title)
        item.link(href=entry.link, rel="alternate", type="text/html")
        item.published(entry.published)
        item.updated(entry.updated)
        item.summary(entry.summary)
        item.author({"name": entry.author})
    return feed.atom_str(pretty=True)


def practices_feed() -> bytes:
    """The newest published practices, newest first."""
    revisions = queries.list_published(page=1, per_page=NEWEST).items
    return atom(title=f"New practices · {SITE}", self_url=url_for("feeds.practices", _external=True),
                page_url=url_for("practices.home", _external=True),
                entries=[practice_entry(r) for r in revisions], authors=[SITE])


def describe_search(q: str, filters: dict[str, list[str]]) -> str:
    """A search in words: “reading” · Student group: English learners, Foster youth."""
    parts = [f"“{q}”"] if q else []
    for key, codes in filters.items():
        vocabulary = VOCABULARIES[key]
        parts.append(f"{vocabulary.label}: {', '.join(vocabulary.label_for(code) for code in codes)}")
    return " · ".join(parts) or "all practices"


def search_feed(q: str, filters: dict[str, list[str]], correct: bool = True) -> bytes:
    """The newest published practices matching a search (the same words and filters as /search)."""
    page = search.search(q, filters, "newest", 1, NEWEST, correct=correct)
    params = {"q": q, **filters} if q else dict(filters)
    if not correct:
        params["exact"] = 1
    return atom(title=f"New practices matching {describe_search(q, filters)} · {SITE}",
                self_url=url_for("feeds.search", **params, _external=True),
                page_url=url_for("search.search", **params, sort="newest", _external=True),
                entries=[practice_entry(revision) for revision, _ in page.items], authors=[SITE])


def collection_entry(collection: Collection, item) -> Entry:
    revision = item.revision
    note = f"Curator’s note: {item.note} — " if item.note else ""
    entry = practice_entry(revision, summary=note + revision.summary, tag_within=f"collection/{collection.slug}/")
    # An entry of this feed is new when the practice was added to the collection.
    return replace(entry, published=item.added_at, updated=max(item.added_at, entry.updated))


def collection_feed(actor, slug: str) -> bytes:
    """A public or unlisted collection's published practices, the latest added first (private ones: not found)."""
    collection = collections.get_collection(actor, slug)
    permissions.require(permissions.may_read_collection_feed(collection), collections.NOT_FOUND)
    items = sorted((i for i in collection.items if not i.archived), key=lambda i: i.added_at, reverse=True)
    return atom(title=f"{collection.title} · {SITE}", subtitle=collection.network,
                self_url=url_for("feeds.collection", slug=collection.slug, _external=True),
                page_url=url_for("collections.collection", slug=collection.slug, _external=True),
                entries=[collection_entry(collection, item) for item in items[:NEWEST]],
                authors=[person.name for person in collection.curators], empty_updated=collection.updated_at)
