"""Small helpers every form-handling view shares."""

from __future__ import annotations

from typing import Any


def csrf_failed(form: Any) -> bool:
    """True when a form failed only because its CSRF token was missing, expired or forged."""
    token = getattr(form, "csrf_token", None)
    return bool(token is not None and token.errors)
