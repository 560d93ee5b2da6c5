"""A small server-rendered SVG bar chart of numbers per month (no JavaScript), for the statistics pages.

The chart is an image with a title and a description for screen readers; each bar carries its own title
(its series, month and number) so the numbers can be read from the chart itself. Pages show the same numbers
in a table beside it. Bars are styled by their series' CSS class (the CSP forbids inline styles).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 640, 220, 36, 40, 16
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
               "November", "December")


@dataclass(frozen=True)
class Series:
    label: str  # "views"
    css: str  # the bars' class: "views"
    values: Sequence[int]  # one per month


def month_name(month: str) -> str:
    """ "2026-03" -> "March 2026"."""
    year, number = month.split("-")
    return f"{MONTH_NAMES[int(number) - 1]} {year}"


def last_months(year: int, month: int, count: int) -> list[str]:
    """The `count` months ending with (year, month), oldest first, as "YYYY-MM"."""
    keys = []
    for _ in range(count):
        keys.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return keys[::-1]


def bar_chart(name: str, title: str, description: str, months: Sequence[str], series: Sequence[Series]) -> Markup:
    """Bars side by side for each month, one per series; `name` keeps the element ids unique on the page."""
    peak = max([1] + [value for s in series for value in s.values])
    plot_h = HEIGHT - BOTTOM - TOP
    slot = (WIDTH - LEFT) / max(1, len(months))
    bar = slot * 0.7 / max(1, len(series))
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{name}-title {name}-desc" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{name}-title">{escape(title)}</title>',
        f'<desc id="{name}-desc">{escape(description)}</desc>',
        f'<line x1="{LEFT}" y1="{HEIGHT - BOTTOM}" x2="{WIDTH}" y2="{HEIGHT - BOTTOM}" class="axis"/>',
        f'<text x="{LEFT - 6}" y="{TOP + 4}" class="tick" text-anchor="end">{peak}</text>',
        f'<text x="{LEFT - 6}" y="{HEIGHT - BOTTOM}" class="tick" text-anchor="end">0</text>',
    ]
    for i, month in enumerate(months):
        x = LEFT + i * slot + slot * 0.15
        for j, s in enumerate(series):
            value = s.values[i]
            h = plot_h * value / peak
            parts.append(f'<rect x="{x + j * bar:.1f}" y="{HEIGHT - BOTTOM - h:.1f}" width="{bar:.1f}" '
                         f'height="{h:.1f}" class="{s.css}" data-month="{month}" data-value="{value}">'
                         f'<title>{escape(month_name(month))}: {value} {escape(s.label)}</title></rect>')
        year, number = month.split("-")
        label = MONTHS[int(number) - 1] + (f" {year[2:]}" if number == "01" or i == 0 else "")
        parts.append(f'<text x="{x + bar * len(series) / 2:.1f}" y="{HEIGHT - BOTTOM + 16}" class="tick" '
                     f'text-anchor="middle">{label}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
