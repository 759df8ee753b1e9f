"""Language and time for people: Dutch or English, times in the organisation's timezone.

The language is the user's own choice first, then the one they picked while signed out, then the
browser's Accept-Language, then Dutch.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

from babel.dates import format_timedelta as babel_timedelta
from flask import Flask, request, session
from flask_babel import (
    format_date,
    format_datetime,
    format_decimal,
    format_time,
    get_locale,
)
from flask_login import current_user

from planner.web.extensions import babel

LANGUAGES = ("nl", "en")


def select_locale() -> str:
    if current_user and current_user.is_authenticated and current_user.language in LANGUAGES:
        return str(current_user.language)
    chosen = session.get("language")
    if chosen in LANGUAGES:
        return str(chosen)
    return request.accept_languages.best_match(LANGUAGES) or "nl"


def init_app(app: Flask, timezone_selector: Callable[[], str]) -> None:
    """``timezone_selector`` names the zone times are shown in (the organisation's)."""
    babel.init_app(app, locale_selector=select_locale, timezone_selector=timezone_selector)

    @app.template_filter("datetime")
    def _datetime(value: datetime | None, fmt: str = "medium") -> str:
        return "" if value is None else format_datetime(value, fmt)

    @app.template_filter("date")
    def _date(value: date | datetime | None, fmt: str = "medium") -> str:
        return "" if value is None else format_date(value, fmt)

    @app.template_filter("time")
    def _time(value: datetime | None, fmt: str = "short") -> str:
        return "" if value is None else format_time(value, fmt)

    @app.template_filter("number")
    def _number(value: float | int | None, digits: int | None = None) -> str:
        """A number in the reader's notation (``1.234,5`` in Dutch): ``digits`` fixed decimals,
        or up to two without trailing zeros."""
        if value is None:
            return ""
        if digits is None:
            return str(format_decimal(value, format="#,##0.##"))
        return str(format_decimal(value, format="#,##0" + ("." + "0" * digits if digits else "")))

    @app.template_filter("ratio")
    def _ratio(value: str | None) -> str:
        """An aspect ratio such as "1.91:1" in the reader's notation ("1,91:1" in Dutch)."""
        if not value:
            return ""
        parts = value.split(":")
        try:
            return ":".join(_number(float(p)) for p in parts)
        except ValueError:
            return value

    @app.template_filter("minutes")
    def _minutes(value: int | float) -> str:
        """A span of minutes as people say it: "25 min" up to an hour and a half, then hours
        ("7 uur"), in the reader's language."""
        span = timedelta(minutes=value)
        locale = get_locale() or "nl"
        if abs(value) < 90:
            return babel_timedelta(
                span, granularity="minute", threshold=100, format="short", locale=locale
            )
        return babel_timedelta(span, threshold=1.5, locale=locale)

    @app.context_processor
    def _language() -> dict[str, object]:
        return {
            "current_language": str(get_locale() or "nl"),
            "languages": LANGUAGES,
            "org_timezone_name": timezone_selector,
        }
