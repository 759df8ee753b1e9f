"""The scheduler clock runs once per process and never in the reloader's watcher process."""

from __future__ import annotations

import pytest

from planner.jobs import runner


@pytest.mark.parametrize(
    ("use_reloader", "run_main", "expected"),
    [(None, None, True), ("1", None, False), ("1", "true", True)],
)
def test_should_start_embedded_skips_reloader_parent(
    monkeypatch: pytest.MonkeyPatch, use_reloader, run_main, expected
) -> None:
    for name, value in (("PLANNER_USE_RELOADER", use_reloader), ("WERKZEUG_RUN_MAIN", run_main)):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    assert runner.should_start_embedded() is expected


def test_start_embedded_twice_starts_one_scheduler(app, monkeypatch) -> None:
    monkeypatch.delenv("PLANNER_USE_RELOADER", raising=False)
    # The tick itself is tested below; here only the clock matters, and a tick on another thread
    # must not share the test's database connection.
    monkeypatch.setattr(runner.tasks, "tick", lambda *args, **kwargs: None)
    first = runner.start_embedded(app)
    try:
        assert first is not None
        assert first.running
        assert runner.start_embedded(app) is None
        assert [job.id for job in first.get_jobs()] == ["tick"]
    finally:
        first.shutdown(wait=True)


def test_tick_twice_keeps_one_heartbeat_row(app, db, clock) -> None:
    from datetime import timedelta

    from sqlalchemy import func, select

    from planner.jobs.models import SchedulerHeartbeat

    runner.run_once(app)
    clock.advance(timedelta(seconds=5))
    runner.run_once(app)
    assert db.scalar(select(func.count()).select_from(SchedulerHeartbeat)) == 1
    assert db.scalar(select(SchedulerHeartbeat.beat_at)) == clock.now()
