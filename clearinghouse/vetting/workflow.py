"""The vetting state machine as data: which action moves a revision from which state to which."""

from __future__ import annotations

from dataclasses import dataclass

STATES = (
    "draft", "submitted", "in_review", "changes_requested", "approved", "rejected", "published", "archived",
    "superseded",
)  # fmt: skip

STATE_LABELS = {
    "draft": "Draft",
    "submitted": "Submitted, waiting for a reviewer",
    "in_review": "In review",
    "changes_requested": "Changes requested",
    "approved": "Approved",
    "rejected": "Rejected",
    "published": "Published",
    "archived": "Archived",
    "superseded": "Replaced by a newer published revision",
}


@dataclass(frozen=True)
class Transition:
    action: str
    sources: tuple[str, ...]
    target: str
    label: str


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        Transition("submit", ("draft", "changes_requested"), "submitted", "submitted for vetting"),
        Transition("claim", ("submitted",), "in_review", "claimed for review"),
        Transition("request_changes", ("in_review",), "changes_requested", "changes requested"),
        Transition("approve", ("in_review",), "approved", "approved"),
        Transition("reject", ("in_review",), "rejected", "rejected"),
        Transition("publish", ("approved",), "published", "published"),
        # Imports by site staff (`flask practices import --publish`, `flask seed`) publish content vetted elsewhere.
        Transition("import_publish", ("draft",), "published", "published on import"),
        Transition("supersede", ("published",), "superseded", "replaced by a newer revision"),
        Transition("archive", ("published",), "archived", "archived"),
    )
}
