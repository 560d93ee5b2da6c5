"""The interchange format (DESIGN.md) as marshmallow schemas: import, export, drafts and the API's practices.

Each field carries its label for people (`metadata["label"]`): forms, error messages and the OpenAPI document
read it from here, so a field is named the same way everywhere.
"""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, post_load, pre_load, validate, validates_schema

from ..taxonomy import (
    COUNTIES,
    DASHBOARD_INDICATORS,
    EVIDENCE_LEVELS,
    EVIDENCE_REQUIREMENTS,
    GRADE_SPANS,
    LEA_TYPES,
    LOCALES,
    METRIC_UNITS,
    RESOURCE_KINDS,
    SECTIONS,
    STATE_PRIORITIES,
    STUDENT_GROUPS,
    SUPPORT_TIERS,
    TAG_VOCABULARIES,
    TOPICS,
    Vocabulary,
)

# Fields the API adds to a practice; accepted and ignored on import so API output re-imports cleanly.
SYSTEM_FIELDS = ("slug", "url", "published_at", "updated_at", "id")
SUMMARY_MAX = 600
SECTION_MAX = 20000
SCHOOL_YEAR = r"^\d{4}-\d{2}$"


def _code(vocabulary: Vocabulary, what: str) -> validate.OneOf:
    return validate.OneOf(list(vocabulary.values), error='"{input}" is not ' + what + ".")


class TextLength(validate.Validator):
    """A length limit that names the field and says how long the text is."""

    def __init__(self, label: str, max: int, required: bool):
        self.label, self.max, self.required = label, max, required

    def __call__(self, value: str) -> str:
        if self.required and not value.strip():
            raise ValidationError(f"{self.label} is required.")
        if len(value) > self.max:
            raise ValidationError(f"{self.label} must be at most {self.max:,} characters (it has {len(value):,}).")
        return value


def _text(label: str, *, required: bool = False, max: int, hint: str = "", **kwargs: Any) -> fields.String:
    return fields.String(
        required=required,
        validate=TextLength(label, max, required),
        metadata={"label": label, "hint": hint, "max": max},
        **kwargs,
    )


def _pct(label: str) -> fields.Float:
    return fields.Float(validate=validate.Range(min=0, max=100, error=f"{label} must be between 0 and 100."),
                        allow_none=True, allow_nan=False, metadata={"label": label})


class StrictSchema(Schema):
    class Meta:
        unknown = RAISE


class LEASchema(StrictSchema):
    name = _text("LEA name", required=True, max=200)
    cds_code = fields.String(
        validate=validate.Regexp(r"^\d{14}$", error='"{input}" is not a 14-digit CDS code.'), allow_none=True,
        metadata={"label": "CDS code", "hint": "14 digits."},
    )
    type = fields.String(required=True, validate=_code(LEA_TYPES, "an LEA type (district, county_office, charter)"),
                         metadata={"label": "LEA type"})
    county = fields.String(required=True, validate=_code(COUNTIES, "a California county"),
                           metadata={"label": "County"})
    locale = fields.String(validate=_code(LOCALES, "a locale (city, suburb, town, rural)"), allow_none=True,
                           metadata={"label": "Locale"})
    enrollment = fields.Integer(strict=False, validate=validate.Range(min=0, max=10_000_000), allow_none=True,
                                metadata={"label": "Enrollment", "hint": "Number of students."})
    unduplicated_pct = _pct("Unduplicated pupils (%)")
    el_pct = _pct("English learners (%)")
    foster_youth_pct = _pct("Foster youth (%)")
    swd_pct = _pct("Students with disabilities (%)")
    homeless_pct = _pct("Students experiencing homelessness (%)")
    grade_spans = fields.List(fields.String(validate=_code(GRADE_SPANS, "a grade span")), allow_none=True,
                              metadata={"label": "Grade spans the LEA serves"})
    data_year = fields.String(
        validate=validate.Regexp(SCHOOL_YEAR, error='"{input}" is not a school year such as 2017-18.'),
        allow_none=True, metadata={"label": "School year of these figures", "hint": "For example 2017-18."},
    )


# The story: one Markdown field per part of taxonomy.SECTIONS, the required ones marked.
SectionsSchema = StrictSchema.from_dict(
    {
        name: _text(label, required=name in ("problem", "journey", "outcomes"), max=SECTION_MAX, hint=guidance)
        for name, (label, guidance) in SECTIONS.items()
    },
    name="SectionsSchema",
)


class OutcomeMetricSchema(StrictSchema):
    label = _text("What was measured", required=True, max=200)
    indicator = fields.String(validate=_code(DASHBOARD_INDICATORS, "a Dashboard indicator"), allow_none=True,
                              metadata={"label": "Dashboard indicator"})
    student_group = fields.String(validate=_code(STUDENT_GROUPS, "a student group"), allow_none=True,
                                  metadata={"label": "Student group"})
    baseline = fields.Float(allow_none=True, allow_nan=False, metadata={"label": "Baseline"})
    baseline_year = _text("Baseline year", max=20, allow_none=True, hint="For example 2018-19.")
    result = fields.Float(allow_none=True, allow_nan=False, metadata={"label": "Result"})
    result_year = _text("Result year", max=20, allow_none=True)
    unit = fields.String(validate=validate.OneOf(list(METRIC_UNITS), error='"{input}" is not a unit ('
                                                 + ", ".join(METRIC_UNITS) + ")."),
                         allow_none=True, metadata={"label": "Unit"})


class Money(fields.Float):
    """US dollars to the cent: a JSON number, rounded to two places on load."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> float:
        return round(super()._deserialize(value, attr, data, **kwargs), 2)


class InvestmentSchema(StrictSchema):
    amount_usd = Money(validate=validate.Range(min=0, max=10**12, error="Investment must be between 0 and "
                                               "1,000,000,000,000 dollars."),
                       allow_none=True, allow_nan=False, metadata={"label": "Investment (US dollars)"})
    notes = _text("What the money paid for", max=2000)


class TimelineSchema(StrictSchema):
    start_year = fields.Integer(strict=False, validate=validate.Range(min=1900, max=2100), allow_none=True,
                                metadata={"label": "Start year"})
    end_year = fields.Integer(strict=False, validate=validate.Range(min=1900, max=2100), allow_none=True,
                              metadata={"label": "End year", "hint": "Leave blank if it is ongoing."})

    @validates_schema
    def _end_after_start(self, data: dict, **kwargs: Any) -> None:
        start, end = data.get("start_year"), data.get("end_year")
        if start and end and end < start:
            raise ValidationError(f"{end} is before the start year {start}.", "end_year")


class ContactSchema(StrictSchema):
    name = _text("Contact name", max=200)
    title = _text("Contact title", max=200)
    email = fields.Email(allow_none=True, error_messages={"invalid": "is not a valid email address."},
                         metadata={"label": "Contact email"})


class ResourceSchema(StrictSchema):
    title = _text("Title", required=True, max=300)
    kind = fields.String(validate=validate.OneOf(list(RESOURCE_KINDS), error='"{input}" is not a kind of resource ('
                                                 + ", ".join(RESOURCE_KINDS) + ")."),
                         allow_none=True, metadata={"label": "Kind of resource"})
    publisher = _text("Publisher", max=200, allow_none=True)
    date = _text("Date", max=40, allow_none=True, hint="For example May 2023.")
    url = fields.Url(schemes={"http", "https"}, allow_none=True,
                     error_messages={"invalid": "is not a web address starting with https:// or http://."},
                     metadata={"label": "Web address", "hint": "Starting with https://"})


def _codes(vocabulary: Vocabulary, what: str, required: bool, integer: bool = False) -> fields.List:
    inner = (
        fields.Integer(strict=False, validate=validate.OneOf([int(c) for c in vocabulary.values],
                                                             error='"{input}" is not ' + what + "."))
        if integer
        else fields.String(validate=_code(vocabulary, what))
    )
    choose = f"Choose at least one {vocabulary.label.lower()}."
    return fields.List(
        inner,
        required=required,
        validate=validate.Length(min=1, error=choose) if required else None,
        error_messages={"required": choose},
        metadata={"label": vocabulary.plural},
    )


class PracticeSchema(StrictSchema):
    """One practice in the interchange format of DESIGN.md."""

    title = _text("Title", required=True, max=200, hint="A plain name for what the LEA did.")
    summary = _text("Summary", required=True, max=SUMMARY_MAX,
                    hint=f"What was done and what happened, in at most {SUMMARY_MAX} characters (plain text).")
    lea = fields.Nested(LEASchema, required=True, metadata={"label": "LEA"})
    state_priorities = _codes(STATE_PRIORITIES, "a state priority (1–10)", required=True, integer=True)
    student_groups = _codes(STUDENT_GROUPS, "a student group", required=True)
    grade_spans = _codes(GRADE_SPANS, "a grade span", required=True)
    dashboard_indicators = _codes(DASHBOARD_INDICATORS, "a Dashboard indicator", required=False)
    topics = _codes(TOPICS, "a topic", required=False)
    support_tiers = _codes(SUPPORT_TIERS, "a support tier", required=False)
    evidence_level = fields.String(required=True, validate=_code(EVIDENCE_LEVELS, "an evidence level"),
                                   metadata={"label": EVIDENCE_LEVELS.label})
    sections = fields.Nested(SectionsSchema, required=True, metadata={"label": "The story"})
    outcome_metrics = fields.List(fields.Nested(OutcomeMetricSchema), metadata={"label": "Outcome data"})
    investment = fields.Nested(InvestmentSchema, allow_none=True, metadata={"label": "Investment"})
    timeline = fields.Nested(TimelineSchema, allow_none=True, metadata={"label": "Timeline"})
    contact = fields.Nested(ContactSchema, allow_none=True, metadata={"label": "Contact"})
    resources = fields.List(fields.Nested(ResourceSchema), metadata={"label": "Resources"})
    keywords = fields.List(fields.String(validate=validate.Length(min=1, max=100)),
                           metadata={"label": "Keywords", "hint": "One per line: program names, terms people "
                                     "search for."})

    @pre_load
    def _drop_system_fields(self, data: Any, **kwargs: Any) -> Any:
        if isinstance(data, dict):
            data = {k: v for k, v in data.items() if k not in SYSTEM_FIELDS}
        return data

    @validates_schema
    def _evidence_is_backed(self, data: dict, **kwargs: Any) -> None:
        """DESIGN.md: `local` needs an outcome metric with a result; strong/moderate/promising a named study."""
        problem = evidence_problem(data)
        if problem:
            raise ValidationError(problem, "evidence_level")

    @post_load
    def _normalize(self, data: dict, **kwargs: Any) -> dict:
        for key in [v.field for v in TAG_VOCABULARIES] + ["keywords"]:
            if key in data:
                data[key] = list(dict.fromkeys(data[key]))  # drop repeats, keep order
        for key in ("title", "summary"):
            data[key] = data[key].strip()
        return data


def evidence_problem(data: dict) -> str | None:
    """Why the record's content does not back its evidence level, or None when it does."""
    level = data.get("evidence_level")
    metrics, resources = data.get("outcome_metrics") or [], data.get("resources") or []
    backed = {
        "local": any(m.get("result") is not None for m in metrics),
        "strong": any(r.get("kind") == "study" for r in resources),
    }
    backed["moderate"] = backed["promising"] = backed["strong"]
    if backed.get(level, True):
        return None
    return (f"The evidence level “{EVIDENCE_LEVELS.label_for(level)}” is not backed by this write-up. "
            f"{EVIDENCE_REQUIREMENTS[level]}")


def field_metadata(path: str, schema: Schema | None = None) -> dict:
    """The metadata (label, hint, max) of the field at an interchange path: `lea.county`, `resources[0].url`."""
    node: Any = schema or PracticeSchema()
    meta: dict = {}
    for part in path.replace("]", "").replace("[", ".").split("."):
        if part.isdigit() or not part:
            continue
        declared = getattr(node, "fields", None) or getattr(node, "declared_fields", {})
        field = declared.get(part)
        if field is None:
            return meta
        meta = field.metadata
        while isinstance(field, fields.List):
            field = field.inner
        node = field.schema if isinstance(field, fields.Nested) else field
    return meta


def field_label(path: str) -> str:
    return field_metadata(path).get("label") or path


def field_names(schema: type[Schema]) -> tuple[str, ...]:
    return tuple(schema().fields)


# The field lists others need, read off the schemas above (forms, CSV columns, the revision mapping).
LEA_CONTEXT_FIELDS = tuple(name for name in field_names(LEASchema) if name != "name")
METRIC_FIELDS = field_names(OutcomeMetricSchema)
RESOURCE_FIELDS = field_names(ResourceSchema)
GROUP_FIELDS = {"investment": field_names(InvestmentSchema), "timeline": field_names(TimelineSchema),
                "contact": field_names(ContactSchema)}
