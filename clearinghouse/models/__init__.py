"""The SQLAlchemy models, one module per aggregate."""

from .audit import AuditEvent
from .lea import LEA
from .outbox import OutboxMessage
from .practice import OutcomeMetric, Practice, Resource, Revision, Tag
from .review import Review, Round
from .token import ApiToken
from .user import ROLES, User, UserRole

__all__ = [
    "ApiToken", "AuditEvent", "LEA", "OutboxMessage", "OutcomeMetric", "Practice", "Resource", "Review", "Revision",
    "Round", "Tag", "ROLES", "User", "UserRole",
]  # fmt: skip
