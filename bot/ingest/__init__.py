"""Ingestion: guarded HTTP fetching, feeds, article pages, local files, canonical URLs, dedup.

`ingest()` is the entry point; the modules below it are usable on their own (the CLI validates
a source with `classify_source` and `check_url_allowed` before ingesting it).
"""

from bot.ingest.feeds import FeedEntry, ParsedFeed, looks_like_feed, parse_feed
from bot.ingest.fetch import Fetcher, FetchResult, check_url_allowed
from bot.ingest.files import LocalDocument, read_path
from bot.ingest.pages import ExtractedPage, extract_page
from bot.ingest.pipeline import ingest
from bot.ingest.report import IngestReport, SourceResult, SourceSpec, search_source_url
from bot.ingest.text import content_hash, normalize_text, word_count
from bot.ingest.urls import canonical_url, classify_source, outlet_from_url

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
