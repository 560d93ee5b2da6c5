"""Building vetting data through the services, as people do it through the pages."""

from __future__ import annotations

from clearinghouse.extensions import db
from clearinghouse.models import User

GOOD_REVIEW = {
    "scores": {str(n): 4 for n in range(1, 7)},
    "comments": {str(n): f"Clear on criterion {n}." for n in range(1, 7)},
    "recommendation": "approve",
    "message": "Ready to publish.",
}


def user(person) -> User:
    return db.session.get(User, person.id)


def review(recommendation: str = "approve", message: str = "Thank you.") -> dict:
    return {**GOOD_REVIEW, "recommendation": recommendation, "message": message}


def submitted(app, people, record, kind: str = "contributor") -> int:
    """A practice written and submitted by `kind`; answers the revision's id."""
    from clearinghouse.vetting import service

    with app.app_context():
        revision, _ = service.start_draft(user(people[kind]), record)
        service.submit(user(people[kind]), revision.id)
        return revision.id


def decide(app, people, revision_id: int, *verdicts: tuple[str, str]) -> None:
    """Each (reviewer kind, recommendation) claims the revision and files that review."""
    from clearinghouse.vetting import reviewing

    with app.app_context():
        for kind, recommendation in verdicts:
            reviewing.claim(user(people[kind]), revision_id)
            message = f"{kind} says {recommendation}"
            reviewing.file_review(user(people[kind]), revision_id, review(recommendation, message))
