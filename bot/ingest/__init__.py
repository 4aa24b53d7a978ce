"""Ingestion: guarded HTTP fetching, feeds, article pages, local files, canonical URLs, dedup.

`ingest()` is the entry point; the modules below it are usable on their own (the CLI validates
a source with `classify_source` and `check_url_allowed` before ingesting it).
"""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.ingest.article_text import content_hash, normalize_text, word_count
    from bot.ingest.feeds import FeedEntry, ParsedFeed, looks_like_feed, parse_feed
    from bot.ingest.fetch import Fetcher, FetchResult, check_url_allowed
    from bot.ingest.files import LocalDocument, read_path
    from bot.ingest.pages import ExtractedPage, extract_page
    from bot.ingest.pipeline import ingest
    from bot.ingest.report import IngestReport, SourceResult, SourceSpec, search_source_url
    from bot.ingest.urls import canonical_url, classify_source, outlet_from_url

# Loaded on first use (PEP 562): importing one light module such as bot.ingest.urls must not
# pull in HTTP, feed and page-extraction libraries (a CLI command starts faster).
_EXPORTS = {
    "ExtractedPage": "bot.ingest.pages",
    "FeedEntry": "bot.ingest.feeds",
    "FetchResult": "bot.ingest.fetch",
    "Fetcher": "bot.ingest.fetch",
    "IngestReport": "bot.ingest.report",
    "LocalDocument": "bot.ingest.files",
    "ParsedFeed": "bot.ingest.feeds",
    "SourceResult": "bot.ingest.report",
    "SourceSpec": "bot.ingest.report",
    "canonical_url": "bot.ingest.urls",
    "check_url_allowed": "bot.ingest.fetch",
    "classify_source": "bot.ingest.urls",
    "content_hash": "bot.ingest.article_text",
    "extract_page": "bot.ingest.pages",
    "ingest": "bot.ingest.pipeline",
    "looks_like_feed": "bot.ingest.feeds",
    "normalize_text": "bot.ingest.article_text",
    "outlet_from_url": "bot.ingest.urls",
    "parse_feed": "bot.ingest.feeds",
    "read_path": "bot.ingest.files",
    "search_source_url": "bot.ingest.report",
    "word_count": "bot.ingest.article_text",
}


__all__ = [
    "ExtractedPage",
    "FeedEntry",
    "FetchResult",
    "Fetcher",
    "IngestReport",
    "LocalDocument",
    "ParsedFeed",
    "SourceResult",
    "SourceSpec",
    "canonical_url",
    "check_url_allowed",
    "classify_source",
    "content_hash",
    "extract_page",
    "ingest",
    "looks_like_feed",
    "normalize_text",
    "outlet_from_url",
    "parse_feed",
    "read_path",
    "search_source_url",
    "word_count",
]


def __getattr__(name: str) -> object:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(module), name)
    globals()[name] = value
    return value
