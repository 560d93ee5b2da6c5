"""The search page's parameters, read leniently: the page, its feed and its CSV export take the same ones."""

from __future__ import annotations

from marshmallow import ValidationError
from werkzeug.datastructures import MultiDict

from ..schemas import FILTER_VOCABULARIES, MAX_QUERY, SearchArgsSchema, flatten_errors
from ..taxonomy import VOCABULARIES


def parse_page_args(args: MultiDict) -> tuple[dict, list[str]]:
    """Parse the page's parameters leniently: drop what is invalid, and say what was dropped."""
    notices: list[str] = []
    schema = SearchArgsSchema()
    try:
        parsed = schema.load(args)
    except ValidationError as exc:
        bad = {path.split("[")[0] for path, _ in flatten_errors(exc.messages)}
        for path, message in flatten_errors(exc.messages):
            name = path.split("[")[0]
            what = VOCABULARIES[name].label if name in VOCABULARIES else name
            notices.append(f"{what}: {message}. It was left out of this search.")
        parsed = schema.load(MultiDict([(k, v) for k, v in args.items(multi=True) if k not in bad]))
    if len(parsed["q"]) > MAX_QUERY:
        parsed["q"] = parsed["q"][:MAX_QUERY]
        notices.append(f"Your search was longer than {MAX_QUERY:,} characters; only the first {MAX_QUERY:,} were used.")
    return parsed, notices


def search_filters(args: dict) -> dict[str, list[str]]:
    """The chosen filters of parsed search parameters (vocabularies with at least one value)."""
    return {key: args[key] for key in FILTER_VOCABULARIES if args[key]}
