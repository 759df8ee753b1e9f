"""The one declarative base, its column conventions, and engine/session construction.

Instants are stored as UTC and always come back aware (SQLite keeps no zone), enums are stored by
their lowercase value, and every constraint has a predictable name so migrations can refer to it.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Enum, MetaData, create_engine, event
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """An aware UTC instant on every database; naive values are a programming error."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where a UTC instant is required")
        value = value.astimezone(UTC)
        # SQLite stores text; keep it naive-UTC there so string order is time order.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def enum_column(enum_cls: type[enum.Enum], name: str) -> Enum:
    """Store an enum by its value (lowercase words), checked by a named constraint."""
    return Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: dict[Any, Any] = {datetime: UTCDateTime()}


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine with the per-database settings the app relies on."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 10}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)

        # pysqlite's own transaction handling defers BEGIN; take control so that claims can use
        # BEGIN IMMEDIATE (see publishing) and every transaction starts where we say.
        @event.listens_for(engine, "connect")
        def _no_autobegin(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None

        @event.listens_for(engine, "begin")
        def _begin(conn: Any) -> None:
            mode = conn.info.pop("sqlite_begin", "BEGIN")
            conn.exec_driver_sql(mode)

        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A unit of work for CLI commands and jobs: commit on success, roll back on error."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def open_session(factory: sessionmaker[Session], *, write: bool = False) -> Session:
    """A new session; with ``write`` on SQLite, its first statement takes the write lock.

    SQLite's deferred transactions lose read-then-write races: a transaction that read before
    another process committed cannot upgrade to a writer and fails at once with "database is
    locked", whatever the busy timeout. Starting with ``BEGIN IMMEDIATE`` makes such writers wait
    their turn instead. Sessions bound to a connection (the tests' savepoints) and PostgreSQL need
    nothing special. Close it with close_session().
    """
    session = factory()
    if not write:
        return session
    bind = session.get_bind()
    if isinstance(bind, Engine) and bind.dialect.name == "sqlite":
        session.close()
        conn = bind.connect()
        # Read (and cleared) by the "begin" listener in make_engine, for this transaction only.
        conn.info["sqlite_begin"] = "BEGIN IMMEDIATE"
        session = Session(bind=conn, expire_on_commit=False)
        session.info["planner.owned_connection"] = conn
    return session


def close_session(session: Session) -> None:
    session.close()
    conn = session.info.pop("planner.owned_connection", None)
    if conn is not None:
        conn.info.pop("sqlite_begin", None)
        conn.close()


@contextmanager
def write_session(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A committing unit of work that holds SQLite's write lock from its first statement."""
    session = open_session(factory, write=True)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        close_session(session)


def utcnow() -> datetime:
    return datetime.now(UTC)
