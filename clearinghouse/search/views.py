"""The search page: a GET form whose URL holds the whole state, so a link reproduces the page."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from marshmallow import ValidationError
from werkzeug.datastructures import MultiDict

from ..schemas import FILTER_VOCABULARIES, MAX_QUERY, SearchArgsSchema, flatten_errors
from ..taxonomy import VOCABULARIES
from . import service

bp = Blueprint("search", __name__)


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


@bp.get("/search")
def search():
    args, notices = parse_page_args(request.args)
    filters = {key: args[key] for key in FILTER_VOCABULARIES if args[key]}
    page = service.search(args["q"], filters, args["sort"], args["page"], args["per_page"])
    state = {"q": args["q"], "sort": args["sort"], "per_page": args["per_page"], **filters}
    return render_template(
        "search/search.html",
        args=args,
        filters=filters,
        page=page,
        facets=service.facet_listing(page.result, filters),
        notices=notices,
        state=state,
        chips=_chips(state, filters),
    )


def _chips(state: dict, filters: dict[str, list[str]]) -> list[dict]:
    """Each active filter with the link that removes it."""
    chips = []
    for key, codes in filters.items():
        for code in codes:
            without = {**state, key: [c for c in codes if c != code]}
            chips.append({"label": f"{VOCABULARIES[key].label}: {VOCABULARIES[key].label_for(code)}",
                          "remove": _clean(without)})
    return chips


def _clean(state: dict) -> dict:
    """URL parameters without empty values or defaults, so shared links stay short."""
    defaults = {"sort": "relevance", "per_page": 20, "q": ""}
    return {k: v for k, v in state.items() if v not in ([], None) and defaults.get(k, object()) != v}
