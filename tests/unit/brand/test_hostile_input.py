"""Input crafted to stall the checker: Markdown parsing must stay linear in the text's length.

Each case is timed at n and 4n characters; linear work takes about 4 times as long, quadratic
work 16 times. The test compares that ratio (best of a few runs), never a fixed time, so a slow
machine does not fail it and a quadratic regression does.
"""

from __future__ import annotations

import gc
import time

import pytest

from planner.brand.engine import build_config, check_text

CONFIG = build_config({"S.R": "extends: existence\nmessage: x\ntokens: [foo]\n"}, based_on=["Vale"])

#: A ratio above this means the work grows faster than linearly (4 = linear, 16 = quadratic).
MAX_RATIO = 10.0

UNITS = [
    "<",
    "[a](",
    "![a](",
    "[",
    "[a]",
    "<!--",
    "<http:",
    "`",
    "``a`",
    "www.",
    "a@",
    "*",
    "_",
    "](",
    "[](<",
    "<a>",
    '<p class="x">',
    "<li>a",
    "**a** ",
]


def _best_times(small: str, large: str) -> tuple[float, float]:
    # Runs of both sizes interleaved, the best of each kept, with the garbage collector paused:
    # a burst of load on a shared machine then hits both sizes alike and drops out of the ratio.
    best = [float("inf"), float("inf")]
    gc.collect()
    gc.disable()
    try:
        for _ in range(3):
            for index, text in enumerate((small, large)):
                started = time.perf_counter()
                check_text(text, markdown=True, config=CONFIG)
                best[index] = min(best[index], time.perf_counter() - started)
    finally:
        gc.enable()
    return best[0], best[1]


@pytest.mark.parametrize("unit", UNITS)
def test_markdown_check_time_grows_linearly(unit):
    n = 60_000
    ratios = []
    for _ in range(3):  # a quadratic case fails every attempt; a noisy machine not all three
        small, large = _best_times(unit * (n // len(unit)), unit * (4 * n // len(unit)))
        # Below a few milliseconds the ratio is noise; such a case is linear enough anyway.
        if large < 0.005 or large / max(small, 1e-4) < MAX_RATIO:
            return
        ratios.append(round(large / small, 1))
    pytest.fail(f"{unit!r}: 4x the input took {ratios}x the time")


def test_the_reported_stall_inputs_are_checked():
    # The two inputs from the report: each used to take tens of seconds.
    for text in ("<" * 70_000, "[a](" * 17_500):
        assert check_text(text, markdown=True, config=CONFIG) is not None
