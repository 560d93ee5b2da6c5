"""The vetting queue's chart: submissions received and decided per month (drawn by clearinghouse.chart)."""

from __future__ import annotations

from markupsafe import Markup

from ..chart import Series, bar_chart
from .queue import Stats


def svg(stats: Stats) -> Markup:
    months = stats.months
    return bar_chart("queue-chart", "Submissions received and decided per month", describe(stats),
                     [m.month for m in months],
                     [Series("received", "received", [m.received for m in months]),
                      Series("decided", "decided", [m.decided for m in months])])


def describe(stats: Stats) -> str:
    received = sum(m.received for m in stats.months)
    decided = sum(m.decided for m in stats.months)
    median = f"{stats.median_days} days" if stats.median_days is not None else "no decisions yet"
    return (f"Over the last {len(stats.months)} months, {received} submissions were received and {decided} decided. "
            f"Median time to a decision: {median}.")
