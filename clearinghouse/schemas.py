"""Marshmallow schemas: the interchange format (import, export, API) and the API's payloads."""

from __future__ import annotations

from typing import Any

from marshmallow import (
    EXCLUDE,
    RAISE,
    Schema,
    ValidationError,
    fields,
    post_load,
    pre_load,
    validate,
    validates_schema,
)

from .taxonomy import (
    COUNTIES,
    DASHBOARD_INDICATORS,
    EVIDENCE_LEVELS,
    GRADE_SPANS,
    LEA_TYPES,
    LOCALES,
    STATE_PRIORITIES,
    STUDENT_GROUPS,
    SUPPORT_TIERS,
    TOPICS,
    VOCABULARIES,
    Vocabulary,
)

# Fields the API adds to a practice; accepted and ignored on import so API output re-imports cleanly.
SYSTEM_FIELDS = ("slug", "url", "published_at", "updated_at", "id")


def _code(vocabulary: Vocabulary, what: str) -> validate.OneOf:
    return validate.OneOf(list(vocabulary.values), error='"{input}" is not ' + what)


class StrictSchema(Schema):
    class Meta:
        unknown = RAISE


class LEASchema(StrictSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    cds_code = fields.String(
        validate=validate.Regexp(r"^\d{14}$", error='"{input}" is not a 14-digit CDS code'), allow_none=True
    )
    type = fields.String(required=True, validate=_code(LEA_TYPES, "an LEA type (district, county_office, charter)"))
    county = fields.String(required=True, validate=_code(COUNTIES, "a California county"))
    locale = fields.String(validate=_code(LOCALES, "a locale (city, suburb, town, rural)"), allow_none=True)
    enrollment = fields.Integer(strict=False, validate=validate.Range(min=0), allow_none=True)
    unduplicated_pct = fields.Float(validate=validate.Range(min=0, max=100), allow_none=True)
    el_pct = fields.Float(validate=validate.Range(min=0, max=100), allow_none=True)
    foster_youth_pct = fields.Float(validate=validate.Range(min=0, max=100), allow_none=True)


def _markdown(required: bool = False) -> fields.String:
    return fields.String(
        required=required,
        validate=validate.Length(min=1 if required else 0, max=20000, error="must be between {min} and {max} "
                                 "characters"),
    )


class SectionsSchema(StrictSchema):
    problem = _markdown(required=True)
    root_causes = _markdown()
    journey = _markdown(required=True)
    actions = _markdown()
    outcomes = _markdown(required=True)
    lessons = _markdown()


class OutcomeMetricSchema(StrictSchema):
    label = fields.String(required=True, validate=validate.Length(min=1, max=200))
    indicator = fields.String(validate=_code(DASHBOARD_INDICATORS, "a Dashboard indicator"), allow_none=True)
    student_group = fields.String(validate=_code(STUDENT_GROUPS, "a student group"), allow_none=True)
    baseline = fields.Float(allow_none=True)
    baseline_year = fields.String(validate=validate.Length(max=20), allow_none=True)
    result = fields.Float(allow_none=True)
    result_year = fields.String(validate=validate.Length(max=20), allow_none=True)
    unit = fields.String(validate=validate.Length(max=40), allow_none=True)


class InvestmentSchema(StrictSchema):
    amount_usd = fields.Decimal(places=2, as_string=False, validate=validate.Range(min=0), allow_none=True)
    notes = fields.String(validate=validate.Length(max=2000))


class TimelineSchema(StrictSchema):
    start_year = fields.Integer(strict=False, validate=validate.Range(min=1900, max=2100), allow_none=True)
    end_year = fields.Integer(strict=False, validate=validate.Range(min=1900, max=2100), allow_none=True)

    @validates_schema
    def _end_after_start(self, data: dict, **kwargs: Any) -> None:
        start, end = data.get("start_year"), data.get("end_year")
        if start and end and end < start:
            raise ValidationError(f"{end} is before the start year {start}", "end_year")


class ContactSchema(StrictSchema):
    name = fields.String(validate=validate.Length(max=200))
    title = fields.String(validate=validate.Length(max=200))
    email = fields.Email(allow_none=True, error_messages={"invalid": "is not a valid email address"})


class ResourceSchema(StrictSchema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=300))
    url = fields.Url(required=True, schemes={"http", "https"}, error_messages={"invalid": "is not a web address"})


def _codes(vocabulary: Vocabulary, what: str, required: bool, integer: bool = False) -> fields.List:
    inner = (
        fields.Integer(strict=False, validate=validate.OneOf([int(c) for c in vocabulary.values],
                                                             error='"{input}" is not ' + what))
        if integer
        else fields.String(validate=_code(vocabulary, what))
    )
    return fields.List(
        inner,
        required=required,
        validate=validate.Length(min=1, error="choose at least one") if required else None,
    )


class PracticeSchema(StrictSchema):
    """One practice in the interchange format of DESIGN.md."""

    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    summary = fields.String(required=True, validate=validate.Length(min=1, max=600))
    lea = fields.Nested(LEASchema, required=True)
    state_priorities = _codes(STATE_PRIORITIES, "a state priority (1–10)", required=True, integer=True)
    student_groups = _codes(STUDENT_GROUPS, "a student group", required=True)
    grade_spans = _codes(GRADE_SPANS, "a grade span", required=True)
    dashboard_indicators = _codes(DASHBOARD_INDICATORS, "a Dashboard indicator", required=False)
    topics = _codes(TOPICS, "a topic", required=False)
    support_tiers = _codes(SUPPORT_TIERS, "a support tier", required=False)
    evidence_level = fields.String(required=True, validate=_code(EVIDENCE_LEVELS, "an evidence level"))
    sections = fields.Nested(SectionsSchema, required=True)
    outcome_metrics = fields.List(fields.Nested(OutcomeMetricSchema))
    investment = fields.Nested(InvestmentSchema, allow_none=True)
    timeline = fields.Nested(TimelineSchema, allow_none=True)
    contact = fields.Nested(ContactSchema, allow_none=True)
    resources = fields.List(fields.Nested(ResourceSchema))
    keywords = fields.List(fields.String(validate=validate.Length(min=1, max=100)))

    @pre_load
    def _drop_system_fields(self, data: Any, **kwargs: Any) -> Any:
        if isinstance(data, dict):
            data = {k: v for k, v in data.items() if k not in SYSTEM_FIELDS}
        return data

    @post_load
    def _normalize(self, data: dict, **kwargs: Any) -> dict:
        for key in ("state_priorities", "student_groups", "grade_spans", "dashboard_indicators", "topics",
                    "support_tiers", "keywords"):
            if key in data:
                data[key] = list(dict.fromkeys(data[key]))  # drop repeats, keep order
        for key in ("title", "summary"):
            data[key] = data[key].strip()
        return data


def flatten_errors(messages: Any, prefix: str = "") -> list[tuple[str, str]]:
    """Turn marshmallow's nested error dict into (field path, message) pairs: `lea.county`, `resources[0].url`."""
    pairs: list[tuple[str, str]] = []
    if isinstance(messages, dict):
        for key, value in messages.items():
            if isinstance(key, int):
                path = f"{prefix}[{key}]"
            elif key == "_schema":
                path = prefix or "record"
            else:
                path = f"{prefix}.{key}" if prefix else str(key)
            pairs.extend(flatten_errors(value, path))
    elif isinstance(messages, list):
        for message in messages:
            if isinstance(message, (dict, list)):
                pairs.extend(flatten_errors(message, prefix))
            else:
                pairs.append((prefix or "record", _friendly(str(message))))
    else:
        pairs.append((prefix or "record", _friendly(str(messages))))
    return pairs


_FRIENDLY = {
    "Missing data for required field.": "is required",
    "Unknown field.": "is not a field of the interchange format",
    "Not a valid integer.": "is not a whole number",
    "Not a valid number.": "is not a number",
    "Not a valid string.": "must be text",
    "Not a valid list.": "must be a list",
    "Invalid input type.": "must be an object",
    "Field may not be null.": "may not be empty",
}


def _friendly(message: str) -> str:
    return _FRIENDLY.get(message, message)


class LEAOutSchema(Schema):
    """An LEA as the API shows it."""

    class Meta:
        unknown = EXCLUDE

    id = fields.Integer(dump_only=True)
    name = fields.String()
    cds_code = fields.String(allow_none=True)
    type = fields.String()
    county = fields.String()
    locale = fields.String(allow_none=True)
    enrollment = fields.Integer(allow_none=True)
    unduplicated_pct = fields.Float(allow_none=True)
    el_pct = fields.Float(allow_none=True)
    foster_youth_pct = fields.Float(allow_none=True)


class LEABriefSchema(Schema):
    name = fields.String()
    county = fields.String()
    locale = fields.String(allow_none=True)
    type = fields.String()


class PracticeSummarySchema(Schema):
    """A practice in a list of results (search, listing)."""

    slug = fields.String()
    title = fields.String()
    summary = fields.String()
    url = fields.String()
    lea = fields.Nested(LEABriefSchema)
    evidence_level = fields.String()
    published_at = fields.DateTime(format="iso")


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

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, error="must be 1 or more"))
    per_page = fields.Integer(
        load_default=20, validate=validate.Range(min=1, max=100, error="must be between 1 and 100")
    )


class ErrorDetailSchema(Schema):
    status = fields.Integer()
    message = fields.String()
    field_errors = fields.Dict(keys=fields.String(), values=fields.Raw(), data_key="fields")


class ErrorSchema(Schema):
    error = fields.Nested(ErrorDetailSchema)


SORTS = ("relevance", "newest", "title")
MAX_QUERY = 2000  # longer searches are cut here (the engine handles any text up to it)
FILTER_VOCABULARIES = tuple(VOCABULARIES)  # priority, student_group, … county: one filter per vocabulary


class _SearchArgsBase(Schema):
    class Meta:
        unknown = EXCLUDE

    q = fields.String(load_default="")
    sort = fields.String(
        load_default="relevance",
        validate=validate.OneOf(SORTS, error='"{input}" is not one of relevance, newest, title'),
    )
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, error="must be 1 or more"))
    per_page = fields.Integer(
        load_default=20, validate=validate.Range(min=1, max=100, error="must be between 1 and 100")
    )

    @pre_load
    def _from_multidict(self, data: Any, **kwargs: Any) -> Any:
        """Read repeatable filters (?topic=math&topic=mtss) from a MultiDict; the rest as single values."""
        if hasattr(data, "getlist"):
            result = {k: data.get(k) for k in ("q", "sort", "page", "per_page") if data.get(k) not in (None, "")}
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
    highlights = fields.Dict(keys=fields.String(), values=fields.String())


class SearchResultSchema(PageSchema):
    query = fields.String()
    results = fields.List(fields.Nested(SearchHitSchema))
    facets = fields.Dict(keys=fields.String(), values=fields.List(fields.Nested(FacetValueSchema)))
    suggestion = fields.String(allow_none=True)
    match = fields.String(validate=validate.OneOf(("all", "some", "none")))


# ---------------------------------------------------------------- the submissions API


class ReviewSchema(Schema):
    """One filed review; `rubric` is the wording of the criteria as it was when the review was written."""

    reviewer = fields.String(allow_none=True)
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
    actor = fields.String(allow_none=True)
    comment = fields.String()
    at = fields.DateTime(format="iso")


class SubmissionTimelineSchema(Schema):
    events = fields.List(fields.Nested(TimelineEventSchema))
