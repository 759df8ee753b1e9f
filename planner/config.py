"""Settings, read once from ``PLANNER_*`` environment variables with safe defaults.

Secrets come only from the environment or from files under ``instance/`` (never from the
repository): an unset ``PLANNER_SECRET_KEY`` is generated once into ``instance/secret_key``.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_INSTANCE = Path(os.getcwd()) / "instance"


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    instance_path: Path
    database_url: str
    secret_key: str
    timezone: str = "Europe/Amsterdam"
    media_dir: Path = field(default_factory=lambda: DEFAULT_INSTANCE / "media")
    default_language: str = "nl"
    languages: tuple[str, ...] = ("nl", "en")
    #: Secure cookies need https; on by default outside local development.
    secure_cookies: bool = False
    ratelimit_storage_uri: str = "memory://"
    ratelimit_enabled: bool = True
    signin_rate_limit: str = "10 per minute"
    intake_rate_limit: str = "5 per hour"
    #: Only for tests and local set-ups: lets publishers talk to 127.0.0.1.
    allow_loopback_targets: bool = False
    #: Start the APScheduler clock inside the web process (``make run`` only).
    embedded_scheduler: bool = False
    scheduler_interval_seconds: float = 5.0
    #: publishing engine (docs/publishing.md): overdue deliveries older than the grace period after
    #: downtime become "missed" instead of going out late; a claim's lease outlives any adapter
    #: timeout, so only a dead or hung process loses it
    publish_grace_minutes: float = 15.0
    publish_lease_seconds: float = 300.0
    #: a publisher holding claims beats this often; five missed beats and a live publisher
    #: reclaims its rows (with the same idempotency key) instead of waiting for the lease
    publish_heartbeat_seconds: float = 1.0
    publish_max_attempts: int = 8
    #: outbound requests one publisher process makes at the same time
    publish_concurrency: int = 8
    base_url: str = "http://127.0.0.1:5000"
    #: the effect (planner.effect): when reactions are read after publication ("1h,24h,7d,30d"),
    #: and how often a process writes the clicks it counted (0: at every click)
    effect_snapshot_after: str = "1h,24h,7d,30d"
    click_flush_seconds: float = 1.0
    #: e-mail to a fragment's owner when its delivery fails, is missed or needs checking; off
    #: while smtp_host is empty
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_from: str = ""
    #: the app's registration per platform, from PLANNER_OAUTH_<PLATFORM>_<FIELD> (CLIENT_ID,
    #: CLIENT_SECRET, and for a test server or proxy AUTHORIZE_URL, TOKEN_URL, REFRESH_URL,
    #: LONG_LIVED_URL and API_URL); a platform without a client id cannot be connected
    oauth_apps: dict[str, dict[str, str]] = field(default_factory=dict)
    testing: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def with_overrides(self, **changes: Any) -> Settings:
        return replace(self, **changes)


def _secret_key(instance_path: Path) -> str:
    from_env = os.environ.get("PLANNER_SECRET_KEY")
    if from_env:
        return from_env
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text(encoding="utf-8").strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    # Create with 0600 so the key is readable only by the service account.
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key)
    return key


def validate_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"Unknown timezone {name!r} in PLANNER_TIMEZONE") from exc
    return name


def load_settings(env: dict[str, str] | None = None) -> Settings:
    """Build settings from the environment (``env`` defaults to ``os.environ``)."""
    source = os.environ if env is None else env
    instance_path = Path(source.get("PLANNER_INSTANCE_PATH", str(DEFAULT_INSTANCE))).resolve()
    database_url = source.get("PLANNER_DATABASE_URL") or f"sqlite:///{instance_path / 'planner.db'}"
    media_dir = Path(source.get("PLANNER_MEDIA_DIR", str(instance_path / "media")))
    return Settings(
        instance_path=instance_path,
        database_url=database_url,
        secret_key=_secret_key(instance_path),
        timezone=validate_timezone(source.get("PLANNER_TIMEZONE", "Europe/Amsterdam")),
        media_dir=media_dir,
        secure_cookies=_bool(source.get("PLANNER_SECURE_COOKIES"), default=False),
        ratelimit_storage_uri=source.get("PLANNER_RATELIMIT_STORAGE_URI", "memory://"),
        allow_loopback_targets=_bool(source.get("PLANNER_ALLOW_LOOPBACK_TARGETS")),
        embedded_scheduler=_bool(source.get("PLANNER_EMBEDDED_SCHEDULER")),
        base_url=source.get("PLANNER_BASE_URL", "http://127.0.0.1:5000"),
        scheduler_interval_seconds=float(source.get("PLANNER_SCHEDULER_INTERVAL") or 5.0),
        publish_grace_minutes=float(source.get("PLANNER_PUBLISH_GRACE_MINUTES") or 15.0),
        publish_lease_seconds=float(source.get("PLANNER_PUBLISH_LEASE_SECONDS") or 300.0),
        publish_heartbeat_seconds=float(source.get("PLANNER_PUBLISH_HEARTBEAT_SECONDS") or 1.0),
        publish_max_attempts=int(source.get("PLANNER_PUBLISH_MAX_ATTEMPTS") or 8),
        publish_concurrency=int(source.get("PLANNER_PUBLISH_CONCURRENCY") or 8),
        smtp_host=source.get("PLANNER_SMTP_HOST", "").strip(),
        smtp_port=int(source.get("PLANNER_SMTP_PORT") or 25),
        smtp_from=source.get("PLANNER_SMTP_FROM", "").strip(),
        effect_snapshot_after=source.get("PLANNER_EFFECT_SNAPSHOTS") or "1h,24h,7d,30d",
        click_flush_seconds=float(source.get("PLANNER_CLICK_FLUSH_SECONDS") or 1.0),
        oauth_apps=_oauth_apps(source),
    )


OAUTH_PLATFORMS = ("x", "linkedin", "facebook", "instagram", "threads")
_OAUTH_FIELDS: tuple[str, ...] = ("client_id", "client_secret", "authorize_url", "token_url")
_OAUTH_FIELDS += ("refresh_url", "long_lived_url", "api_url")


def _oauth_apps(source: Mapping[str, str]) -> dict[str, dict[str, str]]:
    """PLANNER_OAUTH_X_CLIENT_ID=... → {"x": {"client_id": ...}}; empty values are left out."""
    apps: dict[str, dict[str, str]] = {}
    for platform in OAUTH_PLATFORMS:
        values = {
            name: source.get(f"PLANNER_OAUTH_{platform.upper()}_{name.upper()}", "").strip()
            for name in _OAUTH_FIELDS
        }
        values = {name: value for name, value in values.items() if value}
        if values:
            apps[platform] = values
    return apps
