"""The API's payloads: answers, query parameters and request bodies (the practice itself is in `interchange`)."""

from __future__ import annotations

from typing import Any

from flask import url_for
from marshmallow import EXCLUDE, Schema, fields, pre_load, validate

from ..models import VISIBILITIES
from ..models.types import DB_INT_MAX
from ..taxonomy import SORT_ORDERS, VOCABULARIES, Vocabulary
from .interchange import LEASchema, PracticeSchema, StrictSchema, _text


class LEAOutSchema(LEASchema):
    """An LEA as the API shows it: its context fields, its id and how many practices it has published."""

    id = fields.Integer(dump_only=True)
    published_practices = fields.Integer(dump_only=True)


LEA_BRIEF = ("name", "county", "locale", "type")
MAX_PAGE = 100_000  # far past any result list; keeps offsets inside the database's integers


def page_field() -> fields.Integer:
    return fields.Integer(load_default=1, validate=validate.Range(
        min=1, max=MAX_PAGE, error=f"page must be a whole number from 1 to {MAX_PAGE:,}."))


def per_page_field() -> fields.Integer:
    return fields.Integer(load_default=20, validate=validate.Range(
        min=1, max=100, error="per_page must be a whole number from 1 to 100."))


def practice_url(slug: str) -> str:
    return url_for("practices.practice", slug=slug, _external=True)


class PracticeURL(fields.String):
    """A practice's page address, from its practice."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return practice_url(value.slug) if value is not None else None


class PracticeSummarySchema(Schema):
    """A published practice in a list of results (search, listing), dumped from its Revision."""

    slug = fields.String(attribute="practice.slug")
    title = fields.String()
    summary = fields.String()
    url = PracticeURL(attribute="practice")
    lea = fields.Nested(LEASchema, only=LEA_BRIEF, attribute="practice.lea")
    evidence_level = fields.String(allow_none=True)
    published_at = fields.DateTime(format="iso", attribute="practice.published_at", allow_none=True)


class PracticeOutSchema(PracticeSchema):
    """One published practice: the interchange format plus its system fields."""

    slug = fields.String(dump_only=True)
    url = fields.String(dump_only=True)
    published_at = fields.DateTime(format="iso", dump_only=True)
    updated_at = fields.DateTime(format="iso", dump_only=True)


class PageSchema(Schema):
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()


class PracticeListSchema(PageSchema):
    results = fields.List(fields.Nested(PracticeSummarySchema))


class ListArgsSchema(Schema):
    """Query parameters of a paginated listing."""

    class Meta:
        unknown = EXCLUDE

    page = page_field()
    per_page = per_page_field()


class ErrorDetailSchema(Schema):
    status = fields.Integer()
    message = fields.String()
    field_errors = fields.Dict(keys=fields.String(), values=fields.Raw(), data_key="fields")


class ErrorSchema(Schema):
    error = fields.Nested(ErrorDetailSchema)


SORTS = tuple(SORT_ORDERS)
MAX_QUERY = 2000  # longer searches are cut here (the engine handles any text up to it)
FILTER_VOCABULARIES = tuple(VOCABULARIES)  # priority, student_group, … county: one filter per vocabulary


class _SearchArgsBase(Schema):
    class Meta:
        unknown = EXCLUDE

    q = fields.String(load_default="")
    sort = fields.String(
        load_default="relevance",
        validate=validate.OneOf(SORTS, error='"{input}" is not one of ' + ", ".join(SORTS) + "."),
    )
    page = page_field()
    per_page = per_page_field()
    exact = fields.Boolean(
        load_default=False,
        metadata={"description": "Search the words exactly as typed: no spelling correction (the link "
                                 "\"Search instead for …\" after a corrected search)."},
    )

    @pre_load
    def _from_multidict(self, data: Any, **kwargs: Any) -> Any:
        """Read repeatable filters (?topic=math&topic=mtss) from a MultiDict; the rest as single values."""
        if hasattr(data, "getlist"):
            result = {k: data.get(k) for k in ("q", "sort", "page", "per_page", "exact")
                      if data.get(k) not in (None, "")}
            for key in FILTER_VOCABULARIES:
                values = [v for v in data.getlist(key) if v != ""]
                if values:
                    result[key] = values
            return result
        return data


def _filter_field(vocabulary: Vocabulary) -> fields.List:
    return fields.List(
        fields.String(validate=validate.OneOf(list(vocabulary.values), error='"{input}" is not a known value')),
        load_default=list,
    )


# The search parameters of DESIGN.md, for the page and the API alike: one repeatable filter per vocabulary.
SearchArgsSchema = _SearchArgsBase.from_dict(
    {key: _filter_field(VOCABULARIES[key]) for key in FILTER_VOCABULARIES}, name="SearchArgsSchema"
)


FACET_NAMES = tuple(VOCABULARIES)  # the facets a search can count: one per filter


class ApiSearchArgsSchema(SearchArgsSchema):  # type: ignore[misc, valid-type]
    """The API's search parameters: the page's, plus which facets to count."""

    facets = fields.List(
        fields.String(validate=validate.OneOf(FACET_NAMES, error='"{input}" is not a facet (one of '
                                              + ", ".join(FACET_NAMES) + ").")),
        load_default=None,
        metadata={"description": "The facets to count, comma-separated or repeated (facets=topic,county or "
                                 "facets=topic&facets=county). Left out: all of them; empty (facets=): none. "
                                 "Counting fewer makes a search faster."},
    )

    @pre_load
    def _from_multidict(self, data: Any, **kwargs: Any) -> Any:
        result = super()._from_multidict(data, **kwargs)
        if hasattr(data, "getlist") and "facets" in data:
            result["facets"] = [name.strip() for value in data.getlist("facets") for name in value.split(",")
                                if name.strip()]
        return result


class FacetValueSchema(Schema):
    value = fields.String()
    label = fields.String()
    count = fields.Integer()


class SearchHitSchema(PracticeSummarySchema):
    """A search result, dumped from a (Revision, Hit) pair: the summary plus the matched passages."""

    highlights = fields.Dict(keys=fields.String(), values=fields.String())

    def get_attribute(self, obj: Any, attr: str, default: Any) -> Any:
        revision, hit = obj
        return hit.highlights if attr == "highlights" else super().get_attribute(revision, attr, default)


class SearchResultSchema(PageSchema):
    query = fields.String()
    results = fields.List(fields.Nested(SearchHitSchema))
    facets = fields.Dict(keys=fields.String(), values=fields.List(fields.Nested(FacetValueSchema)))
    suggestion = fields.String(allow_none=True)
    match = fields.String(validate=validate.OneOf(("all", "some", "none")))


def search_payload(query: str, result: Any, items: list, facets: dict) -> dict:
    """SearchResultSchema's answer built directly, from search cards (search.service.Card) and their hits:
    marshmallow's dump of 20 hits and ~100 facet values was a third of a search's time
    (tests/test_scale.py checks both give the same answer)."""
    return {
        "total": result.total, "page": result.page, "per_page": result.per_page, "query": query,
        "results": [
            {"slug": card.slug, "title": card.title, "summary": card.summary, "url": practice_url(card.slug),
             "lea": {k: card.lea[k] for k in LEA_BRIEF}, "evidence_level": card.evidence_level,
             "published_at": card.published_at.isoformat() if card.published_at is not None else None,
             "highlights": dict(hit.highlights)}
            for card, hit in items
        ],
        "facets": {name: [{"value": v["value"], "label": v["label"], "count": v["count"]} for v in values]
                   for name, values in facets.items()},
        "suggestion": result.suggestion, "match": result.match,
    }


# ---------------------------------------------------------------- the submissions API


class ReviewSchema(Schema):
    """One filed review; `rubric` is the wording of the criteria as it was when the review was written."""

    reviewer = fields.Function(lambda review: review.reviewer.name if review.reviewer else None, allow_none=True)
    recommendation = fields.String()
    scores = fields.Dict(keys=fields.String(), values=fields.Integer())
    comments = fields.Dict(keys=fields.String(), values=fields.String())
    message = fields.String()
    rubric = fields.List(fields.Dict())
    filed_at = fields.DateTime(format="iso")


class RoundSchema(Schema):
    number = fields.Integer()
    submitted_at = fields.DateTime(format="iso")
    decided_at = fields.DateTime(format="iso", allow_none=True)
    outcome = fields.String(allow_none=True)
    reviews = fields.List(fields.Nested(ReviewSchema))


class SubmissionSchema(Schema):
    """A revision going through vetting, with what the token's owner may do to it now."""

    id = fields.Integer(dump_only=True)
    practice = fields.String(dump_only=True, metadata={"description": "the practice's slug"})
    number = fields.Integer(dump_only=True, metadata={"description": "the revision's number within the practice"})
    state = fields.String(dump_only=True)
    state_label = fields.String(dump_only=True)
    version = fields.Integer(dump_only=True)
    record = fields.Dict(metadata={"description": "the practice in the interchange format, as last saved"})
    errors = fields.Dict(keys=fields.String(), values=fields.String(),
                         metadata={"description": "what must be fixed before submitting, by field path"})
    rounds = fields.List(fields.Nested(RoundSchema))
    permissions = fields.Dict(keys=fields.String(), values=fields.Boolean())
    url = fields.String(dump_only=True)


class ReviewInSchema(StrictSchema):
    """A review filed through the API: scores 1–4 and a comment for each of the six criteria."""

    scores = fields.Dict(keys=fields.String(), values=fields.Raw(), required=True,
                         metadata={"example": {"1": 4, "2": 3, "3": 4, "4": 3, "5": 4, "6": 3}})
    comments = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    recommendation = fields.String(required=True,
                                   validate=validate.OneOf(("approve", "request_changes", "reject")))
    message = fields.String(load_default="")
    version = fields.Integer(load_default=None, metadata={"description": "the version you read (optional check)"})


class TimelineEventSchema(Schema):
    action = fields.String()
    from_state = fields.String(allow_none=True)
    to_state = fields.String()
    actor = fields.Function(lambda event: event.actor.name if event.actor else None, allow_none=True)
    comment = fields.String()
    at = fields.DateTime(format="iso", attribute="created_at")


class SubmissionTimelineSchema(Schema):
    events = fields.List(fields.Nested(TimelineEventSchema))


# ---------------------------------------------------------------- the collections API

NOTE_MAX = 2000


class CuratorSchema(Schema):
    name = fields.String()


class CollectionItemSchema(Schema):
    """A practice in a collection, dumped from its CollectionItem: the practice as currently published."""

    position = fields.Integer(metadata={"description": "1 for the first item"})
    note = fields.String(metadata={"description": "the curator's note on this practice"})
    archived = fields.Boolean(metadata={"description": "the practice was archived after it was added: it stays "
                                                       "in the collection but is no longer published"})
    practice = fields.Nested(PracticeSummarySchema, attribute="revision", allow_none=True)


class CollectionSummarySchema(Schema):
    """A collection in a list, dumped from its Collection."""

    slug = fields.String()
    title = fields.String()
    description = fields.String(metadata={"description": "Markdown"})
    network = fields.String(metadata={"description": "the network the collection serves"})
    visibility = fields.String(validate=validate.OneOf(tuple(VISIBILITIES)))
    featured = fields.Boolean()
    url = fields.String(metadata={"description": "the collection's page"})
    item_count = fields.Integer()
    curators = fields.List(fields.Nested(CuratorSchema))
    updated_at = fields.DateTime(format="iso")

    def get_attribute(self, obj: Any, attr: str, default: Any) -> Any:
        if attr == "url":
            return url_for("collections.collection", slug=obj.slug, _external=True)
        if attr == "item_count":
            return len(obj.items)
        return super().get_attribute(obj, attr, default)


class CollectionOutSchema(CollectionSummarySchema):
    """One collection, dumped from a (Collection, permission flags) pair: its items in order and what the
    reader may do to it."""

    items = fields.List(fields.Nested(CollectionItemSchema))
    permissions = fields.Dict(keys=fields.String(), values=fields.Boolean(),
                              metadata={"example": {"curate": True, "manage": True, "feature": False}})

    def get_attribute(self, obj: Any, attr: str, default: Any) -> Any:
        collection, flags = obj
        return flags if attr == "permissions" else super().get_attribute(collection, attr, default)


class CollectionListSchema(PageSchema):
    query = fields.String()
    results = fields.List(fields.Nested(CollectionSummarySchema))


class CollectionListArgsSchema(ListArgsSchema):
    q = fields.String(load_default="", validate=validate.Length(max=200, error="must be at most 200 characters"))


class CollectionInSchema(StrictSchema):
    """A collection's details, as created or replaced (pages and API alike)."""

    title = _text("Title", required=True, max=200,
                  hint="What the collection gathers, e.g. “Reclassification: where to start”.")
    description = _text("Description", max=5000, load_default="", hint="Markdown: **bold**, lists, links.")
    network = _text("Network", max=200, load_default="",
                    hint="The network it serves, e.g. Central Valley EL Coordinators Network.")
    visibility = fields.String(
        load_default="private",
        validate=validate.OneOf(tuple(VISIBILITIES),
                                error="Visibility must be one of " + ", ".join(VISIBILITIES) + "."),
        metadata={"label": "Visibility"},
    )


class ItemInSchema(StrictSchema):
    """A practice to add to a collection."""

    practice = fields.String(required=True, metadata={"description": "the published practice's slug"})
    note = _text("Curator's note", max=NOTE_MAX, load_default="")
    position = fields.Integer(load_default=None, validate=validate.Range(min=1, error="Position must be 1 or more."),
                              metadata={"description": "where to put it (1 is first); at the end when left out"})


class ItemPatchSchema(StrictSchema):
    """A change to an item: its note, its position, or both."""

    note = _text("Curator's note", max=NOTE_MAX)
    position = fields.Integer(validate=validate.Range(min=1, error="Position must be 1 or more."),
                              metadata={"description": "move it here (1 is first; past the end means last)"})


# ---------------------------------------------------------------- LEAs and peers (issue 11)

from marshmallow import ValidationError, validates_schema  # noqa: E402  (this block's own needs, kept with it)


def _one_of(vocabulary: Vocabulary) -> validate.OneOf:
    return validate.OneOf(list(vocabulary.values), error='"{input}" is not a known value.')


def _args_from_multidict(data: Any, repeatable: tuple[str, ...]) -> Any:
    """Query parameters from a MultiDict: the repeatable ones as lists, the rest as single values; blanks dropped."""
    if not hasattr(data, "getlist"):
        return data
    result = {k: v for k, v in data.items() if k not in repeatable and v != ""}
    for key in repeatable:
        values = [v for v in data.getlist(key) if v != ""]
        if values:
            result[key] = values
    return result


class LEAListArgsSchema(ListArgsSchema):
    """Query parameters of /api/v1/leas: words of the name, and exact county, locale and type."""

    q = fields.String(load_default="", validate=validate.Length(max=200, error="must be at most 200 characters"))
    county = fields.String(load_default=None, validate=_one_of(VOCABULARIES["county"]))
    locale = fields.String(load_default=None, validate=_one_of(VOCABULARIES["locale"]))
    type = fields.String(load_default=None, validate=_one_of(VOCABULARIES["lea_type"]))

    @pre_load
    def _from_multidict(self, data: Any, **kwargs: Any) -> Any:
        return _args_from_multidict(data, ())


class LEAEntrySchema(LEAOutSchema):
    """An LEA dumped from an entry holding it (`.lea`) with its count of published practices (and, for a peer,
    more fields of the entry's own)."""

    ENTRY_FIELDS = frozenset({"published_practices"})

    def get_attribute(self, obj: Any, attr: str, default: Any) -> Any:
        return super().get_attribute(obj if attr in self.ENTRY_FIELDS else obj.lea, attr, default)


class LEAListSchema(PageSchema):
    results = fields.List(fields.Nested(LEAEntrySchema))


_PCT_ERROR = "must be a percentage between 0 and 100"


def _pct_arg(description: str) -> fields.Float:
    return fields.Float(load_default=None, allow_nan=False, validate=validate.Range(min=0, max=100, error=_PCT_ERROR),
                        metadata={"description": description})


class PeersArgsSchema(Schema):
    """Query parameters of /api/v1/peers and the /peers page: an LEA's id, or a profile typed by hand; and
    optionally what to improve. With `lea`, the profile parameters are ignored."""

    class Meta:
        unknown = EXCLUDE

    lea = fields.Integer(load_default=None, validate=validate.Range(min=1, max=DB_INT_MAX, error="must be an LEA id"),
                         metadata={"description": "an LEA id (from /leas): match its own profile"})
    type = fields.String(load_default=None, validate=_one_of(VOCABULARIES["lea_type"]))
    locale = fields.String(load_default=None, validate=_one_of(VOCABULARIES["locale"]))
    enrollment = fields.Integer(load_default=None, validate=validate.Range(
        min=1, max=10_000_000, error="must be a number of students, 1 or more"))
    unduplicated_pct = _pct_arg("unduplicated pupils, % of enrollment")
    el_pct = _pct_arg("English learners, %")
    foster_youth_pct = _pct_arg("foster youth, %")
    swd_pct = _pct_arg("students with disabilities, %")
    homeless_pct = _pct_arg("students experiencing homelessness, %")
    grade_span = fields.List(fields.String(validate=_one_of(VOCABULARIES["grade_span"])), load_default=list,
                             metadata={"description": "a grade span the LEA serves (repeatable)"})
    indicator = fields.List(fields.String(validate=_one_of(VOCABULARIES["indicator"])), load_default=list,
                            metadata={"description": "a Dashboard indicator to improve (repeatable)"})
    student_group = fields.List(fields.String(validate=_one_of(VOCABULARIES["student_group"])), load_default=list,
                                metadata={"description": "a student group to serve better (repeatable)"})

    @pre_load
    def _from_multidict(self, data: Any, **kwargs: Any) -> Any:
        return _args_from_multidict(data, ("grade_span", "indicator", "student_group"))

    @validates_schema
    def _lea_or_type(self, data: dict, **kwargs: Any) -> None:
        if data.get("lea") is None and not data.get("type"):
            raise ValidationError("is needed: give an LEA (lea) or at least the type of LEA", "type")


class PeerProfileSchema(Schema):
    """The profile that was matched: the LEA's own, or the one given by hand."""

    lea = fields.Integer(attribute="lea_id", allow_none=True)
    name = fields.String(allow_none=True)
    type = fields.String(allow_none=True)
    locale = fields.String(allow_none=True)
    enrollment = fields.Integer(allow_none=True)
    unduplicated_pct = fields.Float(allow_none=True)
    el_pct = fields.Float(allow_none=True)
    foster_youth_pct = fields.Float(allow_none=True)
    swd_pct = fields.Float(allow_none=True)
    homeless_pct = fields.Float(allow_none=True)
    grade_spans = fields.List(fields.String())
    data_year = fields.String(allow_none=True)


class PeerLEASchema(LEAEntrySchema):
    """A similar LEA: its context, `similarity` (0–1, exp(−distance)) and the sentences explaining the match."""

    ENTRY_FIELDS = frozenset({"published_practices", "similarity", "kind", "reasons"})

    similarity = fields.Float(metadata={"description": "exp(−distance): 1 for identical figures"})
    kind = fields.String(metadata={"description": "the kind it is compared within"})
    reasons = fields.List(fields.String())


class PeerPracticeSchema(PracticeSummarySchema):
    """A practice of a similar LEA, ranked by similarity × fit."""

    ENTRY_FIELDS = frozenset({"similarity", "fit", "reasons"})

    lea = fields.Nested(LEAOutSchema, only=("id", *LEA_BRIEF), attribute="practice.lea")
    similarity = fields.Float(metadata={"description": "its LEA's similarity to yours (0–1)"})
    fit = fields.Float(metadata={"description": "0.5–1: how much of what you want to improve and of your grade "
                                 "spans its tags cover"})
    reasons = fields.List(fields.String())

    def get_attribute(self, obj: Any, attr: str, default: Any) -> Any:
        return super().get_attribute(obj if attr in self.ENTRY_FIELDS else obj.revision, attr, default)


class PeersResultSchema(Schema):
    profile = fields.Nested(PeerProfileSchema)
    kind = fields.String(metadata={"description": "the kind of LEA compared (see /peers/help)"})
    leas = fields.List(fields.Nested(PeerLEASchema))
    results = fields.List(fields.Nested(PeerPracticeSchema))
    weak_match = fields.Boolean(metadata={"description": "fewer than five LEAs passed the calipers"})
    message = fields.String(allow_none=True)
