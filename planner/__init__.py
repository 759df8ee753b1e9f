"""Contentfabriek: the editorial planner for organisations that work as content factories.

``create_app`` is the one composition root: it reads settings, binds the database, picks the
concrete adapters (clock, storage, publishers), and registers blueprints, error handlers, filters
and commands. Importing any module of this package does nothing else.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Flask


def create_app(config: Any = None) -> Flask:
    """Build the application.

    ``config`` is None (read ``PLANNER_*`` from the environment), a ``Settings``, or a dict of
    overrides for the environment's settings. ``Settings.extra`` may carry ready-made
    collaborators for tests: ``session_factory``, ``clock``, ``storage``.
    """
    from pathlib import Path

    from planner.clock import SystemClock
    from planner.config import Settings, load_settings
    from planner.db import make_engine, make_sessionmaker
    from planner.web import database, extensions

    if isinstance(config, Settings):
        settings = config
    else:
        settings = load_settings()
        if config:
            settings = settings.with_overrides(**config)

    root = Path(__file__).resolve().parent.parent
    app = Flask(
        __name__,
        instance_path=str(settings.instance_path),
        template_folder=str(root / "templates"),
        static_folder=str(root / "static"),
    )
    app.config.update(
        SECRET_KEY=settings.secret_key,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=settings.secure_cookies,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=12),
        MAX_CONTENT_LENGTH=32 * 1024 * 1024,
        WTF_CSRF_TIME_LIMIT=None,
        BABEL_DEFAULT_LOCALE=settings.default_language,
        BABEL_DEFAULT_TIMEZONE="UTC",
        BABEL_TRANSLATION_DIRECTORIES=str(Path(__file__).resolve().parent / "translations"),
        RATELIMIT_STORAGE_URI=settings.ratelimit_storage_uri,
        RATELIMIT_ENABLED=settings.ratelimit_enabled,
        RATELIMIT_HEADERS_ENABLED=True,
        TESTING=settings.testing,
    )
    app.extensions["planner.settings"] = settings
    app.extensions["planner.clock"] = settings.extra.get("clock") or SystemClock()

    factory = settings.extra.get("session_factory")
    if factory is None:
        engine = make_engine(settings.database_url)
        app.extensions["planner.engine"] = engine
        factory = make_sessionmaker(engine)
    database.init_app(app, factory)

    app.extensions["planner.storage"] = settings.extra.get("storage") or _filesystem_storage(
        settings.media_dir
    )

    # Publishing: the registry builds each channel's publisher (credentials decrypted with a key
    # derived from the secret key); the scheduler's tick calls publish_due.
    from planner.publishing.registry import PublisherRegistry
    from planner.publishing.secrets import SecretBox
    from planner.publishing.services import publish_due

    app.extensions["planner.secret_box"] = SecretBox(settings.secret_key)
    app.extensions["planner.publishers"] = settings.extra.get("publishers") or PublisherRegistry(
        app.extensions["planner.secret_box"], allow_loopback=settings.allow_loopback_targets
    )
    app.extensions["planner.publish_due"] = publish_due
    # E-mail to a fragment's owner when a delivery needs a person; only with an SMTP relay.
    notifier = settings.extra.get("notifier")
    if notifier is None and settings.smtp_host:
        from planner.publishing.notify import SmtpNotifier

        sender = settings.smtp_from or f"planner@{settings.smtp_host}"
        notifier = SmtpNotifier(settings.smtp_host, settings.smtp_port, sender)
    if notifier is not None:
        from planner.publishing.notify import OwnerNotifications

        app.extensions["planner.notify_attention"] = OwnerNotifications(app, notifier)

    extensions.csrf.init_app(app)
    extensions.limiter.init_app(app)

    from planner.web import auth, i18n, shell

    auth.init_app(app)
    i18n.init_app(app)
    shell.init_app(app)

    from planner.web import errors

    errors.init_app(app)

    from planner.accounts.views import bp as accounts_bp
    from planner.api import init_app as init_api
    from planner.audit.views import bp as audit_bp
    from planner.organisation.views import bp as organisation_bp
    from planner.web.views import bp as web_bp

    app.register_blueprint(web_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(audit_bp)
    app.register_blueprint(organisation_bp)
    for blueprint in _feature_blueprints():
        app.register_blueprint(blueprint)
    init_api(app)

    if settings.embedded_scheduler:
        from planner.jobs.runner import start_embedded

        start_embedded(app)
    return app


def _filesystem_storage(root: Any) -> Any:
    try:
        from planner.media.storage import FileSystemStorage
    except ModuleNotFoundError:  # media feature not installed yet
        return None
    return FileSystemStorage(root)


def _feature_blueprints() -> list[Any]:
    """Blueprints of the features (stories, fragments, brand, calendar, publishing)."""
    import importlib

    found = []
    for module in (
        "planner.stories.views",
        "planner.channels.views",
        "planner.fragments.views",
        "planner.brand.views",
        "planner.scheduling.views",
        "planner.publishing.views",
    ):
        try:
            found.append(importlib.import_module(module).bp)
        except ModuleNotFoundError as exc:
            # A feature not built yet simply has no pages; any other import error is a bug.
            if exc.name != module:
                raise
    return found
