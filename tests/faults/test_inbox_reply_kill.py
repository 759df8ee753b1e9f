"""A real `planner scheduler` process killed with SIGKILL while an answer is on its way to
Mastodon, then a second one: the answer reaches the resident once (same Idempotency-Key), and is
archived once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from planner.db import write_session
from planner.inbox import services
from planner.inbox.intake import ensure_mastodon_sources, store_incoming
from planner.inbox.models import Conversation, InboxSource
from planner.inbox.sources import Incoming
from planner.publishing.models import Delivery, DeliveryState, Publication
from tests.factories import APP_SECRET, inbox_editor, mastodon_channel, wait_for
from tests.fakes.mastodon import FakeMastodon
from tests.fakes.server import serving
from tests.services.publishing.conftest import Live

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


@pytest.fixture
def fake_mastodon() -> Iterator[FakeMastodon]:
    with serving(FakeMastodon()) as fake:
        yield fake


def _scheduler(live: Live, tmp: Path, name: str) -> subprocess.Popen[bytes]:
    log = (tmp / f"{name}.log").open("wb")
    return subprocess.Popen(
        [str(Path(sys.executable).with_name("planner")), "scheduler"],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        env={
            **os.environ,
            "PLANNER_DATABASE_URL": live.url,
            "PLANNER_INSTANCE_PATH": str(tmp / name),
            "PLANNER_SECRET_KEY": APP_SECRET,
            "PLANNER_ALLOW_LOOPBACK_TARGETS": "1",
            "PLANNER_PUBLISH_LEASE_SECONDS": "2",
            "PLANNER_SCHEDULER_INTERVAL": "0.2",
        },
    )


def test_sigkill_while_an_answer_is_sent_never_sends_it_twice(
    live: Live, fake_mastodon: FakeMastodon, tmp_path: Path
) -> None:
    now = datetime.now(UTC)
    with write_session(live.factory) as session:
        mastodon_channel(session, fake_mastodon.url)
        person = inbox_editor(session)
        source = ensure_mastodon_sources(session)[0]
        store_incoming(
            session,
            source,
            [
                Incoming(
                    remote_key="status:42",
                    remote_id="42",
                    author_key="@piet@buurt.social",
                    author_name="Piet",
                    author_handle="@piet@buurt.social",
                    body="Klopt het dat de vuilnis niet wordt opgehaald?",
                    received_at=now,
                    visibility="direct",
                )
            ],
            now=now,
        )
        # Nothing to read from the server: park the source's polling for this test.
        session.get(InboxSource, source.id).is_active = False  # type: ignore[union-attr]
        conversation = session.scalars(select(Conversation)).one()
        services.reply(
            session,
            person,
            conversation,
            "Dat klopt niet, we halen gewoon op.",
            now=now,
            timezone="Europe/Amsterdam",
        )
    # The server stores the status, then never answers: the process is mid-send when it dies.
    fake_mastodon.fail_next("/api/v1/statuses", action="hang", after_handling=True)
    first = _scheduler(live, tmp_path, "first")
    try:
        assert wait_for(lambda: len(fake_mastodon.calls("POST", "/api/v1/statuses")) == 1, 60)
        with live.factory() as session:
            assert session.scalars(select(Delivery.state)).one() == DeliveryState.SENDING
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        second = _scheduler(live, tmp_path, "second")
        try:

            def sent() -> bool:
                with live.factory() as session:
                    return session.scalars(select(Delivery.state)).one() == DeliveryState.SENT

            assert wait_for(sent, 60), (tmp_path / "second.log").read_text()
        finally:
            second.kill()
            second.wait(10)
    finally:
        if first.poll() is None:
            first.kill()
            first.wait(10)
    posts = fake_mastodon.calls("POST", "/api/v1/statuses")
    assert len(posts) == 2  # the lost attempt and the one after the lease ran out
    assert posts[0].headers["idempotency-key"] == posts[1].headers["idempotency-key"]
    assert len(fake_mastodon.statuses) == 1  # the resident sees one answer
    assert fake_mastodon.statuses[0]["in_reply_to_id"] == "42"
    assert fake_mastodon.statuses[0]["visibility"] == "direct"
    with live.factory() as session:
        assert session.scalar(select(func.count()).select_from(Publication)) == 1
        delivery = session.scalars(select(Delivery)).one()
        assert delivery.attempt == 2
