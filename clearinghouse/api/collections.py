"""The collections API (/api/v1/collections…): reading public collections, and curating over bearer tokens.

Thin handlers over the same collections service as the pages, so the permissions are exactly the same: 401
without a valid token, 404 for what the token's owner may not see or curate, 409 for the same practice twice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import jsonify

from ..collections import service as collections
from ..schemas import CollectionListArgsSchema, CollectionListSchema, CollectionOutSchema
from .blueprint import bp, json_object, load_args, reader, token_user

if TYPE_CHECKING:
    from ..models import Collection


def dump(collection: Collection, user) -> dict:
    """The collection as CollectionOutSchema documents it, with what `user` may do to it."""
    return CollectionOutSchema().dump((collection, collections.permission_flags(user, collection)))


@bp.get("/collections")
def collections_list():
    args = load_args(CollectionListArgsSchema())
    listing = collections.list_public(args["q"], args["page"], args["per_page"])
    return jsonify(CollectionListSchema().dump({
        "query": args["q"], "total": listing.total, "page": listing.page, "per_page": listing.per_page,
        "results": listing.items,
    }))


@bp.post("/collections")
def collections_create():
    user = token_user()
    return jsonify(dump(collections.create_collection(user, json_object()), user)), 201


@bp.get("/collections/<slug>")
def collections_get(slug: str):
    user = reader()
    return jsonify(dump(collections.get_collection(user, slug), user))


@bp.put("/collections/<slug>")
def collections_put(slug: str):
    user = token_user()
    return jsonify(dump(collections.update_collection(user, slug, json_object()), user))


@bp.delete("/collections/<slug>")
def collections_delete(slug: str):
    collections.delete_collection(token_user(), slug)
    return "", 204


@bp.post("/collections/<slug>/items")
def collections_add_item(slug: str):
    user = token_user()
    collections.add_item(user, slug, json_object())
    return jsonify(dump(collections.get_collection(user, slug), user)), 201


@bp.patch("/collections/<slug>/items/<practice>")
def collections_update_item(slug: str, practice: str):
    user = token_user()
    collections.update_item(user, slug, practice, json_object())
    return jsonify(dump(collections.get_collection(user, slug), user))


@bp.delete("/collections/<slug>/items/<practice>")
def collections_remove_item(slug: str, practice: str):
    collections.remove_item(token_user(), slug, practice)
    return "", 204
