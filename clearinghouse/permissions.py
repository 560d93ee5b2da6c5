"""Who may do what: every permission decision of the site, asked by views, the API and services alike.

Each rule answers "may this user do this (to this object)". Anything a user may not see is reported as
not found, never as forbidden, so its existence does not leak. A rule over revisions is a `Rule`: one
definition that both decides for one revision (`allows`) and filters a query to the revisions it allows
(`query_filter`), so a listing and a page can never disagree (the pattern of invenio-records-permissions'
generators).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, and_, false, or_, select, true

from .errors import NotFound
from .models import (
    Collection,
    CollectionCurator,
    CollectionItem,
    Practice,
    Review,
    Revision,
    Round,
    UsageEvent,
    User,
    UserRole,
)

WRITING_STATES = ("draft", "changes_requested")
QUEUE_STATES = ("submitted", "in_review")


@dataclass(frozen=True)
class Rule:
    """A condition on (user, revision), in Python and in SQL (queries must join Revision.practice)."""

    check: Callable[[User | None, Revision], bool]
    sql: Callable[[User | None], ColumnElement[bool]]

    def allows(self, actor: Any, revision: Revision) -> bool:
        return bool(self.check(_user(actor), revision))

    def query_filter(self, actor: Any) -> ColumnElement[bool]:
        return self.sql(_user(actor))

    def __or__(self, other: Rule) -> Rule:
        return Rule(lambda u, r: self.check(u, r) or other.check(u, r), lambda u: or_(self.sql(u), other.sql(u)))

    def __and__(self, other: Rule) -> Rule:
        return Rule(lambda u, r: self.check(u, r) and other.check(u, r), lambda u: and_(self.sql(u), other.sql(u)))


def _user(actor: Any) -> User | None:
    """The signed-in user, or None for a visitor (Flask-Login's anonymous user included)."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None
    return actor


def has_role(actor: Any, role: str) -> bool:
    user = _user(actor)
    return user is not None and user.active and role in user.roles


def is_admin(actor: Any) -> bool:
    return has_role(actor, "admin")


def is_reviewer(actor: Any) -> bool:
    """An active reviewer whose email is confirmed: the only people who vet or are asked to."""
    user = _user(actor)
    return has_role(user, "reviewer") and user.confirmed_at is not None


def reviewer_accounts() -> ColumnElement[bool]:
    """`is_reviewer` as a filter on users (whom to tell about a new submission, whom an admin may assign)."""
    return and_(User.active.is_(True), User.confirmed_at.is_not(None),
                User.id.in_(select(UserRole.user_id).where(UserRole.role == "reviewer")))


def may_write(actor: Any) -> bool:
    """Contributors, reviewers, facilitators and admins may write drafts, once their email is confirmed."""
    user = _user(actor)
    return user is not None and user.active and user.confirmed_at is not None and bool(user.roles)


def conflicted(actor: Any, revision: Revision) -> bool:
    """A reviewer never vets their own submission or one from their own LEA."""
    user = _user(actor)
    if user is None:
        return True
    return revision.author_id == user.id or (user.lea_id is not None and user.lea_id == revision.practice.lea_id)


def _conflict_sql(user: User) -> ColumnElement[bool]:
    own_lea = Practice.lea_id == user.lea_id if user.lea_id is not None else false()
    return or_(and_(Revision.author_id.is_not(None), Revision.author_id == user.id), own_lea)


PUBLISHED = Rule(lambda u, r: r.state == "published", lambda u: Revision.state == "published")
AUTHOR = Rule(lambda u, r: u is not None and r.author_id == u.id,
              lambda u: Revision.author_id == u.id if u is not None else false())
PAST_DRAFT = Rule(lambda u, r: r.state != "draft", lambda u: Revision.state != "draft")
ADMIN = Rule(lambda u, r: is_admin(u), lambda u: true() if is_admin(u) else false())
REVIEWER_WITHOUT_CONFLICT = Rule(
    lambda u, r: is_reviewer(u) and not conflicted(u, r),
    lambda u: ~_conflict_sql(u) if is_reviewer(u) else false(),
)
CLAIM_HOLDER = Rule(
    lambda u, r: u is not None and any(rv.reviewer_id == u.id for rnd in r.rounds for rv in rnd.reviews),
    lambda u: Revision.id.in_(select(Round.revision_id).join(Review).where(Review.reviewer_id == u.id))
    if u is not None else false(),
)

# Vetting staff: the review page and the queue (anything past the draft stage, to admins and to reviewers
# without a conflict).
VETTING_STAFF = PAST_DRAFT & (ADMIN | REVIEWER_WITHOUT_CONFLICT)
# Published revisions are public; drafts only their author's; the rest the author's, vetting staff's and
# the reviewers who claimed them.
VIEW_REVISION = PUBLISHED | AUTHOR | VETTING_STAFF | (PAST_DRAFT & CLAIM_HOLDER)


def may_view_revision(actor: Any, revision: Revision) -> bool:
    return VIEW_REVISION.allows(actor, revision)


def may_edit(actor: Any, revision: Revision) -> bool:
    """Only the author edits a revision, and only while it is theirs to work on."""
    user = _user(actor)
    return (
        user is not None and may_write(user) and revision.author_id == user.id and revision.state in WRITING_STATES
    )


may_submit = may_edit


def may_revise(actor: Any, practice: Practice) -> bool:
    """Staff of the practice's LEA, or an author of one of its revisions, may propose a new revision."""
    user = _user(actor)
    if user is None or not may_write(user):
        return False
    return user.lea_id == practice.lea_id or any(r.author_id == user.id for r in practice.revisions)


def may_see_queue(actor: Any) -> bool:
    return is_reviewer(actor) or is_admin(actor)


def reviews_required() -> int:
    return int(current_app.config["REVIEWS_REQUIRED"])


def _open_claim(user: User, revision: Revision):
    current = revision.current_round
    if current is None:
        return None
    return next((r for r in current.open_claims if r.reviewer_id == user.id), None)


def may_claim(actor: Any, revision: Revision) -> bool:
    """A reviewer without a conflict, while the round still needs reviewers and they hold no claim in it."""
    user = _user(actor)
    if user is None or not is_reviewer(user) or conflicted(user, revision):
        return False
    return _round_has_room(revision) and not any(r.reviewer_id == user.id for r in revision.current_round.reviews)


def may_be_assigned(reviewer: Any, revision: Revision) -> bool:
    """Whom an admin may assign: the same rule as claiming, on the reviewer's behalf."""
    return may_claim(reviewer, revision)


def may_assign(actor: Any, revision: Revision) -> bool:
    return is_admin(actor) and _round_has_room(revision)


def _round_has_room(revision: Revision) -> bool:
    current = revision.current_round
    if revision.state not in QUEUE_STATES or current is None:
        return False
    taken = len(current.open_claims) + len(current.filed_reviews)
    return taken < reviews_required()


def may_review(actor: Any, revision: Revision) -> bool:
    """The reviewer holding an open claim on the current round, while it is in review."""
    user = _user(actor)
    if user is None or revision.state != "in_review" or conflicted(user, revision) or not is_reviewer(user):
        return False
    return _open_claim(user, revision) is not None


def may_archive(actor: Any, revision: Revision) -> bool:
    return is_admin(actor) and revision.state == "published"


def may_manage_users(actor: Any) -> bool:
    return is_admin(actor)


def may_read_audit(actor: Any) -> bool:
    return is_admin(actor)


def may_manage_mail(actor: Any) -> bool:
    """See the outgoing mail that is not delivered, and send it again: admins."""
    return is_admin(actor)


def queue_filter(actor: Any) -> ColumnElement[bool]:
    """The queue's visibility in SQL: the revisions vetting staff may open (`may_open_review_page`)."""
    return VETTING_STAFF.query_filter(actor)


# Pages every signed-in user has (by endpoint): a visitor is asked to sign in. Everything else behind a sign-in —
# a role's pages (/admin/…, /review…), a particular submission, a collection's editing — is hidden from visitors
# exactly as from signed-in users without permission: 404, so a visitor learns nothing of what exists.
PAGES_FOR_EVERY_ACCOUNT = frozenset({
    "vetting.new", "vetting.create", "vetting.mine",
    "accounts.account", "accounts.create_token", "accounts.revoke_token",
    # Alerts: every account saves searches, chooses its digest and follows the collections it may see.
    "alerts.manage", "alerts.save_search", "alerts.set_digest", "alerts.follow", "alerts.unfollow",
})


def visitor_is_asked_to_sign_in(endpoint: str | None) -> bool:
    """For a visitor on a page that needs an account: sign in (True), or not found (False)."""
    return endpoint in PAGES_FOR_EVERY_ACCOUNT


def require(allowed: bool, what: str = "There is nothing at this address.") -> None:
    """Refuse as not found, so what a user may not see or touch stays hidden."""
    if not allowed:
        raise NotFound(what)


def may_open_review_page(actor: Any, revision: Revision) -> bool:
    """The review page: vetting staff without a conflict, for anything past the draft stage."""
    return VETTING_STAFF.allows(actor, revision)


def may_delete_draft(actor: Any, revision: Revision) -> bool:
    """Only its author deletes a draft, and only while it is a draft (once submitted it stays on record)."""
    user = _user(actor)
    return user is not None and revision.author_id == user.id and revision.state == "draft"


# ---------------------------------------------------------------- collections
# Facilitators create collections and curate the ones they are curators of; a private collection is seen by
# its curators only (hidden from everyone else, admins included, as not found); an unlisted one by anyone
# with the link; only public ones are listed. Facilitators and admins feature public collections.


def is_facilitator(actor: Any) -> bool:
    return has_role(actor, "facilitator")


def may_create_collection(actor: Any) -> bool:
    return is_facilitator(actor)


def may_be_curator(user: Any) -> bool:
    """Whom a collection's creator may add as a co-curator: an active facilitator."""
    return is_facilitator(user)


def is_curator(actor: Any, collection: Collection) -> bool:
    user = _user(actor)
    return is_facilitator(user) and any(row.user_id == user.id for row in collection.curator_rows)


LISTED_COLLECTION = Rule(lambda u, c: c.visibility == "public", lambda u: Collection.visibility == "public")
LINKED_COLLECTION = Rule(lambda u, c: c.visibility == "unlisted", lambda u: Collection.visibility == "unlisted")
CURATED_COLLECTION = Rule(
    lambda u, c: is_curator(u, c),
    lambda u: Collection.id.in_(select(CollectionCurator.collection_id).where(CollectionCurator.user_id == u.id))
    if is_facilitator(u) else false(),
)
VIEW_COLLECTION = LISTED_COLLECTION | LINKED_COLLECTION | CURATED_COLLECTION


def may_view_collection(actor: Any, collection: Collection) -> bool:
    return VIEW_COLLECTION.allows(actor, collection)


def may_read_collection_feed(collection: Collection) -> bool:
    """A collection's feed is read by feed readers, signed out: public and unlisted collections only."""
    return (LISTED_COLLECTION | LINKED_COLLECTION).allows(None, collection)


def listed_collections() -> ColumnElement[bool]:
    """The collections the index, the home page and the practice pages list: public ones, for everyone."""
    return LISTED_COLLECTION.query_filter(None)


def curated_collections(actor: Any) -> ColumnElement[bool]:
    """The collections `actor` curates (their own list, the "Add to collection" choices)."""
    return CURATED_COLLECTION.query_filter(actor)


def may_curate(actor: Any, collection: Collection) -> bool:
    """Edit the collection's details and items: its curators."""
    return is_curator(actor, collection)


def may_manage_collection(actor: Any, collection: Collection) -> bool:
    """Add or remove co-curators, delete the collection: the curator who created it."""
    user = _user(actor)
    return is_curator(user, collection) and collection.owner_id == user.id


def may_feature(actor: Any, collection: Collection) -> bool:
    """Feature a public collection on the home page (or stop featuring it): facilitators and admins."""
    return (is_facilitator(actor) or is_admin(actor)) and collection.visibility == "public"


# ---------------------------------------------------------------- alerts
# Any signed-in, active user may save searches and follow the collections they may see; their saved searches and
# follows are theirs alone (anyone else's answer as not found).


def may_subscribe(actor: Any) -> bool:
    user = _user(actor)
    return user is not None and user.active


def may_follow_collection(actor: Any, collection: Collection) -> bool:
    return may_subscribe(actor) and may_view_collection(actor, collection)
# ---------------------------------------------------------------- usage statistics
# Admins see the usage of the whole site; facilitators the usage of the practices in the collections they curate
# (and of those collections); nobody else sees the statistics page (not found).


def may_see_usage(actor: Any) -> bool:
    return is_admin(actor) or is_facilitator(actor)


def usage_scope_is_site(actor: Any) -> bool:
    """Whether the statistics page counts the whole site for `actor` (else only their collections)."""
    return is_admin(actor)


def usage_filter(actor: Any) -> ColumnElement[bool]:
    """The usage events `actor`'s statistics count: every one for admins; for facilitators the views and
    downloads of the practices in their collections, and the downloads of those collections."""
    if is_admin(actor):
        return true()
    if not is_facilitator(actor):
        return false()
    curated = select(CollectionCurator.collection_id).where(CollectionCurator.user_id == _user(actor).id)
    practices = select(CollectionItem.practice_id).where(CollectionItem.collection_id.in_(curated))
    return or_(UsageEvent.practice_id.in_(practices), UsageEvent.collection_id.in_(curated))


def usage_referrer_filter(actor: Any) -> ColumnElement[bool]:
    """The referring collections `actor` may see counted: all for admins, their own for facilitators."""
    if is_admin(actor):
        return true()
    if not is_facilitator(actor):
        return false()
    return UsageEvent.from_collection_id.in_(select(Collection.id).where(curated_collections(actor)))
