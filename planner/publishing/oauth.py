"""Connecting a channel with OAuth 2: the authorization code flow with PKCE and state, the code
exchange, and keeping the access token fresh.

No Flask here: the channel page (the lead's) keeps the `AuthorizationRequest`'s state and code
verifier in the person's session, sends them to `url`, and on the way back hands the callback URL
to `OAuthClient.exchange_code`. Authlib provides the protocol pieces (PKCE S256, the grant URI,
state checking, token request bodies, client authentication); the HTTP goes through
planner.publishing.outbound like every other outbound request, so tests can aim it at a fake
authorization server on 127.0.0.1 and production never at an internal address.

`TokenKeeper` is what an adapter receives (the AccessTokenSource port): it refreshes a token a
few minutes before it expires, or when the platform calls it expired, and hands every new token
to a callback so the caller can store it encrypted.
"""

from __future__ import annotations

import json
import ssl
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, Protocol
from urllib.parse import urlencode

from authlib.common.security import generate_token
from authlib.oauth2 import OAuth2Error
from authlib.oauth2.auth import ClientAuth
from authlib.oauth2.rfc6749.parameters import (
    parse_authorization_code_response,
    prepare_grant_uri,
    prepare_token_request,
)
from authlib.oauth2.rfc7636 import create_s256_code_challenge

from planner.errors import PlannerError
from planner.publishing.outbound import (
    OutboundURLRefusedError,
    Resolver,
    Response,
    safe_request,
    system_resolver,
)
from planner.publishing.ports import (
    PublishError,
    ReconnectRequiredError,
    TransientPublishError,
)

TokenAuth = Literal["client_secret_basic", "client_secret_post"]
#: how a platform renews an access token: the RFC 6749 refresh grant, Meta's long-lived token
#: refresh (GET with the token itself), or not at all (the token must be reconnected)
RefreshStyle = Literal["refresh_token", "th_refresh_token", "ig_refresh_token", "none"]


class OAuthError(PlannerError):
    """Connecting failed; the message says why, for the admin who tried."""

    code = "oauth-error"


@dataclass(frozen=True)
class OAuthEndpoints:
    """One platform's authorization server, as its documentation describes it."""

    authorize_url: str
    token_url: str
    scopes: tuple[str, ...]
    token_auth: TokenAuth = "client_secret_post"  # noqa: S105 (a method name, not a secret)
    #: whether the platform takes code_challenge (S256) and code_verifier
    pkce: bool = True
    scope_separator: str = " "
    refresh: RefreshStyle = "refresh_token"
    #: Meta's long-lived token refresh endpoint, for the th_/ig_refresh_token styles
    refresh_url: str | None = None
    #: Meta: the code gives a one-hour token, exchanged at once for a long-lived one (60 days)
    long_lived_url: str | None = None
    long_lived_grant: str | None = None
    extra_authorize_params: Mapping[str, str] = field(default_factory=dict)


#: The platforms' documented endpoints. Tests and self-hosted setups pass their own.
PLATFORM_ENDPOINTS: Mapping[str, OAuthEndpoints] = {
    # docs.x.com/fundamentals/authentication/oauth-2-0/authorization-code
    "x": OAuthEndpoints(
        authorize_url="https://x.com/i/oauth2/authorize",
        token_url="https://api.x.com/2/oauth2/token",  # noqa: S106
        scopes=("tweet.read", "tweet.write", "users.read", "media.write", "offline.access"),
        token_auth="client_secret_basic",  # noqa: S106
    ),
    # learn.microsoft.com/linkedin/shared/authentication/authorization-code-flow
    # (PKCE is LinkedIn's separate native-app flow; web apps use the client secret)
    "linkedin": OAuthEndpoints(
        authorize_url="https://www.linkedin.com/oauth/v2/authorization",
        token_url="https://www.linkedin.com/oauth/v2/accessToken",  # noqa: S106
        scopes=("w_organization_social", "r_organization_social"),
        pkce=False,
    ),
    # developers.facebook.com/docs/facebook-login/guides/advanced/manual-flow
    "facebook": OAuthEndpoints(
        authorize_url="https://www.facebook.com/v21.0/dialog/oauth",
        token_url="https://graph.facebook.com/v21.0/oauth/access_token",  # noqa: S106
        scopes=("pages_show_list", "pages_manage_posts", "pages_read_engagement"),
        scope_separator=",",
        refresh="none",
    ),
    # developers.facebook.com/docs/instagram-platform/instagram-api-with-instagram-login
    "instagram": OAuthEndpoints(
        authorize_url="https://www.instagram.com/oauth/authorize",
        token_url="https://api.instagram.com/oauth/access_token",  # noqa: S106
        scopes=("instagram_business_basic", "instagram_business_content_publish"),
        scope_separator=",",
        pkce=False,
        refresh="ig_refresh_token",
        refresh_url="https://graph.instagram.com/refresh_access_token",
        long_lived_url="https://graph.instagram.com/access_token",
        long_lived_grant="ig_exchange_token",
    ),
    # developers.facebook.com/docs/threads/get-started/get-access-tokens-and-permissions
    "threads": OAuthEndpoints(
        authorize_url="https://threads.net/oauth/authorize",
        token_url="https://graph.threads.net/oauth/access_token",  # noqa: S106
        scopes=("threads_basic", "threads_content_publish", "threads_read_replies"),
        scope_separator=",",
        pkce=False,
        refresh="th_refresh_token",
        refresh_url="https://graph.threads.net/refresh_access_token",
        long_lived_url="https://graph.threads.net/access_token",
        long_lived_grant="th_exchange_token",
    ),
}


@dataclass(frozen=True)
class OAuthClientConfig:
    """The app's registration on a platform; the id and secret come from settings, never code."""

    client_id: str
    client_secret: str
    redirect_uri: str
    endpoints: OAuthEndpoints
    timeout: float = 15.0
    allow_loopback: bool = False


@dataclass(frozen=True)
class AuthorizationRequest:
    """Where to send the admin, and what to keep (server-side, per person) until they return."""

    url: str
    state: str
    code_verifier: str | None


@dataclass(frozen=True)
class TokenSet:
    """An access token and what renews it; `to_json` is what gets encrypted into the channel."""

    access_token: str
    token_type: str = "bearer"  # noqa: S105 (RFC 6749 token type)
    refresh_token: str | None = None
    expires_at: datetime | None = None
    scope: str | None = None
    #: extra fields the platform returned (user_id, refresh_token_expires_in ...)
    extra: Mapping[str, Any] = field(default_factory=dict)

    def expires_within(self, seconds: float, now: datetime) -> bool:
        return self.expires_at is not None and self.expires_at - now <= timedelta(seconds=seconds)

    def to_json(self) -> str:
        return json.dumps(
            {
                "access_token": self.access_token,
                "token_type": self.token_type,
                "refresh_token": self.refresh_token,
                "expires_at": self.expires_at.isoformat() if self.expires_at else None,
                "scope": self.scope,
                "extra": dict(self.extra),
            }
        )

    @classmethod
    def from_json(cls, text: str) -> TokenSet:
        data = json.loads(text)
        expires = data.get("expires_at")
        return cls(
            access_token=data["access_token"],
            token_type=data.get("token_type") or "bearer",
            refresh_token=data.get("refresh_token"),
            expires_at=datetime.fromisoformat(expires) if expires else None,
            scope=data.get("scope"),
            extra=data.get("extra") or {},
        )


def _utcnow() -> datetime:
    return datetime.now(UTC)


_KNOWN = {"access_token", "token_type", "refresh_token", "expires_in", "scope"}


class OAuthClient:
    """The app's side of one platform's OAuth 2 authorization server."""

    def __init__(
        self,
        config: OAuthClientConfig,
        *,
        clock: Callable[[], datetime] = _utcnow,
        resolver: Resolver = system_resolver,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.config = config
        self._clock = clock
        self._resolver = resolver
        self._ssl_context = ssl_context

    # -- step 1: send the admin to the platform --------------------------------------------------

    def authorization_request(self, *, state: str | None = None) -> AuthorizationRequest:
        endpoints = self.config.endpoints
        state = state or generate_token(32)
        params: dict[str, Any] = {
            "redirect_uri": self.config.redirect_uri,
            "scope": endpoints.scope_separator.join(endpoints.scopes),
            **endpoints.extra_authorize_params,
        }
        verifier = None
        if endpoints.pkce:
            # RFC 7636: 43-128 characters from the unreserved set; 64 random ones here.
            verifier = generate_token(64)
            params["code_challenge"] = create_s256_code_challenge(verifier)
            params["code_challenge_method"] = "S256"
        url = prepare_grant_uri(
            endpoints.authorize_url,
            client_id=self.config.client_id,
            response_type="code",
            state=state,
            **params,
        )
        return AuthorizationRequest(url=url, state=state, code_verifier=verifier)

    # -- step 2: the admin came back --------------------------------------------------------------

    def exchange_code(
        self, callback_url: str, *, expected_state: str, code_verifier: str | None
    ) -> TokenSet:
        """Check the callback's state, then trade its code for tokens.

        An `error` in the callback (the admin said no), a missing code or a state that is not
        the one this person was sent off with all end here with an OAuthError.
        """
        try:
            params = parse_authorization_code_response(callback_url, state=expected_state)
        except OAuth2Error as exc:
            raise OAuthError(
                "The platform's answer did not match this connection attempt; start again.",
                reason=exc.error,
            ) from exc
        fields: dict[str, Any] = {
            "code": params["code"],
            "redirect_uri": self.config.redirect_uri,
        }
        if code_verifier is not None:
            fields["code_verifier"] = code_verifier
        token = self._token_request(prepare_token_request("authorization_code", **fields))
        endpoints = self.config.endpoints
        if endpoints.long_lived_url and endpoints.long_lived_grant:
            query = urlencode(
                {
                    "grant_type": endpoints.long_lived_grant,
                    "client_secret": self.config.client_secret,
                    "access_token": token.access_token,
                }
            )
            long_lived = self._token_from(
                self._send("GET", f"{endpoints.long_lived_url}?{query}", None, {})
            )
            # The exchange answers only the token; keep what the code exchange said (user_id).
            token = replace(long_lived, extra={**token.extra, **long_lived.extra})
        return token

    # -- afterwards: keep it fresh ----------------------------------------------------------------

    def can_refresh(self, token: TokenSet) -> bool:
        """Whether this token can be renewed without the person (a refresh token, or Meta's
        long-lived refresh); otherwise someone connects again before it ends."""
        refresh = self.config.endpoints.refresh
        if refresh == "none":
            return False
        return refresh != "refresh_token" or bool(token.refresh_token)

    def refresh(self, token: TokenSet) -> TokenSet:
        """A new token set, or ReconnectRequiredError when the platform will not renew it."""
        endpoints = self.config.endpoints
        if endpoints.refresh == "none":
            raise ReconnectRequiredError(
                "This platform's access cannot be renewed automatically; connect it again."
            )
        try:
            if endpoints.refresh == "refresh_token":
                if not token.refresh_token:
                    raise ReconnectRequiredError(
                        "No refresh token was granted for this channel; connect it again."
                    )
                body = prepare_token_request("refresh_token", refresh_token=token.refresh_token)
                renewed = self._token_request(body)
                if renewed.refresh_token is None:
                    # RFC 6749 §6: the server may keep the old refresh token valid.
                    renewed = replace(renewed, refresh_token=token.refresh_token)
                return renewed
            # Meta: a long-lived token renews itself by GET with the token as the credential.
            query = urlencode({"grant_type": endpoints.refresh, "access_token": token.access_token})
            response = self._send("GET", f"{endpoints.refresh_url}?{query}", None, {})
            return self._token_from(response)
        except OAuthError as exc:
            status = exc.details.get("status")
            if exc.details.get("unreachable") or (
                isinstance(status, int) and (status >= 500 or status == 429)
            ):
                # The platform was down or busy: the grant itself may be fine, try again later.
                raise TransientPublishError(
                    f"The channel's access could not be renewed just now: {exc.message}"
                ) from exc
            raise ReconnectRequiredError(
                f"The channel's access could not be renewed: {exc.message} Connect it again.",
                **exc.details,
            ) from exc

    # -- plumbing ---------------------------------------------------------------------------------

    def _send(
        self, method: str, url: str, body: bytes | None, headers: Mapping[str, str]
    ) -> Response:
        try:
            return safe_request(
                method,
                url,
                headers={"Accept": "application/json", **headers},
                body=body,
                timeout=self.config.timeout,
                allow_loopback=self.config.allow_loopback,
                resolver=self._resolver,
                ssl_context=self._ssl_context,
            )
        except OutboundURLRefusedError as exc:
            raise OAuthError(exc.message) from exc
        except PublishError as exc:
            # Token requests are safe to repeat; the caller decides whether to try again.
            raise OAuthError(
                f"The platform could not be reached: {exc.message}", unreachable=True
            ) from exc

    def _token_request(self, body: str) -> TokenSet:
        config = self.config
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        auth = ClientAuth(config.client_id, config.client_secret, config.endpoints.token_auth)
        url, signed_headers, signed_body = auth.prepare(
            "POST", config.endpoints.token_url, headers, body
        )
        response = self._send("POST", url, signed_body.encode("utf-8"), signed_headers)
        return self._token_from(response)

    def _token_from(self, response: Response) -> TokenSet:
        try:
            document = json.loads(response.body)
        except ValueError:
            document = None
        if not isinstance(document, dict):
            raise OAuthError(
                f"The platform answered {response.status} without a readable token.",
                status=response.status,
            )
        if response.status >= 400 or "error" in document or "access_token" not in document:
            error = document.get("error")
            if isinstance(error, dict):  # Meta's Graph error envelope
                reason = str(error.get("message") or error.get("type") or "error")
            else:
                reason = str(document.get("error_description") or error or "no access token")
            raise OAuthError(
                f"The platform refused: {reason}.", status=response.status, reason=reason
            )
        expires_in = document.get("expires_in")
        expires_at = None
        if isinstance(expires_in, int | float) and not isinstance(expires_in, bool):
            expires_at = self._clock() + timedelta(seconds=float(expires_in))
        scope = document.get("scope")
        return TokenSet(
            access_token=str(document["access_token"]),
            token_type=str(document.get("token_type") or "bearer"),
            refresh_token=document.get("refresh_token"),
            expires_at=expires_at,
            scope=scope if isinstance(scope, str) else None,
            extra={k: v for k, v in document.items() if k not in _KNOWN},
        )


class Renewer(Protocol):
    """What renews a token set: the OAuthClient itself, or a wrapper that first takes the
    channel's renewal claim and stores the result (planner.publishing.connections)."""

    def refresh(self, token: TokenSet) -> TokenSet: ...


class TokenKeeper:
    """Hands adapters a valid access token and renews it in time (the AccessTokenSource port).

    `leeway` seconds before expiry the token counts as expired, so a post never leaves with a
    token that dies on the way. Every renewed token goes to `on_refresh` before it is used: the
    caller stores it (encrypted) so the next process starts from it, because a refresh token is
    often single-use. A refresh that fails raises ReconnectRequiredError.
    """

    def __init__(
        self,
        client: Renewer,
        token: TokenSet,
        *,
        on_refresh: Callable[[TokenSet], None],
        leeway: float = 300.0,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        self.client = client
        self.token = token
        self._on_refresh = on_refresh
        self._leeway = leeway
        self._clock = clock
        self._lock = threading.Lock()

    def _renew(self) -> str:
        renewed = self.client.refresh(self.token)
        self._on_refresh(renewed)
        self.token = renewed
        return renewed.access_token

    def access_token(self) -> str:
        with self._lock:
            if self.token.expires_within(self._leeway, self._clock()):
                return self._renew()
            return self.token.access_token

    def refreshed(self, rejected: str) -> str:
        with self._lock:
            if self.token.access_token != rejected:
                return self.token.access_token  # renewed meanwhile by another call
            return self._renew()
