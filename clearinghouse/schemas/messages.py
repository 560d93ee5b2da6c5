"""Validation errors for people: marshmallow's nested messages as (field path, full sentence naming the field)."""

from __future__ import annotations

import re
from typing import Any

from .interchange import field_label

_ROW = re.compile(r"^(\w+)\[(\d+)\]\.")

# marshmallow's generic messages, said with the field's label.
_GENERIC = {
    "Missing data for required field.": "{label} is required.",
    "Unknown field.": "{label} is not a field of the interchange format.",
    "Not a valid integer.": "{label} must be a whole number.",
    "Not a valid number.": "{label} must be a number.",
    "Not a valid string.": "{label} must be text.",
    "Not a valid list.": "{label} must be a list.",
    "Invalid input type.": "{label} must be an object.",
    "Field may not be null.": "{label} may not be empty.",
    "Not a valid email address.": "{label} is not a valid email address.",
    "Not a valid URL.": "{label} is not a web address starting with https:// or http://.",
    "Special numeric values (nan or infinity) are not permitted.": "{label} must be an ordinary number.",
    "Not a valid datetime.": "{label} is not a date and time.",
}


def flatten_errors(messages: Any, prefix: str = "", label_of=field_label) -> list[tuple[str, str]]:
    """Turn marshmallow's nested error dict into (path, sentence) pairs: `lea.county`, `resources[0].url`."""
    pairs: list[tuple[str, str]] = []
    if isinstance(messages, dict):
        for key, value in messages.items():
            if isinstance(key, int):
                path = f"{prefix}[{key}]"
            elif key == "_schema":
                path = prefix or "record"
            else:
                path = f"{prefix}.{key}" if prefix else str(key)
            pairs.extend(flatten_errors(value, path, label_of))
    elif isinstance(messages, list):
        for message in messages:
            if isinstance(message, (dict, list)):
                pairs.extend(flatten_errors(message, prefix, label_of))
            else:
                pairs.append((prefix or "record", sentence(prefix, str(message), label_of)))
    else:
        pairs.append((prefix or "record", sentence(prefix, str(messages), label_of)))
    return pairs


def sentence(path: str, message: str, label_of=field_label) -> str:
    """One message as a sentence that names its field (messages that already do are kept)."""
    label = label_of(path) if path else "The record"
    row = _ROW.match(path)
    if row:  # a field of a row of a list (`resources[0].url`): say which row
        label = f"{label} ({label_of(row[1])}, row {int(row[2]) + 1})"
    if message in _GENERIC:
        return _GENERIC[message].format(label=label)
    if message[:1].islower():
        return f"{label} {message}"
    if message.startswith('"') or message.startswith("Must ") or message.startswith("Length "):
        return f"{label}: {message[0].lower() + message[1:] if message.startswith(('Must', 'Length')) else message}"
    return message
