"""A download as the views send it: its bytes or text, its media type and the file name offered to save it as."""

from __future__ import annotations

from dataclasses import dataclass

MEDIA_TYPES = {"pdf": "application/pdf", "json": "application/json", "csv": "text/csv; charset=utf-8"}


@dataclass(frozen=True)
class Download:
    body: bytes | str
    kind: str  # a key of MEDIA_TYPES
    stem: str  # the file name without its extension (a slug: ASCII letters, digits and hyphens)
    # What was downloaded, for the usage counts: one practice, one collection, or neither (a search export).
    practice_id: int | None = None
    collection_id: int | None = None

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self.kind]

    @property
    def filename(self) -> str:
        return f"{self.stem}.{self.kind}"
