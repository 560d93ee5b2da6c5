"""The SQLAlchemy models, one module per aggregate."""

from .audit import AuditEvent
from .lea import LEA
from .practice import OutcomeMetric, Practice, Resource, Revision, Tag
from .user import ROLES, User, UserRole

__all__ = [
    "AuditEvent", "LEA", "OutcomeMetric", "Practice", "Resource", "Revision", "Tag", "ROLES", "User", "UserRole",
]  # fmt: skip
