"""Places on a page where features contribute panels, so a page never imports the features above it.

The dashboard asks every feature what needs the signed-in person; the story page shows what was
made of the story, the fragment page its approvals, schedule and deliveries. The page that owns a
slot declares it; each feature adds its contributor in its ``init_app``; the page calls them in
order. Registrations live on the app, so two apps in one process never share them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from flask import Flask, current_app

C = TypeVar("C", bound=Callable[..., Any])

_KEY = "planner.panels"


class Slot(Generic[C]):
    """A named place; ``C`` is the signature its contributors share."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"Slot({self.name!r})"

    def contribute(self, app: Flask, contributor: C, *, order: int = 50) -> None:
        slots: dict[str, list[tuple[int, Any]]] = app.extensions.setdefault(_KEY, {})
        entries = slots.setdefault(self.name, [])
        if all(existing is not contributor for _, existing in entries):
            entries.append((order, contributor))
            entries.sort(key=lambda entry: entry[0])

    def contributors(self, app: Flask | None = None) -> list[C]:
        slots: dict[str, list[tuple[int, Any]]] = (app or current_app).extensions.get(_KEY, {})
        return [contributor for _, contributor in slots.get(self.name, [])]
