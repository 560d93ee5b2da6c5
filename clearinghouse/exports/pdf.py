"""Practices and collections as tagged, accessible PDFs (PDF/UA-1), rendered by WeasyPrint from print templates.

The templates in templates/print/ are laid out by static/css/print.css, the same stylesheet that prints the
practice page from a browser. The PDF's title comes from the HTML <title>, its language from <html lang>, and
its structure tree from the HTML's headings, lists and tables.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from flask import current_app, render_template, request
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher

from ..collections import service as collections
from ..practices import queries
from .files import Download

PDF_VARIANT = "pdf/ua-1"


@cache
def _stylesheet(path: str) -> CSS:
    return CSS(string=Path(path).read_text(encoding="utf-8"))


def render_pdf(html: str) -> bytes:
    """A print template's HTML as a tagged PDF; nothing is fetched (the page has no images or linked files)."""
    stylesheet = _stylesheet(str(Path(current_app.static_folder) / "css" / "print.css"))
    document = HTML(string=html, base_url=request.host_url, url_fetcher=URLFetcher(allowed_protocols=()))
    return document.write_pdf(stylesheets=[stylesheet], pdf_variant=PDF_VARIANT)


def practice_pdf(slug: str) -> Download:
    """A published practice on (for a typical write-up) one page."""
    revision = queries.get_published(slug)
    html = render_template("print/practice.html", revision=revision, practice=revision.practice,
                           lea=revision.practice.lea)
    return Download(render_pdf(html), "pdf", slug, practice_id=revision.practice_id)


def collection_pdf(actor, slug: str) -> Download:
    """A collection the actor may see: its items in order, each with the curator's note and the key facts."""
    collection = collections.get_collection(actor, slug)
    html = render_template("print/collection.html", collection=collection)
    return Download(render_pdf(html), "pdf", collection.slug, collection_id=collection.id)
