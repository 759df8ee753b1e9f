"""The OAuth connect round trip: "Verbinden" on a channel's publishing page sends the admin to
the platform, and the platform sends them back here with a code.

The attempt (state, PKCE verifier, channel, account) is kept in the admin's own session and used
once: a callback without a matching attempt, with another state, or with an error from the
platform ends on the channel's page with the reason, and nothing is stored. The protocol is
planner.publishing.oauth; storing and renewing the token is planner.publishing.connections.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from werkzeug.wrappers import Response

from planner.accounts.guards import admin_required, current_actor
from planner.errors import ValidationError
from planner.publishing import connections
from planner.publishing import runtime as publishing_runtime
from planner.publishing.forms import ConnectForm
from planner.publishing.oauth import OAuthClient, OAuthError
from planner.web import runtime
from planner.web.database import db_session

bp = Blueprint("connections", __name__)

_ATTEMPT = "oauth_connect"
#: an attempt older than this is refused on return (the platform's own codes live minutes)
ATTEMPT_SECONDS = 15 * 60


def authorize_origin(client: OAuthClient | None) -> str | None:
    """The platform's sign-in address the publishing page's form may be sent to (its CSP)."""
    if client is None:
        return None
    parts = urlsplit(client.config.endpoints.authorize_url)
    return f"{parts.scheme}://{parts.netloc}"


def _channel_page(channel_id: int) -> Response:
    return redirect(url_for("publishing.channel_publishing", channel_id=channel_id))


@bp.post("/channels/<int:channel_id>/connect")
@admin_required
def connect(channel_id: int) -> Response:
    from planner.channels import services as channel_services

    channel = channel_services.get_channel(db_session(), current_actor(), channel_id)
    platform = connections.platform_of(channel)
    client = publishing_runtime.get().oauth_clients(platform) if platform else None
    form = ConnectForm(prefix="connect")
    if not form.validate_on_submit():
        flash(_("The form had expired; try again."), "error")
        return _channel_page(channel_id)
    if platform is None or client is None:
        flash(_("This platform's app is not set up yet; see the README."), "error")
        return _channel_page(channel_id)
    try:
        attempt = connections.begin(
            current_actor(), channel, client, account_id=form.account_id.data
        )
    except ValidationError as exc:
        flash(_(exc.message), "error")
        return _channel_page(channel_id)
    session[_ATTEMPT] = {
        "state": attempt.request.state,
        "verifier": attempt.request.code_verifier,
        "channel_id": channel.id,
        "platform": platform,
        "account_id": attempt.account_id,
        "started": time.time(),
    }
    return redirect(attempt.request.url, code=303)


@bp.get("/channels/oauth/callback")
@admin_required
def callback() -> Response:
    from planner.channels import services as channel_services

    attempt: dict[str, Any] | None = session.pop(_ATTEMPT, None)
    if not attempt or time.time() - float(attempt.get("started", 0)) > ATTEMPT_SECONDS:
        flash(_("This connection attempt has expired or was already used; start again."), "error")
        return redirect(url_for("publishing.publishers"))
    channel_id = int(attempt["channel_id"])
    db = db_session()
    actor = current_actor()
    channel = channel_services.get_channel(db, actor, channel_id)
    platform = str(attempt["platform"])
    client = publishing_runtime.get().oauth_clients(platform)
    if client is None:
        flash(_("This platform's app is not set up yet; see the README."), "error")
        return _channel_page(channel_id)
    if request.args.get("error"):
        flash(_("The platform did not grant access: %(reason)s", reason=_reason()), "error")
        return _channel_page(channel_id)
    api_url = runtime.settings().oauth_apps.get(platform, {}).get("api_url")
    try:
        token = client.exchange_code(
            request.url, expected_state=attempt["state"], code_verifier=attempt.get("verifier")
        )
        if platform == "facebook":
            token = connections.facebook_page_token(
                token, client, attempt["account_id"], graph_url=api_url
            )
    except OAuthError as exc:
        flash(_("Connecting failed: %(reason)s", reason=exc.message), "error")
        return _channel_page(channel_id)
    now = runtime.clock().now()
    released = connections.finish(
        db,
        actor,
        channel,
        platform,
        token,
        publishing_runtime.secret_box(),
        now,
        account_id=attempt.get("account_id") or None,
        api_url=api_url,
    )
    message = _("%(name)s is connected.", name=channel.name)
    if released:
        message += " " + ngettext(
            "%(num)d waiting post goes out now.", "%(num)d waiting posts go out now.", released
        )
    flash(message, "success")
    return _channel_page(channel_id)


def _reason() -> str:
    text = request.args.get("error_description") or request.args.get("error") or ""
    return text[:200]
