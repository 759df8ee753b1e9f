"""RFC 9457 problem details, and the one mapping from domain errors to HTTP statuses.

The API answers every error in this shape; the HTML error pages (planner.web.errors) use the same
status mapping, so a refusal means the same status on a page and in the API.
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify

from planner.errors import (
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    PlannerError,
    ValidationError,
)

PROBLEM_TYPE_BASE = "https://contentfabriek.example/problems/"

STATUS_FOR: dict[type[PlannerError], int] = {
    NotFoundError: 404,
    PermissionDeniedError: 403,
    ConflictError: 409,
    ValidationError: 400,
}


def status_for(error: PlannerError) -> int:
    for cls, status in STATUS_FOR.items():
        if isinstance(error, cls):
            return status
    return 400


def problem(
    status: int, title: str, detail: str | None = None, *, type_: str | None = None, **extra: Any
) -> Response:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + type_ if type_ else "about:blank",
        "title": title,
        "status": status,
    }
    if detail:
        body["detail"] = detail
    body.update(extra)
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="contentfabriek"'
    return response


def problem_from_error(error: PlannerError) -> Response:
    status = status_for(error)
    extra: dict[str, Any] = {k: v for k, v in error.details.items() if _jsonable(v)}
    if isinstance(error, ValidationError) and error.field:
        extra["errors"] = [{"field": error.field, "message": error.message}]
        status = 422
    return problem(status, _title(status), error.message, type_=error.code, **extra)


def _title(status: int) -> str:
    return {
        400: "Bad request",
        401: "Unauthorized",
        403: "Forbidden",
        404: "Not found",
        409: "Conflict",
        422: "Unprocessable content",
    }.get(status, "Error")


def _jsonable(value: Any) -> bool:
    return isinstance(value, str | int | float | bool | list | dict) or value is None
