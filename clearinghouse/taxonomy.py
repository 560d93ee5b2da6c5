"""The controlled vocabularies: codes are stable, labels are for people. The one source of truth."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Vocabulary:
    """One controlled vocabulary: its URL/API name, how people call it, and its ordered values."""

    key: str  # the name used in URLs, API filters and facets
    label: str  # singular, for a heading ("State priority")
    plural: str  # for a browse entry point ("State priorities")
    field: str  # where it lives in the interchange format
    values: dict[str, str]  # code -> label, in display order
    multi: bool = True  # several values per practice
    description: str = ""
    descriptions: dict[str, str] = field(default_factory=dict)  # code -> longer plain-words explanation

    def label_for(self, code: str) -> str:
        return self.values.get(code, code)

    def __contains__(self, code: object) -> bool:
        return code in self.values


STATE_PRIORITIES = Vocabulary(
    key="priority",
    label="State priority",
    plural="State priorities",
    field="state_priorities",
    description="The eight LCFF state priorities, plus the two that apply to county offices of education.",
    values={
        "1": "Basic services",
        "2": "Implementation of state standards",
        "3": "Parent and family engagement",
        "4": "Pupil achievement",
        "5": "Pupil engagement",
        "6": "School climate",
        "7": "Course access",
        "8": "Other pupil outcomes",
        "9": "Coordination of services for expelled pupils",
        "10": "Coordination of services for foster youth",
    },
    descriptions={
        "1": "Credentialed teachers, instructional materials and safe facilities.",
        "2": "Putting the state academic standards into classroom practice.",
        "3": "Seeking parents' input and promoting their participation.",
        "4": "Assessment results, reclassification, college and career readiness.",
        "5": "Attendance, chronic absenteeism, dropout and graduation rates.",
        "6": "Suspension and expulsion rates, and school climate surveys.",
        "7": "Access to a broad course of study for all students.",
        "8": "Outcomes in the broad course of study beyond tested subjects.",
        "9": "County offices coordinating instruction for expelled pupils.",
        "10": "County offices coordinating services for foster youth.",
    },
)

STUDENT_GROUPS = Vocabulary(
    key="student_group",
    label="Student group",
    plural="Student groups",
    field="student_groups",
    description="The student groups reported on the California School Dashboard.",
    values={
        "all_students": "All students",
        "english_learners": "English learners",
        "long_term_english_learners": "Long-term English learners",
        "foster_youth": "Foster youth",
        "homeless": "Students experiencing homelessness",
        "socioeconomically_disadvantaged": "Socioeconomically disadvantaged",
        "students_with_disabilities": "Students with disabilities",
        "african_american": "African American",
        "american_indian_alaska_native": "American Indian or Alaska Native",
        "asian": "Asian",
        "filipino": "Filipino",
        "hispanic": "Hispanic",
        "pacific_islander": "Pacific Islander",
        "white": "White",
        "two_or_more_races": "Two or more races",
    },
)

GRADE_SPANS = Vocabulary(
    key="grade_span",
    label="Grade span",
    plural="Grade spans",
    field="grade_spans",
    values={
        "prek": "Preschool and TK",
        "k_5": "Kindergarten to grade 5",
        "6_8": "Grades 6 to 8",
        "9_12": "Grades 9 to 12",
        "adult": "Adult and ages 16–24 credit recovery",
    },
)

DASHBOARD_INDICATORS = Vocabulary(
    key="indicator",
    label="Dashboard indicator",
    plural="Dashboard indicators",
    field="dashboard_indicators",
    description="State indicators are measured by the state; local indicators are reported by the LEA.",
    values={
        "chronic_absenteeism": "Chronic absenteeism",
        "suspension": "Suspension rate",
        "el_progress": "English learner progress",
        "graduation": "Graduation rate",
        "college_career": "College/career",
        "ela": "English language arts",
        "math": "Mathematics",
        "science": "Science",
        "basics": "Basics: teachers, instructional materials, facilities (local)",
        "standards_implementation": "Implementation of academic standards (local)",
        "family_engagement": "Parent and family engagement (local)",
        "climate_survey": "Local climate survey (local)",
        "broad_course_access": "Access to a broad course of study (local)",
    },
)

TOPICS = Vocabulary(
    key="topic",
    label="Topic",
    plural="Topics",
    field="topics",
    values={
        "math": "Mathematics",
        "literacy": "Literacy",
        "el_instruction": "English learner instruction",
        "special_education": "Special education",
        "attendance": "Attendance",
        "behavior_pbis": "Behavior and PBIS",
        "school_climate": "School climate",
        "family_engagement": "Family engagement",
        "community_schools": "Community schools",
        "early_learning": "Early learning",
        "college_career": "College and career",
        "credit_recovery": "Credit recovery",
        "leadership": "Leadership",
        "professional_learning": "Professional learning",
        "collaboration_plc": "Collaboration and PLCs",
        "data_use": "Data use",
        "continuous_improvement": "Continuous improvement",
        "mtss": "Multi-tiered system of support",
        "technology": "Technology",
        "governance": "Governance",
        "fiscal": "Fiscal",
    },
)

SUPPORT_TIERS = Vocabulary(
    key="tier",
    label="Support tier",
    plural="Support tiers",
    field="support_tiers",
    description="The tiers of a multi-tiered system of support (MTSS).",
    values={
        "tier1": "Tier 1: universal",
        "tier2": "Tier 2: targeted",
        "tier3": "Tier 3: intensive",
    },
)

EVIDENCE_LEVELS = Vocabulary(
    key="evidence",
    label="Evidence level",
    plural="Evidence levels",
    field="evidence_level",
    multi=False,
    description="How strongly the practice's results are backed by evidence (ESSA tiers 1–4, or local data).",
    values={
        "strong": "Strong evidence (ESSA tier 1)",
        "moderate": "Moderate evidence (ESSA tier 2)",
        "promising": "Promising evidence (ESSA tier 3)",
        "rationale": "Demonstrates a rationale (ESSA tier 4)",
        "local": "Local outcome data",
        "descriptive": "Described; no outcome data reported yet",
    },
    descriptions={
        "strong": "At least one well-designed experimental study (a randomized controlled trial) found a "
        "statistically significant positive effect on student outcomes.",
        "moderate": "At least one well-designed quasi-experimental study found a statistically significant "
        "positive effect on student outcomes.",
        "promising": "At least one well-designed correlational study, with statistical controls for "
        "selection bias, found a positive effect on student outcomes.",
        "rationale": "A well-defined logic model based on research suggests it is likely to improve "
        "outcomes, and the LEA is studying its effects.",
        "local": "The LEA tracked its own outcome data before and after the change. There is no formal "
        "study, so other factors may explain part of the results: treat it as a well-documented "
        "starting point to test locally, not as proof.",
        "descriptive": "The practice is documented, but no outcome data have been reported yet. Read it for "
        "the approach and the lessons, not for proof that it worked.",
    },
)

# What a write-up must contain to claim an evidence level (DESIGN.md): the rule, in words people read
# beside the choice, the error and the reviewer's rubric.
EVIDENCE_REQUIREMENTS: dict[str, str] = {
    "strong": "Name the study (a randomized controlled trial) under Resources, marked as a study.",
    "moderate": "Name the study (a quasi-experimental study) under Resources, marked as a study.",
    "promising": "Name the study (a correlational study with controls) under Resources, marked as a study.",
    "local": "Give at least one outcome measure with its result (and its baseline, if the LEA has one).",
}

LEA_TYPES = Vocabulary(
    key="lea_type",
    label="LEA type",
    plural="LEA types",
    field="lea.type",
    multi=False,
    values={
        "district": "School district",
        "county_office": "County office of education",
        "charter": "Charter school",
    },
)

LOCALES = Vocabulary(
    key="locale",
    label="Locale",
    plural="Locales",
    field="lea.locale",
    multi=False,
    values={"city": "City", "suburb": "Suburb", "town": "Town", "rural": "Rural"},
)

_COUNTY_NAMES = (
    "Alameda", "Alpine", "Amador", "Butte", "Calaveras", "Colusa", "Contra Costa", "Del Norte",
    "El Dorado", "Fresno", "Glenn", "Humboldt", "Imperial", "Inyo", "Kern", "Kings", "Lake", "Lassen",
    "Los Angeles", "Madera", "Marin", "Mariposa", "Mendocino", "Merced", "Modoc", "Mono", "Monterey",
    "Napa", "Nevada", "Orange", "Placer", "Plumas", "Riverside", "Sacramento", "San Benito",
    "San Bernardino", "San Diego", "San Francisco", "San Joaquin", "San Luis Obispo", "San Mateo",
    "Santa Barbara", "Santa Clara", "Santa Cruz", "Shasta", "Sierra", "Siskiyou", "Solano", "Sonoma",
    "Stanislaus", "Sutter", "Tehama", "Trinity", "Tulare", "Tuolumne", "Ventura", "Yolo", "Yuba",
)  # fmt: skip

COUNTIES = Vocabulary(
    key="county",
    label="County",
    plural="Counties",
    field="lea.county",
    multi=False,
    values={name: name for name in _COUNTY_NAMES},
)

# Every vocabulary, keyed by its URL/API/facet name, in the order filters and facets are shown.
VOCABULARIES: dict[str, Vocabulary] = {
    v.key: v
    for v in (
        STATE_PRIORITIES,
        STUDENT_GROUPS,
        GRADE_SPANS,
        DASHBOARD_INDICATORS,
        TOPICS,
        SUPPORT_TIERS,
        EVIDENCE_LEVELS,
        LOCALES,
        LEA_TYPES,
        COUNTIES,
    )
}

# The multi-valued vocabularies a practice is tagged with (stored as tags, one row per value).
TAG_VOCABULARIES: tuple[Vocabulary, ...] = tuple(v for v in VOCABULARIES.values() if v.multi)

# How a list of practices can be ordered: code (the `sort` parameter) -> label.
SORT_ORDERS: dict[str, str] = {"relevance": "Best match", "newest": "Newest first", "title": "Title (A–Z)"}

# The entry points on the home page.
BROWSE_ENTRY_POINTS: tuple[str, ...] = ("priority", "student_group", "grade_span", "indicator")

# The parts of a practice's story, in reading order, with the guidance a writer sees.
SECTIONS: dict[str, tuple[str, str]] = {
    "problem": ("Problem of practice", "What was the problem, for which students, and what data showed it?"),
    "root_causes": ("Root causes", "Why was it happening? What did the team find when it dug in?"),
    "journey": ("The journey", "How did the work unfold over time: who was involved, what was tried first?"),
    "actions": ("What we did", "The concrete actions, structures and routines the LEA put in place."),
    "outcomes": ("Outcomes", "What happened, with data where there are any."),
    "setbacks": ("What did not work", "What was tried and dropped, or did not go as planned, and why."),
    "lessons": ("Lessons for others", "What should someone starting out know?"),
}
REQUIRED_SECTIONS: tuple[str, ...] = ("problem", "journey", "outcomes")

# The kinds of resource a write-up lists: its source documents, studies of the practice, and the rest.
RESOURCE_KINDS: dict[str, str] = {
    "source": "Source document",
    "study": "Study or evaluation",
    "tool": "Tool or template",
    "other": "Other resource",
}

METRIC_UNITS: dict[str, str] = {
    "percent": "%",
    "count": "",
    "days": " days",
    "points": " points",
    "rate": "",
    "score": "",
}
