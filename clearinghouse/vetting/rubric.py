"""The public rubric reviewers score every submission against (its wording is frozen into each review)."""

from __future__ import annotations

from ..taxonomy import SECTIONS

RUBRIC: tuple[tuple[int, str], ...] = (
    (1, "The problem of practice and its root causes are clear and grounded in data."),
    (2, "The journey is told in enough detail that another LEA could find its starting point and replicate it."),
    (3, "Outcomes are reported with data, and the write-up says what did not work "
        f"(its “{SECTIONS['setbacks'][0]}” section)."),
    (4, "The evidence level claimed is justified: the write-up contains what that level requires."),
    (5, "The practice addresses inequities for the student groups it names."),
    (6, "Costs, conditions and sustainability are described."),
)

# The short name of each criterion, used in messages and headings ("Choose a score … for “Evidence”").
NAMES: dict[int, str] = {
    1: "Problem and data",
    2: "Journey and replication",
    3: "Outcomes and what did not work",
    4: "Evidence",
    5: "Equity",
    6: "Costs and sustainability",
}

# The criterion whose score depends on the evidence rule of the submission's level (taxonomy.EVIDENCE_REQUIREMENTS).
EVIDENCE_CRITERION = 4

SCORES: dict[int, str] = {1: "1 — Not yet", 2: "2 — Partly", 3: "3 — Mostly", 4: "4 — Fully"}


def name(number: int) -> str:
    return NAMES.get(number, f"criterion {number}")


def frozen() -> list[dict]:
    """The rubric as it reads now, to store with a review."""
    return [{"number": number, "name": name(number), "criterion": text} for number, text in RUBRIC]
