"""Typos: the corrected word is searched and offered as "did you mean"."""

from __future__ import annotations

import pytest

from .documents import complete, search


@pytest.mark.parametrize(
    "q, suggestion, expected",
    [
        ("reclasification", "reclassification", {"el-leaders", "newcomers"}),
        ("absenteesm", "absenteeism", {"attendance-outreach"}),
        # "mathematics" brings its word family: "math" in family-nights
        ("mathmatics", "mathematics", {"el-dorado-math", "family-nights"}),
        ("Mathmatics pathways", "Mathematics pathways", {"el-dorado-math"}),
    ],
)
def test_typos_find_results_and_suggest(engine, q, suggestion, expected):
    result = search(engine, q)
    assert result.match == "all" and set(complete(result)) == expected
    assert result.suggestion == suggestion
    assert result.corrections == {q.split()[0]: suggestion.split()[0]}


def test_no_suggestion_for_words_the_index_knows(engine):
    result = search(engine, "mathematics")
    assert result.suggestion is None and result.corrections == {}
