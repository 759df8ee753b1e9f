"""The only way publishing code talks HTTP to a user-supplied URL.

Webhook, WordPress and Mastodon addresses come from editors, so a request could be aimed at the
server's own network (cloud metadata, an admin panel on localhost). Every URL is resolved once,
every resolved address must be public, and the connection goes to exactly the checked address, so
a second DNS answer (rebinding) cannot redirect it. Redirects are never followed.
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import json
import re
import socket
import ssl
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlsplit

from planner.errors import ValidationError
from planner.publishing.ports import (
    AmbiguousPublishError,
    PermanentPublishError,
    TransientPublishError,
)
from planner.publishing.retry import parse_retry_after

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
#: (host, port) -> addresses as strings; the default asks the operating system.
Resolver = Callable[[str, int], Iterable[str]]
#: ((address, port), timeout) -> a connected socket; the default is socket.create_connection.
Connector = Callable[[tuple[str, int], float | None], socket.socket]

DEFAULT_TIMEOUT = 10.0
MAX_RESPONSE_BYTES = 2 * 1024 * 1024
USER_AGENT = "Contentfabriek-publisher/0.1"

_PATH_SAFE = "/%:@!$&'()*+,;=-._~"
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
# Characters a legacy numeric IPv4 form may contain: 127.1, 2130706433, 0x7f.1, 0177.0.0.1.
_LEGACY_IPV4 = re.compile(r"[0-9][0-9a-fx.]*", re.IGNORECASE)


class OutboundURLRefusedError(ValidationError):
    """A URL publishing will not contact; the message says why, for whoever entered it."""

    code = "outbound-url-refused"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message, field="url", **details)


@dataclass(frozen=True)
class Target:
    """A checked URL: where the request claims to go (`host`) and where it may go (`addresses`)."""

    scheme: str
    host: str
    port: int
    path: str
    addresses: tuple[str, ...]


@dataclass(frozen=True)
class Response:
    """An HTTP answer, read in full (up to a size limit) so the connection can be closed at once."""

    status: int
    reason: str
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""
    truncated: bool = False

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def json(self) -> Any:
        """The body as JSON; an unreadable body after the request was accepted is ambiguous."""
        try:
            return json.loads(self.body)
        except ValueError as exc:
            raise AmbiguousPublishError(
                f"The channel answered {self.status} but its reply could not be read as JSON.",
                status=self.status,
            ) from exc


def system_resolver(host: str, port: int) -> list[str]:
    """Resolve with the operating system (socket.getaddrinfo), keeping the answer's order."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def _literal_address(host: str) -> IPAddress | None:
    """The address a host names by itself, including legacy IPv4 spellings, without any lookup."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    # getaddrinfo and browsers accept 127.1, 2130706433 and 0x7f.1 as IPv4; interpret them the same
    # way here so they are checked as the addresses they are instead of going to a resolver.
    if _LEGACY_IPV4.fullmatch(host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def _embedded_ipv4(address: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """IPv4 addresses that an IPv6 address tunnels to (mapped, 6to4, NAT64, Teredo)."""
    found: list[ipaddress.IPv4Address] = []
    if address.ipv4_mapped is not None:
        found.append(address.ipv4_mapped)
    if address.sixtofour is not None:
        found.append(address.sixtofour)
    if address in _NAT64:
        found.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    if address.teredo is not None:
        found.extend(address.teredo)
    return found


def _describe(address: IPAddress) -> str:
    if address.is_loopback:
        return "a loopback address (this machine)"
    if address.is_link_local:
        return "a link-local address (e.g. a cloud metadata service)"
    if address.is_private:
        return "a private network address"
    if address.is_multicast:
        return "a multicast address"
    if address.is_unspecified:
        return "the unspecified address"
    return "not a public internet address"


def _refusal(address: IPAddress, allow_loopback: bool) -> str | None:
    """Why `address` may not be contacted, or None when it may."""
    if address.is_multicast:
        return _describe(address)
    if isinstance(address, ipaddress.IPv6Address):
        # Python 3.11 calls 2002:7f00:1:: and 64:ff9b::7f00:1 global although they reach 127.0.0.1
        # through a gateway, so the tunnelled IPv4 address must pass as well.
        for inner in _embedded_ipv4(address):
            reason = _refusal(inner, allow_loopback)
            if reason is not None:
                return f"{reason}, embedded in {address}"
        if address.ipv4_mapped is not None:
            return None
    if address.is_global:
        return None
    if allow_loopback and address.is_loopback:
        return None
    return _describe(address)


def _connect_form(address: IPAddress) -> str:
    # A mapped address is the IPv4 host; connect over IPv4 so no dual-stack setting matters.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return str(address)


def check_host(
    host: str,
    port: int,
    *,
    allow_loopback: bool = False,
    resolver: Resolver = system_resolver,
) -> tuple[str, ...]:
    """Resolve `host` once and return the addresses that may be contacted.

    Every answer must pass, not just the first: a name that also points inward is refused whole.
    Raises OutboundURLRefusedError for a refused address, TransientPublishError when the lookup
    fails.
    """
    literal = _literal_address(host)
    if literal is not None:
        candidates: list[IPAddress] = [literal]
    else:
        try:
            answers = list(resolver(host, port))
        except (OSError, UnicodeError) as exc:
            raise TransientPublishError(
                f"Could not look up {host}: {exc}", host=host, stage="resolve"
            ) from exc
        try:
            # Strip an IPv6 zone ("fe80::1%eth0") only if ipaddress cannot keep it; 3.11 can.
            candidates = [ipaddress.ip_address(answer) for answer in answers]
        except ValueError as exc:
            raise TransientPublishError(
                f"The lookup of {host} returned something that is not an address: {exc}",
                host=host,
                stage="resolve",
            ) from exc
        if not candidates:
            raise TransientPublishError(
                f"Could not look up {host}: no addresses", host=host, stage="resolve"
            )
    addresses: list[str] = []
    for candidate in candidates:
        reason = _refusal(candidate, allow_loopback)
        if reason is not None:
            shown = host if literal is not None else f"{host} (resolves to {candidate})"
            raise OutboundURLRefusedError(
                f"Refusing to connect to {shown}: {reason}. Only public internet addresses can "
                "receive publications.",
                host=host,
                address=str(candidate),
            )
        form = _connect_form(candidate)
        if form not in addresses:
            addresses.append(form)
    return tuple(addresses)


def check_url(
    url: str,
    *,
    allow_loopback: bool = False,
    resolver: Resolver = system_resolver,
) -> Target:
    """Parse and check a URL (scheme, no credentials, public host); see `check_host`."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise OutboundURLRefusedError(f"This is not a valid URL: {exc}.", url=url) from exc
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise OutboundURLRefusedError(
            f"Only http and https URLs can be used, not {scheme or 'a URL without a scheme'}.",
            url=url,
        )
    if parts.username is not None or parts.password is not None:
        # Credentials in a URL end up in logs; channel settings have fields for them.
        raise OutboundURLRefusedError(
            "Put credentials in the channel's settings, not in the URL.", url=url
        )
    host = parts.hostname
    if not host:
        raise OutboundURLRefusedError("The URL has no host name.", url=url)
    try:
        # The resolver, SNI and the Host header all want the ASCII (IDNA) form of the name.
        host = host.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise OutboundURLRefusedError(f"The host name {host!r} is not valid.", url=url) from exc
    if port is None:
        port = 443 if scheme == "https" else 80
    # Percent-encode what http.client would refuse (spaces, non-ASCII); keep existing escapes.
    path = quote(parts.path or "/", safe=_PATH_SAFE)
    if parts.query:
        path = f"{path}?{quote(parts.query, safe=_PATH_SAFE + '?')}"
    addresses = check_host(host, port, allow_loopback=allow_loopback, resolver=resolver)
    return Target(scheme=scheme, host=host, port=port, path=path, addresses=addresses)


def _open_pinned(
    addresses: tuple[str, ...], port: int, timeout: float | None, connector: Connector
) -> socket.socket:
    """Connect to the first checked address that answers; nothing is resolved again here."""
    last: OSError | None = None
    for address in addresses:
        try:
            sock = connector((address, port), timeout)
        except OSError as exc:
            last = exc
            continue
        # http.client does this in its own connect(); keep small requests from waiting on Nagle.
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock
    assert last is not None  # check_host never returns an empty tuple
    raise last


def _default_connector(address: tuple[str, int], timeout: float | None) -> socket.socket:
    return socket.create_connection(address, timeout)


class PinnedHTTPConnection(http.client.HTTPConnection):
    """Plain HTTP to a checked address, with the original host name in the Host header."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        addresses: tuple[str, ...],
        timeout: float | None,
        connector: Connector = _default_connector,
    ) -> None:
        super().__init__(host, port, timeout=timeout)
        self.pinned_addresses = addresses
        self._connector = connector

    def connect(self) -> None:
        self.sock = _open_pinned(self.pinned_addresses, self.port, self.timeout, self._connector)


class PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to a checked address; SNI and certificate verification still use the host name."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        addresses: tuple[str, ...],
        timeout: float | None,
        context: ssl.SSLContext | None = None,
        connector: Connector = _default_connector,
    ) -> None:
        tls = context if context is not None else ssl.create_default_context()
        super().__init__(host, port, timeout=timeout, context=tls)
        self.pinned_addresses = addresses
        self._connector = connector
        self._tls = tls

    def connect(self) -> None:
        raw = _open_pinned(self.pinned_addresses, self.port, self.timeout, self._connector)
        try:
            self.sock = self._tls.wrap_socket(raw, server_hostname=self.host)
        except BaseException:
            raw.close()
            raise


def safe_request(
    method: str,
    url: str,
    *,
    headers: Mapping[str, str] | None = None,
    body: bytes | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    allow_loopback: bool = False,
    resolver: Resolver = system_resolver,
    connector: Connector = _default_connector,
    ssl_context: ssl.SSLContext | None = None,
    max_response_bytes: int = MAX_RESPONSE_BYTES,
) -> Response:
    """Send one request to a user-supplied URL and return the answer, whatever its status.

    Failures are sorted by what they mean for a publication: nothing sent (refused connection, DNS,
    TLS handshake) -> TransientPublishError; sent but no complete answer (timeout, reset) ->
    AmbiguousPublishError; a bad certificate -> PermanentPublishError; a refused URL ->
    OutboundURLRefusedError. `allow_loopback` exists for tests and local use only.
    """
    target = check_url(url, allow_loopback=allow_loopback, resolver=resolver)
    conn: http.client.HTTPConnection
    if target.scheme == "https":
        conn = PinnedHTTPSConnection(
            target.host,
            target.port,
            addresses=target.addresses,
            timeout=timeout,
            context=ssl_context,
            connector=connector,
        )
    else:
        conn = PinnedHTTPConnection(
            target.host,
            target.port,
            addresses=target.addresses,
            timeout=timeout,
            connector=connector,
        )
    sent_headers = {"User-Agent": USER_AGENT, **(headers or {})}
    try:
        try:
            conn.connect()
        except ssl.SSLCertVerificationError as exc:
            raise PermanentPublishError(
                f"The TLS certificate of {target.host} was not accepted: {exc.verify_message}.",
                host=target.host,
            ) from exc
        except OSError as exc:
            # Connection refused, unreachable, connect timeout or a failed handshake: the request
            # itself never left, so trying again later is safe.
            raise TransientPublishError(
                f"Could not connect to {target.host}:{target.port}: {exc}",
                host=target.host,
                stage="connect",
            ) from exc
        try:
            conn.request(method, target.path, body=body, headers=sent_headers)
        except (ValueError, http.client.InvalidURL) as exc:
            # http.client validates the request line and headers before sending any of them.
            raise PermanentPublishError(
                f"The request to {target.host} could not be built: {exc}", host=target.host
            ) from exc
        except (OSError, http.client.HTTPException) as exc:
            raise AmbiguousPublishError(
                f"The connection to {target.host} broke while sending ({exc!r}); the request may "
                "or may not have been processed.",
                host=target.host,
                stage="send",
            ) from exc
        try:
            answer = conn.getresponse()
            data = answer.read(max_response_bytes + 1)
        except (OSError, ValueError, http.client.HTTPException) as exc:
            raise AmbiguousPublishError(
                f"{target.host} did not answer completely after the request was sent ({exc!r}); "
                "it may or may not have been processed.",
                host=target.host,
                stage="response",
            ) from exc
        merged: dict[str, str] = {}
        for name, value in answer.getheaders():
            key = name.lower()
            merged[key] = f"{merged[key]}, {value}" if key in merged else value
        return Response(
            status=answer.status,
            reason=answer.reason,
            headers=merged,
            body=data[:max_response_bytes],
            truncated=len(data) > max_response_bytes,
        )
    finally:
        conn.close()


def raise_for_status(
    response: Response,
    *,
    channel: str,
    now: datetime | None = None,
    server_error_is_ambiguous: bool = False,
) -> None:
    """Turn a non-2xx answer into the matching publish outcome; return quietly on 2xx.

    429, 408 and 5xx are transient and carry Retry-After when given. Other statuses are permanent:
    credentials, settings or content are wrong, and redirects are not followed on purpose. For
    channels without idempotency a 500/502/504 may come after the post was stored (a crashing
    plugin, a proxy timing out), so such callers pass `server_error_is_ambiguous=True`.
    """
    status = response.status
    if 200 <= status < 300:
        return
    excerpt = response.body[:300].decode("utf-8", "replace").strip()
    detail = f"{channel} answered {status} {response.reason}".strip()
    if excerpt:
        detail = f"{detail}: {excerpt}"
    if status == 429 or status == 408 or 500 <= status < 600:
        if server_error_is_ambiguous and status in (500, 502, 504):
            raise AmbiguousPublishError(detail, status=status)
        moment = now if now is not None else datetime.now(UTC)
        retry_after = parse_retry_after(response.header("retry-after"), moment)
        raise TransientPublishError(detail, retry_after=retry_after, status=status)
    if 300 <= status < 400:
        location = response.header("location") or "elsewhere"
        raise PermanentPublishError(
            f"{channel} redirected to {location}; redirects are not followed, so update the URL "
            "in the channel settings.",
            status=status,
        )
    raise PermanentPublishError(detail, status=status)
