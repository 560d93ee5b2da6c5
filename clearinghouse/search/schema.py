"""The Whoosh schema of the practice index and how a document dict becomes its fields.

One composite field, "text", holds every searched part (title, LEA name, keywords, summary, body) with
positions, in position ranges per part and with per-part weights (analysis.PARTS): one posting list per
term instead of five, which makes both indexing and querying several times cheaper, and phrases still
work because positions are kept. Facet values are terms of one position-less field ("facet",
"county:Kern"). What highlighting and sorting need is kept in columns, read one document at a time
(slug and stamp too, so listing them for an index check reads one small column); nothing is a Whoosh
stored field.
"""

from __future__ import annotations

import re
from array import array
from datetime import UTC, datetime

from whoosh import columns, fields, formats
from whoosh.analysis import IDTokenizer

from clearinghouse.search import analysis

FACETS = (
    "priority",
    "student_group",
    "grade_span",
    "indicator",
    "topic",
    "tier",
    "evidence",
    "locale",
    "lea_type",
    "county",
)
SECTIONS = ("problem", "root_causes", "journey", "actions", "outcomes", "lessons")
FACET_SEPARATOR = ":"


class PartPositions(formats.Format):
    """Postings of the composite field: value = positions as a packed uint32 array (packing and
    unpacking run in C), weight = occurrences weighted by part (analysis.PARTS).

    `phrases` are the phrases this index also indexes as single terms (analysis.Shortcuts): the
    synonym phrases of synonyms.py when the index was built. The format is pickled (plainly: its
    attributes) with the schema in the index's TOC, so every later write to the index (an upsert)
    finds the same phrases, and a reader knows which phrases it can look up instead of checking
    positions."""

    posting_size = -1

    def __init__(self, phrases=(), field_boost=1.0):
        super().__init__(field_boost=field_boost)
        self.phrases = frozenset(tuple(p) for p in phrases)

    def shortcuts(self) -> analysis.Shortcuts:
        # The schema of an index written before phrases existed unpickles without them.
        return analysis.shortcuts_for(getattr(self, "phrases", frozenset()))

    def word_values(self, value, analyzer, **kwargs):
        for term, plist, weight, freq in analysis.index_terms(value, self.shortcuts()):
            yield term, freq, weight, array("I", plist).tobytes()

    def decode_positions(self, valuestring):
        return array("I", valuestring).tolist()

    def decode_frequency(self, valuestring):
        return len(valuestring) // 4

    def decode_weight(self, valuestring):
        return float(self.decode_frequency(valuestring))


def build_schema(phrases=None) -> fields.Schema:
    """The schema of a new index; `phrases` to index as single terms default to the synonym phrases."""
    if phrases is None:
        from clearinghouse.search.query import synonym_phrases

        phrases = synonym_phrases()
    return fields.Schema(
        slug=fields.ID(unique=True),
        text=fields.FieldType(PartPositions(phrases), IDTokenizer(), scorable=True),
        facet=fields.ID(),
        ident=fields.COLUMN(columns.VarBytesColumn()),
        published=fields.COLUMN(columns.NumericColumn("q", default=0)),
        title_key=fields.COLUMN(columns.VarBytesColumn()),
        display=fields.COLUMN(columns.PickleColumn(columns.CompressedBytesColumn(level=1))),
    )


_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_LINE = re.compile(r"^[ \t]{0,3}(?:#{1,6}[ \t]+|>[ \t]?|[-*+][ \t]+|\d{1,3}[.)][ \t]+)", re.MULTILINE)
_MD_EMPHASIS = re.compile(r"\*\*|__|[*`]")
_SPACES = re.compile(r"[ \t]{2,}|\t")


def plain_text(markdown: str) -> str:
    """Markdown as the reader sees it (no markup), for indexing and snippets."""
    text = _MD_LINK.sub(r"\1", markdown) if "](" in markdown else markdown
    text = _MD_LINE.sub("", text)
    if "*" in text or "_" in text or "`" in text:
        text = _MD_EMPHASIS.sub("", text)
    if "  " in text or "\t" in text:
        text = _SPACES.sub(" ", text)
    return text.strip()


def to_epoch_us(value: datetime | None) -> int:
    if value is None:
        return 0
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return int(value.timestamp() * 1_000_000)


IDENT_SEPARATOR = "\x1f"


def ident(slug: str, stamp: str) -> bytes:
    return f"{slug}{IDENT_SEPARATOR}{stamp}".encode()


def parse_ident(value: bytes) -> tuple[str, str]:
    slug, _, stamp = value.decode().partition(IDENT_SEPARATOR)
    return slug, stamp


def title_key(title: str) -> str:
    return " ".join(title.casefold().split())


def index_fields(doc: dict) -> dict:
    """The keyword arguments of writer.add_document() for one document dict."""
    sections = doc.get("sections") or {}
    body_pieces = [plain_text(sections.get(name) or "") for name in SECTIONS]
    body_pieces = [p for p in body_pieces if p]
    title = doc.get("title") or ""
    summary = doc.get("summary") or ""
    keywords = [k for k in (doc.get("keywords") or []) if k]
    facet_terms = sorted(
        {f"{facet}{FACET_SEPARATOR}{value}" for facet in FACETS for value in (doc.get(facet) or [])}
    )
    out = {
        "slug": doc["slug"],
        "ident": ident(doc["slug"], str(doc.get("stamp") or "")),
        "text": analysis.compose(title, doc.get("lea_name") or "", keywords, summary, body_pieces),
        "published": to_epoch_us(doc.get("published_at")),
        "title_key": title_key(title).encode("utf-8"),
        "display": (title, summary, "\n\n".join(body_pieces)),
    }
    if facet_terms:
        out["facet"] = facet_terms
    return out
