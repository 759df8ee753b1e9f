"""The six Reach platforms at once (Bluesky, Facebook, Instagram, LinkedIn, Threads, X), each its
own fake on 127.0.0.1, for the tests and benchmarks that send to all of them together: the
publisher settings an admin would enter to point a channel at each, and one count of what the
platforms stored, matched to what was planned, so lost and duplicated posts are counted where
they land rather than in our own database.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field

from planner.publishing.publisher_settings import PublisherInput
from tests.fakes.bluesky import FakeBluesky
from tests.fakes.linkedin import FakeLinkedIn
from tests.fakes.meta import FakeFacebookPage, FakeInstagram, FakeThreads
from tests.fakes.server import FakeApp, Published, serving
from tests.fakes.x import FakeX

KINDS = ("bluesky", "facebook", "instagram", "linkedin", "threads", "x")
#: the platforms whose posts can be threads (reply chains)
THREADING = ("bluesky", "threads", "x")


@dataclass
class Platforms:
    bluesky: FakeBluesky
    facebook: FakeFacebookPage
    instagram: FakeInstagram
    linkedin: FakeLinkedIn
    threads: FakeThreads
    x: FakeX

    def by_kind(self) -> dict[str, FakeApp]:
        return {kind: getattr(self, kind) for kind in KINDS}

    def slow_down(self, seconds: float) -> None:
        """Every answer waits this long after the platform did the work."""
        for fake in self.by_kind().values():
            fake.delay = seconds

    def publisher_input(self, kind: str, *, approval_steps: int = 0) -> PublisherInput:
        """What an admin enters on the channel page (or sends to the API) for this platform,
        with the fake's address as the base URL and a static token as the secret."""
        if kind == "bluesky":
            return PublisherInput(
                kind="bluesky",
                url=self.bluesky.url,
                username=self.bluesky.account_handle,
                secret=self.bluesky.password,
                approval_steps=approval_steps,
            )
        url, account, token = {
            "facebook": (f"{self.facebook.url}/v21.0", self.facebook.page_id, self.facebook.token),
            "instagram": (
                f"{self.instagram.url}/v21.0",
                self.instagram.ig_user_id,
                self.instagram.token,
            ),
            "threads": (f"{self.threads.url}/v1.0", self.threads.user_id, self.threads.token),
            "linkedin": (
                self.linkedin.url,
                self.linkedin.organization.rsplit(":", 1)[1],
                self.linkedin.token,
            ),
            "x": (self.x.url, self.x.user_id, self.x.token),
        }[kind]
        return PublisherInput(
            kind=kind, url=url, account_id=account, secret=token, approval_steps=approval_steps
        )

    def published(self) -> list[tuple[str, Published]]:
        """Every post the platforms stored, with the platform it is on."""
        found = []
        for kind, fake in self.by_kind().items():
            with fake.lock:
                found.extend((kind, post) for post in fake.published)
        return found


@contextmanager
def running_platforms() -> Iterator[Platforms]:
    """All six on 127.0.0.1. Media containers are ready at the first look (no waiting between
    polls) and the Graph hosts download image URLs over HTTP, as the platforms do."""
    with ExitStack() as stack:
        platforms = Platforms(
            bluesky=stack.enter_context(serving(FakeBluesky())),
            facebook=stack.enter_context(serving(FakeFacebookPage())),
            instagram=stack.enter_context(serving(FakeInstagram())),
            linkedin=stack.enter_context(serving(FakeLinkedIn())),
            threads=stack.enter_context(serving(FakeThreads())),
            x=stack.enter_context(serving(FakeX())),
        )
        for graph in (platforms.instagram, platforms.threads):
            graph.processing_polls = 0
            graph.crawl = True
        yield platforms


@dataclass(frozen=True)
class Planned:
    """One delivery as the platform should show it: a post, or a thread's parts in order."""

    delivery_id: int
    kind: str
    parts: tuple[str, ...]
    photos: int = 0


@dataclass
class Count:
    """What arrived, against what was planned."""

    planned: int
    #: planned posts (a thread's parts each count) that no platform shows
    lost: int
    #: extra copies of planned posts
    duplicated: int
    #: posts the platforms show that nobody planned
    strays: int
    #: seconds from each delivery's due time to its first post's arrival
    lateness: list[float] = field(default_factory=list)
    #: extra copies per platform, and planned posts missing per platform
    duplicated_on: Counter[str] = field(default_factory=Counter)
    lost_on: Counter[str] = field(default_factory=Counter)

    def quantile(self, fraction: float) -> float:
        if not self.lateness:
            return float("nan")
        if len(self.lateness) == 1:
            return self.lateness[0]
        cuts = statistics.quantiles(self.lateness, n=100, method="inclusive")
        return cuts[max(0, min(98, round(fraction * 100) - 1))]


def count_posts(
    platforms: Platforms, planned: Sequence[Planned], due: Mapping[int, float]
) -> Count:
    """Match the platforms' posts to the plan by platform and text (every planned text is unique
    per platform): a text seen twice is a duplicate, a planned one never seen is lost."""
    seen: Counter[tuple[str, str]] = Counter()
    first: dict[tuple[str, str], float] = {}
    for kind, post in platforms.published():
        key = (kind, post.text)
        seen[key] += 1
        first[key] = min(first.get(key, post.at), post.at)
    expected = {(p.kind, part) for p in planned for part in p.parts}
    lateness = [
        first[(p.kind, p.parts[0])] - due[p.delivery_id]
        for p in planned
        if (p.kind, p.parts[0]) in first and p.delivery_id in due
    ]
    duplicated_on: Counter[str] = Counter()
    lost_on: Counter[str] = Counter()
    for kind, text in expected:
        if seen[(kind, text)] > 1:
            duplicated_on[kind] += seen[(kind, text)] - 1
        elif not seen[(kind, text)]:
            lost_on[kind] += 1
    return Count(
        planned=len(expected),
        lost=lost_on.total(),
        duplicated=duplicated_on.total(),
        strays=sum(n for key, n in seen.items() if key not in expected),
        lateness=sorted(lateness),
        duplicated_on=duplicated_on,
        lost_on=lost_on,
    )
