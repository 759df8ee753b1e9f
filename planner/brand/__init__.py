"""The brand: the pure check engine, starter styles, imported style packages, the term list and
`planner check`.

``init_app`` adds the brand settings pages.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def init_app(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from planner.accounts.models import Role
    from planner.brand.views import bp
    from planner.web.shell import NavItem, add_nav

    app.register_blueprint(bp)
    add_nav(app, NavItem("brand.index", _l("Brand style"), Role.EDITOR, "/brand", 60))
