"""The /peers pages: LEAs like mine and their practices (a GET form: the URL is the whole state), and the help."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user
from marshmallow import ValidationError

from ..practices import queries
from ..schemas import PeersArgsSchema, flatten_errors
from . import service

bp = Blueprint("peers", __name__)


@bp.get("/peers")
def peers():
    source = request.args
    lea_id = getattr(current_user, "lea_id", None)
    if not source and lea_id:  # a signed-in user starts from their own LEA
        source = {"lea": str(lea_id)}
    answer, errors, status = None, {}, 200
    if source:
        try:
            answer = service.peers_for(PeersArgsSchema().load(source))
        except ValidationError as exc:
            for path, message in flatten_errors(exc.messages, label_of=lambda path: path.split("[")[0]):
                errors.setdefault(path.split("[")[0], message)  # a repeated parameter is named, not its position
            status = 400
    values = {key: (source.getlist(key) if hasattr(source, "getlist") else [source[key]]) for key in source}
    return render_template("peers/peers.html", answer=answer, errors=errors, values=values,
                           leas=queries.all_leas(), kinds=service.KINDS), status


@bp.get("/peers/help")
def help():
    return render_template("peers/help.html", service=service)
