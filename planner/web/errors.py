"""Domain errors and HTTP errors become pages here, or problem+json under /api/."""

from __future__ import annotations

from flask import Flask, render_template, request
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


def render_error(status: int, message: str | None = None):
    title = _titles().get(status, _("That did not work"))
    text = message or _explanations().get(status, "")
    return render_template("errors/error.html", status=status, title=title, message=text), status


def init_app(app: Flask) -> None:
    @app.errorhandler(PlannerError)
    def _planner_error(error: PlannerError):
        if request.path.startswith("/api/"):
            return problem_from_error(error)
        return render_error(status_for(error), _(error.message))

    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError):
        return render_error(
            400, _("The form had expired or was sent from elsewhere. Go back and send it again.")
        )

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        if request.path.startswith("/api/"):
            return problem(error.code or 500, error.name, error.description)
        return render_error(error.code or 500)

    @app.errorhandler(StaleDataError)
    def _stale(_error: StaleDataError):
        # Someone (often the publishing engine, which fences deliveries by attempt) changed the
        # row between our read and our write: a conflict to reload, not a server fault.
        return _planner_error(
            ConflictError("This changed in the meantime. Reload the page and try again.")
        )

    @app.errorhandler(OperationalError)
    def _operational(error: OperationalError):
        if "database is locked" not in str(error.orig):
            raise error
        # SQLite is busy with a long write (a publishing burst): nothing was saved; try again.
        message = _("The database is busy. Nothing was saved; please try again in a moment.")
        if request.path.startswith("/api/"):
            response = problem(503, "Service unavailable", message)
            response.headers["Retry-After"] = "5"
            return response
        body, status = render_error(503, message)
        return body, status, {"Retry-After": "5"}
