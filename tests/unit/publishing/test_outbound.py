"""The outbound guard: which addresses it refuses, that it connects to what it checked, and how it
sorts network failures into publish outcomes."""

from __future__ import annotations

import json
import socket
from datetime import UTC, datetime

import pytest

from planner.errors import ValidationError
from planner.publishing.outbound import (
    OutboundURLRefusedError,
    Response,
    check_url,
    raise_for_status,
    safe_request,
)
from planner.publishing.ports import (
    AmbiguousPublishError,
    PermanentPublishError,
    TransientPublishError,
)

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def no_dns(host: str, port: int) -> list[str]:
    raise AssertionError(f"literal addresses must not be resolved, got {host}")


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "127.1",
        "2130706433",
        "0x7f.1",
        "0177.0.0.1",
        "10.0.0.1",
        "192.168.1.10",
        "100.64.0.1",
        "169.254.169.254",
        "0.0.0.0",
        "[::1]",
        "[::ffff:127.0.0.1]",
        "[::ffff:7f00:1]",
        "[fe80::1]",
        "[fc00::1]",
        "[2002:7f00:1::1]",
        "[64:ff9b::a9fe:a9fe]",
    ],
)
def test_check_url_refuses_non_global_literals(host: str) -> None:
    with pytest.raises(OutboundURLRefusedError) as caught:
        check_url(f"http://{host}/hook", resolver=no_dns)
    assert "Refusing to connect" in caught.value.message
    assert isinstance(caught.value, ValidationError)


@pytest.mark.parametrize("address", ["127.0.0.1", "10.1.2.3", "100.64.0.1", "::1", "fe80::1"])
def test_check_url_refuses_hostnames_resolving_inward(address: str) -> None:
    with pytest.raises(OutboundURLRefusedError) as caught:
        check_url("https://hooks.example.org/x", resolver=lambda host, port: [address])
    assert "hooks.example.org" in caught.value.message
    assert address in caught.value.message


def test_check_url_refuses_when_any_answer_is_inward() -> None:
    answers = ["93.184.215.14", "127.0.0.1"]
    with pytest.raises(OutboundURLRefusedError):
        check_url("https://hooks.example.org/x", resolver=lambda host, port: answers)


def test_check_url_pins_global_answers_in_order() -> None:
    target = check_url(
        "https://hooks.example.org:8443/x?a=1",
        resolver=lambda host, port: ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"],
    )
    assert target.addresses == ("93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c")
    assert (target.host, target.port, target.path) == ("hooks.example.org", 8443, "/x?a=1")


def test_check_url_allow_loopback_admits_loopback_only() -> None:
    assert check_url("http://127.1:8080/", allow_loopback=True).addresses == ("127.0.0.1",)
    assert check_url("http://[::ffff:127.0.0.1]/", allow_loopback=True).addresses == ("127.0.0.1",)
    with pytest.raises(OutboundURLRefusedError):
        check_url("http://10.0.0.1/", allow_loopback=True)
    with pytest.raises(OutboundURLRefusedError):
        check_url("http://169.254.169.254/", allow_loopback=True)


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("ftp://example.org/", "Only http and https"),
        ("file:///etc/passwd", "Only http and https"),
        ("example.org/hook", "Only http and https"),
        ("https://user:secret@example.org/", "credentials"),
        ("https:///nohost", "no host"),
        ("http://example.org:99999/", "not a valid URL"),
    ],
)
def test_check_url_refuses_malformed_urls_with_a_clear_message(url: str, fragment: str) -> None:
    with pytest.raises(OutboundURLRefusedError) as caught:
        check_url(url, resolver=lambda host, port: ["93.184.215.14"])
    assert fragment in caught.value.message


def test_check_url_failed_lookup_is_transient() -> None:
    def nxdomain(host: str, port: int) -> list[str]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    with pytest.raises(TransientPublishError):
        check_url("https://nowhere.example/", resolver=nxdomain)


def test_safe_request_connects_to_the_checked_address_not_a_rebound_one(serve) -> None:
    # A rebinding name: public on the first lookup, loopback afterwards. The guard looks up once
    # and connects to what it checked, so the loopback server must never see a connection.
    local = serve("echo")
    lookups: list[str] = []

    def rebinding(host: str, port: int) -> list[str]:
        lookups.append(host)
        return ["93.184.215.14"] if len(lookups) == 1 else ["127.0.0.1"]

    dialled: list[tuple[str, int]] = []

    def connector(address: tuple[str, int], timeout: float | None) -> socket.socket:
        # Stands in for the operating system's connect(): record, and never leave this machine.
        dialled.append(address)
        raise ConnectionRefusedError(111, "Connection refused")

    with pytest.raises(TransientPublishError):
        safe_request(
            "POST",
            f"http://rebind.example:{local.port}/hook",
            body=b"{}",
            resolver=rebinding,
            connector=connector,
        )
    assert dialled == [("93.184.215.14", local.port)]
    assert lookups == ["rebind.example"]
    assert local.app.requests == []


def test_safe_request_mixed_answer_never_reaches_loopback(serve) -> None:
    local = serve("echo")
    with pytest.raises(OutboundURLRefusedError):
        safe_request(
            "POST",
            f"http://mixed.example:{local.port}/hook",
            resolver=lambda host, port: ["93.184.215.14", "127.0.0.1"],
        )
    assert local.app.requests == []


def test_safe_request_sends_original_host_header_to_pinned_address(
    serve, loopback_resolver
) -> None:
    local = serve("echo")
    response = safe_request(
        "GET",
        f"http://channel.test:{local.port}/status?x=1",
        allow_loopback=True,
        resolver=loopback_resolver("channel.test"),
    )
    assert response.status == 200
    assert response.json() == {"host": f"channel.test:{local.port}", "path": "/status?x=1"}


def test_safe_request_https_verifies_certificate_against_hostname(
    serve, loopback_resolver, certificate, tmp_path
) -> None:
    local = serve("echo", context=certificate.server_context(tmp_path))
    response = safe_request(
        "GET",
        f"https://channel.test:{local.port}/tls",
        allow_loopback=True,
        resolver=loopback_resolver("channel.test"),
        ssl_context=certificate.client_context(),
    )
    assert response.status == 200
    assert json.loads(response.body)["host"] == f"channel.test:{local.port}"


def test_safe_request_https_wrong_hostname_is_permanent(
    serve, loopback_resolver, certificate, tmp_path
) -> None:
    local = serve("echo", context=certificate.server_context(tmp_path))
    with pytest.raises(PermanentPublishError) as caught:
        safe_request(
            "GET",
            f"https://other.test:{local.port}/tls",
            allow_loopback=True,
            resolver=loopback_resolver("other.test"),
            ssl_context=certificate.client_context(),
        )
    assert "certificate" in caught.value.message


def test_safe_request_refuses_loopback_by_default(serve) -> None:
    local = serve("echo")
    with pytest.raises(OutboundURLRefusedError):
        safe_request("GET", local.url)
    assert local.app.requests == []


def test_safe_request_connection_refused_is_transient(free_port: int) -> None:
    with pytest.raises(TransientPublishError) as caught:
        safe_request("POST", f"http://127.0.0.1:{free_port}/", body=b"x", allow_loopback=True)
    assert caught.value.details["stage"] == "connect"


def test_safe_request_timeout_after_sending_is_ambiguous(serve) -> None:
    local = serve("echo")
    local.app.fail_next("/slow", action="hang", after_handling=True)
    with pytest.raises(AmbiguousPublishError):
        safe_request("POST", f"{local.url}/slow", body=b"x", timeout=0.3, allow_loopback=True)
    assert [r.path for r in local.app.requests] == ["/slow"]


def test_safe_request_hang_up_after_sending_is_ambiguous(serve) -> None:
    local = serve("echo")
    local.app.fail_next("/", action="close", after_handling=True)
    with pytest.raises(AmbiguousPublishError):
        safe_request("POST", local.url, body=b"x", allow_loopback=True)


def test_safe_request_caps_large_responses(serve) -> None:
    local = serve("echo")
    local.app.fail_next("/big", 200, body=b"x" * 5000)
    response = safe_request("GET", f"{local.url}/big", allow_loopback=True, max_response_bytes=100)
    assert response.truncated
    assert len(response.body) == 100


def _response(status: int, **headers: str) -> Response:
    return Response(status=status, reason="", headers=headers, body=b"problem")


def test_raise_for_status_accepts_2xx() -> None:
    raise_for_status(_response(201), channel="Test")


@pytest.mark.parametrize("status", [500, 502, 503, 504, 408])
def test_raise_for_status_server_errors_are_transient(status: int) -> None:
    with pytest.raises(TransientPublishError) as caught:
        raise_for_status(_response(status), channel="Test", now=NOW)
    assert caught.value.retry_after is None


def test_raise_for_status_429_carries_retry_after() -> None:
    with pytest.raises(TransientPublishError) as caught:
        raise_for_status(_response(429, **{"retry-after": "120"}), channel="Test", now=NOW)
    assert caught.value.retry_after == 120.0


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410, 422])
def test_raise_for_status_client_errors_are_permanent(status: int) -> None:
    with pytest.raises(PermanentPublishError) as caught:
        raise_for_status(_response(status), channel="Test")
    assert str(status) in caught.value.message


def test_raise_for_status_redirect_is_permanent_and_not_followed() -> None:
    with pytest.raises(PermanentPublishError) as caught:
        raise_for_status(_response(301, location="https://elsewhere.example/"), channel="Test")
    assert "elsewhere.example" in caught.value.message


def test_raise_for_status_server_error_without_idempotency_is_ambiguous() -> None:
    with pytest.raises(AmbiguousPublishError):
        raise_for_status(_response(500), channel="Test", server_error_is_ambiguous=True)
    with pytest.raises(TransientPublishError):
        raise_for_status(_response(503), channel="Test", server_error_is_ambiguous=True)


def test_safe_request_uses_idna_host_and_encodes_the_path(serve, loopback_resolver) -> None:
    local = serve("echo")
    response = safe_request(
        "GET",
        f"http://bücher.test:{local.port}/nieuws en zo/ü?q=a b",
        allow_loopback=True,
        resolver=loopback_resolver("xn--bcher-kva.test"),
    )
    assert response.json() == {
        "host": f"xn--bcher-kva.test:{local.port}",
        "path": "/nieuws%20en%20zo/%C3%BC?q=a%20b",
    }


def test_safe_request_header_with_line_break_is_permanent_and_not_sent(serve) -> None:
    local = serve("echo")
    with pytest.raises(PermanentPublishError):
        safe_request(
            "POST", local.url, headers={"Authorization": "Bearer a\r\nX: y"}, allow_loopback=True
        )
    assert local.app.requests == []
