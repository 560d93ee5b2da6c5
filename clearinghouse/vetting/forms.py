"""The writing form and the interchange format: posted fields to a record, a record to the form's values.

Field names are the interchange format's own paths (`lea.enrollment`, `outcome_metrics[0].label`), so every
error the schema reports lands beside its field. Blank inputs are left out, so a draft keeps only what was typed.
The field lists are the schema's own (`clearinghouse.schemas`), so a new field of the format reaches the form.
"""

from __future__ import annotations

import re
from typing import Any

from werkzeug.datastructures import MultiDict

from ..schemas import GROUP_FIELDS, LEA_CONTEXT_FIELDS, METRIC_FIELDS, RESOURCE_FIELDS
from ..taxonomy import SECTIONS, TAG_VOCABULARIES

# The LEA's identity (name, type, county) is fixed by the writer's account; the writer describes its context.
LEA_IDENTITY = ("name", "type", "county")
LEA_FORM_FIELDS = tuple(f for f in LEA_CONTEXT_FIELDS if f not in LEA_IDENTITY)
LEA_LIST_FIELDS = ("grade_spans",)
_ROW = re.compile(r"^(outcome_metrics|resources)\[(\d+)\]\.(\w+)$")


def _text(form: MultiDict, name: str) -> str:
    return (form.get(name) or "").strip()


def _group(form: MultiDict, prefix: str, names: tuple[str, ...]) -> dict:
    return {n: _text(form, f"{prefix}.{n}") for n in names if _text(form, f"{prefix}.{n}")}


def record_from_form(form: MultiDict) -> dict[str, Any]:
    """The record a person typed, leaving out what is blank and the rows they asked to remove."""
    record: dict[str, Any] = {}
    for key in ("title", "summary", "evidence_level"):
        if _text(form, key):
            record[key] = _text(form, key)
    lea: dict[str, Any] = _group(form, "lea", tuple(f for f in LEA_FORM_FIELDS if f not in LEA_LIST_FIELDS))
    for key in LEA_LIST_FIELDS:
        codes = [c for c in form.getlist(f"lea.{key}") if c]
        if codes:
            lea[key] = codes
    if lea:
        record["lea"] = lea
    for vocabulary in TAG_VOCABULARIES:
        codes = [c for c in form.getlist(vocabulary.field) if c]
        if codes:
            record[vocabulary.field] = codes
    # Always present, so a missing required section is reported beside its own field.
    record["sections"] = {n: _text(form, f"sections.{n}") for n in SECTIONS if _text(form, f"sections.{n}")}
    rows: dict[str, dict[int, dict[str, str]]] = {"outcome_metrics": {}, "resources": {}}
    for name in form:
        match = _ROW.match(name)
        if match:
            rows[match[1]].setdefault(int(match[2]), {})[match[3]] = _text(form, name)
    for key, fields in (("outcome_metrics", METRIC_FIELDS), ("resources", RESOURCE_FIELDS)):
        kept = []
        for _, row in sorted(rows[key].items()):
            values = {f: row[f] for f in fields if row.get(f)}
            if values and not row.get("remove"):
                kept.append(values)
        if kept:
            record[key] = kept
    for key, names in GROUP_FIELDS.items():
        group = _group(form, key, names)
        if group:
            record[key] = group
    keywords = [k.strip() for k in (form.get("keywords") or "").splitlines() if k.strip()]
    if keywords:
        record["keywords"] = keywords
    return record


def form_values(record: dict[str, Any]) -> dict[str, Any]:
    """What each field of the form shows, from a record (as typed, or as stored)."""
    values: dict[str, Any] = {k: record.get(k) for k in ("title", "summary", "evidence_level")}
    lea = record.get("lea") or {}
    for key in LEA_FORM_FIELDS:
        values[f"lea.{key}"] = [str(c) for c in lea.get(key) or []] if key in LEA_LIST_FIELDS else lea.get(key)
    for vocabulary in TAG_VOCABULARIES:
        values[vocabulary.field] = [str(c) for c in record.get(vocabulary.field) or []]
    for name in SECTIONS:
        values[f"sections.{name}"] = (record.get("sections") or {}).get(name)
    for key, names in GROUP_FIELDS.items():
        for name in names:
            values[f"{key}.{name}"] = (record.get(key) or {}).get(name)
    values["outcome_metrics"] = list(record.get("outcome_metrics") or [])
    values["resources"] = list(record.get("resources") or [])
    values["keywords"] = "\n".join(str(k) for k in record.get("keywords") or [])
    return values


def field_errors(errors: list[tuple[str, str]] | dict[str, str]) -> dict[str, str]:
    """Errors keyed by the form field they belong beside (`keywords[2]` belongs to `keywords`)."""
    pairs = errors.items() if isinstance(errors, dict) else errors
    result: dict[str, str] = {}
    for path, message in pairs:
        name = path if _ROW.match(path) else re.sub(r"\[\d+\]$", "", path)
        result[name] = f"{result[name]} {message}" if name in result else message
    return result
