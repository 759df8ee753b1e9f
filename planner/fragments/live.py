"""What the editor shows while someone types: each text counted, previewed and checked, as the
gate would check it (gate.check_texts), so the live panel, the API's previews and the approval
page agree with what scheduling will later refuse."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from planner.brand.engine import Alert
from planner.channels.preview import Preview, render_preview
from planner.fragments.gate import check_texts
from planner.fragments.models import Fragment
from planner.fragments.services import MAX_PART_LENGTH, MAX_PARTS


@dataclass(frozen=True, slots=True)
class LivePart:
    """One editable text as the editor sees it while typing: counted, previewed and checked."""

    field: str
    text: str
    preview: Preview | None
    alerts: list[Alert]


def preview_fragment(
    fragment: Fragment,
    *,
    parts: Sequence[str] | None = None,
    body: str | None = None,
    title: str | None = None,
    lead: str | None = None,
    sponsored: bool | None = None,
) -> list[LivePart]:
    """Count, preview and check unsaved text of a fragment; nothing is written.

    The findings come from gate.check_texts, the function the gate and the API use, so the
    editor never says "no findings" about a text the gate refuses.
    """
    kind = fragment.channel.kind_key
    if fragment.kind in ("article", "video_brief"):
        return [
            LivePart(found.field, found.text, None, found.alerts)
            for found in check_texts(
                fragment, title=title, lead=lead, body=body, sponsored=sponsored
            )
        ]
    texts = [text[:MAX_PART_LENGTH] for text in (fragment.parts if parts is None else parts)]
    return [
        LivePart(found.field, found.text, render_preview(found.text, kind), found.alerts)
        for found in check_texts(fragment, parts=texts[:MAX_PARTS], sponsored=sponsored)
    ]
