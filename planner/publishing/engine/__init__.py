"""The delivery engine (docs/publishing.md), one module per step: ``claim``, ``request``,
``settle``; ``run`` drives them (``publish_due``) and says why in its docstring.

The engine keeps its own short transactions, because the external call must happen between
commits; it is the one place besides the request, the CLI and the job that commits.
"""

from planner.publishing.engine.run import publish_due
from planner.publishing.engine.shared import EngineConfig, PublishReport

__all__ = ["EngineConfig", "PublishReport", "publish_due"]
