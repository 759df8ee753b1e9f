"""Drafting throughput: fragments per second for 1,000 stories across every channel kind.

Prints the time against a baseline measured in the same run (a naive draft that only strips the
Markdown and truncates to the limit), so the ratio stays comparable across machines.

Run: .venv/bin/python bench/bench_drafting.py [stories]
"""

from __future__ import annotations

import random
import sys
import time
from dataclasses import replace

from planner.channels.catalogue import ChannelKind, all_kinds
from planner.demo.content import ORG_SETTINGS, story_inputs
from planner.fragments.plaintext import markdown_paragraphs
from planner.fragments.splitting import StoryInput, draft

_EXTRAS = [
    "Kijk voor meer informatie op zuiderhaven.nl. 🙂",
    "De wethouder is er ook bij! 👍🏽",
    "Meer weten? Bel 14 0123 of mail naar info@zuiderhaven.nl.",
    "Het project duurt tot de zomer en kost ongeveer 120.000 euro.",
    "Ook inwoners uit 🇳🇱 en daarbuiten zijn welkom: 欢迎.",
]


def make_stories(count: int, seed: int = 7) -> list[StoryInput]:
    """Variations on the demo stories: shuffled paragraphs and extra sentences, all unique."""
    rng = random.Random(seed)
    base = story_inputs()
    stories = []
    for number in range(count):
        source = base[number % len(base)]
        blocks = source.body.split("\n\n")
        head, rest = blocks[0], blocks[1:]
        rng.shuffle(rest)
        extra = " ".join(rng.sample(_EXTRAS, k=rng.randint(1, 3)))
        body = "\n\n".join([head, *rest, f"{extra} (versie {number})"])
        stories.append(replace(source, id=number, title=f"{source.title} ({number})", body=body))
    return stories


def naive_draft(story: StoryInput, kind: ChannelKind) -> str:
    """The baseline: plain text of the story, cut to the limit by code points."""
    text = " ".join(
        sentence
        for paragraph in markdown_paragraphs(story.body)
        for sentence in paragraph.sentences
    )
    return text if kind.text_limit is None else text[: kind.text_limit]


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    stories = make_stories(count)
    jobs = [(kind, fragment_kind) for kind in all_kinds() for fragment_kind in kind.fragment_kinds]
    draft(stories[0], "x", org=ORG_SETTINGS)  # warm up: loads the X counting tables once

    started = time.perf_counter()
    for story in stories:
        for kind, _ in jobs:
            naive_draft(story, kind)
    baseline = time.perf_counter() - started

    started = time.perf_counter()
    fragments = 0
    for story in stories:
        for kind, fragment_kind in jobs:
            draft(story, kind.key, fragment_kind=fragment_kind, org=ORG_SETTINGS)
            fragments += 1
    elapsed = time.perf_counter() - started

    print(f"stories: {count}, fragments: {fragments} ({len(jobs)} channel/fragment kinds)")
    print(f"draft:    {elapsed:8.3f} s  {fragments / elapsed:10.1f} fragments/s")
    print(f"baseline: {baseline:8.3f} s  {fragments / baseline:10.1f} fragments/s (naive truncate)")
    print(f"ratio:    {elapsed / baseline:8.1f} x the naive baseline")


if __name__ == "__main__":
    main()
