"""The SQLAlchemy models, one module per aggregate."""

from .alert import DIGESTS, AlertDelivery, AlertSettings, CollectionFollow, JobLock, SavedSearch
from .audit import AuditEvent
from .collection import VISIBILITIES, Collection, CollectionCurator, CollectionItem
from .lea import LEA
from .outbox import OutboxMessage
from .practice import OutcomeMetric, Practice, Resource, Revision, Tag
from .ratelimit import RateLimitCounter
from .review import Review, Round
from .search_change import CHANGE_KINDS, SearchChange
from .token import ApiToken
from .usage import DOWNLOAD_FORMATS, USAGE_KINDS, UsageEvent, UsageSalt
from .user import ROLES, User, UserRole

__all__ = [
    "AlertDelivery", "AlertSettings", "CollectionFollow", "DIGESTS", "JobLock", "SavedSearch",
    "ApiToken", "AuditEvent", "Collection", "CollectionCurator", "CollectionItem", "LEA", "OutboxMessage",
    "OutcomeMetric", "Practice", "RateLimitCounter", "Resource", "Review", "Revision", "Round", "SearchChange", "Tag",
    "CHANGE_KINDS", "ROLES", "User", "UserRole", "VISIBILITIES", "DOWNLOAD_FORMATS", "USAGE_KINDS", "UsageEvent",
    "UsageSalt",
]  # fmt: skip
