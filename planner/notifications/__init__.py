"""Notifications: what needs a person, in the app (a bell with a live count) and by e-mail.

Features lower in the house cannot know who works above them, so every feature calls
``services.notify`` with the people it means; ``init_app`` adds the bell, the list page and the
per-person choice of what also comes by e-mail (sent by the scheduler, claimed once).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def init_app(app: Flask) -> None:
    from planner.notifications.views import bp, install_bell

    app.register_blueprint(bp)
    install_bell(app)
