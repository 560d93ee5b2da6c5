"""Times in Pacific time with the zone named; the audit log in words; the queue's Status filter."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from clearinghouse.rendering import format_time

from .conftest import login
from .vetting_helpers import decide, submitted


def test_times_show_in_pacific_time_with_the_zone_named():
    assert format_time(datetime(2026, 12, 3, 22, 5, tzinfo=UTC)) == "3 Dec 2026, 2:05 PM PST"
    assert format_time(datetime(2026, 7, 4, 16, 30, tzinfo=UTC)) == "4 Jul 2026, 9:30 AM PDT"
    assert format_time(datetime(2026, 12, 3, 22, 5)) == "3 Dec 2026, 2:05 PM PST"  # naive means UTC
    assert format_time(None) == ""


def test_the_timeline_and_the_audit_log_use_pacific_time_and_words(app, client, people, practice_record):
    app.config["REVIEWS_REQUIRED"] = 1
    rid = submitted(app, people, practice_record)
    decide(app, people, rid, ("reviewer", "approve"))
    login(client, people["contributor"])
    timeline = client.get(f"/submissions/{rid}").text
    assert re.search(r"<time [^>]*>\d{1,2} \w{3} \d{4}, \d{1,2}:\d{2} [AP]M P[SD]T</time>", timeline)
    assert "UTC" not in timeline
    login(client, people["admin"])
    audit = client.get("/admin/audit").text
    body = audit[audit.index("<tbody>"):]
    assert f'<th scope="row">{practice_record["title"]}</th>' in body
    assert re.search(r"\d{1,2}:\d{2} [AP]M P[SD]T", body) and "UTC" not in audit
    for words in ("Started the draft", "Submitted for vetting", "Claimed for review", "Approved", "Published"):
        assert f"<td>{words}</td>" in body, words
    assert "Submitted, waiting for a reviewer" in body  # states by their labels
    for code in ("<td>create</td>", "<td>submit</td>", "<td>in_review</td>", "attendance-teams-that-call"):
        assert code not in body, code
    assert '<option value="import_publish">Published on import</option>' in audit


def test_the_queue_filters_by_status(client, people):
    login(client, people["reviewer"])
    page = client.get("/review").text
    assert '<label for="f-state">Status</label>' in page and "Any status" in page
    assert ">State<" not in page
