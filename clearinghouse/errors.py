"""Domain errors raised by services; one handler map in the app turns them into HTTP answers."""

from __future__ import annotations


class DomainError(Exception):
    status = 400

    def __init__(self, message: str, fields: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class NotFound(DomainError):
    status = 404


class NotAllowed(DomainError):
    """The actor may not do this. Hidden things are reported as NotFound instead."""

    status = 403


class InvalidTransition(DomainError):
    status = 409


class ValidationFailed(DomainError):
    status = 400


class Unauthorized(DomainError):
    """No valid credentials (the API's bearer token is missing, unknown or revoked)."""

    status = 401


class Unavailable(DomainError):
    """A part the answer needs is not usable right now (the search index is missing or being rebuilt)."""

    status = 503
