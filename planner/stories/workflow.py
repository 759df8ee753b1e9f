"""Which status a story may move to next: a pure rule, shared by the services and the pages.

Declining is possible until the story is told; a declined story can be reopened as new.
"""

from __future__ import annotations

from planner.stories.models import StoryStatus

_NEXT: dict[StoryStatus, tuple[StoryStatus, ...]] = {
    StoryStatus.NEW: (StoryStatus.ACCEPTED, StoryStatus.DECLINED),
    StoryStatus.ACCEPTED: (StoryStatus.IN_PRODUCTION, StoryStatus.DECLINED, StoryStatus.NEW),
    StoryStatus.IN_PRODUCTION: (StoryStatus.TOLD, StoryStatus.ACCEPTED, StoryStatus.DECLINED),
    StoryStatus.TOLD: (StoryStatus.IN_PRODUCTION,),
    StoryStatus.DECLINED: (StoryStatus.NEW,),
}


def next_statuses(status: StoryStatus) -> tuple[StoryStatus, ...]:
    return _NEXT[status]


def can_move(current: StoryStatus, target: StoryStatus) -> bool:
    return target in _NEXT[current]
