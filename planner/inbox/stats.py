"""Percentiles for the response-time report, on plain numbers.

The report gives the median and the 90th percentile of first-response times; both are the
nearest-rank percentile (the smallest value with at least p % of the values at or below it), so
every figure shown is a response time that really happened.
"""

from __future__ import annotations

import math
from collections.abc import Sequence


def percentile(values: Sequence[float], p: float) -> float | None:
    """Nearest-rank percentile of ``values`` (None when empty); ``p`` between 0 and 100."""
    if not 0 <= p <= 100:
        raise ValueError("a percentile lies between 0 and 100")
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def median(values: Sequence[float]) -> float | None:
    return percentile(values, 50)
