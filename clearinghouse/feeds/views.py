"""The Atom feeds' addresses: thin views over feeds.service."""

from __future__ import annotations

from flask import Blueprint, request
from flask_login import current_user

from ..search.params import parse_page_args, search_filters
from . import service

bp = Blueprint("feeds", __name__)


def _atom(document: bytes):
    return document, 200, {"Content-Type": f"{service.ATOM}; charset=utf-8"}


@bp.get("/feeds/practices.atom")
def practices():
    return _atom(service.practices_feed())


@bp.get("/feeds/search.atom")
def search():
    args, _ = parse_page_args(request.args)
    return _atom(service.search_feed(args["q"], search_filters(args), correct=not args["exact"]))


@bp.get("/collections/<slug>.atom")
def collection(slug: str):
    return _atom(service.collection_feed(current_user, slug))
