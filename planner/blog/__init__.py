"""The built-in blog: a publisher that writes posts inside the delivery's own transaction, its
public pages and its Atom feed.

``init_app`` adds the public pages; the composition root hands ``blog.services.BlogPublisher`` to
the publishing engine as the publisher of channels of kind "blog".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def init_app(app: Flask) -> None:
    from planner.blog import corrections as _corrections  # noqa: F401  (adds its page to bp)
    from planner.blog.views import bp

    app.register_blueprint(bp)
