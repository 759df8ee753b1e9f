"""Findings in the language of the text they are about.

The engine's built-in Vale rules speak English, as Vale does (its own test suite holds the engine
to Vale's exact words); a Dutch text gets their meaning in Dutch here. The channel checks choose
their language themselves (planner.brand.channel_checks). Pure: no Flask, no database.
"""

from __future__ import annotations

import dataclasses

from planner.brand.engine.alerts import Alert


def _first_word(match: str) -> str:
    return match.split()[0] if match.split() else match


def _dutch(alert: Alert) -> str | None:
    if alert.check == "Vale.Repetition":
        return f"'{_first_word(alert.match)}' staat er twee keer achter elkaar."
    if alert.check == "Vale.Terms":
        expected = alert.message.split("'")[1] if alert.message.count("'") >= 4 else ""
        if expected:
            return f"Schrijf '{expected}' in plaats van '{alert.match}'."
    if alert.check == "Vale.Avoid":
        return f"Vermijd '{alert.match}'."
    if alert.check == "Vale.Spelling":
        return f"Is '{alert.match}' goed gespeld?"
    return None


def in_language(alerts: list[Alert], language: str) -> list[Alert]:
    """The alerts with the built-in rules' messages in ``language`` (Dutch; English stays)."""
    if language != "nl":
        return alerts
    out = []
    for alert in alerts:
        message = _dutch(alert) if alert.check.startswith("Vale.") else None
        out.append(dataclasses.replace(alert, message=message) if message else alert)
    return out
