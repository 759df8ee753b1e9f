"""Forms and helpers every form-handling view shares."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm


def csrf_failed(form: Any) -> bool:
    """True when a form failed only because its CSRF token was missing, expired or forged."""
    token = getattr(form, "csrf_token", None)
    return bool(token is not None and token.errors)


class ActionForm(FlaskForm):
    """Only the CSRF token, for buttons that change state."""
