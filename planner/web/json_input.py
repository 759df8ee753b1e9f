"""JSON bodies that cannot be read are a 400, however deeply they nest.

Python's decoder recurses once per level of nesting, so a body of 100,000 ``[`` raises
RecursionError, which no ``get_json(silent=True)`` catches: the request ended in a 500. This
provider turns it into the ValueError Flask expects from unreadable JSON, so every endpoint
answers a too-deep body as it answers any other bad body (the API: a 400 problem).
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.json.provider import DefaultJSONProvider


class BoundedJSONProvider(DefaultJSONProvider):
    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("The JSON is nested too deeply.") from None


def init_app(app: Flask) -> None:
    app.json = BoundedJSONProvider(app)
