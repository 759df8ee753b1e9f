"""The organisation's channels: accounts on platforms, described by the channel catalogue.

``init_app`` adds the channel pages and the channels part of the API."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def init_app(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from planner.accounts.models import Role
    from planner.channels import api as _api  # noqa: F401  (declares its API operations)
    from planner.channels.labels import kind_label
    from planner.channels.views import bp
    from planner.web.shell import NavItem, add_nav

    app.register_blueprint(bp)
    app.add_template_global(kind_label)
    add_nav(app, NavItem("channels.index", _l("Channels"), Role.EDITOR, "/channels", 70))
