"""The LEAs and peers API (/api/v1/leas…, /api/v1/peers): LEAs with their context, and LEAs like yours."""

from __future__ import annotations

from flask import jsonify

from ..peers import service as peers
from ..practices import queries
from ..schemas import LEAEntrySchema, LEAListArgsSchema, LEAListSchema, PeersArgsSchema, PeersResultSchema
from .blueprint import bp, load_args


@bp.get("/leas")
def leas_list():
    args = load_args(LEAListArgsSchema())
    page = queries.list_leas(args["q"], args["county"], args["locale"], args["type"], args["page"], args["per_page"])
    return jsonify(LEAListSchema().dump(
        {"total": page.total, "page": page.page, "per_page": page.per_page, "results": page.items}
    ))


@bp.get("/leas/<int:lea_id>")
def leas_get(lea_id: int):
    return jsonify(LEAEntrySchema().dump(queries.get_lea_entry(lea_id)))


@bp.get("/peers")
def peers_find():
    answer = peers.peers_for(load_args(PeersArgsSchema()))
    return jsonify(PeersResultSchema().dump({
        "profile": answer.profile, "kind": answer.kind, "leas": answer.leas, "results": answer.results,
        "weak_match": answer.weak_match, "message": answer.message,
    }))
