"""/healthz: is this node fit to serve: the database answers, and its search index is there and current."""

from __future__ import annotations

import logging

from flask import Blueprint
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from .extensions import db
from .practices import queries
from .search import service as search

log = logging.getLogger(__name__)
bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """200 when the database and this node's index are usable and current; 503 with the reason otherwise."""
    problem = check()
    body = {"status": "ok" if problem is None else "unavailable", "published_practices": published()}
    if problem:
        body["reason"] = problem
    return body, 200 if problem is None else 503


def check() -> str | None:
    """The reason this node cannot serve truthfully, or None."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        db.session.rollback()
        log.error("health: the database does not answer: %s", exc)
        return "the database does not answer"
    problem = search.health()
    if problem:
        log.error("health: %s", problem)
    return problem


def published() -> int | None:
    try:
        return queries.count_published()
    except SQLAlchemyError:
        db.session.rollback()
        return None
