"""Forms and helpers every form-handling view shares."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import Field

from planner.errors import ValidationError


def csrf_failed(form: Any) -> bool:
    """True when a form failed only because its CSRF token was missing, expired or forged."""
    token = getattr(form, "csrf_token", None)
    return bool(token is not None and token.errors)


class ActionForm(FlaskForm):
    """Only the CSRF token, for buttons that change state."""


def error_message(exc: ValidationError) -> str:
    """A refusal in the reader's language; a message with numbers to fill in carries them as
    details (``template`` when the English message was built with the numbers already in it)."""
    template = getattr(exc, "template", None)
    if template is not None and exc.details:
        return str(_(template, **exc.details))
    return str(_(exc.message, **exc.details) if exc.details else _(exc.message))


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
