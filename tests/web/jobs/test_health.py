"""/healthz reports the database and the scheduler's heartbeat."""

from __future__ import annotations

from datetime import timedelta

from planner.jobs.runner import run_once


def test_healthz_reports_database_and_missing_scheduler(client) -> None:
    body = client.get("/healthz").get_json()
    assert body["database"] == "ok"
    assert body["scheduler"]["last_heartbeat"] is None


def test_healthz_shows_heartbeat_after_tick_and_stale_later(app, client, clock) -> None:
    run_once(app)
    body = client.get("/healthz").get_json()
    assert body["scheduler"]["status"] == "ok"
    assert body["scheduler"]["last_heartbeat"] == clock.now().isoformat()
    clock.advance(timedelta(minutes=10))
    assert client.get("/healthz").get_json()["scheduler"]["status"] == "stale"
