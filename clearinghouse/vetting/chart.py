"""A small server-rendered SVG bar chart of submissions received and decided per month (no JavaScript)."""

from __future__ import annotations

from markupsafe import Markup, escape

from .queue import Stats

WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 640, 220, 36, 40, 16
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def svg(stats: Stats) -> Markup:
    months = stats.months
    peak = max([1] + [max(m.received, m.decided) for m in months])
    plot_h = HEIGHT - BOTTOM - TOP
    slot = (WIDTH - LEFT) / max(1, len(months))
    bar = slot * 0.35
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="chart-title chart-desc" '
        f'xmlns="http://www.w3.org/2000/svg">',
        '<title id="chart-title">Submissions received and decided per month</title>',
        f'<desc id="chart-desc">{escape(describe(stats))}</desc>',
        f'<line x1="{LEFT}" y1="{HEIGHT - BOTTOM}" x2="{WIDTH}" y2="{HEIGHT - BOTTOM}" class="axis"/>',
        f'<text x="{LEFT - 6}" y="{TOP + 4}" class="tick" text-anchor="end">{peak}</text>',
        f'<text x="{LEFT - 6}" y="{HEIGHT - BOTTOM}" class="tick" text-anchor="end">0</text>',
    ]
    for i, m in enumerate(months):
        x = LEFT + i * slot + slot * 0.15
        for j, (value, css) in enumerate(((m.received, "received"), (m.decided, "decided"))):
            h = plot_h * value / peak
            parts.append(f'<rect x="{x + j * bar:.1f}" y="{HEIGHT - BOTTOM - h:.1f}" width="{bar:.1f}" '
                         f'height="{h:.1f}" class="{css}"/>')
        year, month = m.month.split("-")
        label = MONTHS[int(month) - 1] + (f" {year[2:]}" if month == "01" or i == 0 else "")
        parts.append(f'<text x="{x + bar:.1f}" y="{HEIGHT - BOTTOM + 16}" class="tick" '
                     f'text-anchor="middle">{label}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def describe(stats: Stats) -> str:
    received = sum(m.received for m in stats.months)
    decided = sum(m.decided for m in stats.months)
    median = f"{stats.median_days} days" if stats.median_days is not None else "no decisions yet"
    return (f"Over the last {len(stats.months)} months, {received} submissions were received and {decided} decided. "
            f"Median time to a decision: {median}.")
