"""Forms and helpers every form-handling view shares."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field

from planner.errors import PlannerError, ValidationError

#: messages that pure modules raise as templates (planner.timekeeping.wallclock), written out here
#: so the catalogue has them; a test holds them equal to the originals
CATALOGUE_TEMPLATES = (
    _l(
        "%(time)s does not exist on %(day)s in %(zone)s: clocks jump from %(start)s to %(end)s. "
        "Choose a time before %(start)s or from %(end)s."
    ),
    _l(
        "%(time)s occurs twice on %(day)s in %(zone)s: first at %(first)s, then at %(second)s. "
        "Choose which one."
    ),
    _l("Fix these findings first: %(findings)s"),
    _l("Fix or acknowledge these warnings first: %(findings)s"),
)


def csrf_failed(form: Any) -> bool:
    """True when a form failed only because its CSRF token was missing, expired or forged."""
    token = getattr(form, "csrf_token", None)
    return bool(token is not None and token.errors)


class ActionForm(FlaskForm):
    """Only the CSRF token, for buttons that change state."""


def error_message(exc: PlannerError) -> str:
    """A refusal in the reader's language. A message built with values in it carries a catalogue
    ``template`` and its ``params`` (dates written out for the reader) or, older style, fills the
    template from its details; any other message is a catalogue entry itself."""
    template, params = exc.template, exc.params
    if template is not None and isinstance(params, dict):
        shown = {
            k: format_date(v, "d MMMM y")
            if isinstance(v, date) and not isinstance(v, datetime)
            else v
            for k, v in params.items()
        }
        return str(_(template, **shown))
    if template is not None and exc.details:
        return str(_(template, **exc.details))
    if exc.details and "%(" in exc.message:
        return str(_(exc.message, **exc.details))
    return str(_(exc.message))


def attach_error(form: Any, exc: ValidationError) -> None:
    """Show a service's refusal next to the field it names, or above the form."""
    message = error_message(exc)
    field = getattr(form, exc.field or "", None)
    if isinstance(field, Field):
        field.errors = [*field.errors, message]
    else:
        form.form_errors.append(message)


def int_arg(value: str | None) -> int | None:
    """A positive id from a query string, or None for anything else (never an exception)."""
    return int(value) if value and value.isdigit() and len(value) < 10 else None
