"""The statistics page: views and downloads of practices, for admins (the site) and facilitators (their
collections)."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from ..chart import Series, bar_chart, month_name
from ..models import DOWNLOAD_FORMATS
from . import service

bp = Blueprint("usage", __name__)


@bp.get("/stats")
def stats():
    found = service.stats(current_user)
    months = found.months
    totals = found.totals
    chart = bar_chart(
        "usage-chart", "Practice views and downloads per month",
        f"Over the last {len(months)} months: {totals.views} views and {totals.downloads} downloads.",
        [m.month for m in months],
        [Series("views", "views", [m.views for m in months]),
         Series("downloads", "downloads", [m.downloads for m in months])])
    return render_template("usage/stats.html", stats=found, totals=totals, chart=chart, month_name=month_name,
                           formats=DOWNLOAD_FORMATS)
