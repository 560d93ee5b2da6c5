"""Markdown to safe HTML, and the small formatting helpers templates use."""

from __future__ import annotations

from datetime import datetime

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

from .taxonomy import METRIC_UNITS

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "blockquote", "code", "pre", "h3", "h4", "h5",
    "a", "table", "thead", "tbody", "tr", "th", "td", "hr", "sup", "sub",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"scope"}, "td": set(), "ol": {"start"}}
# CommonMark (nested lists with two-space indents, as people type them), tables; raw HTML is escaped.
_md = MarkdownIt("commonmark", {"html": False}).enable("table")


def render_markdown(text: str | None) -> Markup:
    """Render a writer's Markdown and sanitize it: no scripts, styles or event handlers survive."""
    if not text:
        return Markup("")
    # Headings inside a section sit below the section's own <h2>, so shift them down.
    html = _md.render(text)
    html = html.replace("<h1", "<h3").replace("</h1>", "</h3>").replace("<h2", "<h3").replace("</h2>", "</h3>")
    return Markup(
        nh3.clean(
            html,
            tags=ALLOWED_TAGS,
            attributes=ALLOWED_ATTRIBUTES,
            url_schemes={"http", "https", "mailto"},
            link_rel="noopener noreferrer nofollow",
        )
    )


def format_number(value: float | int | None, unit: str | None = None) -> str:
    if value is None:
        return "—"
    text = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}".rstrip("0").rstrip(".")
    if not unit:
        return text
    return f"{text}{METRIC_UNITS.get(unit, ' ' + unit)}"


def format_date(value: datetime | None) -> str:
    return value.strftime("%-d %B %Y") if value else ""
