"""Collections: creating and curating them, and reading them as each person may see them.

Each public function that changes something is one transaction (`atomic`) and commits once. Permission
decisions are asked of permissions.py; what a person may not see is not found.
"""

from __future__ import annotations

from dataclasses import dataclass

from marshmallow import Schema, ValidationError
from slugify import slugify
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import selectinload

from .. import permissions
from ..accounts import service as accounts
from ..errors import Conflict, NotAllowed, NotFound, ValidationFailed
from ..extensions import db
from ..models import Collection, CollectionCurator, CollectionItem, Practice, User
from ..models.types import utcnow
from ..schemas import CollectionInSchema, ItemInSchema, ItemPatchSchema, flatten_errors
from ..unit_of_work import atomic as transaction

NOT_FOUND = "There is no collection at this address."
NOT_CURATOR = "There is no collection at this address that you can curate."
RESERVED_SLUGS = {"new", "add"}  # the addresses of forms under /collections/
CONCURRENT = "Someone else changed this collection at the same moment. Reload the page to see it as it is now."


class UnknownPractice(NotFound):
    """The practice to add is not published (or does not exist); the collection itself was found."""


# One service call, one transaction; a concurrent change of the same collection is refused as a conflict.
atomic = transaction(lambda: Conflict(CONCURRENT))


def _load(schema: Schema, data: dict, message: str) -> dict:
    if not isinstance(data, dict):
        raise ValidationFailed("The body must be a JSON object.", {"body": "must be a JSON object"})
    try:
        return schema.load(data)
    except ValidationError as exc:
        fields = {}
        for path, text in flatten_errors(exc.messages, label_of=lambda path: path.capitalize()):
            fields[path] = f"{path} is not a field of a collection." if text.endswith("interchange format.") else text
        raise ValidationFailed(message, fields) from exc


# ---------------------------------------------------------------- reading


def _with_items(query: Select) -> Select:
    return query.options(
        selectinload(Collection.curator_rows).selectinload(CollectionCurator.user),
        selectinload(Collection.items).selectinload(CollectionItem.practice).options(
            selectinload(Practice.revisions), selectinload(Practice.lea)),
    )


def _find(slug: str) -> Collection | None:
    return db.session.execute(_with_items(select(Collection)).where(Collection.slug == slug)).scalar_one_or_none()


def get_collection(actor, slug: str) -> Collection:
    """A collection the actor may see: public and unlisted ones to everyone, private ones to their curators."""
    collection = _find(slug)
    if collection is None or not permissions.may_view_collection(actor, collection):
        raise NotFound(NOT_FOUND)
    return collection


def get_for_curating(actor, slug: str) -> Collection:
    collection = _find(slug)
    if collection is None or not permissions.may_curate(actor, collection):
        raise NotFound(NOT_CURATOR)
    return collection


def permission_flags(actor, collection: Collection) -> dict[str, bool]:
    """What `actor` may do to the collection (the page and the API show only what they may)."""
    return {
        "curate": permissions.may_curate(actor, collection),
        "manage": permissions.may_manage_collection(actor, collection),
        "feature": permissions.may_feature(actor, collection),
    }


@dataclass
class Listing:
    items: list[Collection]
    total: int
    page: int
    per_page: int


def _matching(query: Select, q: str) -> Select:
    """Every word of `q` in the title or the network (case does not matter)."""
    for word in q.lower().split():
        query = query.where(or_(func.lower(Collection.title).contains(word, autoescape=True),
                                func.lower(Collection.network).contains(word, autoescape=True)))
    return query


def list_public(q: str = "", page: int = 1, per_page: int = 50) -> Listing:
    """The public collections whose title or network matches `q`; featured ones first, then by title."""
    query = _matching(select(Collection).where(permissions.listed_collections()), q)
    total = db.session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    items = db.session.execute(
        _with_items(query).order_by(Collection.featured.desc(), func.lower(Collection.title), Collection.id)
        .offset((page - 1) * per_page).limit(per_page)
    ).scalars()
    return Listing(list(items), total, page, per_page)


def featured_collections(limit: int = 6) -> list[Collection]:
    query = select(Collection).where(permissions.listed_collections(), Collection.featured.is_(True))
    return list(db.session.execute(
        _with_items(query).order_by(Collection.updated_at.desc(), Collection.id).limit(limit)
    ).scalars())


def curated_by(actor) -> list[Collection]:
    """The collections `actor` curates, whatever their visibility."""
    query = select(Collection).where(permissions.curated_collections(actor))
    return list(db.session.execute(_with_items(query).order_by(func.lower(Collection.title))).scalars())


def collections_for_practice(practice: Practice) -> list[Collection]:
    """The public collections that include `practice` (listed on its page)."""
    query = (select(Collection).join(CollectionItem).where(CollectionItem.practice_id == practice.id,
                                                           permissions.listed_collections()))
    return list(db.session.execute(query.order_by(func.lower(Collection.title))).scalars())


def curatable_collections(actor, practice: Practice | None = None) -> list[Collection]:
    """The collections `actor` curates that `practice` could be added to (all of them without a practice)."""
    query = select(Collection).where(permissions.curated_collections(actor))
    if practice is not None:
        query = query.where(~Collection.id.in_(
            select(CollectionItem.collection_id).where(CollectionItem.practice_id == practice.id)))
    return list(db.session.execute(query.order_by(func.lower(Collection.title))).scalars())


# ---------------------------------------------------------------- the collection itself


def unique_slug(title: str) -> str:
    """The collection's address from its title, with -2, -3 … when another collection has it."""
    base = slugify(title, max_length=100, word_boundary=True, replacements=[["'", ""], ["’", ""]]) or "collection"
    taken = set(db.session.execute(
        select(Collection.slug).where(or_(Collection.slug == base, Collection.slug.like(f"{base}-%")))
    ).scalars()) | RESERVED_SLUGS
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def _apply(collection: Collection, data: dict) -> None:
    collection.title = data["title"].strip()
    collection.description = data["description"]
    collection.network = data["network"].strip()
    collection.visibility = data["visibility"]
    if collection.visibility != "public":
        collection.featured = False  # only public collections are featured
    collection.updated_at = utcnow()


@atomic
def create_collection(actor, data: dict) -> Collection:
    """A new collection; its creator is its first curator."""
    if not permissions.may_create_collection(actor):
        raise NotAllowed("Only network facilitators create collections.")
    values = _load(CollectionInSchema(), data, "The collection is not valid: please fix the fields marked below.")
    collection = Collection(slug=unique_slug(values["title"]), owner=actor)
    _apply(collection, values)
    collection.curator_rows.append(CollectionCurator(user=actor))
    db.session.add(collection)
    db.session.commit()
    return collection


@atomic
def update_collection(actor, slug: str, data: dict) -> Collection:
    """Replace the collection's title, description, network and visibility (its address stays)."""
    collection = get_for_curating(actor, slug)
    values = _load(CollectionInSchema(), data, "The collection is not valid: please fix the fields marked below.")
    _apply(collection, values)
    db.session.commit()
    return collection


def _for_managing(actor, slug: str) -> Collection:
    collection = get_for_curating(actor, slug)
    if not permissions.may_manage_collection(actor, collection):
        raise NotAllowed("Only the curator who created this collection can do that.")
    return collection


@atomic
def delete_collection(actor, slug: str) -> None:
    """Delete the collection (the practices in it stay published, untouched)."""
    db.session.delete(_for_managing(actor, slug))
    db.session.commit()


@atomic
def set_featured(actor, slug: str, featured: bool) -> Collection:
    collection = _find(slug)
    if collection is None or not permissions.may_feature(actor, collection):
        raise NotFound("There is no public collection at this address that you can feature.")
    collection.featured = featured
    db.session.commit()
    return collection


# ---------------------------------------------------------------- curators


@atomic
def add_curator(actor, slug: str, email: str) -> User:
    """Another facilitator curates the collection too, found by the email of their account."""
    collection = _for_managing(actor, slug)
    email = (email or "").strip()
    if not email:
        raise ValidationFailed("Give the email address of the facilitator to add.", {"email": "is required"})
    user = accounts.find_user(email)
    if user is None:
        raise ValidationFailed(f"No one has an account with the email address {email}.",
                               {"email": "has no account"})
    if not permissions.may_be_curator(user):
        raise ValidationFailed(f"{user.name} ({user.email}) is not a facilitator: only facilitators curate "
                               "collections. An admin can give them the facilitator role.",
                               {"email": "is not a facilitator"})
    if any(row.user_id == user.id for row in collection.curator_rows):
        raise Conflict(f"{user.name} already curates this collection.")
    collection.curator_rows.append(CollectionCurator(user=user))
    db.session.commit()
    return user


@atomic
def remove_curator(actor, slug: str, user_id: int) -> None:
    collection = _for_managing(actor, slug)
    row = next((r for r in collection.curator_rows if r.user_id == user_id), None)
    if row is None:
        raise NotFound("That person does not curate this collection.")
    if user_id == collection.owner_id:
        raise ValidationFailed("The curator who created the collection cannot be removed from it.")
    collection.curator_rows.remove(row)
    db.session.commit()


# ---------------------------------------------------------------- items


def _place(collection: Collection, item: CollectionItem, position: int | None) -> None:
    """Put `item` at `position` (1 is first; None or past the end is last) and number the items 1, 2, 3 …"""
    others = sorted((i for i in collection.items if i is not item), key=lambda i: i.position)
    index = len(others) if position is None else min(max(position, 1), len(others) + 1) - 1
    others.insert(index, item)
    for number, each in enumerate(others, start=1):
        each.position = number
    collection.updated_at = utcnow()


def _item(collection: Collection, practice_slug: str) -> CollectionItem:
    item = collection.item_for(practice_slug)
    if item is None:
        raise NotFound(f"This collection does not include the practice {practice_slug!r}.")
    return item


@atomic
def add_item(actor, slug: str, data: dict) -> CollectionItem:
    """Add a published practice (by its slug), with the curator's note, at a position or at the end."""
    collection = get_for_curating(actor, slug)
    values = _load(ItemInSchema(), data, "The item is not valid: please fix the fields marked below.")
    practice = db.session.execute(select(Practice).where(Practice.slug == values["practice"])).scalar_one_or_none()
    if practice is None or practice.published_at is None:
        raise UnknownPractice(f"No published practice has the address {values['practice']!r}.")
    if practice.published_revision is None:
        raise ValidationFailed(f"“{practice.latest_revision.title}” is archived: only published practices can be "
                               "added to a collection.", {"practice": "is not published"})
    existing = collection.item_for(practice.slug)
    if existing is not None:
        raise Conflict(f"“{practice.published_revision.title}” is already in this collection "
                       f"(item {existing.position}).")
    item = CollectionItem(practice=practice, note=values["note"].strip(), added_by=actor)
    collection.items.append(item)
    _place(collection, item, values["position"])
    db.session.commit()
    return item


@atomic
def update_item(actor, slug: str, practice_slug: str, data: dict) -> CollectionItem:
    """Change an item's note, move it to another position, or both."""
    collection = get_for_curating(actor, slug)
    item = _item(collection, practice_slug)
    values = _load(ItemPatchSchema(), data, "The item is not valid: please fix the fields marked below.")
    if "note" in values:
        item.note = values["note"].strip()
        collection.updated_at = utcnow()
    if "position" in values:
        _place(collection, item, values["position"])
    db.session.commit()
    return item


@atomic
def move_item(actor, slug: str, practice_slug: str, steps: int) -> CollectionItem:
    """Move an item up (negative steps) or down; at the top or the bottom it stays where it is."""
    collection = get_for_curating(actor, slug)
    item = _item(collection, practice_slug)
    _place(collection, item, max(item.position + steps, 1))
    db.session.commit()
    return item


@atomic
def remove_item(actor, slug: str, practice_slug: str) -> None:
    collection = get_for_curating(actor, slug)
    item = _item(collection, practice_slug)
    collection.items.remove(item)
    for number, each in enumerate(sorted(collection.items, key=lambda i: i.position), start=1):
        each.position = number
    collection.updated_at = utcnow()
    db.session.commit()
