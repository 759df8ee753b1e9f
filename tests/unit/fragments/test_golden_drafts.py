"""Golden files pin every demo story's drafts for every channel kind and fragment kind.

Set PLANNER_UPDATE_GOLDEN=1 to rewrite them after an intended change, then review the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from planner.channels.catalogue import all_kinds
from planner.channels.counting import fits
from planner.demo.content import ORG_SETTINGS, STORIES, DemoStory, story_input
from planner.fragments.gate import check_draft
from planner.fragments.splitting import draft

GOLDEN_DIR = Path(__file__).parent / "golden"
UPDATE = os.environ.get("PLANNER_UPDATE_GOLDEN") == "1"


def _drafts_of(story: DemoStory) -> dict[str, dict[str, Any]]:
    source = story_input(story)
    return {
        kind.key: {
            fragment_kind: draft(
                source, kind.key, fragment_kind=fragment_kind, org=ORG_SETTINGS
            ).to_dict()
            for fragment_kind in kind.fragment_kinds
        }
        for kind in all_kinds()
    }


@pytest.mark.parametrize("story", STORIES, ids=lambda story: story.key)
def test_drafts_match_golden_file(story: DemoStory) -> None:
    path = GOLDEN_DIR / f"{story.key}.json"
    actual = _drafts_of(story)
    rendered = json.dumps(actual, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    if UPDATE:
        path.write_text(rendered, encoding="utf-8")
    assert path.exists(), f"missing {path.name}: run with PLANNER_UPDATE_GOLDEN=1"
    expected = json.loads(path.read_text(encoding="utf-8"))
    assert json.loads(rendered) == expected


@pytest.mark.parametrize("story", STORIES, ids=lambda story: story.key)
def test_demo_drafts_fit_their_channels(story: DemoStory) -> None:
    for key, by_fragment in _drafts_of(story).items():
        for fragment_kind, result in by_fragment.items():
            for part in result["parts"]:
                assert fits(part, key), f"{key}/{fragment_kind} does not fit"


@pytest.mark.parametrize("story", STORIES, ids=lambda story: story.key)
def test_drafts_of_plain_demo_stories_do_not_trip_the_b1_indication(story: DemoStory) -> None:
    """The stories read at B1; the drafts made from them must too (the editor did not write them)."""
    tripped = []
    for kind_key, drafts in _drafts_of(story).items():
        for fragment_kind, made in drafts.items():
            if fragment_kind == "article":
                text = "\n\n".join(x for x in (made["title"], made["lead"], made["body"]) if x)
            elif fragment_kind == "video_brief":
                continue
            else:
                text = "\n\n".join(made["parts"])
            markdown = fragment_kind == "article"
            alerts = check_draft(text, kind_key, "nl", markdown=markdown)
            if any(alert.check == "Leesbaarheid.B1" for alert in alerts):
                tripped.append((kind_key, fragment_kind))
    assert tripped == []
