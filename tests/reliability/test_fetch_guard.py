"""The outbound fetch guard against server-side request forgery, size bombs and slow servers.

Every refusal here happens with an injected resolver and a recording transport: nothing leaves
the machine, and each test also shows that no request was sent where none may be. The spellings
are module constants so their number can be counted (len(SSRF_SPELLINGS)).
"""

from __future__ import annotations

import contextlib
import gzip
import logging
import socket
import time
import tracemalloc
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

from bot.core import Briefbot
from bot.errors import BlockedAddressError, FetchError
from bot.ingest import SourceSpec, ingest
from bot.ingest.fetch import MAX_REDIRECTS, Fetcher, check_url_allowed
from bot.settings import Settings
from storage import sources
from testkit.stalls import StallMeter
from tests.conftest import Database
from tests.ingest.conftest import LocalServer, LoopbackOnlyTransport, article_html, article_text

PUBLIC_V4 = "93.184.216.34"

# (host as written in the URL, the reason the guard must give). Each one is tried as http and
# https, with a resolver that calls every name public: the literal itself must be refused.
SSRF_LITERALS: tuple[tuple[str, str], ...] = (
    # loopback, in every spelling the C resolver or httpx accepts
    ("127.0.0.1", "127.0.0.1 (loopback)"),
    ("127.0.0.1.", "127.0.0.1 (loopback)"),
    ("127.1", "127.0.0.1 (loopback)"),
    ("127.0.1", "127.0.0.1 (loopback)"),
    ("127.000.000.001", "127.0.0.1 (loopback)"),
    ("127.255.255.254", "127.255.255.254 (loopback)"),
    ("2130706433", "127.0.0.1 (loopback)"),
    ("017700000001", "127.0.0.1 (loopback)"),
    ("0177.0.0.1", "127.0.0.1 (loopback)"),
    ("0177.1", "127.0.0.1 (loopback)"),
    ("0x7f.0.0.1", "127.0.0.1 (loopback)"),
    ("0x7f.1", "127.0.0.1 (loopback)"),
    ("0x7f000001", "127.0.0.1 (loopback)"),
    ("0X7F000001", "127.0.0.1 (loopback)"),
    ("0x7f.0x0.0x0.0x1", "127.0.0.1 (loopback)"),
    ("127。0。0。1", "127.0.0.1 (loopback)"),  # ideographic full stops: IDNA makes them dots
    ("127.0.0.1:8080", "127.0.0.1 (loopback)"),
    ("user:pw@127.0.0.1", "127.0.0.1 (loopback)"),
    ("public.example@127.0.0.1", "127.0.0.1 (loopback)"),
    ("[::1]", "::1 (loopback)"),
    ("[0:0:0:0:0:0:0:1]", "::1 (loopback)"),
    ("[::ffff:127.0.0.1]", "::ffff:127.0.0.1 (loopback)"),
    ("[::ffff:7f00:1]", "::ffff:127.0.0.1 (loopback)"),
    ("[0:0:0:0:0:ffff:127.0.0.1]", "::ffff:127.0.0.1 (loopback)"),
    ("[::ffff:7f00:1]:8080", "::ffff:127.0.0.1 (loopback)"),
    ("[2002:7f00:1::]", "2002:7f00:1:: (loopback)"),  # 6to4 around 127.0.0.1
    ("localhost", "localhost (loopback)"),
    ("localhost.", "localhost (loopback)"),
    ("LOCALHOST", "localhost (loopback)"),
    ("api.localhost", "api.localhost (loopback)"),
    # link-local, the cloud metadata service first
    ("169.254.169.254", "169.254.169.254 (link-local)"),
    ("169.254.169.254.", "169.254.169.254 (link-local)"),
    ("2852039166", "169.254.169.254 (link-local)"),
    ("0xa9fea9fe", "169.254.169.254 (link-local)"),
    ("0251.0376.0251.0376", "169.254.169.254 (link-local)"),
    ("0xa9.0xfe.0xa9.0xfe", "169.254.169.254 (link-local)"),
    ("[::ffff:169.254.169.254]", "::ffff:169.254.169.254 (link-local)"),
    ("[::ffff:a9fe:a9fe]", "::ffff:169.254.169.254 (link-local)"),
    ("169.254.0.1", "169.254.0.1 (link-local)"),
    ("[fe80::1]", "fe80::1 (link-local)"),
    ("[fe80::1%25eth0]", "fe80::1 (link-local)"),
    # private networks, IPv6 unique-local and site-local
    ("10.0.0.1", "10.0.0.1 (private)"),
    ("10.1.2.3.", "10.1.2.3 (private)"),
    ("012.0.0.1", "10.0.0.1 (private)"),
    ("172.16.0.1", "172.16.0.1 (private)"),
    ("172.31.255.255", "172.31.255.255 (private)"),
    ("192.168.1.1", "192.168.1.1 (private)"),
    ("0xc0a80101", "192.168.1.1 (private)"),
    ("3232235777", "192.168.1.1 (private)"),
    ("[::ffff:10.0.0.1]", "::ffff:10.0.0.1 (private)"),
    ("[fc00::1]", "fc00::1 (private)"),
    ("[fd12:3456:789a::1]", "fd12:3456:789a::1 (private)"),
    ("[fec0::1]", "fec0::1 (site-local)"),
    ("100.64.0.1", "100.64.0.1 (not globally routable)"),
    # unspecified
    ("0.0.0.0", "0.0.0.0 (unspecified)"),
    ("0.0.0.0.", "0.0.0.0 (unspecified)"),
    ("0", "0.0.0.0 (unspecified)"),
    ("0x0", "0.0.0.0 (unspecified)"),
    ("[::]", ":: (unspecified)"),
    ("[::ffff:0.0.0.0]", "::ffff:0.0.0.0 (unspecified)"),
    # multicast
    ("224.0.0.1", "224.0.0.1 (multicast)"),
    ("239.255.255.250", "239.255.255.250 (multicast)"),
    ("[ff02::1]", "ff02::1 (multicast)"),
    ("[ff05::2]", "ff05::2 (multicast)"),
    # reserved and documentation ranges
    ("240.0.0.1", "240.0.0.1 (reserved)"),
    ("255.255.255.255", "255.255.255.255 (reserved)"),
    ("[64:ff9b::a9fe:a9fe]", "64:ff9b::a9fe:a9fe (reserved)"),
    ("192.0.2.1", "192.0.2.1 (private)"),
    ("198.18.0.1", "198.18.0.1 (private)"),
    ("[2001:db8::1]", "2001:db8::1 (private)"),
)

# (name, what the resolver answers for it, the reason): names are judged by their addresses.
SSRF_DNS_NAMES: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("loop.example", ("127.0.0.1",), "127.0.0.1 (loopback)"),
    ("loop.example.", ("127.0.0.1",), "127.0.0.1 (loopback)"),
    ("v6loop.example", ("::1",), "::1 (loopback)"),
    ("mapped.example", ("::ffff:127.0.0.1",), "::ffff:127.0.0.1 (loopback)"),
    ("metadata.example", ("169.254.169.254",), "169.254.169.254 (link-local)"),
    ("intranet.example", ("10.0.0.5",), "10.0.0.5 (private)"),
    ("ula.example", ("fd00::1",), "fd00::1 (private)"),
    ("linklocal6.example", ("fe80::1",), "fe80::1 (link-local)"),
    ("zero.example", ("0.0.0.0",), "0.0.0.0 (unspecified)"),
    ("mdns.example", ("224.0.0.251",), "224.0.0.251 (multicast)"),
    ("class-e.example", ("240.0.0.1",), "240.0.0.1 (reserved)"),
    # one private address among public ones is enough: the connection may pick any of them
    ("mixed.example", (PUBLIC_V4, "10.0.0.5"), "10.0.0.5 (private)"),
    ("mixed6.example", ("2606:4700::1111", "::1"), "::1 (loopback)"),
    ("garbage.example", ("not-an-address",), "resolver returned 'not-an-address'"),
)

SSRF_SPELLINGS: tuple[str, ...] = tuple(h for h, _ in SSRF_LITERALS) + tuple(
    n for n, _, _ in SSRF_DNS_NAMES
)

NON_HTTP_URLS: tuple[str, ...] = (
    "file:///etc/passwd",
    "file://localhost/etc/passwd",
    "ftp://ftp.example.com/feed.xml",
    "gopher://gopher.example:70/1",
    "data:text/html,<p>hello</p>",
    "data:application/rss+xml;base64,PHJzcz48L3Jzcz4=",
    "javascript:alert(1)",
    "dict://dict.example:2628/d:word",
    "ldap://ldap.example/dc=example",
    "jar:http://example.com/a.jar!/feed.xml",
    "ws://example.com/socket",
    "//example.com/no-scheme",
    "http:///no-host",
    "http://",
)


class Recorder:
    """A transport that records requests and answers with `handler`, and a resolver that records
    lookups and calls every name public (unless told otherwise)."""

    def __init__(
        self,
        handler: Callable[[httpx.Request], httpx.Response] | None = None,
        names: dict[str, tuple[str, ...]] | None = None,
    ) -> None:
        self.requests: list[httpx.Request] = []
        self.lookups: list[str] = []
        self._handler = handler or (lambda request: httpx.Response(200, text="<rss/>"))
        self._names = names or {}

    def transport(self) -> httpx.MockTransport:
        def handle(request: httpx.Request) -> httpx.Response:
            self.requests.append(request)
            return self._handler(request)

        return httpx.MockTransport(handle)

    def resolve(self, host: str, port: int) -> list[str]:
        self.lookups.append(host)
        return list(self._names.get(host, (PUBLIC_V4,)))

    def fetcher(self, **options: object) -> Fetcher:
        return Fetcher(transport=self.transport(), resolver=self.resolve, **options)  # type: ignore[arg-type]


# -- addresses --------------------------------------------------------------------------------


@pytest.mark.parametrize(("host", "reason"), SSRF_LITERALS, ids=[h for h, _ in SSRF_LITERALS])
def test_ssrf_literal_refused_without_dns_or_request(host: str, reason: str) -> None:
    for scheme in ("http", "https"):
        recorder = Recorder()
        url = f"{scheme}://{host}/latest/meta-data/"
        with pytest.raises(BlockedAddressError) as info:
            recorder.fetcher().fetch(url)
        assert info.value.reason.endswith(reason), (scheme, info.value.reason)
        assert recorder.requests == [], f"{url} was requested"
        assert recorder.lookups == [], f"{url} needed DNS: the literal alone must decide"


@pytest.mark.parametrize(
    ("name", "answer", "reason"), SSRF_DNS_NAMES, ids=[n for n, _, _ in SSRF_DNS_NAMES]
)
def test_ssrf_name_resolving_to_blocked_address_refused(
    name: str, answer: tuple[str, ...], reason: str
) -> None:
    for scheme in ("http", "https"):
        recorder = Recorder(names={name.rstrip("."): answer})
        with pytest.raises(BlockedAddressError) as info:
            recorder.fetcher().fetch(f"{scheme}://{name}/feed.xml")
        assert reason in info.value.reason, info.value.reason
        assert recorder.requests == []
        assert recorder.lookups == [name.rstrip(".")]


# Hosts neither urlsplit nor httpx reads as an address, that a lenient resolver might: refused
# as URLs (nothing is requested or looked up), whatever a resolver would have said.
UNREADABLE_HOSTS: tuple[str, ...] = (
    "１２７.０.０.１",  # fullwidth digits
    "ⓛⓞⓒⓐⓛⓗⓞⓢⓣ",  # enclosed letters: "localhost" after NFKC
    "127.0.0.1 ",
    "[::1",
    "[127.0.0.1]",
)


@pytest.mark.parametrize("host", UNREADABLE_HOSTS)
def test_unreadable_hosts_refused(host: str) -> None:
    recorder = Recorder()
    with pytest.raises(FetchError):
        recorder.fetcher().fetch(f"https://{host}/latest/meta-data/")
    assert recorder.requests == [] and recorder.lookups == []


def test_every_spelling_is_counted() -> None:
    assert len(SSRF_SPELLINGS) == len(set(SSRF_SPELLINGS)) >= 80


@pytest.mark.parametrize("url", NON_HTTP_URLS)
def test_only_http_and_https(url: str) -> None:
    for allow_private in (False, True):
        recorder = Recorder()
        with pytest.raises(FetchError) as info:
            recorder.fetcher(allow_private=allow_private).fetch(url)
        assert info.value.reason.startswith(
            ("only http and https URLs", "the URL has no host name", "not a valid URL")
        ), info.value.reason
        assert recorder.requests == [] and recorder.lookups == []


def test_public_addresses_pass() -> None:
    """The control: the guard is not simply refusing everything."""
    recorder = Recorder(names={"news.example": ("2606:4700::1111", PUBLIC_V4)})
    for url in (
        "http://news.example/feed.xml",
        "https://news.example./feed.xml",
        f"http://{PUBLIC_V4}/x",
        "https://[2606:4700::1111]/x",
        "http://xn--bcher-kva.example/",
    ):
        assert recorder.fetcher().fetch(url).status == 200
    assert len(recorder.requests) == 5
    # plain http is pinned to the address that was checked; the Host header keeps the name
    first = recorder.requests[0]
    assert first.url.host == "2606:4700::1111" and first.headers["Host"] == "news.example"
    assert recorder.requests[4].headers["Host"] == "xn--bcher-kva.example"
    assert check_url_allowed("https://news.example/", resolver=recorder.resolve) == [
        "2606:4700::1111",
        PUBLIC_V4,
    ]


# -- redirects --------------------------------------------------------------------------------

REDIRECT_TARGETS: tuple[tuple[str, str], ...] = (
    ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 (link-local)"),
    ("http://[::ffff:a9fe:a9fe]/latest/", "::ffff:169.254.169.254 (link-local)"),
    ("https://2852039166/", "169.254.169.254 (link-local)"),
    ("//10.0.0.1/admin", "10.0.0.1 (private)"),  # scheme-relative
    ("http://localhost./", "localhost (loopback)"),
    ("http://[::1]:6379/", "::1 (loopback)"),
    ("http://intranet.example/", "10.0.0.5 (private)"),  # a name resolving privately
    ("file:///etc/passwd", "only http and https URLs can be fetched, not file:"),
    ("gopher://127.0.0.1:6379/_INFO", "only http and https URLs can be fetched, not gopher:"),
)


@pytest.mark.parametrize(("location", "reason"), REDIRECT_TARGETS)
def test_redirect_hops_are_checked_again(location: str, reason: str) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/story":
            return httpx.Response(302, headers={"Location": "/moved"})
        return httpx.Response(301, headers={"Location": location})

    recorder = Recorder(handler, names={"intranet.example": ("10.0.0.5",)})
    with pytest.raises(FetchError) as info:
        recorder.fetcher().fetch("http://news.example/story")
    assert reason in info.value.reason, info.value.reason
    # both public hops were requested; the refused target never was
    assert [r.url.path for r in recorder.requests] == ["/story", "/moved"]
    assert all(r.url.host == PUBLIC_V4 for r in recorder.requests)


@pytest.mark.parametrize("redirects", [MAX_REDIRECTS, MAX_REDIRECTS + 1, 50])
def test_at_most_five_redirects(redirects: int) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        hop = int(request.url.path.strip("/") or 0)
        if hop < redirects:
            return httpx.Response(307, headers={"Location": f"/{hop + 1}"})
        return httpx.Response(200, text="<rss/>")

    recorder = Recorder(handler)
    fetcher = recorder.fetcher()
    assert MAX_REDIRECTS == 5
    if redirects <= 5:
        result = fetcher.fetch("http://news.example/0")
        assert result.url == f"http://news.example/{redirects}" and result.content == b"<rss/>"
        return
    with pytest.raises(FetchError, match=r"too many redirects \(more than 5\)"):
        fetcher.fetch("http://news.example/0")
    assert len(recorder.requests) == MAX_REDIRECTS + 1  # the sixth target is never requested


# -- size -------------------------------------------------------------------------------------


class EndlessBody:
    """An endless body, counting how many bytes the client actually pulled from it."""

    def __init__(self, chunk: bytes = b"x" * 65536) -> None:
        self.chunk = chunk
        self.pulled = 0

    def __iter__(self) -> Iterator[bytes]:
        while True:
            self.pulled += len(self.chunk)
            yield self.chunk


def _refused_with_peak_memory(action: Callable[[], object], match: str) -> int:
    """Run `action`, which must raise FetchError matching `match`; the peak memory it took."""
    tracemalloc.start()
    try:
        with pytest.raises(FetchError, match=match):
            action()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_default_cap_is_five_megabytes() -> None:
    assert Fetcher().max_bytes == 5_000_000
    settings = Settings.from_env(environ={}, dotenv_path=None)
    assert settings.fetch_max_bytes == 5_000_000
    assert (
        Settings.from_env(environ={"FETCH_MAX_BYTES": "2048"}, dotenv_path=None).fetch_max_bytes
        == 2048
    )


def test_endless_body_is_cut_off_while_streaming() -> None:
    body = EndlessBody()
    recorder = Recorder(
        lambda request: httpx.Response(200, headers={"Content-Type": "text/html"}, content=body)
    )
    fetcher = recorder.fetcher()  # the default cap: 5,000,000 bytes
    with StallMeter() as meter:
        peak = _refused_with_peak_memory(
            lambda: fetcher.fetch("http://news.example/endless"), "larger than 5000000 bytes"
        )
    assert meter.within(10), meter.describe(10)
    assert body.pulled <= 5_000_000 + 65536  # stopped one network chunk after the cap
    assert peak < 12_000_000, f"peak {peak / 1e6:.1f} MB while reading a capped body"


def test_declared_oversize_body_is_never_read() -> None:
    body = EndlessBody()
    recorder = Recorder(
        lambda request: httpx.Response(
            200, headers={"Content-Length": "900000000", "Content-Type": "text/html"}, content=body
        )
    )
    with pytest.raises(FetchError, match="larger than 5000000 bytes"):
        recorder.fetcher().fetch("http://news.example/huge")
    assert body.pulled == 0


@pytest.mark.slow
@pytest.mark.parametrize("coding", ["gzip", "deflate"])
def test_compression_bomb_is_stopped_at_the_cap_in_small_steps(coding: str) -> None:
    # 200 MB of zeros: about 200 KB on the wire.
    wbits = 31 if coding == "gzip" else 15
    squeezer = zlib.compressobj(9, zlib.DEFLATED, wbits)
    bomb = squeezer.compress(b"\0" * 200_000_000) + squeezer.flush()
    assert len(bomb) < 300_000
    pulled = [0]

    def stream() -> Iterator[bytes]:
        for start in range(0, len(bomb), 65536):
            pulled[0] += 1
            yield bomb[start : start + 65536]

    recorder = Recorder(
        lambda request: httpx.Response(
            200, headers={"Content-Encoding": coding, "Content-Type": "text/html"}, content=stream()
        )
    )
    fetcher = recorder.fetcher(max_bytes=1_000_000)
    peak = _refused_with_peak_memory(
        lambda: fetcher.fetch("http://news.example/bomb"), "larger than 1000000 bytes"
    )
    assert pulled[0] == 1  # one network chunk of the bomb was enough to know
    # httpx alone inflates that whole 64 KiB chunk at once: about 64 MB for a 1 MB cap
    assert peak < 6_000_000, f"peak {peak / 1e6:.1f} MB while inflating a capped body"
    assert recorder.requests[0].headers["Accept-Encoding"] == "gzip, deflate"


def test_compressed_bodies_still_decode() -> None:
    text = article_html("Compressed", article_text("Harbour")).encode()
    payloads = {
        "/gzip": ("gzip", gzip.compress(text)),
        "/deflate": ("deflate", zlib.compress(text)),
        "/raw-deflate": ("deflate", zlib.compress(text, wbits=-15)),
        "/identity": ("identity", text),
        "/mislabelled": ("UTF-8", text),  # a common misconfiguration: passed through
    }

    def handler(request: httpx.Request) -> httpx.Response:
        coding, data = payloads[request.url.path]
        return httpx.Response(
            200,
            headers={"Content-Encoding": coding, "Content-Type": "text/html"},
            content=iter([data[:100], data[100:]]),
        )

    fetcher = Recorder(handler).fetcher()
    for path in payloads:
        assert fetcher.fetch(f"http://news.example{path}").content == text, path
    for path, coding in (("/br", "br"), ("/twice", "gzip, gzip"), ("/corrupt", "gzip")):
        payloads[path] = (coding, b"\x1f\x8b not really gzip")
        with pytest.raises(FetchError, match=r"unsupported content encoding|could not decode"):
            fetcher.fetch(f"http://news.example{path}")


# -- time -------------------------------------------------------------------------------------


def test_connect_timeout() -> None:
    # A listening socket whose accept queue is full: the SYN is dropped and connect() hangs.
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    try:
        for _ in range(4):
            filler = socket.socket()
            filler.setblocking(False)
            with contextlib.suppress(BlockingIOError):
                filler.connect(("127.0.0.1", port))
            fillers.append(filler)
        time.sleep(0.2)
        transport = LoopbackOnlyTransport()
        with (
            StallMeter() as meter,
            Fetcher(transport=transport, allow_private=True, timeout=0.5) as fetcher,
            pytest.raises(FetchError, match=r"could not connect within 0\.5 s"),
        ):
            fetcher.fetch(f"http://127.0.0.1:{port}/feed.xml")
        assert meter.within(3), meter.describe(3)
    finally:
        for filler in fillers:
            filler.close()
        listener.close()


def test_read_timeout_and_overall_deadline(server: LocalServer) -> None:
    silent = server.add("/silent", "late", delay=1.5)
    trickle = server.add("/trickle", b"y" * 40_000, trickle=0.05)
    transport = LoopbackOnlyTransport()
    try:
        with (
            StallMeter() as meter,
            Fetcher(transport=transport, allow_private=True, timeout=0.4) as fetcher,
            pytest.raises(FetchError, match=r"did not answer within 0\.4 s"),
        ):
            fetcher.fetch(silent)
        assert meter.within(1.4), meter.describe(1.4)
        # each chunk arrives within the read timeout, but the whole download may not dawdle
        with (
            StallMeter() as meter,
            Fetcher(transport=transport, allow_private=True, timeout=0.4) as fetcher,
            pytest.raises(FetchError, match=r"took longer than 1\.2 s in all"),
        ):
            fetcher.fetch(trickle)
        assert meter.within(2.5), meter.describe(2.5)
    finally:
        transport.close()


def test_fetch_timeout_setting_reaches_ingest(db: Database, server: LocalServer) -> None:
    url = server.add("/slow-feed.xml", "<rss/>", delay=1.5)
    settings = Settings.from_env(
        environ={"DATABASE_URL": db.url, "FETCH_TIMEOUT": "0.4", "FETCH_ALLOW_PRIVATE": "true"},
        dotenv_path=None,
    )
    core = Briefbot(settings, engine=db.engine, http_transport=LoopbackOnlyTransport())
    with StallMeter() as meter:
        report = core.ingest([url], topic="slow")
    assert meter.within(1.4), meter.describe(1.4)
    assert report.failures() == [f"{url}: the server did not answer within 0.4 s"]


# -- content types ----------------------------------------------------------------------------

REFUSED_TYPES = (
    "image/png",
    "image/svg+xml",
    "application/pdf",
    "application/zip",
    "application/gzip",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "audio/mpeg",
    "video/mp4",
    "font/woff2",
)
ACCEPTED_TYPES = (
    None,
    "text/html; charset=utf-8",
    "application/xhtml+xml",
    "application/rss+xml",
    "application/atom+xml",
    "application/rdf+xml",
    "application/xml",
    "text/xml",
    "application/feed+json",
    "application/json",
    "text/plain",
    "application/octet-stream",  # servers mislabel feeds this way; the body decides
)


def test_content_types_checked_before_the_body_is_read() -> None:
    bodies: dict[str, EndlessBody] = {}

    def handler(request: httpx.Request) -> httpx.Response:
        media = request.url.params["type"]
        bodies[media] = EndlessBody()
        return httpx.Response(200, headers={"Content-Type": media}, content=bodies[media])

    fetcher = Recorder(handler).fetcher()
    for media in REFUSED_TYPES:
        with pytest.raises(FetchError) as info:
            fetcher.fetch(f"http://news.example/x?type={quote(media)}")
        assert info.value.reason == f"unsupported content type {media} (not a feed or web page)"
        assert bodies[media].pulled == 0

    def fixed(request: httpx.Request) -> httpx.Response:
        media = request.url.params.get("type")
        headers = {"Content-Type": media} if media else {}
        return httpx.Response(200, headers=headers, content=iter([b"<rss/>"]))

    fetcher = Recorder(fixed).fetcher()
    for accepted in ACCEPTED_TYPES:
        query = "" if accepted is None else f"?type={quote(accepted)}"
        assert fetcher.fetch(f"http://news.example/x{query}").content == b"<rss/>", accepted


def test_pipeline_stores_the_content_type_refusal(
    db: Database, server: LocalServer, transport: LoopbackOnlyTransport
) -> None:
    png = server.add("/photo.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 5000, content_type="image/png")
    good = server.add("/story.html", article_html("Harbour", article_text("Harbour")))
    with Fetcher(transport=transport, allow_private=True, timeout=2.0) as fetcher:
        report = ingest(db.factory, fetcher, [SourceSpec("url", png), SourceSpec("url", good)])
    assert report.ok_count == 1 and report.failed_count == 1
    with db.factory() as session:
        row = sources.get_by_url(session, png)
        assert row is not None
        assert row.last_error == "unsupported content type image/png (not a feed or web page)"


# -- FETCH_ALLOW_PRIVATE ----------------------------------------------------------------------


def test_allow_private_lifts_only_the_address_rule(server: LocalServer) -> None:
    for host, _ in SSRF_LITERALS:
        if host.startswith(("0177.0", "012.")) or "%25" in host:
            continue  # spellings httpx itself cannot request: refused as URLs, not addresses
        assert check_url_allowed(f"http://{host}/", allow_private=True) == [], host
    with pytest.raises(FetchError, match="only http and https"):
        check_url_allowed("file:///etc/passwd", allow_private=True)

    transport = LoopbackOnlyTransport()
    with Fetcher(transport=transport, allow_private=True, max_bytes=10_000, timeout=2) as fetcher:
        assert fetcher.fetch(server.add("/ok", "<rss/>")).content == b"<rss/>"
        with pytest.raises(FetchError, match="larger than 10000 bytes"):
            fetcher.fetch(server.add("/big", stream_size=10_000_000))
        with pytest.raises(FetchError, match="unsupported content type image/gif"):
            fetcher.fetch(server.add("/gif", b"GIF89a", content_type="image/gif"))
        for n in range(8):
            server.add(f"/hop{n}", status=302, location=f"/hop{n + 1}")
        with pytest.raises(FetchError, match="too many redirects"):
            fetcher.fetch(server.url("/hop0"))
        with pytest.raises(FetchError, match="only http and https"):
            server.add("/to-file", status=302, location="file:///etc/passwd")
            fetcher.fetch(server.url("/to-file"))
    transport.close()


def _settings(tmp_path: Path, allow: str) -> Settings:
    return Settings.from_env(
        environ={
            "DATABASE_URL": f"sqlite:///{tmp_path / f'warn-{allow}.db'}",
            "FETCH_ALLOW_PRIVATE": allow,
        },
        dotenv_path=None,
    )


def test_allow_private_is_logged_as_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    Briefbot(_settings(tmp_path, "false")).close()
    assert not [r for r in caplog.records if "FETCH_ALLOW_PRIVATE" in r.getMessage()]
    Briefbot(_settings(tmp_path, "true")).close()
    warnings = [r for r in caplog.records if "FETCH_ALLOW_PRIVATE" in r.getMessage()]
    assert len(warnings) == 1 and warnings[0].levelno == logging.WARNING
    assert "private" in warnings[0].getMessage()


def test_allow_private_warning_reaches_the_cli_stderr(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.cli import main

    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("FETCH_ALLOW_PRIVATE", "true")
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    try:
        assert main(["topic", "list"]) == 0
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
    err = capsys.readouterr().err
    assert "WARNING" in err and "FETCH_ALLOW_PRIVATE is on" in err
