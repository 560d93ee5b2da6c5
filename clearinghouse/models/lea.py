"""Local educational agencies: districts, county offices and charter schools, with their context."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import JSON, Float, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db

if TYPE_CHECKING:
    from .practice import Practice


class LEA(db.Model):
    __tablename__ = "leas"
    __table_args__ = (
        UniqueConstraint("cds_code"),
        Index("ix_leas_name_county", "name", "county"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    cds_code: Mapped[str | None] = mapped_column(String(14))
    type: Mapped[str] = mapped_column(String(20))
    county: Mapped[str] = mapped_column(String(40), index=True)
    locale: Mapped[str | None] = mapped_column(String(10))
    enrollment: Mapped[int | None] = mapped_column(Integer)
    unduplicated_pct: Mapped[float | None] = mapped_column(Float)
    el_pct: Mapped[float | None] = mapped_column(Float)
    foster_youth_pct: Mapped[float | None] = mapped_column(Float)
    swd_pct: Mapped[float | None] = mapped_column(Float)
    homeless_pct: Mapped[float | None] = mapped_column(Float)
    grade_spans: Mapped[list | None] = mapped_column(JSON)  # the spans the LEA serves
    data_year: Mapped[str | None] = mapped_column(String(9))  # the school year of the figures, "2017-18"

    practices: Mapped[list[Practice]] = relationship(back_populates="lea")

    # What a record's `lea` object may set besides the name (the interchange format's LEA fields).
    CONTEXT_FIELDS = (
        "cds_code", "type", "county", "locale", "enrollment", "unduplicated_pct", "el_pct", "foster_youth_pct",
        "swd_pct", "homeless_pct", "grade_spans", "data_year",
    )  # fmt: skip

    def __repr__(self) -> str:
        return f"<LEA {self.id} {self.name!r} ({self.county})>"
