"""The search page: a GET form whose URL holds the whole state, so a link reproduces the page."""

from __future__ import annotations

import html
import re

from flask import Blueprint, render_template, request

from .. import http_cache
from ..taxonomy import VOCABULARIES
from . import service
from .params import parse_page_args, search_filters

bp = Blueprint("search", __name__)

FACET_SHOWN = 6  # a long facet shows this many values (the most frequent, and every chosen one) ...
FACET_LONG = 8  # ... when it has more than this many; the rest sit behind "Show all N"
_MARK = re.compile(r"<mark>(.*?)</mark>", re.S)


@bp.get("/search")
def search():
    if (cached := http_cache.not_modified(service.index_version())) is not None:
        return cached
    args, notices = parse_page_args(request.args)
    filters = search_filters(args)
    page = service.search(args["q"], filters, args["sort"], args["page"], args["per_page"],
                          correct=not args["exact"])
    state = {"q": args["q"], "sort": args["sort"], "per_page": args["per_page"], **filters}
    if args["exact"]:
        state["exact"] = 1
    return render_template(
        "search/search.html",
        args=args,
        filters=filters,
        page=page,
        facets=_facet_groups(service.facet_listing(page.result, filters), filters),
        active_count=sum(len(codes) for codes in filters.values()),
        matched_words=[_marked_words(hit.highlights) for _, hit in page.items],
        first_related=next((i for i, (_, hit) in enumerate(page.items) if not hit.complete), None),
        notices=notices,
        state=state,
        chips=_chips(state, filters),
        # The same search as a CSV export (in this order) and as a feed (newest first).
        export_state=_clean({k: v for k, v in state.items() if k != "per_page"}),
        feed_state=_clean({k: v for k, v in state.items() if k not in ("per_page", "sort")}),
    )


def _facet_groups(listing: dict[str, list[dict]], filters: dict[str, list[str]]) -> list[dict]:
    """Each facet as the page shows it: a short list of its top values, and the rest behind "Show all N".

    A facet with more than FACET_LONG values shows the FACET_SHOWN with the highest counts (ties in
    vocabulary order) and every chosen value, in that order; the others keep vocabulary order.
    """
    groups = []
    for name, values in listing.items():
        vocabulary = VOCABULARIES[name]
        chosen = set(filters.get(name, []))
        top, rest = values, []
        if len(values) > FACET_LONG:
            ranked = sorted(values, key=lambda v: -v["count"])  # stable: ties stay in vocabulary order
            keep = {v["value"] for v in ranked[:FACET_SHOWN]} | chosen
            top = [v for v in ranked if v["value"] in keep]
            rest = [v for v in values if v["value"] not in keep]
        groups.append({
            "name": name,
            "label": vocabulary.label,
            "plural": _lower_first(vocabulary.plural),
            "chosen": len(chosen),
            "top": top,
            "rest": rest,
            "total": len(values),
        })
    return groups


def _lower_first(text: str) -> str:
    """"Student groups" -> "student groups", but "LEA types" stays."""
    return text if text[1:2].isupper() else text[:1].lower() + text[1:]


def _marked_words(highlights: dict[str, str]) -> list[str]:
    """The distinct words the engine marked in a hit's title, summary and snippet, as plain text."""
    seen: dict[str, str] = {}
    for fragment in highlights.values():
        for marked in _MARK.findall(fragment or ""):
            word = html.unescape(re.sub(r"<[^>]+>", "", marked)).strip()
            if word:
                seen.setdefault(word.casefold(), word)
    return list(seen.values())


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
