"""The guarded fetcher against a real local server: limits, redirects, conditional GET, and
the address checks that stop requests to private networks before anything is sent."""

from __future__ import annotations

import time

import httpx
import pytest

from bot.errors import BlockedAddressError, FetchError
from bot.ingest.fetch import Fetcher, blocked_reason, check_url_allowed, parse_ip_literal
from tests.ingest.conftest import LocalServer, LoopbackOnlyTransport


def test_fetch_ok_and_conditional_get(server: LocalServer, fetcher: Fetcher) -> None:
    url = server.add(
        "/feed.xml",
        "<rss/>",
        content_type="application/rss+xml; charset=ISO-8859-1",
        etag='"v1"',
        last_modified="Fri, 14 Mar 2025 10:00:00 GMT",
    )
    first = fetcher.fetch(url)
    assert first.status == 200 and first.content == b"<rss/>" and not first.not_modified
    assert first.content_type == "application/rss+xml"
    assert (first.encoding or "").lower() == "iso-8859-1"
    assert first.etag == '"v1"' and first.last_modified == "Fri, 14 Mar 2025 10:00:00 GMT"
    again = fetcher.fetch(url, etag=first.etag, last_modified=first.last_modified)
    assert again.not_modified and again.status == 304 and again.content == b""
    _, headers = server.requests[-1]
    assert headers["If-None-Match"] == '"v1"'
    assert headers["If-Modified-Since"] == "Fri, 14 Mar 2025 10:00:00 GMT"
    assert headers["User-Agent"].startswith("briefbot/")


@pytest.mark.parametrize(("status", "message"), [(404, "HTTP 404 Not Found"), (503, "HTTP 503")])
def test_http_errors(server: LocalServer, fetcher: Fetcher, status: int, message: str) -> None:
    url = server.add("/x", "gone", status=status)
    with pytest.raises(FetchError) as info:
        fetcher.fetch(url)
    assert info.value.reason.startswith(message)
    assert info.value.url == url


def test_redirects_followed_and_limited(server: LocalServer, fetcher: Fetcher) -> None:
    server.add("/final", "<p>done</p>")
    server.add("/r1", status=301, location="/r2")
    server.add("/r2", status=302, location=server.url("/final"))
    result = fetcher.fetch(server.url("/r1"))
    assert result.url == server.url("/final") and result.content == b"<p>done</p>"

    for n in range(7):
        server.add(f"/loop{n}", status=307, location=f"/loop{n + 1}")
    with pytest.raises(FetchError, match="too many redirects"):
        fetcher.fetch(server.url("/loop0"))
    assert server.hits("/loop6") == 0  # stopped after 5 redirects: /loop0../loop5 requested


def test_redirect_to_private_address_is_checked(server: LocalServer) -> None:
    # Resolver says "news.example" is public; its redirect points at the metadata service.
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(302, headers={"Location": "http://169.254.169.254/latest/"})

    fetcher = Fetcher(
        transport=httpx.MockTransport(handler), resolver=lambda host, port: ["93.184.216.34"]
    )
    with pytest.raises(BlockedAddressError, match=r"169\.254\.169\.254 \(link-local\)"):
        fetcher.fetch("http://news.example/story")
    assert len(seen) == 1  # the redirect target was never requested


def test_body_size_cap(server: LocalServer, fetcher: Fetcher) -> None:
    declared = server.add("/big", b"x" * 2_000_000)
    with pytest.raises(FetchError, match="larger than 1000000 bytes"):
        fetcher.fetch(declared)
    streamed = server.add("/stream", stream_size=50_000_000)  # no Content-Length
    started = time.monotonic()
    with pytest.raises(FetchError, match="larger than 1000000 bytes"):
        fetcher.fetch(streamed)
    assert time.monotonic() - started < 5  # aborted early, not after 50 MB


def test_timeouts(server: LocalServer, transport: LoopbackOnlyTransport) -> None:
    slow = server.add("/slow", "late", delay=0.8)
    with (
        Fetcher(transport=transport, allow_private=True, timeout=0.3) as fetcher,
        pytest.raises(FetchError, match=r"did not answer within 0\.3 s"),
    ):
        fetcher.fetch(slow)
    trickle = server.add("/trickle", b"y" * 20_000, trickle=0.1)
    with (
        Fetcher(transport=transport, allow_private=True, timeout=1.0, total_timeout=0.5) as fetcher,
        pytest.raises(FetchError, match=r"took longer than 0\.5 s"),
    ):
        fetcher.fetch(trickle)


def test_connection_refused_is_readable(transport: LoopbackOnlyTransport) -> None:
    with (
        Fetcher(transport=transport, allow_private=True, timeout=1.0) as fetcher,
        pytest.raises(FetchError, match="could not connect"),
    ):
        fetcher.fetch("http://127.0.0.1:9/")  # discard port: nothing listens


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1/", "127.0.0.1 (loopback)"),
        ("http://0x7f.0.0.1/", "127.0.0.1 (loopback)"),
        ("http://0x7f.1/", "127.0.0.1 (loopback)"),
        ("http://2130706433/", "127.0.0.1 (loopback)"),
        ("http://0177.0.0.1/", "127.0.0.1 (loopback)"),
        ("http://127.1/", "127.0.0.1 (loopback)"),
        ("http://[::1]/", "::1 (loopback)"),
        ("http://[::ffff:127.0.0.1]/", "(loopback)"),
        ("http://[::ffff:7f00:1]:8080/", "(loopback)"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 (link-local)"),
        ("http://10.1.2.3./", "10.1.2.3 (private)"),
        ("http://192.168.0.1/", "192.168.0.1 (private)"),
        ("http://0.0.0.0/", "0.0.0.0 (unspecified)"),
        ("http://224.0.0.1/", "224.0.0.1 (multicast)"),
        ("http://240.0.0.1/", "240.0.0.1 (reserved)"),
        ("http://100.64.0.1/", "100.64.0.1 (not globally routable)"),
        ("http://[fe80::1]/", "(link-local)"),
        ("http://[fd00::1]/", "(private)"),
        ("http://[2002:7f00:1::]/", "2002:7f00:1:: (loopback)"),  # 6to4 wrapping loopback
    ],
)
def test_blocked_literal_addresses_make_no_request(url: str, reason: str) -> None:
    requests: list[httpx.Request] = []
    resolved: list[str] = []
    fetcher = Fetcher(
        transport=httpx.MockTransport(lambda r: requests.append(r) or httpx.Response(200)),
        resolver=lambda host, port: resolved.append(host) or ["93.184.216.34"],
    )
    with pytest.raises(BlockedAddressError) as info:
        fetcher.fetch(url)
    assert reason in info.value.reason
    assert requests == [] and resolved == []  # literals are judged without DNS


def test_blocked_resolved_name_makes_no_request() -> None:
    requests: list[httpx.Request] = []
    fetcher = Fetcher(
        transport=httpx.MockTransport(lambda r: requests.append(r) or httpx.Response(200)),
        resolver=lambda host, port: {"intranet.example": ["10.0.0.5"]}.get(host, ["93.184.216.34"]),
    )
    with pytest.raises(BlockedAddressError, match=r"blocked address 10\.0\.0\.5 \(private\)"):
        fetcher.fetch("https://intranet.example/wiki")
    with pytest.raises(BlockedAddressError):
        check_url_allowed(
            "http://intranet.example/", resolver=lambda host, port: ["8.8.8.8", "10.0.0.5"]
        )
    assert requests == []
    assert check_url_allowed("https://news.example/", resolver=lambda h, p: ["93.184.216.34"]) == [
        "93.184.216.34"
    ]


def test_plain_http_is_pinned_to_the_checked_address() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, text="ok")

    fetcher = Fetcher(
        transport=httpx.MockTransport(handler), resolver=lambda host, port: ["93.184.216.34"]
    )
    result = fetcher.fetch("http://news.example:8080/a?b=1")
    assert result.url == "http://news.example:8080/a?b=1"
    assert seen[0].url.host == "93.184.216.34" and seen[0].url.port == 8080
    assert seen[0].headers["Host"] == "news.example:8080"


@pytest.mark.parametrize(
    "url", ["ftp://example.com/x", "file:///etc/passwd", "gopher://x/", "http:///x"]
)
def test_only_http_urls(url: str) -> None:
    with pytest.raises(FetchError):
        check_url_allowed(url, allow_private=True)


def test_error_text_is_redacted(server: LocalServer, fetcher: Fetcher) -> None:
    url = server.add("/x?token=xoxb-123456789-abcdef", "no", status=403)
    with pytest.raises(FetchError) as info:
        fetcher.fetch(url)
    assert "xoxb-123456789" not in str(info.value)
    assert "[redacted]" in str(info.value)


def test_address_helpers() -> None:
    assert str(parse_ip_literal("0x7f.1")) == "127.0.0.1"
    assert parse_ip_literal("example.com") is None
    assert parse_ip_literal("cafe.de") is None
    assert blocked_reason(parse_ip_literal("93.184.216.34")) is None  # type: ignore[arg-type]
