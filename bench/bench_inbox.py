"""The inbox list with 100,000 messages (20,000 conversations, SQLite): p99 of the first page of
GET /api/v1/inbox and of a filtered page (mail, state "new"), each against a minimal endpoint in
the same app that selects the same rows with one SQLAlchemy statement and returns them as JSON.
Compare the ratios, not the absolute times (docs/performance.md).
Run: .venv/bin/python bench/bench_inbox.py
"""

from __future__ import annotations

import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask import jsonify, request
from sqlalchemy import insert, select

from planner import create_app, migrate
from planner.accounts.models import Role
from planner.accounts.services import create_token, create_user
from planner.config import Settings
from planner.db import make_engine, make_sessionmaker, transaction
from planner.inbox.models import (
    Conversation,
    ConversationState,
    Direction,
    InboxSource,
    Message,
    SourceKind,
)
from planner.web.database import db_session

MESSAGES = 100_000
CONVERSATIONS = 20_000
REQUESTS = 300
STATES = [
    ConversationState.NEW,
    ConversationState.ASSIGNED,
    ConversationState.ANSWERED,
    ConversationState.CLOSED,
]


def _seed(url: str) -> str:
    engine = make_engine(url)
    factory = make_sessionmaker(engine)
    start = datetime(2026, 11, 1, tzinfo=UTC)
    with transaction(factory) as session:
        user = create_user(
            session,
            None,
            email="bench@example.org",
            name="Bench",
            role=Role.EDITOR,
            password="bench-password-123",
        )
        token = create_token(session, user, user, "bench")
        sources = []
        for n, kind in enumerate([SourceKind.MASTODON, SourceKind.MAILBOX, SourceKind.WEBHOOK]):
            source = InboxSource(
                kind=kind, name=f"bron {n}", slug=f"bron-{n}", settings={}, cursor={}
            )
            session.add(source)
            sources.append(source)
        session.flush()
        conv_rows = []
        for i in range(CONVERSATIONS):
            at = start + timedelta(minutes=3 * i)
            conv_rows.append(
                {
                    "id": i + 1,
                    "source_id": sources[i % 3].id,
                    "author_key": f"persoon{i}@voorbeeld.nl",
                    "author_name": f"Persoon {i}",
                    "state": STATES[i % 4],
                    "first_message_at": at,
                    "last_message_at": at + timedelta(minutes=5),
                    "waiting_since": at,
                    "version": 1,
                    "created_at": at,
                }
            )
        session.execute(insert(Conversation), conv_rows)
        msg_rows = []
        for j in range(MESSAGES):
            c = conv_rows[j % CONVERSATIONS]
            msg_rows.append(
                {
                    "conversation_id": c["id"],
                    "source_id": c["source_id"],
                    "direction": Direction.INBOUND,
                    "remote_key": f"k{j}",
                    "body": "Wanneer wordt de stoep in de Kerkstraat gemaakt? " * 2,
                    "received_at": c["first_message_at"] + timedelta(seconds=j // CONVERSATIONS),
                    "references": [],
                    "attachments": [],
                    "created_at": c["first_message_at"],
                }
            )
        session.execute(insert(Message), msg_rows)
    engine.dispose()
    return token


def _p99(client, path: str, token: str) -> float:  # type: ignore[no-untyped-def]
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get(path, headers=headers).status_code == 200
    times = []
    for _ in range(REQUESTS):
        t = time.perf_counter()
        response = client.get(path, headers=headers)
        times.append(time.perf_counter() - t)
        assert response.status_code == 200
    return statistics.quantiles(times, n=100)[98] * 1000


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        migrate.upgrade(url)
        t = time.perf_counter()
        token = _seed(url)
        print(
            f"seeded {MESSAGES:,} messages in {CONVERSATIONS:,} conversations in {time.perf_counter() - t:.1f} s"
        )
        app = create_app(
            Settings(
                instance_path=Path(tmp),
                database_url=url,
                secret_key="bench-" + "k" * 40,
                media_dir=Path(tmp) / "m",
                ratelimit_enabled=False,
            )
        )

        @app.get("/bench/minimal")
        def minimal():  # type: ignore[no-untyped-def]
            query = (
                select(
                    Conversation.id,
                    Conversation.state,
                    Conversation.author_name,
                    Conversation.last_message_at,
                    InboxSource.kind,
                )
                .join(InboxSource, Conversation.source_id == InboxSource.id)
                .order_by(Conversation.last_message_at.desc(), Conversation.id.desc())
                .limit(50)
            )
            if request.args.get("filtered"):
                query = query.where(
                    InboxSource.kind == SourceKind.MAILBOX,
                    Conversation.state == ConversationState.NEW,
                )
            rows = db_session().execute(query).all()
            return jsonify(
                [
                    {
                        "id": r.id,
                        "state": r.state.value,
                        "name": r.author_name,
                        "at": r.last_message_at.isoformat(),
                        "source": r.kind.value,
                    }
                    for r in rows
                ]
            )

        client = app.test_client()
        for label, path, base in (
            ("first page", "/api/v1/inbox", "/bench/minimal"),
            (
                "filtered page",
                "/api/v1/inbox?source=mailbox&state=new",
                "/bench/minimal?filtered=1",
            ),
        ):
            inbox = _p99(client, path, token)
            minimal_ms = _p99(client, base, token)
            print(
                f"{label:14s} p99 {inbox:7.1f} ms   minimal endpoint p99 {minimal_ms:7.1f} ms   ratio {inbox / minimal_ms:4.1f}x"
            )


if __name__ == "__main__":
    main()
