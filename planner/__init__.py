"""Contentfabriek: the editorial planner for organisations that work as content factories.

``create_app`` is the one composition root: it reads settings, binds the database, picks the
concrete adapters (clock, storage, publishers, mail), then calls each feature's ``init_app`` from
the bottom of the house up. Importing any module of this package does nothing else.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from planner.config import Settings, load_settings

if TYPE_CHECKING:
    # Flask is imported where an app is built, so `planner check` (the brand checker other
    # organisations run in their CI) starts without loading the web stack.
    from flask import Flask

PACKAGE_ROOT = Path(__file__).resolve().parent


def _shipped(folder: str) -> Path:
    """A top-level folder of the repository (templates, static, migrations).

    An installed wheel carries it inside the package as `_<folder>` (see setup.py); a checkout,
    and an editable install of one, has it beside the package.
    """
    installed = PACKAGE_ROOT / f"_{folder}"
    return installed if installed.is_dir() else PACKAGE_ROOT.parent / folder


TEMPLATES_DIR = _shipped("templates")
STATIC_DIR = _shipped("static")
MIGRATIONS_DIR = _shipped("migrations")
TRANSLATIONS_DIR = PACKAGE_ROOT / "translations"


def create_app(config: Settings | dict[str, Any] | None = None) -> Flask:
    """Build the application.

    ``config`` is None (read ``PLANNER_*`` from the environment), a ``Settings``, or a dict of
    overrides for the environment's settings. ``Settings.extra`` may carry ready-made
    collaborators for tests: ``session_factory``, ``clock``, ``storage``, ``publishers``,
    ``notifier``.
    """
    from planner import (
        accounts,
        api,
        approval,
        blog,
        brand,
        channels,
        effect,
        fragments,
        home,
        inbox,
        jobs,
        live,
        notifications,
        organisation,
        publishing,
        scheduling,
        stories,
    )
    from planner.accounts.services import authenticate_token
    from planner.blog.services import BlogPublisher
    from planner.clock import SystemClock
    from planner.db import make_engine, make_sessionmaker
    from planner.jobs.tasks import worker_name
    from planner.media.storage import FileSystemStorage
    from planner.organisation import current as current_organisation
    from planner.publishing import connections, renewal
    from planner.publishing.notify import OwnerNotifications, SmtpNotifier
    from planner.publishing.oauth import OAuthClient
    from planner.publishing.registry import PublisherRegistry
    from planner.publishing.runtime import Publishing
    from planner.publishing.secrets import SecretBox
    from planner.web import (
        auth,
        database,
        errors,
        extensions,
        headers,
        i18n,
        input_guard,
        json_input,
        runtime,
        shell,
    )

    settings = config if isinstance(config, Settings) else _settings(config)
    app = _flask(settings)

    # The kernel's collaborators: tests hand in their own through Settings.extra.
    factory = settings.extra.get("session_factory") or make_sessionmaker(
        make_engine(settings.database_url)
    )
    runtime.install(
        app,
        runtime.Runtime(
            settings=settings,
            clock=settings.extra.get("clock") or SystemClock(),
            session_factory=factory,
            storage=settings.extra.get("storage") or FileSystemStorage(settings.media_dir),
        ),
    )

    # Plumbing every page shares (the headers first: after-request hooks run last-in first-out).
    headers.init_app(app)
    json_input.init_app(app)
    database.init_app(app, on_commit_error=errors.commit_refused)
    extensions.csrf.init_app(app)
    extensions.limiter.init_app(app)
    auth.init_app(app)
    i18n.init_app(app, timezone_selector=current_organisation.timezone)
    shell.init_app(app)
    errors.init_app(app)
    input_guard.init_app(app)

    # Outbound adapters: publishers (credentials decrypted with a key derived from the secret
    # key) and, only with an SMTP relay, e-mail to a fragment's owner when a delivery needs them.
    box = SecretBox(settings.secret_key)
    clock = runtime.clock(app)

    def oauth_clients(platform: str) -> OAuthClient | None:
        return connections.client_for(
            platform,
            settings.oauth_apps,
            base_url=settings.base_url,
            allow_loopback=settings.allow_loopback_targets,
        )

    registry = settings.extra.get("publishers") or PublisherRegistry(
        box, allow_loopback=settings.allow_loopback_targets
    )
    # Channels connected with OAuth renew their tokens under a claim and store them encrypted.
    if registry.token_sources is None:
        registry.token_sources = renewal.token_sources(
            factory, box, oauth_clients, worker_name, clock.now
        )
    notifier = settings.extra.get("notifier")
    if notifier is None and settings.smtp_host:
        sender = settings.smtp_from or f"planner@{settings.smtp_host}"
        notifier = SmtpNotifier(settings.smtp_host, settings.smtp_port, sender)
    publishing_collaborators = Publishing(
        secret_box=box,
        publishers=registry,
        notify_attention=OwnerNotifications(app, notifier) if notifier is not None else None,
        local_publishers={"blog": BlogPublisher()},
        oauth_clients=oauth_clients,
    )

    # Features, from the bottom of the house up; each adds its pages, API operations and panels.
    accounts.init_app(app)
    organisation.init_app(app)
    live.init_app(app)
    notifications.init_app(app)
    home.init_app(app)
    channels.init_app(app)
    stories.init_app(app)
    brand.init_app(app)
    fragments.init_app(app)
    approval.init_app(app)
    publishing.init_app(app, publishing_collaborators)
    blog.init_app(app)
    scheduling.init_app(app)
    inbox.init_app(app)
    effect.init_app(app)
    jobs.init_app(app)
    api.init_app(app, authenticate=authenticate_token)
    connect_reactions()

    if settings.embedded_scheduler:
        from planner.jobs.runner import start_embedded

        start_embedded(app)
    return app


def connect_reactions() -> None:
    """Connect the features' reactions to the signals of the features below them (blinker
    signals are process-wide, and connecting twice is harmless)."""
    from planner.inbox import alerts
    from planner.publishing import withdrawal
    from planner.scheduling import planning

    planning.connect_reactions()
    alerts.connect_reactions()
    withdrawal.connect_reactions()


def _settings(overrides: dict[str, Any] | None) -> Settings:
    settings = load_settings()
    return settings.with_overrides(**overrides) if overrides else settings


def _flask(settings: Settings) -> Flask:
    from flask import Flask

    app = Flask(
        __name__,
        instance_path=str(settings.instance_path),
        template_folder=str(TEMPLATES_DIR),
        static_folder=str(STATIC_DIR),
        static_url_path="/static",  # Flask would name it after the folder: /_static when installed
    )
    app.config.update(
        SECRET_KEY=settings.secret_key,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=settings.secure_cookies,
        # Weeks, not Flask-Login's year; the server ends it sooner (planner.accounts.sessions).
        REMEMBER_COOKIE_DURATION=timedelta(days=30),
        PERMANENT_SESSION_LIFETIME=timedelta(hours=12),
        MAX_CONTENT_LENGTH=32 * 1024 * 1024,
        WTF_CSRF_TIME_LIMIT=None,
        BABEL_DEFAULT_LOCALE=settings.default_language,
        BABEL_DEFAULT_TIMEZONE="UTC",
        BABEL_TRANSLATION_DIRECTORIES=str(TRANSLATIONS_DIR),
        RATELIMIT_STORAGE_URI=settings.ratelimit_storage_uri,
        RATELIMIT_ENABLED=settings.ratelimit_enabled,
        RATELIMIT_HEADERS_ENABLED=True,
        TESTING=settings.testing,
    )
    return app
