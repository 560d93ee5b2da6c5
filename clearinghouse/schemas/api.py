"""The API's payloads: answers, query parameters and request bodies (the practice itself is in `interchange`)."""

from __future__ import annotations

from typing import Any

from flask import url_for
from marshmallow import EXCLUDE, Schema, fields, pre_load, validate

from ..taxonomy import SORT_ORDERS, VOCABULARIES, Vocabulary
from .interchange import LEASchema, PracticeSchema, StrictSchema


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
