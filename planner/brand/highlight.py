"""Mark findings in the text they were found in, so an editor sees where each one sits.

Pure: the alerts carry code-point offsets into the checked text; overlapping matches are merged
into one mark carrying the most serious level.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

from planner.brand.engine import Alert
from planner.brand.engine.alerts import level_rank


def highlight(text: str, alerts: Sequence[Alert]) -> Markup:
    """`text` escaped, with each finding's match wrapped in <mark class="hl hl--level">."""
    spans = sorted(
        (a.start, a.end, a.severity, a.message) for a in alerts if 0 <= a.start < a.end <= len(text)
    )
    merged: list[tuple[int, int, str, str]] = []
    for start, end, level, message in spans:
        if merged and start < merged[-1][1]:
            s0, e0, l0, m0 = merged[-1]
            worst = level if level_rank(level) > level_rank(l0) else l0
            merged[-1] = (s0, max(e0, end), worst, f"{m0} {message}")
        else:
            merged.append((start, end, level, message))
    out: list[Markup] = []
    cursor = 0
    for start, end, level, message in merged:
        out.append(escape(text[cursor:start]))
        out.append(
            Markup('<mark class="hl hl--{}" title="{}">{}</mark>').format(
                level, message, text[start:end]
            )
        )
        cursor = end
    out.append(escape(text[cursor:]))
    return Markup("").join(out)
