"""Ingest fixtures: a real HTTP server on 127.0.0.1 and a fetcher that can only reach it.

Feeds in the tests and in the corpus link to real sites. The fetcher's transport refuses every
host but loopback, so nothing leaves the machine; a refused entry link must end up as a kept
teaser, never as a crash. The database fixture (`db`, SQLite and PostgreSQL) is the suite's own,
from tests/conftest.py.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from bot.ingest.fetch import Fetcher

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost"})


class LoopbackOnlyTransport(httpx.BaseTransport):
    """An HTTP transport that refuses, without any network activity, every non-loopback host."""

    def __init__(self) -> None:
        self._inner = httpx.HTTPTransport()
        self.refused: list[str] = []
        self._lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        host = request.url.host
        if host not in LOOPBACK_HOSTS:
            with self._lock:
                self.refused.append(str(request.url))
            raise httpx.ConnectError(f"test transport: {host} is not loopback", request=request)
        return self._inner.handle_request(request)

    def close(self) -> None:
        self._inner.close()


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    etag: str | None = None
    last_modified: str | None = None
    location: str | None = None  # for redirects
    delay: float = 0.0  # seconds before answering
    trickle: float = 0.0  # seconds between 1 KiB chunks of the body
    stream_size: int = 0  # > 0: send this many bytes, without Content-Length
    headers: dict[str, str] = field(default_factory=dict)


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True
    local: LocalServer

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # clients that hang up early (size caps, timeouts) are the point of some tests


class _RouteHandler(BaseHTTPRequestHandler):
    """Answers from the routes of the `LocalServer` that owns the server."""

    protocol_version = "HTTP/1.1"
    server: _QuietServer

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        local = self.server.local
        with local._lock:
            local.requests.append((self.path, dict(self.headers.items())))
        route = local.routes.get(self.path) or local.routes.get(self.path.split("?")[0])
        if route is None:
            self._send(404, b"not found", "text/plain")
            return
        if route.delay:
            time.sleep(route.delay)
        if self._answered_without_body(route):
            return
        if route.stream_size:
            self._stream(route)
            return
        extra = dict(route.headers)
        if route.etag:
            extra["ETag"] = route.etag
        if route.last_modified:
            extra["Last-Modified"] = route.last_modified
        self._send(route.status, route.body, route.content_type, extra, route.trickle)

    def _answered_without_body(self, route: Route) -> bool:
        """A redirect, or 304 Not Modified to a matching If-None-Match."""
        if route.location is not None:
            self.send_response(route.status)
            self.send_header("Location", route.location)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return True
        if route.etag and self.headers.get("If-None-Match") == route.etag:
            self.send_response(304)
            self.send_header("ETag", route.etag)
            self.end_headers()
            return True
        return False

    def _send(
        self,
        status: int,
        body: bytes,
        content_type: str,
        extra: dict[str, str] | None = None,
        trickle: float = 0.0,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        try:
            if not trickle:
                self.wfile.write(body)
                return
            for start in range(0, len(body), 1024):
                self.wfile.write(body[start : start + 1024])
                self.wfile.flush()
                time.sleep(trickle)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up, as it should

    def _stream(self, route: Route) -> None:
        self.send_response(200)
        self.send_header("Content-Type", route.content_type)
        self.send_header("Connection", "close")
        self.end_headers()
        chunk = b"x" * 65536
        sent = 0
        try:
            while sent < route.stream_size:
                self.wfile.write(chunk)
                sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass
        self.close_connection = True


class LocalServer:
    """Routes served by a ThreadingHTTPServer on 127.0.0.1:<free port>."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self._lock = threading.Lock()
        self.httpd = _QuietServer(("127.0.0.1", 0), _RouteHandler)
        self.httpd.local = self
        self.port = self.httpd.server_address[1]
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def add(self, path: str, body: bytes | str = b"", **kwargs: object) -> str:
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.routes[path] = Route(body=data, **kwargs)  # type: ignore[arg-type]
        return self.url(path)

    def hits(self, path: str) -> int:
        with self._lock:
            return sum(1 for p, _ in self.requests if p == path)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server() -> Iterator[LocalServer]:
    local = LocalServer()
    local.start()
    yield local
    local.stop()


@pytest.fixture
def transport() -> Iterator[LoopbackOnlyTransport]:
    loopback = LoopbackOnlyTransport()
    yield loopback
    loopback.close()


@pytest.fixture
def fetcher(transport: LoopbackOnlyTransport) -> Iterator[Fetcher]:
    # allow_private: the test server is on loopback; the transport keeps everything local.
    with Fetcher(transport=transport, allow_private=True, timeout=2.0, max_bytes=1_000_000) as f:
        yield f


# -- test material ------------------------------------------------------------------------

_SENTENCES = [
    "The finance ministers met in Brussels on Tuesday to discuss the budget framework.",
    "Officials said the agreement would be reviewed by national parliaments next month.",
    "Several delegations asked for more time to study the proposed fiscal rules.",
    "The commission expects a final vote before the summer recess begins in July.",
    "Analysts noted that bond markets reacted calmly to the announcement on Wednesday.",
    "Trade unions called for a public consultation on the spending limits.",
    "A spokesperson declined to comment on the timetable for implementation.",
    "The opposition described the plan as a step in the right direction.",
]


_ACTORS = [
    "The finance ministers",
    "Officials",
    "Several delegations",
    "The commission",
    "Trade unions",
    "A spokesperson",
    "The opposition",
    "Regional leaders",
    "Auditors",
    "The central bank",
    "Negotiators",
    "Local councils",
]
_ACTIONS = [
    "met to discuss",
    "reviewed",
    "asked for more time on",
    "voted on",
    "criticised",
    "declined to comment on",
    "welcomed",
    "published a report on",
    "questioned",
    "set a deadline for",
    "proposed changes to",
    "held hearings on",
]
_OBJECTS = [
    "the budget framework",
    "the fiscal rules",
    "the spending limits",
    "the timetable",
    "the public consultation",
    "the tax proposal",
    "the pension reform",
    "bond markets",
    "the housing plan",
    "the energy subsidy",
    "the transport levy",
    "the trade deal",
]
_WHEN = [
    "on Tuesday",
    "next month",
    "before the summer recess",
    "on Wednesday",
    "in July",
    "last week",
    "this spring",
    "by the end of the year",
]


def article_text(topic: str, n: int = 40) -> str:
    """A distinctive article body of about 14*n words, mentioning `topic` in every paragraph.

    Sentences are drawn with a generator seeded by the topic, so two topics' articles share
    words but not passages (they must not look like copies of one text to near-dup checks).
    """
    rng = random.Random(topic)
    paragraphs = []
    for i in range(n // 4):
        chosen = [
            f"{rng.choice(_ACTORS)} {rng.choice(_ACTIONS)} {rng.choice(_OBJECTS)} "
            f"{rng.choice(_WHEN)}, {rng.choice(_ACTORS).lower()} {rng.choice(_ACTIONS)} "
            f"{rng.choice(_OBJECTS)}."
            for _ in range(4)
        ]
        paragraphs.append(f"{topic} update {i}: " + " ".join(chosen))
    return "\n\n".join(paragraphs)


def article_html(title: str, text: str, published: str = "2025-03-14T09:30:00+00:00") -> str:
    paragraphs = "".join(f"<p>{p}</p>" for p in text.split("\n\n"))
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<title>{title}</title>"
        f"<meta property='article:published_time' content='{published}'>"
        "<script>var tracking = 'SHOULD NOT APPEAR';</script>"
        "<style>.x { color: red }</style></head><body>"
        "<nav><a href='/'>Home</a> <a href='/world'>World</a></nav>"
        f"<article><h1>{title}</h1>{paragraphs}</article>"
        "<footer>Copyright Example News</footer></body></html>"
    )


def rss_feed(title: str, items: list[dict[str, str]]) -> str:
    parts = []
    for item in items:
        fields = "".join(
            f"<{k}>{v}</{k}>"
            if k != "content"
            else f"<content:encoded><![CDATA[{v}]]></content:encoded>"
            for k, v in item.items()
        )
        parts.append(f"<item>{fields}</item>")
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        f"<channel><title>{title}</title><link>http://127.0.0.1/</link>"
        f"<description>test</description>{''.join(parts)}</channel></rss>"
    )


def atom_feed(title: str, entries: list[dict[str, str]]) -> str:
    parts = []
    for entry in entries:
        inner = f"<title>{entry['title']}</title><id>{entry['id']}</id>"
        inner += f"<updated>{entry.get('updated', '2025-03-14T10:00:00Z')}</updated>"
        if "link" in entry:
            inner += f"<link rel='alternate' href='{entry['link']}'/>"
        if "summary" in entry:
            inner += f"<summary>{entry['summary']}</summary>"
        if "content" in entry:
            inner += f"<content type='html'><![CDATA[{entry['content']}]]></content>"
        parts.append(f"<entry>{inner}</entry>")
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{title}</title><id>urn:test</id><updated>2025-03-14T10:00:00Z</updated>"
        f"{''.join(parts)}</feed>"
    )
