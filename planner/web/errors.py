"""Domain errors and HTTP errors become pages here, or problem+json under /api/."""

from __future__ import annotations

from flask import Flask, Response, make_response, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from planner.errors import ConflictError, PlannerError
from planner.web.problems import problem, problem_from_error, status_for


def _titles() -> dict[int, str]:
    return {
        400: _("That did not work"),
        403: _("You do not have access to this page"),
        404: _("Page not found"),
        405: _("That did not work"),
        409: _("That cannot be done right now"),
        413: _("The upload is too large"),
        429: _("Too many attempts"),
        500: _("Something went wrong on our side"),
        503: _("Busy for a moment"),
    }


def _explanations() -> dict[int, str]:
    return {
        403: _("Your role does not include this. Ask an administrator if you need it."),
        404: _("The page may have moved, or the link is incomplete."),
        413: _("Files can be at most 32 MB. Try a smaller photo."),
        429: _("Please wait a minute before you try again."),
        500: _("The error has been logged. Please try again in a moment."),
    }


def render_error(status: int, message: str | None = None) -> tuple[str, int]:
    title = _titles().get(status, _("That did not work"))
    text = message or _explanations().get(status, "")
    return render_template("errors/error.html", status=status, title=title, message=text), status


CHANGED_MEANWHILE = "This changed in the meantime. Reload the page and try again."


def _planner_error(error: PlannerError) -> ResponseReturnValue:
    if request.path.startswith("/api/"):
        return problem_from_error(error)
    return render_error(status_for(error), _(error.message))


def _busy() -> ResponseReturnValue:
    # SQLite is busy with a long write (a publishing burst): nothing was saved; try again.
    message = _("The database is busy. Nothing was saved; please try again in a moment.")
    if request.path.startswith("/api/"):
        response = problem(503, "Service unavailable", message)
        response.headers["Retry-After"] = "5"
        return response
    body, status = render_error(503, message)
    return body, status, {"Retry-After": "5"}


def database_refusal(error: Exception) -> ResponseReturnValue:
    """The response for a write the database refused; nothing was saved.

    Someone (often the publishing engine, which fences deliveries by attempt) changed the row
    between our read and our write, or wrote the same unique value first: a conflict to reload,
    not a server fault. A locked SQLite database is a moment's wait.
    """
    if isinstance(error, OperationalError):
        if "database is locked" not in str(error.orig):
            raise error
        return _busy()
    return _planner_error(ConflictError(CHANGED_MEANWHILE))


def commit_refused(error: Exception) -> Response:
    """``database_refusal`` as a finished response, for the request's commit (web.database)."""
    return make_response(database_refusal(error))


def init_app(app: Flask) -> None:
    app.register_error_handler(PlannerError, _planner_error)

    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError) -> ResponseReturnValue:
        return render_error(
            400, _("The form had expired or was sent from elsewhere. Go back and send it again.")
        )

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> ResponseReturnValue:
        if request.path.startswith("/api/"):
            return problem(error.code or 500, error.name, error.description)
        return render_error(error.code or 500)

    app.register_error_handler(StaleDataError, database_refusal)
    app.register_error_handler(OperationalError, database_refusal)
