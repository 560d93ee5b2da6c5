"""The public rubric reviewers score every submission against (its wording is frozen into each review)."""

from __future__ import annotations

RUBRIC: tuple[tuple[int, str], ...] = (
    (1, "The problem of practice and its root causes are clear and grounded in data."),
    (2, "The journey is told in enough detail that another LEA could find its starting point and replicate it."),
    (3, "Outcomes are reported with data, including what did not work."),
    (4, "The evidence level claimed is justified."),
    (5, "The practice addresses inequities for the student groups it names."),
    (6, "Costs, conditions and sustainability are described."),
)

SCORES: dict[int, str] = {1: "1 — Not yet", 2: "2 — Partly", 3: "3 — Mostly", 4: "4 — Fully"}


def frozen() -> list[dict]:
    """The rubric as it reads now, to store with a review."""
    return [{"number": number, "criterion": text} for number, text in RUBRIC]
