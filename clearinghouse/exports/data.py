"""Practices as data: one practice or a collection's practices in the interchange format, search results as CSV.

The practice records are exactly what `flask practices export` writes (records.revision_to_record through
practices.interchange), so a downloaded file imports back with `flask practices import`.
"""

from __future__ import annotations

import io
import json

from slugify import slugify

from ..collections import service as collections
from ..models import Collection
from ..practices import queries
from ..practices.interchange import records_text, write_csv
from ..records import revision_to_record
from ..schemas import practice_url
from ..search import service as search
from ..taxonomy import EVIDENCE_LEVELS
from .files import Download

SEARCH_CSV_LIMIT = 1000  # rows in a search export: the first this many results, in the search's order
# A search export is for reading in a spreadsheet: the facts that tell results apart, and where to read each.
SEARCH_CSV_COLUMNS = ["rank", "title", "lea", "county", "evidence_level", "published", "summary", "url"]


def practice_download(slug: str, kind: str) -> Download:
    """One published practice as a one-record interchange file ("json" or "csv")."""
    revision = queries.get_published(slug)
    return Download(records_text([revision_to_record(revision)], kind), kind, slug, practice_id=revision.practice_id)


def _published_items(collection: Collection):
    """The items that are still published, in the collection's order (archived ones are no longer shared)."""
    return [item for item in collection.items if not item.archived]


def collection_document(collection: Collection) -> dict:
    """The collection with each published item's position, curator's note and practice record."""
    return {
        "title": collection.title,
        "network": collection.network,
        "description": collection.description,
        "curators": [person.name for person in collection.curators],
        "updated_at": collection.updated_at.isoformat(),
        "items": [{"position": item.position, "note": item.note, "url": practice_url(item.practice.slug),
                   "practice": revision_to_record(item.revision)} for item in _published_items(collection)],
    }


def collection_download(actor, slug: str, kind: str) -> Download:
    """A collection the actor may see: JSON with its notes, or CSV of its practices (interchange columns)."""
    collection = collections.get_collection(actor, slug)
    if kind == "json":
        body = json.dumps(collection_document(collection), ensure_ascii=False, indent=2) + "\n"
    else:
        body = records_text([revision_to_record(item.revision) for item in _published_items(collection)], "csv")
    return Download(body, kind, collection.slug, collection_id=collection.id)


def search_download(q: str, filters: dict[str, list[str]], sort: str, correct: bool = True) -> Download:
    """Up to SEARCH_CSV_LIMIT results of a search as CSV, ranked as the search page ranks them."""
    page = search.search(q, filters, sort, 1, SEARCH_CSV_LIMIT, correct=correct)
    rows = (
        {"rank": rank, "title": revision.title, "lea": revision.practice.lea.name,
         "county": revision.practice.lea.county,
         "evidence_level": EVIDENCE_LEVELS.label_for(revision.evidence_level) if revision.evidence_level else "",
         "published": revision.practice.published_at.date().isoformat(), "summary": revision.summary,
         "url": practice_url(revision.practice.slug)}
        for rank, (revision, _) in enumerate(page.items, start=1)
    )
    out = io.StringIO(newline="")
    write_csv(out, SEARCH_CSV_COLUMNS, rows)
    return Download(out.getvalue(), "csv", f"practices-{slugify(q, max_length=60, word_boundary=True) or 'all'}")
