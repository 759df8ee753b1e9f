"""A fake OAuth 2 authorization server that also vouches for the tokens it issued.

Follows RFC 6749 (authorization code grant §4.1, refresh §6, error responses §5.2, client
authentication §2.3.1 by HTTP Basic or by body parameters) and RFC 7636 (PKCE with S256: the
challenge is BASE64URL(SHA256(verifier)) without padding, checked here independently of the
client's library). Meta's variants are served too: the long-lived token exchange
(GET /access_token?grant_type=th_exchange_token|ig_exchange_token) and refresh
(GET /refresh_access_token?grant_type=th_refresh_token|ig_refresh_token), as in
developers.facebook.com/docs/threads/get-started/long-lived-tokens.

The authorize endpoint approves at once (the person's click is the browser test's business) and
redirects with 302 to the registered redirect URI. Resource fakes ask `is_valid(token)`.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from tests.fakes.server import FakeApp, Reply, Request, json_reply


def _s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class FakeAuthorizationServer(FakeApp):
    client_id = "contentfabriek-app"
    client_secret = "s3cr3t-not-in-the-repo"
    redirect_uri = "https://planner.example.nl/channels/oauth/callback"

    def __init__(
        self,
        *,
        client_auth: str = "client_secret_post",
        require_pkce: bool = True,
        expires_in: int = 7200,
        rotate_refresh_tokens: bool = True,
        clock: Any = None,
    ) -> None:
        super().__init__()
        self.client_auth = client_auth
        self.require_pkce = require_pkce
        self.expires_in = expires_in
        self.rotate_refresh_tokens = rotate_refresh_tokens
        self.clock = clock or (lambda: datetime.now(UTC))
        self.codes: dict[str, dict[str, Any]] = {}
        self.access: dict[str, datetime] = {}  # token -> expiry
        self.refresh: dict[str, bool] = {}
        self.counter = itertools.count(1)
        self.deny_next = False
        self.client_auth_seen: list[str] = []

    # -- what resource fakes ask ------------------------------------------------------------

    def is_valid(self, token: str | None) -> bool:
        with self.lock:
            expiry = self.access.get(token or "")
            return expiry is not None and expiry > self.clock()

    def expire(self, token: str) -> None:
        with self.lock:
            self.access[token] = self.clock() - timedelta(seconds=1)

    def revoke_refresh_tokens(self) -> None:
        with self.lock:
            for token in self.refresh:
                self.refresh[token] = False

    # -- routes -----------------------------------------------------------------------------

    def handle(self, request: Request) -> Reply:
        with self.lock:
            if request.method == "GET" and request.path == "/authorize":
                return self._authorize(request)
            if request.method == "POST" and request.path == "/token":
                return self._token(request)
            if request.method == "GET" and request.path in (
                "/access_token",
                "/refresh_access_token",
            ):
                return self._meta(request)
            if request.method == "GET" and request.path == "/token":
                return self._facebook_exchange(request)
        return json_reply(404, {"error": "not_found"})

    def _authorize(self, request: Request) -> Reply:
        query = request.query
        if query.get("client_id") != self.client_id or query.get("redirect_uri") != (
            self.redirect_uri
        ):
            # §4.1.2.1: never redirect to an unverified URI; tell the person instead.
            return Reply(400, {"Content-Type": "text/plain"}, b"unknown client or redirect_uri")
        state = query.get("state")
        if self.deny_next:
            self.deny_next = False
            target = {"error": "access_denied", "state": state}
            return Reply(302, {"Location": f"{self.redirect_uri}?{urlencode(target)}"})
        if query.get("response_type") != "code" or not state:
            target = {"error": "invalid_request", "state": state or ""}
            return Reply(302, {"Location": f"{self.redirect_uri}?{urlencode(target)}"})
        challenge = query.get("code_challenge")
        if self.require_pkce and (not challenge or query.get("code_challenge_method") != "S256"):
            target = {"error": "invalid_request", "state": state}
            return Reply(302, {"Location": f"{self.redirect_uri}?{urlencode(target)}"})
        code = f"code-{next(self.counter)}"
        self.codes[code] = {
            "challenge": challenge,
            "redirect_uri": query["redirect_uri"],
            "scope": query.get("scope", ""),
        }
        target = {"code": code, "state": state}
        return Reply(302, {"Location": f"{self.redirect_uri}?{urlencode(target)}"})

    def _client_ok(self, request: Request, form: dict[str, str]) -> bool:
        header = request.headers.get("authorization", "")
        if header.startswith("Basic "):
            self.client_auth_seen.append("client_secret_basic")
            pair = base64.b64decode(header[6:]).decode()
            return self.client_auth == "client_secret_basic" and pair == (
                f"{self.client_id}:{self.client_secret}"
            )
        self.client_auth_seen.append("client_secret_post")
        return (
            self.client_auth == "client_secret_post"
            and form.get("client_id") == self.client_id
            and form.get("client_secret") == self.client_secret
        )

    def _issue(self, scope: str) -> dict[str, Any]:
        number = next(self.counter)
        access, refresh = f"at-{number}", f"rt-{number}"
        self.access[access] = self.clock() + timedelta(seconds=self.expires_in)
        self.refresh[refresh] = True
        return {
            "access_token": access,
            "token_type": "bearer",
            "expires_in": self.expires_in,
            "refresh_token": refresh,
            "scope": scope,
        }

    def _token(self, request: Request) -> Reply:
        form = request.form()
        if not self._client_ok(request, form):
            return json_reply(401, {"error": "invalid_client"}, {"WWW-Authenticate": "Basic"})
        grant = form.get("grant_type")
        if grant == "authorization_code":
            issued = self.codes.pop(form.get("code", ""), None)  # a code is used once
            if issued is None or issued["redirect_uri"] != form.get("redirect_uri"):
                return json_reply(400, {"error": "invalid_grant"})
            if (
                issued["challenge"] is not None
                and _s256(form.get("code_verifier", "")) != issued["challenge"]
            ):
                return json_reply(
                    400, {"error": "invalid_grant", "error_description": "PKCE verification failed"}
                )
            return json_reply(200, self._issue(issued["scope"]))
        if grant == "refresh_token":
            token = form.get("refresh_token", "")
            if not self.refresh.get(token):
                return json_reply(
                    400, {"error": "invalid_grant", "error_description": "refresh token revoked"}
                )
            issued_tokens = self._issue("tweet.read tweet.write")
            if self.rotate_refresh_tokens:
                self.refresh[token] = False
            else:
                issued_tokens.pop("refresh_token")
            return json_reply(200, issued_tokens)
        return json_reply(400, {"error": "unsupported_grant_type"})

    def _facebook_exchange(self, request: Request) -> Reply:
        """Facebook's long-lived user token: GET /oauth/access_token?grant_type=fb_exchange_token
        &client_id&client_secret&fb_exchange_token (developers.facebook.com/docs/facebook-login/
        guides/access-tokens/get-long-lived); about 60 days, no refresh token."""
        query = request.query
        if query.get("grant_type") != "fb_exchange_token":
            return json_reply(400, {"error": {"message": "Unsupported grant_type", "code": 100}})
        if (query.get("client_id"), query.get("client_secret")) != (
            self.client_id,
            self.client_secret,
        ):
            return json_reply(
                400, {"error": {"message": "Error validating client secret.", "code": 1}}
            )
        if not self.is_valid(query.get("fb_exchange_token")):
            return json_reply(
                400,
                {
                    "error": {
                        "message": "Invalid OAuth access token.",
                        "type": "OAuthException",
                        "code": 190,
                    }
                },
            )
        number = next(self.counter)
        access, lifetime = f"fb-long-{number}", 60 * 24 * 3600
        self.access[access] = self.clock() + timedelta(seconds=lifetime)
        return json_reply(
            200, {"access_token": access, "token_type": "bearer", "expires_in": lifetime}
        )

    def _meta(self, request: Request) -> Reply:
        query = request.query
        token = query.get("access_token", "")
        if not self.is_valid(token):
            return json_reply(
                400,
                {
                    "error": {
                        "message": "Error validating access token: Session has expired",
                        "type": "OAuthException",
                        "code": 190,
                        "error_subcode": 463,
                    }
                },
            )
        grant = query.get("grant_type")
        if request.path == "/access_token" and grant in ("th_exchange_token", "ig_exchange_token"):
            if query.get("client_secret") != self.client_secret:
                return json_reply(400, {"error": {"message": "bad secret", "code": 101}})
        elif request.path != "/refresh_access_token" or grant not in (
            "th_refresh_token",
            "ig_refresh_token",
        ):
            return json_reply(400, {"error": {"message": "Unsupported grant_type", "code": 100}})
        number = next(self.counter)
        access = f"long-{number}"
        lifetime = 60 * 24 * 3600
        self.access[access] = self.clock() + timedelta(seconds=lifetime)
        return json_reply(
            200, {"access_token": access, "token_type": "bearer", "expires_in": lifetime}
        )
