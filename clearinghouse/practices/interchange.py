"""Reading and writing files in the interchange format: JSON array, JSON Lines, CSV."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from marshmallow import Schema, fields

from ..schemas import METRIC_FIELDS, RESOURCE_FIELDS, PracticeSchema

FORMATS = {".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv"}

# The CSV layout, read off the interchange schema: nested objects flatten to `lea.name` columns, lists of plain
# values are one cell joined with ";", lists of objects become `resources[0].url` columns.
OBJECT_LISTS = {"outcome_metrics": METRIC_FIELDS, "resources": RESOURCE_FIELDS}


def _columns(schema: Schema, prefix: str = "") -> list[tuple[str, fields.Field]]:
    columns = []
    for name, field in schema.fields.items():
        path = f"{prefix}{name}"
        if isinstance(field, fields.Nested):
            columns += _columns(field.schema, f"{path}.")
        elif not (isinstance(field, fields.List) and isinstance(field.inner, fields.Nested)):
            columns.append((path, field))
    return columns


CSV_COLUMNS = [path for path, _ in _columns(PracticeSchema())]
SCALAR_LISTS = tuple(path for path, field in _columns(PracticeSchema()) if isinstance(field, fields.List))
_INDEXED = re.compile(r"^(\w+)\[(\d+)\]\.(\w+)$")
# A spreadsheet runs a cell that starts with one of these as a formula ("=HYPERLINK(…)", "-2+3", "@SUM(…)"), so
# the CSV writer puts a ' before it, which spreadsheets show as text; the reader takes it off again, so export →
# import still round-trips. A plain number ("-3.5") is no formula and stays as it is.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


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
    if not text.strip():
        raise FormatError("the file is empty: there are no records to import")
    try:
        records = _parse(text, kind)
    except RecursionError as exc:
        raise FormatError("a record is nested too deeply to be a practice") from exc
    if not records:
        raise FormatError("the file holds no records to import")
    return records


def _parse(text: str, kind: str) -> list[RawRecord]:
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
        value = unguard((value or "").strip()).strip() if isinstance(value, str) else value
        if value in ("", None):
            continue
        match = _INDEXED.match(column)
        if match:
            name, index, key = match.group(1), int(match.group(2)), match.group(3)
            items = record.setdefault(name, [])
            while len(items) <= index:
                items.append({})
            items[index][key] = value
        elif "." in column:
            head, _, key = column.partition(".")
            parts = [p.strip() for p in value.split(";") if p.strip()] if column in SCALAR_LISTS else value
            record.setdefault(head, {})[key] = parts
        elif column in SCALAR_LISTS:
            record[column] = [part.strip() for part in value.split(";") if part.strip()]
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
                cell = f"{key}.{sub}"
                row[cell] = ";".join(str(v) for v in sub_value) if cell in SCALAR_LISTS else _cell(sub_value)
        else:
            row[key] = _cell(value)
    return row


def _cell(value: Any) -> str:
    return "" if value is None else str(value)


def spreadsheet_safe(cell: str) -> str:
    """The cell as a spreadsheet shows it as text, never runs it: a ' before a leading = + - @ (numbers stay)."""
    if cell.startswith(FORMULA_STARTS) and not _NUMBER.match(cell):
        return "'" + cell
    return cell


def unguard(cell: str) -> str:
    """A cell read back: without the ' that `spreadsheet_safe` put before a formula character."""
    return cell[1:] if cell.startswith("'") and cell[1:2] and cell[1] in FORMULA_STARTS else cell


def write_csv(out: IO[str], fieldnames: list[str], rows: Iterable[dict[str, Any]]) -> None:
    """Rows as CSV, every cell safe to open in a spreadsheet."""
    writer = csv.DictWriter(out, fieldnames=fieldnames)
    writer.writeheader()
    writer.writerows({key: spreadsheet_safe(_cell(value)) for key, value in row.items()} for row in rows)


def dump_records(out: IO[str], records: list[dict], kind: str) -> None:
    """Records in one of the FORMATS' kinds ("json", "jsonl" or "csv"), as `flask practices export` writes them."""
    if kind == "json":
        json.dump(records, out, ensure_ascii=False, indent=2)
        out.write("\n")
    elif kind == "jsonl":
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    else:
        extra = []
        for name, keys in OBJECT_LISTS.items():
            most = max((len(r.get(name, [])) for r in records), default=0)
            extra += [f"{name}[{i}].{k}" for i in range(most) for k in keys]
        write_csv(out, CSV_COLUMNS + extra, (flatten(r) for r in records))


def records_text(records: list[dict], kind: str) -> str:
    out = io.StringIO(newline="")
    dump_records(out, records, kind)
    return out.getvalue()


def write_records(path: str | Path, records: Iterable[dict]) -> int:
    kind = file_format(path)
    records = list(records)
    with open(path, "w", encoding="utf-8", newline="") as out:
        dump_records(out, records, kind)
    return len(records)
