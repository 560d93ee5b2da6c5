"""The vetting state machine as data: which action moves a revision from which state to which, and who may take it."""

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
    # The permissions.py rule a person must pass to take this action (with the revision); None means the
    # service alone takes it, as the consequence of another action (a round's verdict, an import).
    who: str | None = None


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        Transition("submit", ("draft",), "submitted", "submitted for vetting", "may_submit"),
        Transition("resubmit", ("changes_requested",), "submitted", "resubmitted", "may_submit"),
        Transition("claim", ("submitted", "in_review"), "in_review", "claimed for review", "may_claim"),
        Transition("assign", ("submitted", "in_review"), "in_review", "assigned to a reviewer", "may_assign"),
        # A filed review that does not end the round yet (more reviews are needed).
        Transition("review", ("in_review",), "in_review", "reviewed", "may_review"),
        Transition("request_changes", ("in_review",), "changes_requested", "sent back for changes", "may_review"),
        Transition("approve", ("in_review",), "approved", "approved"),
        Transition("reject", ("in_review",), "rejected", "rejected"),
        Transition("publish", ("approved",), "published", "published"),
        # Imports by site staff (`flask practices import --publish`, `flask seed`) publish content vetted elsewhere.
        Transition("import_publish", ("draft",), "published", "published on import"),
        Transition("supersede", ("published",), "superseded", "replaced by a newer revision"),
        Transition("archive", ("published",), "archived", "archived", "may_archive"),
    )
}

# What a reviewer's recommendation does to the round.
RECOMMENDATIONS = {
    "approve": "Approve: publish it as it is",
    "request_changes": "Request changes: send it back to the contributor",
    "reject": "Reject: it should not be published",
}

# What each audit event says, in words: the transitions' labels, and the two events that are not transitions.
EVENT_LABELS: dict[str, str] = {
    "create": "started the draft",
    **{action: rule.label for action, rule in TRANSITIONS.items()},
    "delete_draft": "deleted a draft revision",
}
