"""The app's registration per platform comes from the environment only, and an app without its
id and secret cannot be connected (issue 16, item 3: "the app's client id and secret are
settings, never in the repository")."""

from __future__ import annotations

from planner.config import load_settings
from planner.publishing.connections import CALLBACK_PATH, client_for


def test_oauth_apps_are_read_per_platform_from_the_environment(tmp_path) -> None:
    settings = load_settings(
        {
            "PLANNER_INSTANCE_PATH": str(tmp_path),
            "PLANNER_SECRET_KEY": "k" * 40,
            "PLANNER_BASE_URL": "https://planner.zuiderhaven.nl/",
            "PLANNER_OAUTH_X_CLIENT_ID": "x-id",
            "PLANNER_OAUTH_X_CLIENT_SECRET": "x-secret",
            "PLANNER_OAUTH_LINKEDIN_CLIENT_ID": "only-an-id",
            "PLANNER_OAUTH_THREADS_TOKEN_URL": "  ",
        }
    )
    assert settings.oauth_apps == {
        "x": {"client_id": "x-id", "client_secret": "x-secret"},
        "linkedin": {"client_id": "only-an-id"},
    }
    client = client_for("x", settings.oauth_apps, base_url=settings.base_url, allow_loopback=False)
    assert client is not None
    assert client.config.redirect_uri == f"https://planner.zuiderhaven.nl{CALLBACK_PATH}"
    assert client.config.endpoints.authorize_url == "https://x.com/i/oauth2/authorize"
    # Without its secret, or without anything, a platform is not connectable.
    for platform in ("linkedin", "instagram", "threads", "mastodon"):
        assert client_for(platform, settings.oauth_apps, base_url="", allow_loopback=False) is None


def test_a_test_server_or_proxy_replaces_the_platforms_addresses() -> None:
    apps = {
        "instagram": {
            "client_id": "ig",
            "client_secret": "s",
            "token_url": "http://127.0.0.1:9/token",
            "refresh_url": "http://127.0.0.1:9/refresh_access_token",
        }
    }
    client = client_for("instagram", apps, base_url="http://localhost", allow_loopback=True)
    assert client is not None
    endpoints = client.config.endpoints
    assert endpoints.token_url == "http://127.0.0.1:9/token"
    assert endpoints.refresh_url == "http://127.0.0.1:9/refresh_access_token"
    assert endpoints.authorize_url == "https://www.instagram.com/oauth/authorize"  # kept
    assert endpoints.refresh == "ig_refresh_token"
