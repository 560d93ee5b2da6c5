"""The SQLAlchemy models, one module per aggregate."""

from .audit import AuditEvent
from .collection import VISIBILITIES, Collection, CollectionCurator, CollectionItem
from .lea import LEA
from .outbox import OutboxMessage
from .practice import OutcomeMetric, Practice, Resource, Revision, Tag
from .review import Review, Round
from .search_change import CHANGE_KINDS, SearchChange
from .token import ApiToken
from .user import ROLES, User, UserRole

__all__ = [
    "ApiToken", "AuditEvent", "Collection", "CollectionCurator", "CollectionItem", "LEA", "OutboxMessage",
    "OutcomeMetric", "Practice", "Resource", "Review", "Revision", "Round", "SearchChange", "Tag",
    "CHANGE_KINDS", "ROLES", "User", "UserRole", "VISIBILITIES",
]  # fmt: skip
