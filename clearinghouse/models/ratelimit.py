"""Rate-limit counters kept in the database, so every worker and every node counts the same tries."""

from __future__ import annotations

from sqlalchemy import Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class RateLimitCounter(db.Model):
    """One fixed window of one limit for one key (an address, an account), e.g. `LIMITER/account:…/…/10/1/minute`."""

    __tablename__ = "rate_limit_counters"

    key: Mapped[str] = mapped_column(String(500), primary_key=True)
    hits: Mapped[int] = mapped_column(Integer, default=0)
    expires_at: Mapped[float] = mapped_column(Float, index=True)  # seconds since the epoch: the window's end
