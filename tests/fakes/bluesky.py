"""A fake Bluesky PDS (personal data server) for one account.

Follows the atproto lexicons com.atproto.server.createSession / refreshSession,
com.atproto.repo.uploadBlob / createRecord / getRecord, com.atproto.identity.resolveHandle and
app.bsky.feed.post (with app.bsky.richtext.facet, app.bsky.embed.images / external and the reply
strong refs), the record-key and TID specs (atproto.com/specs/record-key, /specs/tid), and the
XRPC error envelope {"error": name, "message": text}. An expired access token is answered
400 ExpiredToken, as the reference PDS does (packages/pds/src/auth-verifier.ts); rate limits are
429 RateLimitExceeded with RateLimit-Limit/-Remaining/-Reset/-Policy headers
(packages/xrpc-server/src/rate-limiter-http.ts). Creating a record under a key that exists is
refused with 500 InternalServerError, which is what the reference PDS answers today
(bluesky-social/atproto issue 3718; pull request 4728 proposes a named error instead, which
`duplicate_error` switches to).
"""

from __future__ import annotations

import hashlib
import itertools
from typing import Any

import regex

from tests.fakes.server import FakeApp, Reply, Request, json_reply

TID = regex.compile(r"^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$")


def _error(status: int, name: str, message: str) -> Reply:
    return json_reply(status, {"error": name, "message": message})


def _cid(data: bytes, prefix: str = "bafyrei") -> str:
    return prefix + hashlib.sha256(data).hexdigest()[:52]


class FakeBluesky(FakeApp):
    account_handle = "zuiderhaven.bsky.social"
    did = "did:plc:zuiderhaven0000000000000"
    password = "abcd-efgh-ijkl-mnop"  # an app password's shape
    #: other accounts whose handles resolve
    directory = {"wethouder.bsky.social": "did:plc:wethouder00000000000000000"}

    def __init__(self) -> None:
        super().__init__()
        self.records: dict[str, dict[str, Any]] = {}
        self.blobs: dict[str, dict[str, Any]] = {}
        self.access: dict[str, bool] = {}  # token -> still valid
        self.refresh: dict[str, bool] = {}
        self.logins = 0
        self.refreshes = 0
        self.counter = itertools.count(1)
        #: None: answer a repeated record key like today's PDS (500); a name: 400 with that name
        self.duplicate_error: str | None = None

    # -- helpers the tests use --------------------------------------------------------------

    def expire_access_tokens(self) -> None:
        with self.lock:
            for token in self.access:
                self.access[token] = False

    def expire_refresh_tokens(self) -> None:
        with self.lock:
            for token in self.refresh:
                self.refresh[token] = False

    def posts(self) -> list[dict[str, Any]]:
        return [r for r in self.records.values() if r["collection"] == "app.bsky.feed.post"]

    # -- routes -------------------------------------------------------------------------------

    def handle(self, request: Request) -> Reply:
        method = request.path.removeprefix("/xrpc/")
        with self.lock:
            if method == "com.atproto.server.createSession":
                return self._create_session(request)
            if method == "com.atproto.server.refreshSession":
                return self._refresh_session(request)
            token = request.bearer()
            if token is None:
                return _error(401, "AuthenticationRequired", "Authentication Required")
            if token not in self.access:
                return _error(400, "InvalidToken", "Token could not be verified")
            if not self.access[token]:
                return _error(400, "ExpiredToken", "Token has expired")
            if method == "com.atproto.repo.uploadBlob":
                return self._upload_blob(request)
            if method == "com.atproto.repo.createRecord":
                return self._create_record(request)
            if method == "com.atproto.repo.getRecord":
                return self._get_record(request)
            if method == "com.atproto.identity.resolveHandle":
                handle = request.query.get("handle", "").lower()
                if handle == self.account_handle:
                    return json_reply(200, {"did": self.did})
                if handle in self.directory:
                    return json_reply(200, {"did": self.directory[handle]})
                return _error(400, "InvalidRequest", "Unable to resolve handle")
        return _error(501, "MethodNotImplemented", f"Method Not Implemented: {method}")

    def _issue(self) -> dict[str, Any]:
        number = next(self.counter)
        access, refresh = f"access-{number}", f"refresh-{number}"
        self.access[access] = True
        self.refresh[refresh] = True
        return {
            "accessJwt": access,
            "refreshJwt": refresh,
            "handle": self.account_handle,
            "did": self.did,
            "active": True,
        }

    def _create_session(self, request: Request) -> Reply:
        body = request.json()
        if (
            body.get("identifier") not in (self.account_handle, self.did)
            or body.get("password") != self.password
        ):
            return _error(401, "AuthenticationRequired", "Invalid identifier or password")
        self.logins += 1
        return json_reply(200, self._issue())

    def _refresh_session(self, request: Request) -> Reply:
        token = request.bearer()
        if token is None or token not in self.refresh:
            return _error(400, "InvalidToken", "Token could not be verified")
        if not self.refresh[token]:
            return _error(400, "ExpiredToken", "Token has been revoked")
        self.refresh[token] = False  # a refresh token is used once
        self.refreshes += 1
        return json_reply(200, self._issue())

    def _upload_blob(self, request: Request) -> Reply:
        mime = request.headers.get("content-type", "")
        cid = _cid(request.body, "bafkrei")
        self.blobs[cid] = {"mime": mime, "size": len(request.body), "data": request.body}
        return json_reply(
            200,
            {
                "blob": {
                    "$type": "blob",
                    "ref": {"$link": cid},
                    "mimeType": mime,
                    "size": len(request.body),
                }
            },
        )

    def _invalid(self, record: dict[str, Any]) -> str | None:
        """Why app.bsky.feed.post validation fails, or None."""
        if record.get("$type") != "app.bsky.feed.post" or "createdAt" not in record:
            return "Record/$type and createdAt are required"
        text = record.get("text", "")
        if len(regex.findall(r"\X", text)) > 300 or len(text.encode()) > 3000:
            return "Record/text must not be longer than 300 graphemes"
        if len(record.get("langs", [])) > 3:
            return "Record/langs must not have more than 3 elements"
        encoded = text.encode()
        for facet in record.get("facets", []):
            start, end = facet["index"]["byteStart"], facet["index"]["byteEnd"]
            if not 0 <= start < end <= len(encoded):
                return "Record/facets byte slice out of range"
            try:
                encoded[start:end].decode("utf-8")
            except UnicodeDecodeError:
                return "Record/facets byte slice splits a character"
        embed = record.get("embed")
        if embed and embed.get("$type") == "app.bsky.embed.images":
            if len(embed["images"]) > 4:
                return "Record/embed/images must not have more than 4 elements"
            for image in embed["images"]:
                if "alt" not in image:
                    return 'Record/embed/images must have the property "alt"'
                blob = self.blobs.get(image["image"]["ref"]["$link"])
                if blob is None:
                    return "Could not find blob"
                if blob["size"] > 2_000_000:
                    return "This file is too large. It is 2.1MB but the maximum size is 2.0MB"
        if embed and embed.get("$type") == "app.bsky.embed.external":
            external = embed.get("external", {})
            if not all(isinstance(external.get(k), str) for k in ("uri", "title", "description")):
                return "Record/embed/external must have uri, title and description"
        reply = record.get("reply")
        if reply is not None:
            for ref in (reply["root"], reply["parent"]):
                stored = self.records.get(ref["uri"])
                if stored is None or stored["cid"] != ref["cid"]:
                    return "Record/reply refers to a post that does not exist"
        return None

    def _next_tid(self) -> str:
        number = next(self.counter)
        alphabet = "234567abcdefghijklmnopqrstuvwxyz"
        return "3l" + "".join(alphabet[(number >> (5 * i)) & 31] for i in range(10, -1, -1))

    def _create_record(self, request: Request) -> Reply:
        body = request.json()
        if body.get("repo") not in (self.did, self.account_handle):
            return _error(401, "AuthRequired", "Input/repo does not match the session")
        collection = body["collection"]
        rkey = body.get("rkey") or self._next_tid()
        if collection == "app.bsky.feed.post" and not TID.match(rkey):
            return _error(400, "InvalidRequest", f"Invalid record key for {collection}: {rkey}")
        record = body["record"]
        problem = self._invalid(record)
        if problem is not None:
            return _error(400, "InvalidRequest", f"Invalid app.bsky.feed.post record: {problem}")
        uri = f"at://{self.did}/{collection}/{rkey}"
        if uri in self.records:
            if self.duplicate_error is not None:
                return _error(400, self.duplicate_error, "Record already exists")
            return _error(500, "InternalServerError", "Internal Server Error")
        cid = _cid(repr(sorted(record.items())).encode())
        self.records[uri] = {
            "uri": uri,
            "cid": cid,
            "collection": collection,
            "rkey": rkey,
            "value": record,
        }
        if collection == "app.bsky.feed.post":
            self.record_published(record.get("text", ""), uri)
        return json_reply(
            200,
            {
                "uri": uri,
                "cid": cid,
                "commit": {"cid": _cid(uri.encode()), "rev": rkey},
                "validationStatus": "valid",
            },
        )

    def _get_record(self, request: Request) -> Reply:
        query = request.query
        uri = f"at://{self.did}/{query.get('collection')}/{query.get('rkey')}"
        stored = self.records.get(uri)
        if stored is None:
            return _error(400, "RecordNotFound", f"Could not locate record: {uri}")
        return json_reply(200, {"uri": uri, "cid": stored["cid"], "value": stored["value"]})
