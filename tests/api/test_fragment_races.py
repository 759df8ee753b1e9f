"""Two saves of the same version at the same moment (issue 12, item 5), through the API of an app
on a committed database, with a connection per request: one 200 and one 409, never a 500.

PostgreSQL used to answer one of them with 500 (a unique violation on the revision number); the
fragment row is now locked before a save reads its version (planner.fragments.services
.lock_for_change), as SQLite's write lock already did.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from planner import create_app, migrate
from planner.accounts.models import Role
from planner.accounts.services import create_token, create_user
from planner.db import transaction
from planner.fragments import services as fragment_services
from planner.web import runtime
from tests.conftest import PASSWORD, fresh_database_url, make_settings
from tests.factories import channel, story

TRIES = 10


@pytest.fixture
def committed_app(backend: str, tmp_path: Path) -> Iterator[Flask]:
    url = fresh_database_url(backend, tmp_path, "saves")
    migrate.upgrade(url)
    app = create_app(make_settings(tmp_path, database_url=url))
    yield app
    runtime.session_factory(app).kw["bind"].dispose()


def test_two_saves_of_one_version_give_one_200_and_one_409(committed_app: Flask) -> None:
    factory = runtime.session_factory(committed_app)
    with transaction(factory) as session:
        editor = create_user(
            session, None, email="e@example.org", name="Eva", role=Role.EDITOR, password=PASSWORD
        )
        token = create_token(session, None, editor, "race")
        target = channel(session, editor)
        ids = [
            fragment_services.split_story(session, editor, story(session), [target.id])[0].id
            for _ in range(TRIES)
        ]
    auth = {"Authorization": f"Bearer {token}"}
    for fragment_id in ids:
        barrier = threading.Barrier(2, timeout=10)
        statuses: list[int] = []

        def save(
            text: str,
            fragment_id: int = fragment_id,
            barrier: threading.Barrier = barrier,
            statuses: list[int] = statuses,
        ) -> None:
            client = committed_app.test_client()
            barrier.wait()
            response = client.patch(
                f"/api/v1/fragments/{fragment_id}",
                json={"version": 1, "parts": [text]},
                headers=auth,
            )
            statuses.append(response.status_code)

        threads = [
            threading.Thread(target=save, args=(text,))
            for text in ("Eerste versie van Eva.", "Tweede versie van Eva.")
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(20)
        assert sorted(statuses) == [200, 409]
        client = committed_app.test_client()
        saved = client.get(f"/api/v1/fragments/{fragment_id}", headers=auth).get_json()
        assert saved["version"] == 2
