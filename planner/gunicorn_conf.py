"""Gunicorn settings for serving the planner in production:

    gunicorn -c python:planner.gunicorn_conf -w 4 'planner:create_app()'

Once a worker has built the app, the objects it holds (modules, SQLAlchemy's mappers and statement
caches, pydantic's validators, the Babel catalogues: some 150,000) live as long as the worker.
Python's cyclic garbage collector walks every one of them again in each full collection, tens of
milliseconds that land in whichever request happens to allocate at the time, and a busy calendar
month allocates a lot. ``gc.freeze()`` moves them to a permanent generation the collector skips.

Freezing happens in each worker after it has loaded the app, not in the arbiter before forking:
without ``preload_app`` (the default, and what the README prescribes, because a database engine
must not be shared across a fork) the app and its objects only exist in the worker.
"""

from __future__ import annotations

import gc
from typing import Any

#: Young objects allowed before the collector runs (Python's default is 700). A request for a busy
#: month holds some 30,000 rows, dicts and lists until its answer is written; at 700 the collector
#: walks them dozens of times (~10 ms of a 40 ms request) only to find no cycles, and reference
#: counting frees them all once the answer is sent. Cyclic garbage waits a little longer: bounded.
YOUNG_THRESHOLD = 50_000


def post_worker_init(worker: Any) -> None:
    # Collect first, so that start-up garbage is freed rather than frozen for good.
    gc.collect()
    gc.freeze()
    _young, middle, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, oldest)
