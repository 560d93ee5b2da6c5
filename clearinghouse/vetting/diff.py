"""What changed between two submissions of a practice, section by section (difflib), for the reviewers."""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass

from ..taxonomy import SECTIONS


@dataclass
class Line:
    kind: str  # "added", "removed" or "same"
    text: str


@dataclass
class PartDiff:
    label: str
    changed: bool
    lines: list[Line]


def _parts(record: dict) -> dict[str, tuple[str, str]]:
    parts = {"title": ("Title", record.get("title") or ""), "summary": ("Summary", record.get("summary") or "")}
    for key, (label, _) in SECTIONS.items():
        parts[key] = (label, (record.get("sections") or {}).get(key) or "")
    rest = {k: v for k, v in record.items() if k not in ("title", "summary", "sections")}
    parts["details"] = ("LEA context, tags, outcome data and details",
                        json.dumps(rest, indent=2, ensure_ascii=False, sort_keys=True, default=str))
    return parts


def record_diff(before: dict, after: dict) -> list[PartDiff]:
    """Each part of the write-up with its lines marked added, removed or unchanged."""
    old, new = _parts(before), _parts(after)
    result = []
    for key, (label, text) in new.items():
        previous = old[key][1]
        lines = []
        for line in difflib.ndiff(previous.splitlines(), text.splitlines()):
            code, body = line[:2], line[2:]
            if code == "? ":
                continue
            lines.append(Line({"+ ": "added", "- ": "removed"}.get(code, "same"), body))
        result.append(PartDiff(label, previous != text, lines))
    return result
