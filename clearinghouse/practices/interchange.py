"""Reading and writing files in the interchange format: JSON array, JSON Lines, CSV."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FORMATS = {".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv"}

# Lists of plain values, written in CSV as one cell joined with ";".
SCALAR_LISTS = (
    "state_priorities", "student_groups", "grade_spans", "dashboard_indicators", "topics", "support_tiers",
    "keywords",
)  # fmt: skip
OBJECT_LISTS = {
    "outcome_metrics": (
        "label", "indicator", "student_group", "baseline", "baseline_year", "result", "result_year", "unit",
    ),
    "resources": ("title", "url"),
}  # fmt: skip
CSV_COLUMNS = [
    "title", "summary",
    "lea.name", "lea.cds_code", "lea.type", "lea.county", "lea.locale", "lea.enrollment",
    "lea.unduplicated_pct", "lea.el_pct", "lea.foster_youth_pct",
    "state_priorities", "student_groups", "grade_spans", "dashboard_indicators", "topics", "support_tiers",
    "evidence_level",
    "sections.problem", "sections.root_causes", "sections.journey", "sections.actions", "sections.outcomes",
    "sections.lessons",
    "investment.amount_usd", "investment.notes", "timeline.start_year", "timeline.end_year",
    "contact.name", "contact.title", "contact.email", "keywords",
]  # fmt: skip
_INDEXED = re.compile(r"^(\w+)\[(\d+)\]\.(\w+)$")


class FormatError(ValueError):
    """The file cannot be read as the interchange format at all."""


@dataclass
class RawRecord:
    position: int  # 1-based record number in the file
    data: Any
    error: str | None = None  # a record that could not even be parsed


def file_format(path: str | Path) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise FormatError(f"{path}: unknown file type {suffix!r}; use .json, .jsonl or .csv")
    return FORMATS[suffix]


def read_records(path: str | Path) -> list[RawRecord]:
    kind = file_format(path)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise FormatError(f"{path}: cannot read the file: {exc}") from exc
    return parse_records(text, kind)


def parse_records(text: str, kind: str) -> list[RawRecord]:
    if kind == "json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise FormatError(f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from exc
        if isinstance(data, dict):
            data = [data]
        if not isinstance(data, list):
            raise FormatError("a JSON file must hold an array of practices")
        return [RawRecord(i, item) for i, item in enumerate(data, start=1)]
    if kind == "jsonl":
        records = []
        for lineno, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            position = len(records) + 1
            try:
                records.append(RawRecord(position, json.loads(line)))
            except json.JSONDecodeError as exc:
                records.append(RawRecord(position, None, f"line {lineno} is not valid JSON ({exc.msg})"))
        return records
    reader = csv.DictReader(io.StringIO(text))
    return [RawRecord(i, unflatten(row)) for i, row in enumerate(reader, start=1)]


def unflatten(row: dict[str | None, Any]) -> dict:
    """A CSV row (`lea.name`, `resources[0].url`, lists joined with ';') back into a nested record."""
    record: dict[str, Any] = {}
    for column, value in row.items():
        if column is None:  # more cells than headers
            record.setdefault("_extra_cells", value)
            continue
        value = (value or "").strip() if isinstance(value, str) else value
        if value in ("", None):
            continue
        match = _INDEXED.match(column)
        if match:
            name, index, key = match.group(1), int(match.group(2)), match.group(3)
            items = record.setdefault(name, [])
            while len(items) <= index:
                items.append({})
            items[index][key] = value
        elif column in SCALAR_LISTS:
            record[column] = [part.strip() for part in value.split(";") if part.strip()]
        elif "." in column:
            head, _, key = column.partition(".")
            record.setdefault(head, {})[key] = value
        else:
            record[column] = value
    for name in OBJECT_LISTS:
        if name in record:
            record[name] = [item for item in record[name] if item]
    return record


def flatten(record: dict) -> dict[str, str]:
    row: dict[str, str] = {}
    for key, value in record.items():
        if key in SCALAR_LISTS:
            row[key] = ";".join(str(v) for v in value)
        elif key in OBJECT_LISTS:
            for index, item in enumerate(value):
                for sub, sub_value in item.items():
                    row[f"{key}[{index}].{sub}"] = _cell(sub_value)
        elif isinstance(value, dict):
            for sub, sub_value in value.items():
                row[f"{key}.{sub}"] = _cell(sub_value)
        else:
            row[key] = _cell(value)
    return row


def _cell(value: Any) -> str:
    return "" if value is None else str(value)


def write_records(path: str | Path, records: Iterable[dict]) -> int:
    kind = file_format(path)
    records = list(records)
    with open(path, "w", encoding="utf-8", newline="") as out:
        if kind == "json":
            json.dump(records, out, ensure_ascii=False, indent=2)
            out.write("\n")
        elif kind == "jsonl":
            for record in records:
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
        else:
            rows = [flatten(r) for r in records]
            extra = []
            for name, keys in OBJECT_LISTS.items():
                most = max((len(r.get(name, [])) for r in records), default=0)
                extra += [f"{name}[{i}].{k}" for i in range(most) for k in keys]
            writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS + extra)
            writer.writeheader()
            writer.writerows(rows)
    return len(records)
