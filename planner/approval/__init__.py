"""Approval: who agreed to which version of a fragment, reviewer links for people without an
account, requests for changes, and the rules about who may approve.

``init_app`` adds the approval pages (and the public reviewer page), the approval part of the API
and the approval panel on the fragment editor.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def init_app(app: Flask) -> None:
    from planner.approval import api as _api  # noqa: F401  (declares its API operations)
    from planner.approval.views import approval_panel, bp
    from planner.fragments.panels import EDITOR

    app.register_blueprint(bp)
    EDITOR.contribute(app, approval_panel, order=10)
