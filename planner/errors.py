"""Domain errors shared by every feature.

Services raise these; the web layer and the API turn them into pages or RFC 9457 problems in one
place (planner.web.errors, planner.api), so no service needs to know about HTTP.
"""

from __future__ import annotations

from typing import Any


class PlannerError(Exception):
    """Base for every error the domain raises on purpose."""

    #: a short, stable machine name used in problem+json ``type`` URIs
    code = "planner-error"
    #: the message as a catalogue entry with %(name)s places, for pages in other languages
    template: str | None = None
    #: the values for ``template`` (dates as dates, written out in the reader's language)
    params: dict[str, Any] | None = None

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class ValidationError(PlannerError):
    """Input that breaks a rule; the message is fit to show to the person who typed it."""

    code = "validation-error"

    def __init__(self, message: str, field: str | None = None, **details: Any) -> None:
        super().__init__(message, **details)
        self.field = field


class NotFoundError(PlannerError):
    code = "not-found"


class PermissionDeniedError(PlannerError):
    code = "forbidden"


class ConflictError(PlannerError):
    """The request is well formed but the current state forbids it (e.g. a brand-gate refusal)."""

    code = "conflict"


class AuthenticationError(PlannerError):
    code = "unauthorized"
