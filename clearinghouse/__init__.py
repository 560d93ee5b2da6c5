"""Promising Practices Clearinghouse: the app factory."""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask, g, jsonify, render_template, request
from flask_login import current_user
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from werkzeug.exceptions import HTTPException

from . import http_cache, security
from .config import load_config
from .errors import DomainError
from .extensions import csrf, db, limiter, login_manager, migrate

ROOT = Path(__file__).resolve().parent.parent
DATABASE_UNAVAILABLE = "The site cannot reach its database right now. Please try again in a minute."


def create_app(config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(ROOT / "instance"),
    )
    app.config.update(load_config(config))
    app.json.sort_keys = False  # keep the interchange format's field order
    Path(app.config["INSTANCE_DIR"]).mkdir(parents=True, exist_ok=True)
    logging.basicConfig(level=logging.INFO if app.config["APP_ENV"] != "test" else logging.WARNING)
    register_extensions(app)
    security.init_app(app)
    http_cache.init_app(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_template_helpers(app)
    register_commands(app)
    return app


def register_extensions(app: Flask) -> None:
    from . import models  # noqa: F401  (the models must be known before migrations compare)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    from . import ratelimit  # noqa: F401  (registers the database:// rate-limit storage)

    limiter.init_app(app)

    from .search.service import connect_indexing

    connect_indexing(app)

    @login_manager.user_loader
    def load_user(session_id: str):
        from .accounts.service import user_for_session

        return user_for_session(session_id)

    @login_manager.unauthorized_handler
    def sign_in_or_not_found():
        from flask import flash, redirect
        from flask_login import login_url

        from .errors import NotFound
        from .permissions import visitor_is_asked_to_sign_in

        if not visitor_is_asked_to_sign_in(request.endpoint):
            raise NotFound("There is nothing at this address.")
        flash(login_manager.login_message)
        return redirect(login_url(login_manager.login_view, next_url=request.full_path.rstrip("?")))


def register_blueprints(app: Flask) -> None:
    from . import health
    from .accounts.views import bp as accounts_bp
    from .alerts.views import bp as alerts_bp
    from .api import collections, leas, submissions, views  # noqa: F401  (their routes register on the API blueprint)
    from .api.blueprint import bp as api_bp
    from .collections.views import bp as collections_bp
    from .exports.views import bp as exports_bp
    from .feeds.views import bp as feeds_bp
    from .peers.views import bp as peers_bp
    from .practices.views import bp as practices_bp
    from .search.views import bp as search_bp
    from .usage.views import bp as usage_bp
    from .vetting.views import bp as vetting_bp

    app.register_blueprint(practices_bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(search_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(vetting_bp)
    app.register_blueprint(collections_bp)
    app.register_blueprint(peers_bp)
    app.register_blueprint(alerts_bp)
    app.register_blueprint(usage_bp)
    app.register_blueprint(feeds_bp)
    app.register_blueprint(exports_bp)
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    csrf.exempt(api_bp)  # the API authenticates with bearer tokens, never with the session cookie


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def error_response(status: int, message: str, fields: dict | None = None):
    if _wants_json():
        body = {"error": {"status": status, "message": message}}
        if fields:
            body["error"]["fields"] = fields
        return jsonify(body), status
    template = "errors/404.html" if status == 404 else "errors/error.html"
    return render_template(template, status=status, message=message), status


def register_errorhandlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):
        return error_response(exc.status, exc.message, exc.fields)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        messages = {404: "There is nothing at this address.", 405: "This address does not accept that method."}
        return error_response(exc.code or 500, messages.get(exc.code, exc.description or exc.name))

    @app.errorhandler(OperationalError)
    def database_unavailable(exc: OperationalError):
        # The database restarted or is unreachable: a clean 503 now, and pool_pre_ping reconnects afterwards.
        app.logger.error("the database does not answer: %s", exc.orig if exc.orig is not None else exc)
        db.session.rollback()
        try:
            _ = current_user.is_authenticated  # the page's header asks; the user loader needs the database too
        except SQLAlchemyError:
            db.session.rollback()
            g._login_user = login_manager.anonymous_user()  # Flask-Login's per-request user
        return error_response(503, DATABASE_UNAVAILABLE)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        if isinstance(exc, HTTPException):
            return http_error(exc)
        app.logger.exception("unhandled error")
        return error_response(500, "Something went wrong on our side. Please try again.")


def register_template_helpers(app: Flask) -> None:
    from .collections import service as collections
    from .peers.similar import similar_practices
    from .rendering import format_date, format_number, format_time, render_markdown
    from .schemas import field_metadata
    from .taxonomy import (
        EVIDENCE_LEVELS,
        EVIDENCE_REQUIREMENTS,
        METRIC_UNITS,
        REQUIRED_SECTIONS,
        RESOURCE_KINDS,
        SECTIONS,
        SORT_ORDERS,
        VOCABULARIES,
    )
    from .vetting.workflow import STATE_LABELS

    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.filters["number"] = format_number
    app.jinja_env.filters["date"] = format_date
    app.jinja_env.filters["time"] = format_time
    app.jinja_env.globals.update(
        VOCABULARIES=VOCABULARIES, SECTIONS=SECTIONS, REQUIRED_SECTIONS=REQUIRED_SECTIONS,
        EVIDENCE_LEVELS=EVIDENCE_LEVELS, EVIDENCE_REQUIREMENTS=EVIDENCE_REQUIREMENTS, METRIC_UNITS=METRIC_UNITS,
        RESOURCE_KINDS=RESOURCE_KINDS, SORT_ORDERS=SORT_ORDERS, STATE_LABELS=STATE_LABELS, field=field_metadata,
        similar_practices=similar_practices,
    )
    # For the include templates on the practice page and the search results (templates/collections/_*.html).
    app.jinja_env.globals.update(collections_for_practice=collections.collections_for_practice,
                                 curatable_collections=collections.curatable_collections)


def register_commands(app: Flask) -> None:
    from .cli import register

    register(app)
