"""The collaborators ``create_app`` picked, reachable by type from views, the API and the jobs.

Services never reach for these: they take a session, a clock or a storage as arguments. The edges
(a view, a CLI command, a scheduler task) ask here, so a misspelt extension key cannot hide a
missing collaborator and mypy sees what each one is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import Flask, current_app
from sqlalchemy.orm import Session, sessionmaker

from planner.clock import Clock
from planner.config import Settings
from planner.media.storage import Storage

_KEY = "planner.runtime"


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    clock: Clock
    session_factory: sessionmaker[Session]
    storage: Storage


def install(app: Flask, runtime: Runtime) -> None:
    app.extensions[_KEY] = runtime


def get(app: Flask | None = None) -> Runtime:
    """The runtime of ``app``, or of the application handling the current request or command."""
    runtime: Runtime = (app or current_app).extensions[_KEY]
    return runtime


def settings(app: Flask | None = None) -> Settings:
    return get(app).settings


def clock(app: Flask | None = None) -> Clock:
    return get(app).clock


def now() -> datetime:
    return get().clock.now()


def storage(app: Flask | None = None) -> Storage:
    return get(app).storage


def session_factory(app: Flask | None = None) -> sessionmaker[Session]:
    return get(app).session_factory


def base_url() -> str:
    """The public address links that leave the application start with, without a slash."""
    return get().settings.base_url.rstrip("/")
