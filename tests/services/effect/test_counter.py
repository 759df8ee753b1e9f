"""The click counter keeps what it counted when the database refuses a write, and writes it once
the database is back, in a real SQLite database (first without its tables, then migrated)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import func, select

from planner import migrate
from planner.db import make_engine, make_sessionmaker
from planner.effect.counting import ClickCounter, classify
from planner.effect.models import ClickCount, ClickKind, TrackedLink


def test_clicks_survive_a_failed_write_and_go_in_at_the_next_flush(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'counter.db'}"
    engine = make_engine(url)
    counter = ClickCounter(make_sessionmaker(engine), interval=3600)
    for _ in range(5):
        counter.add(1, date(2026, 12, 5), "", ClickKind.PERSON)
    assert counter.flush() == 0  # no tables yet: refused, kept
    assert counter.pending() == 5

    migrate.upgrade(url)
    factory = make_sessionmaker(engine)
    with factory.begin() as session:
        session.add(
            TrackedLink(
                id=1,
                code="Abc12345",
                position=0,
                target_url="https://w.example/",
                utm_source="x",
                utm_medium="social",
                utm_content="fragment-1",
            )
        )
    counter.add(1, date(2026, 12, 5), "", ClickKind.PERSON)
    assert counter.flush() == 6
    assert counter.pending() == 0
    with factory() as session:
        assert session.scalar(select(func.sum(ClickCount.clicks))) == 6
    engine.dispose()


def test_classification_looks_at_method_and_agent_only() -> None:
    browser = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0"
    assert classify("GET", browser) == ClickKind.PERSON
    assert classify("GET", browser) == ClickKind.PERSON  # remembered verdict, same answer
    assert classify("HEAD", browser) == ClickKind.HEAD
    assert classify("GET", "Googlebot/2.1 (+http://www.google.com/bot.html)") == ClickKind.BOT
    assert classify("GET", "") == ClickKind.BOT
