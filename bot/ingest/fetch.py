"""Guarded HTTP fetching: public addresses only, bounded size and time, manual redirects.

Feed and page URLs come from users and from feeds written by strangers, so every request is
treated as a potential server-side request forgery: the host is resolved and each address is
checked before any byte is sent, on every redirect hop too.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from types import TracebackType
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpcore  # httpx's own transport layer: its timeout type is what a socket read raises
import httpx

from bot.errors import BlockedAddressError, FetchError
from bot.redact import redact

log = logging.getLogger(__name__)

Resolver = Callable[[str, int], list[str]]
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

DEFAULT_USER_AGENT = "briefbot/0.1 (news brief bot; +https://github.com/briefbot)"
DEFAULT_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, "
    "application/xml;q=0.9, text/xml;q=0.9, text/html;q=0.8, */*;q=0.5"
)
MAX_REDIRECTS = 5
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# Compressions we decode ourselves, a bounded piece at a time (see `_decoded`).
ACCEPT_ENCODING = "gzip, deflate"
_ZLIB_WBITS = {
    "gzip": 16 + zlib.MAX_WBITS,
    "x-gzip": 16 + zlib.MAX_WBITS,
    "deflate": zlib.MAX_WBITS,
}
_UNDECODABLE = frozenset({"br", "zstd", "compress", "x-compress"})
_INFLATE_PIECE = 65536  # most bytes one decompression step may produce
# Media types that can hold a feed or a page. Anything else (images, PDFs, archives, office
# documents, video) is refused from its headers, before its body is downloaded. octet-stream
# stays allowed: servers label feeds with it, and the body decides.
_FETCHABLE_SUBTYPES = frozenset(
    {
        "xml",
        "json",
        "rss",
        "x-rss",
        "atom",
        "rdf",
        "xml-dtd",
        "xml-external-parsed-entity",
        "octet-stream",
    }
)
_BINARY_TOP_TYPES = ("image/", "audio/", "video/", "font/", "model/")  # even image/svg+xml


@dataclass(frozen=True)
class FetchResult:
    url: str  # the final URL, after redirects
    status: int
    headers: dict[str, str] = field(repr=False)  # lower-case names
    content: bytes = field(repr=False)
    content_type: str | None  # media type only, lower case, e.g. "application/rss+xml"
    encoding: str | None  # the charset the server declared, if any
    not_modified: bool
    etag: str | None
    last_modified: str | None


def default_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def parse_ip_literal(host: str) -> IPAddress | None:
    """The address `host` denotes by itself, without DNS, or None for a name.

    Besides dotted quads and IPv6, the C resolver accepts "2130706433", "0x7f.1" and "0177.0.0.1"
    as 127.0.0.1; inet_aton has exactly those semantics, so such hosts are parsed with it.
    """
    text = host.strip().rstrip(".")
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    text = text.split("%", 1)[0]  # IPv6 zone id
    if not text:
        return None
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        pass
    if not all(c in "0123456789abcdefxABCDEFX." for c in text):
        return None
    try:
        return ipaddress.IPv4Address(socket.inet_aton(text))
    except OSError:
        return None


def blocked_reason(address: IPAddress) -> str | None:
    """Why `address` must not be fetched, or None for a public address."""
    if isinstance(address, ipaddress.IPv6Address):
        # An IPv6 address can carry an IPv4 one (mapped, 6to4, Teredo); judge that one too.
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address.teredo is not None:
            embedded = address.teredo[1]
        if embedded is not None:
            reason = blocked_reason(embedded)
            if reason is not None:
                return reason
    checks = (
        ("loopback", address.is_loopback),
        # fec0::/10 is deprecated but still routed inside some networks; Python calls it global.
        ("site-local", isinstance(address, ipaddress.IPv6Address) and address.is_site_local),
        ("unspecified", address.is_unspecified),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("reserved", address.is_reserved),
        ("private", address.is_private),
        ("not globally routable", not address.is_global),
    )
    return next((name for name, hit in checks if hit), None)


def _display(address: IPAddress) -> str:
    """An address as people write it: IPv4-mapped IPv6 with its IPv4 part dotted."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return f"::ffff:{address.ipv4_mapped}"
    return str(address)


def _media_type(value: str | None) -> str | None:
    if not value:
        return None
    media = value.split(";", 1)[0].strip().lower()
    return media or None


def fetchable_media_type(media: str | None) -> bool:
    """Whether a response of this media type can be a feed or an article page (None: unknown,
    the body decides)."""
    if media is None or media.startswith("text/"):
        return True
    if media.startswith(_BINARY_TOP_TYPES):
        return False
    subtype = media.partition("/")[2]
    return subtype in _FETCHABLE_SUBTYPES or subtype.endswith(("+xml", "+json"))


def _is_localhost_name(name: str) -> bool:
    """The name "localhost" and any name under it are loopback by definition (RFC 6761 6.3),
    whatever a resolver answers for them; the HTTP stack may look them up again itself."""
    lowered = name.lower().rstrip(".")
    return lowered == "localhost" or lowered.endswith(".localhost")


class _BodyDecodeError(Exception):
    pass


class _DeadlinePassed(Exception):
    """The fetch's total deadline passed before a read or write on its connection."""


# The total deadline of the fetch running in this thread (time.monotonic()), or None. httpx's
# timeouts apply per socket operation, so a server sending its status line and headers one byte
# at a time is never timed out by them. Every connection a Fetcher opens has its reads and
# writes wrapped (see `_guard_stream`) so that each waits at most until this deadline, which
# bounds connect, TLS, status line, headers, body and every redirect hop together. httpcore
# runs a synchronous request in the calling thread, so a thread-local names the right one,
# also for a kept-alive connection reused by a later fetch.
_deadline = threading.local()


# While a stop event is set up, a read waits at most this long at a time before looking at it.
_STOP_POLL_SECONDS = 0.5


def _stopping() -> bool:
    stop: threading.Event | None = getattr(_deadline, "stop", None)
    return stop is not None and stop.is_set()


def _clamped(timeout: float | None) -> float:
    """The socket timeout for one read or write: `timeout`, cut to what the deadline leaves."""
    deadline: float | None = getattr(_deadline, "value", None)
    if _stopping():
        raise _DeadlinePassed
    if deadline is None:
        return 60.0 if timeout is None else timeout
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise _DeadlinePassed
    return remaining if timeout is None else min(timeout, remaining)


def _read_until_deadline(
    read: Callable[..., bytes], max_bytes: int, timeout: float | None
) -> bytes:
    """One read, bounded by the deadline; with a stop event, in slices so that a shutdown
    ends it within _STOP_POLL_SECONDS. A timed-out read has consumed nothing, so the next
    slice goes on where it was."""
    limit = _clamped(timeout)
    if getattr(_deadline, "stop", None) is None:
        return read(max_bytes, limit)
    give_up = time.monotonic() + limit
    while True:
        left = give_up - time.monotonic()
        try:
            return read(max_bytes, max(0.001, min(left, _STOP_POLL_SECONDS)))
        except httpcore.ReadTimeout:
            if time.monotonic() >= give_up:
                raise
            _clamped(timeout)  # raises once stopped or past the deadline


def _guard_stream(stream: object) -> None:
    """Wrap a new connection's read and write so that each ends by the current deadline."""
    if getattr(stream, "_briefbot_guarded", False):
        return
    read = getattr(stream, "read", None)
    write = getattr(stream, "write", None)
    if read is None or write is None:
        return

    def bounded_read(max_bytes: int, timeout: float | None = None) -> bytes:
        return _read_until_deadline(read, max_bytes, timeout)

    def bounded_write(buffer: bytes, timeout: float | None = None) -> None:
        write(buffer, _clamped(timeout))

    try:
        stream.read = bounded_read  # type: ignore[attr-defined]
        stream.write = bounded_write  # type: ignore[attr-defined]
        stream._briefbot_guarded = True  # type: ignore[attr-defined]
    except AttributeError:  # a stream type that refuses new attributes: per-read timeouts only
        log.debug("cannot bound the reads of %r by the fetch deadline", stream)


def _trace(event: str, info: Mapping[str, object]) -> None:
    """httpcore's trace hook: sees each new connection (and its TLS layer) as it is opened."""
    if event in ("connection.connect_tcp.complete", "connection.start_tls.complete"):
        _guard_stream(info.get("return_value"))


def _decoded(raw: Iterable[bytes], coding: str) -> Iterator[bytes]:
    """The body's bytes with its Content-Encoding undone, never more than _INFLATE_PIECE at once.

    httpx inflates each network chunk in one go: 64 KiB of gzip can become 64 MB in memory
    before a size check sees it. Here the caller's size cap stops a compression bomb after at
    most one piece beyond the cap.
    """
    wbits = _ZLIB_WBITS.get(coding)
    if wbits is None:  # identity, or a label we don't know (httpx passes those through too)
        yield from raw
        return
    inflater = zlib.decompressobj(wbits)
    started = False
    for chunk in raw:
        data = chunk
        while True:
            try:
                out = inflater.decompress(data, _INFLATE_PIECE)
            except zlib.error as exc:
                if coding == "deflate" and not started:
                    # Some servers send raw deflate without the zlib header.
                    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
                    started = True
                    continue
                raise _BodyDecodeError(f"could not decode the {coding} body: {exc}") from None
            started = True
            if out:
                yield out
            data = inflater.unconsumed_tail
            # A full piece may leave output pending inside zlib even with no input left.
            if not data and len(out) < _INFLATE_PIECE:
                break
    try:
        tail = inflater.flush()
    except zlib.error as exc:
        raise _BodyDecodeError(f"could not decode the {coding} body: {exc}") from None
    if tail:
        yield tail


class Fetcher:
    """Fetches http(s) URLs for ingestion. Thread-safe: one instance serves a worker pool.

    `client` or `transport` are for callers that bring their own HTTP stack (tests pass a
    transport that refuses everything but loopback). `allow_private` switches the address
    checks off, for self-hosted sources on a private network and for tests on 127.0.0.1.
    """

    def __init__(
        self,
        client: httpx.Client | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
        timeout: float = 10.0,
        max_bytes: int = 5_000_000,
        allow_private: bool = False,
        resolver: Resolver | None = None,
        user_agent: str = DEFAULT_USER_AGENT,
        total_timeout: float | None = None,
        secrets: Iterable[str] = (),
        stop: threading.Event | None = None,
    ) -> None:
        if client is not None and transport is not None:
            raise ValueError("pass either client or transport, not both")
        self.timeout = timeout
        # Read timeouts apply per chunk, so a server trickling bytes needs an overall limit too.
        self.total_timeout = total_timeout if total_timeout is not None else timeout * 3
        self.max_bytes = max_bytes
        self.allow_private = allow_private
        self.user_agent = user_agent
        self._resolver = resolver or default_resolver
        self._secrets = tuple(secrets)
        # Once set (shutdown), fetches in progress end within about half a second.
        self._stop = stop
        self._owns_client = client is None
        self._client = client or httpx.Client(
            transport=transport,
            timeout=httpx.Timeout(timeout),
            follow_redirects=False,
        )

    def close(self) -> None:
        if self._owns_client:
            self._client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def check_url_allowed(self, url: str) -> list[str]:
        """See the module-level `check_url_allowed`; uses this fetcher's settings."""
        return check_url_allowed(
            url, allow_private=self.allow_private, resolver=self._resolver, secrets=self._secrets
        )

    # -- fetching ------------------------------------------------------------------------

    def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str = DEFAULT_ACCEPT,
    ) -> FetchResult:
        """GET `url`, following at most MAX_REDIRECTS redirects, each hop checked again.

        Conditional headers make an unchanged resource come back as `not_modified` with no body.
        Raises FetchError (BlockedAddressError for refused addresses) with a readable reason.
        """
        # Only codings `_decoded` can undo in bounded steps (httpx would add br/zstd when
        # their packages are installed, and inflate those unbounded).
        headers = {
            "User-Agent": self.user_agent,
            "Accept": accept,
            "Accept-Encoding": ACCEPT_ENCODING,
        }
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        deadline = time.monotonic() + self.total_timeout
        outer = getattr(_deadline, "value", None)
        outer_stop = getattr(_deadline, "stop", None)
        _deadline.value = deadline if outer is None else min(outer, deadline)
        _deadline.stop = self._stop or outer_stop
        try:
            current = url
            for _hop in range(MAX_REDIRECTS + 1):
                if _stopping():
                    raise self._error(url, "stopped: briefbot is shutting down")
                if time.monotonic() >= deadline:
                    raise self._error(url, self._too_slow())
                addresses = self.check_url_allowed(current)
                result = self._get(current, headers, addresses, deadline)
                if isinstance(result, FetchResult):
                    return result
                current = result  # a redirect target
        finally:
            _deadline.value = outer
            _deadline.stop = outer_stop
        raise self._error(url, f"too many redirects (more than {MAX_REDIRECTS})")

    def _too_slow(self) -> str:
        return (
            f"took longer than {self.total_timeout:g} s in all "
            "(the total deadline for connecting, redirects, headers and body)"
        )

    def _get(
        self, url: str, headers: Mapping[str, str], addresses: list[str], deadline: float
    ) -> FetchResult | str:
        request_url, request_headers, extensions = self._pinned(url, headers, addresses)
        extensions["trace"] = _trace
        # Each phase's own limit, cut to what the total deadline leaves; `_trace` bounds the
        # many reads within a phase (a trickled status line, headers or body) by the deadline.
        left = max(0.001, min(self.timeout, deadline - time.monotonic()))
        try:
            with self._client.stream(
                "GET",
                request_url,
                headers=request_headers,
                extensions=extensions,
                follow_redirects=False,
                timeout=httpx.Timeout(left),
            ) as response:
                if response.status_code in _REDIRECT_STATUSES:
                    location = response.headers.get("location")
                    if not location:
                        raise self._error(url, f"HTTP {response.status_code} without a Location")
                    return urljoin(url, location.strip())
                if response.status_code == 304:
                    return self._result(url, response, b"", not_modified=True)
                if response.status_code >= 400:
                    phrase = response.reason_phrase or ""
                    raise self._error(url, f"HTTP {response.status_code} {phrase}".strip())
                media = _media_type(response.headers.get("content-type"))
                if not fetchable_media_type(media):
                    # Refused from the headers: an image or a PDF is never downloaded.
                    raise self._error(
                        url, f"unsupported content type {media[:80]} (not a feed or web page)"
                    )
                body = self._read_body(url, response, deadline)
                return self._result(url, response, body, not_modified=False)
        except _DeadlinePassed:
            if _stopping():
                raise self._error(url, "stopped: briefbot is shutting down") from None
            raise self._error(url, self._too_slow()) from None
        except httpx.TimeoutException as exc:
            if time.monotonic() >= deadline - 0.01:
                raise self._error(url, self._too_slow()) from None
            if isinstance(exc, httpx.ConnectTimeout):
                raise self._error(url, f"could not connect within {self.timeout:g} s") from None
            if isinstance(exc, httpx.ReadTimeout):
                message = f"the server did not answer within {self.timeout:g} s"
                raise self._error(url, message) from None
            raise self._error(url, f"timed out after {self.timeout:g} s") from None
        except httpx.ConnectError as exc:
            raise self._error(url, f"could not connect: {exc}") from None
        except httpx.InvalidURL as exc:
            raise self._error(url, f"not a valid URL: {exc}") from None
        except httpx.HTTPError as exc:
            raise self._error(url, f"request failed: {type(exc).__name__}: {exc}") from None

    def _pinned(
        self, url: str, headers: Mapping[str, str], addresses: list[str]
    ) -> tuple[str, dict[str, str], dict[str, str]]:
        """For plain http, connect to the address that was checked, not to a second lookup.

        Otherwise a name could resolve to a public address for the check and to a private one
        for the connection (DNS rebinding). https needs no pinning: the certificate must match
        the name, which an internal service's certificate will not.
        """
        request_headers = dict(headers)
        parts = urlsplit(url)
        if not addresses or parts.scheme.lower() != "http":
            return url, request_headers, {}
        # The host as httpx reads it (IDNA-encoded), the same one check_url_allowed judged.
        parsed = httpx.URL(url)
        host = parsed.raw_host.decode("ascii")
        if parse_ip_literal(host) is not None:
            return url, request_headers, {}
        address = addresses[0]
        ip_host = f"[{address}]" if ":" in address else address
        netloc = ip_host if parts.port is None else f"{ip_host}:{parts.port}"
        request_headers["Host"] = parsed.netloc.decode("ascii")
        pinned = urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))
        return pinned, request_headers, {"sni_hostname": host}

    def _read_body(self, url: str, response: httpx.Response, deadline: float) -> bytes:
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise self._error(url, f"larger than {self.max_bytes} bytes")
        codings = [
            c.strip()
            for c in response.headers.get("content-encoding", "").lower().split(",")
            if c.strip() and c.strip() != "identity"
        ]
        if len(codings) > 1 or (codings and codings[0] in _UNDECODABLE):
            raise self._error(url, f"unsupported content encoding {', '.join(codings)[:40]}")
        chunks: list[bytes] = []
        size = 0
        # Raw bytes, decoded here in bounded pieces: decoded (decompressed) bytes are counted,
        # so a compression bomb stops at the cap without first inflating a whole network chunk.
        # No chunk size: httpx would buffer up to it, hiding a slow trickle from the deadline.
        if response.is_stream_consumed:
            # The transport handed over a body it had already read (and decoded): httpx's
            # MockTransport does with fixed content. Nothing is left to stream.
            raw: Iterable[bytes] = [response.content]
            coding = ""
        else:
            raw = response.iter_raw()
            coding = codings[0] if codings else ""
        try:
            for chunk in _decoded(raw, coding):
                size += len(chunk)
                if size > self.max_bytes:
                    raise self._error(url, f"larger than {self.max_bytes} bytes")
                if time.monotonic() > deadline:
                    raise self._error(url, self._too_slow())
                chunks.append(chunk)
        except _BodyDecodeError as exc:
            raise self._error(url, str(exc)) from None
        return b"".join(chunks)

    def _result(
        self, url: str, response: httpx.Response, body: bytes, *, not_modified: bool
    ) -> FetchResult:
        headers = {k.lower(): v for k, v in response.headers.items()}
        return FetchResult(
            url=url,
            status=response.status_code,
            headers=headers,
            content=body,
            content_type=_media_type(headers.get("content-type")),
            encoding=response.charset_encoding,
            not_modified=not_modified,
            etag=headers.get("etag"),
            last_modified=headers.get("last-modified"),
        )

    def _error(self, url: str, message: str) -> FetchError:
        return FetchError(redact(url, self._secrets), redact(message, self._secrets))


def check_url_allowed(
    url: str,
    *,
    allow_private: bool = False,
    resolver: Resolver | None = None,
    secrets: Iterable[str] = (),
) -> list[str]:
    """Raise FetchError unless `url` is http(s) to a public address; return its addresses.

    Makes no HTTP request (only a DNS lookup for a host name, none for an address literal), so
    user-supplied URLs can be validated before they are stored. With `allow_private` only the
    URL's shape is checked and no lookup is made.
    """

    def error(message: str, kind: type[FetchError] = FetchError) -> FetchError:
        return kind(redact(url, secrets), redact(message, secrets))

    scheme, host, port = _url_target(url, error)
    if allow_private:
        return []
    addresses = _addresses(host, port or (443 if scheme == "https" else 80), resolver, error)
    for address in addresses:
        reason = blocked_reason(address)
        if reason is not None:
            raise error(f"blocked address {_display(address)} ({reason})", BlockedAddressError)
    return [str(a) for a in addresses]


_ErrorFactory = Callable[..., FetchError]


def _url_target(url: str, error: _ErrorFactory) -> tuple[str, str, int | None]:
    """(scheme, host, port) of an http(s) URL with a host; FetchError for anything else."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise error("not a valid URL") from None
    try:
        # The host is judged as httpx will connect to it: urlsplit keeps "127。0。0。1" (ideographic
        # full stops) as a name, while httpx's IDNA step turns it into 127.0.0.1.
        host = httpx.URL(url).raw_host.decode("ascii")
    except httpx.InvalidURL:
        # httpx refuses some address spellings ("0177.0.0.1"); name the address if it is one.
        host = parts.hostname or ""
        if parse_ip_literal(host) is None:
            raise error("not a valid URL") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise error(f"only http and https URLs can be fetched, not {scheme or '?'}:")
    if not host or not parts.hostname:
        raise error("the URL has no host name")
    return scheme, host, port


def _addresses(
    host: str, port: int, resolver: Resolver | None, error: _ErrorFactory
) -> list[IPAddress]:
    """The addresses `host` stands for: itself when it is an address literal, else what the
    resolver says (every answer must be an address). A localhost name is refused unresolved."""
    literal = parse_ip_literal(host)
    if literal is not None:
        return [literal]
    if _is_localhost_name(host):
        raise error(f"blocked host {host.rstrip('.')} (loopback)", BlockedAddressError)
    name = host.rstrip(".")
    try:
        raw = (resolver or default_resolver)(name, port)
    except (OSError, UnicodeError) as exc:
        raise error(f"cannot resolve host {name}: {exc}") from None
    addresses: list[IPAddress] = []
    for item in raw:
        address = parse_ip_literal(item)
        if address is None:
            raise error(f"resolver returned {item!r} for {name}", BlockedAddressError)
        addresses.append(address)
    if not addresses:
        raise error(f"cannot resolve host {name}")
    return addresses
