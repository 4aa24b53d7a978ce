"""RSS, Atom and JSON feeds: recognising them and turning them into plain-text entries."""

from __future__ import annotations

import codecs
import hashlib
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

import feedparser

from bot.errors import ParseError
from bot.ingest.article_text import first_words, html_to_text, normalize_text, word_count
from bot.ingest.urls import canonical_url, is_http_url

# Below this many words an entry is a teaser and the linked page is fetched for the full text.
TEASER_WORDS = 150

_FEED_TYPES = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/feed+json",
        "application/xml",
        "text/xml",
        "application/x-rss+xml",
        "application/rss",
    }
)
_FEED_ROOT = re.compile(rb"<(?:[\w.-]+:)?(?:rss|feed|rdf)\b", re.IGNORECASE)
_HTML_ROOT = re.compile(rb"<(?:!doctype\s+html|html|head|body)\b", re.IGNORECASE)
# A byte order mark says the encoding for certain, whatever the Content-Type or the XML
# declaration claim (text/xml without a charset means us-ascii to feedparser). UTF-32 first:
# its little-endian mark starts with UTF-16's.
_BOM_CODECS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
    (codecs.BOM_UTF8, "utf-8"),
)
_DECLARED_ENCODING = re.compile(r"""^(\s*<\?xml[^>]{0,200}?encoding\s*=\s*)["'][^"'<>]{0,40}["']""")
_JSON_FEED = re.compile(rb'"version"\s*:\s*"https?://jsonfeed\.org/', re.IGNORECASE)


@dataclass(frozen=True)
class FeedEntry:
    url: str  # absolute; synthetic "<feed>#entry-<hash>" when the entry has no usable link
    title: str
    published_at: datetime | None  # aware UTC
    text: str = field(repr=False)  # plain text, no markup
    is_teaser: bool
    source_title: str | None = None  # the original outlet, for aggregators (<source>)
    has_link: bool = True


@dataclass(frozen=True)
class ParsedFeed:
    title: str | None
    link: str | None
    entries: list[FeedEntry]
    problem: str | None = None  # feedparser's complaint about a feed it could still read


def _sniff_head(body: bytes, size: int = 4096) -> bytes:
    """The start of `body` as ASCII-compatible bytes, whatever the UTF encoding."""
    head = body[:size]
    for bom, codec in (
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if head.startswith(bom):
            return head[len(bom) :].decode(codec, "ignore").encode("ascii", "ignore")
    if len(head) > 4 and head[1:4:2] == b"\x00\x00" and head[0] and head[2]:
        return head.decode("utf-16-le", "ignore").encode("ascii", "ignore")  # BOM-less UTF-16
    if len(head) > 4 and head[0:3:2] == b"\x00\x00" and head[1] and head[3]:
        return head.decode("utf-16-be", "ignore").encode("ascii", "ignore")
    return head.replace(b"\x00", b"")


def looks_like_feed(content_type: str | None, body: bytes) -> bool:
    """Whether a response is a feed rather than a web page.

    The body decides when it is clear, because servers often label feeds text/html or
    text/plain and pages application/xml; the declared type only breaks ties.
    """
    head = _sniff_head(body)
    feed_at = _FEED_ROOT.search(head)
    html_at = _HTML_ROOT.search(head)
    if feed_at and (not html_at or feed_at.start() < html_at.start()):
        return True
    if html_at:
        return False
    if _JSON_FEED.search(head):
        return True
    media = (content_type or "").split(";", 1)[0].strip().lower()
    return media in _FEED_TYPES


def _plain(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _published(entry: Mapping[str, Any]) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed = entry.get(key)
        if parsed:
            try:
                # feedparser normalises every date to UTC as a time.struct_time.
                return datetime(*parsed[:6], tzinfo=UTC)
            except (TypeError, ValueError):
                continue
    return None


def _entry_link(entry: Mapping[str, Any], base: str) -> str | None:
    candidates = [_plain(entry.get("link"))]
    candidates += [
        _plain(link.get("href"))
        for link in entry.get("links") or []
        if isinstance(link, Mapping) and link.get("rel", "alternate") == "alternate"
    ]
    if entry.get("guidislink"):
        candidates.append(_plain(entry.get("id")))
    for candidate in candidates:
        if not candidate.strip():
            continue
        try:
            absolute = urljoin(base, candidate.strip())
        except ValueError:
            continue
        if is_http_url(absolute):
            return absolute
    return None


def _entry_text(entry: Mapping[str, Any]) -> tuple[str, bool]:
    """The entry's plain text and whether it came from full content (not just a summary)."""
    contents = [
        _plain(c.get("value")) for c in entry.get("content") or [] if isinstance(c, Mapping)
    ]
    best_content = max((html_to_text(c) for c in contents if c.strip()), key=len, default="")
    summary = html_to_text(_plain(entry.get("summary")))
    if best_content and len(best_content) >= len(summary):
        return best_content, True
    return summary or best_content, bool(best_content)


def _synthetic_url(feed_url: str, entry: Mapping[str, Any], title: str, text: str) -> str:
    identity = _plain(entry.get("id")) or title or text[:500]
    digest = hashlib.sha1(identity.encode("utf-8"), usedforsecurity=False).hexdigest()[:16]
    try:
        base = canonical_url(feed_url)
    except ValueError:
        base = feed_url.split("#", 1)[0]
    # Stable across runs, so the entry is recognised as known next time.
    return f"{base}#entry-{digest}"


def _problem(result: Mapping[str, Any]) -> str | None:
    if not result.get("bozo"):
        return None
    exc = result.get("bozo_exception")
    message = normalize_text(str(exc)) if exc is not None else ""
    # feedparser's SAX messages look like "<unknown>:3:12: mismatched tag".
    message = re.sub(r"^<unknown>:(\d+):(\d+):\s*", r"line \1, column \2: ", message)
    return message or (type(exc).__name__ if exc is not None else "malformed feed")


def _utf8_by_bom(body: bytes, headers: dict[str, str]) -> bytes:
    """A body that starts with a UTF byte order mark, as UTF-8 labelled so everywhere."""
    for bom, codec in _BOM_CODECS:
        if body.startswith(bom):
            text = body[len(bom) :].decode(codec, "replace")
            text = _DECLARED_ENCODING.sub(r'\1"utf-8"', text, count=1)
            media = (headers.get("content-type") or "application/xml").split(";", 1)[0].strip()
            headers["content-type"] = f"{media}; charset=utf-8"
            return text.encode("utf-8")
    return body


def parse_feed(body: bytes, url: str, headers: Mapping[str, str] | None = None) -> ParsedFeed:
    """Parse an RSS/Atom/JSON feed into plain-text entries.

    `headers` are the HTTP response headers, so feedparser honours the declared charset. A feed
    with recoverable errors ("bozo") still yields its entries; one with none raises ParseError.
    """
    response_headers = {k.lower(): v for k, v in (headers or {}).items()}
    response_headers.setdefault("content-location", url)
    body = _utf8_by_bom(body, response_headers)
    # A file-like object, never raw bytes: feedparser would try bytes as a local file name.
    result = feedparser.parse(io.BytesIO(body), response_headers=response_headers)
    problem = _problem(result)
    raw_entries = result.get("entries") or []
    if not raw_entries and problem is not None:
        raise ParseError(f"not a valid feed: {problem}")
    feed_info = result.get("feed") or {}
    feed_title = normalize_text(html_to_text(_plain(feed_info.get("title")))) or None
    feed_link = _plain(feed_info.get("link")) or None
    entries: list[FeedEntry] = []
    for raw in raw_entries:
        text, from_content = _entry_text(raw)
        title = html_to_text(_plain(raw.get("title"))).replace("\n", " ").strip()
        link = _entry_link(raw, url)
        source = raw.get("source") or {}
        source_title = (
            normalize_text(_plain(source.get("title"))) if isinstance(source, Mapping) else ""
        )
        entries.append(
            FeedEntry(
                url=link or _synthetic_url(url, raw, title, text),
                title=title or first_words(text) or "(untitled)",
                published_at=_published(raw),
                text=text,
                is_teaser=not from_content or word_count(text) < TEASER_WORDS,
                source_title=source_title or None,
                has_link=link is not None,
            )
        )
    return ParsedFeed(title=feed_title, link=feed_link, entries=entries, problem=problem)
