"""Download addresses: thin views over exports.data and exports.pdf, each one function per download."""

from __future__ import annotations

from flask import Blueprint, Response, request
from flask_login import current_user

from ..search.params import parse_page_args, search_filters
from ..usage import service as usage
from . import data, pdf
from .files import Download

bp = Blueprint("exports", __name__)


def _send(download: Download) -> Response:
    if download.practice_id is not None or download.collection_id is not None:
        usage.record_download(request, download.kind, practice_id=download.practice_id,
                              collection_id=download.collection_id)
    response = Response(download.body, content_type=download.media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{download.filename}"'
    return response


@bp.get("/practices/<slug>.pdf")
def practice_pdf(slug: str):
    return _send(pdf.practice_pdf(slug))


@bp.get("/practices/<slug>.json")
def practice_json(slug: str):
    return _send(data.practice_download(slug, "json"))


@bp.get("/practices/<slug>.csv")
def practice_csv(slug: str):
    return _send(data.practice_download(slug, "csv"))


@bp.get("/collections/<slug>.pdf")
def collection_pdf(slug: str):
    return _send(pdf.collection_pdf(current_user, slug))


@bp.get("/collections/<slug>.json")
def collection_json(slug: str):
    return _send(data.collection_download(current_user, slug, "json"))


@bp.get("/collections/<slug>.csv")
def collection_csv(slug: str):
    return _send(data.collection_download(current_user, slug, "csv"))


@bp.get("/search.csv")
def search_csv():
    args, _ = parse_page_args(request.args)
    return _send(data.search_download(args["q"], search_filters(args), args["sort"], correct=not args["exact"]))
