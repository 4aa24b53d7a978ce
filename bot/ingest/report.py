"""What the caller asks ingest for, and what it gets back."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import quote

from bot.errors import UserInputError
from bot.redact import redact

SpecKind = Literal["url", "feed", "page", "file", "search"]
SPEC_KINDS: tuple[str, ...] = ("url", "feed", "page", "file", "search")


@dataclass(frozen=True)
class SourceSpec:
    """A source named by a user: `location` is a URL, or a path for kind "file".

    "url" means feed or page, decided from the response; "search" is a news-search feed URL
    (see `search_source_url`).
    """

    kind: SpecKind
    location: str


@dataclass(frozen=True)
class IngestLimits:
    """Bounds on what one ingest round reads (FETCH_PER_HOST, FEED_MAX_ITEMS,
    FEED_MAX_PAGE_FETCHES, ARTICLE_RETENTION_DAYS)."""

    per_host: int = 2
    feed_max_items: int = 200
    feed_max_page_fetches: int = 30
    # Feed entries published longer ago than this are not stored (the prune job would only
    # delete them again); 0: no limit. Files and pages asked for by name are always read.
    max_age_days: int = 0


@dataclass
class SourceResult:
    url: str
    kind: str
    ok: bool
    new_articles: int = 0
    duplicates: int = 0
    error: str | None = None
    not_modified: bool = False
    too_short: int = 0  # entries not stored: a bare title or a few words are not an article
    teasers_kept: int = 0  # teaser entries stored as they were: the full page could not be read
    skipped: list[str] = field(default_factory=list)  # files of a folder not read, with reasons
    # Every stored article the source lists (new and known), and the ones created this run.
    article_ids: list[int] = field(default_factory=list, repr=False)
    new_article_ids: list[int] = field(default_factory=list, repr=False)


@dataclass
class IngestReport:
    sources: list[SourceResult]
    new_article_ids: list[int] = field(default_factory=list)
    topic_links: int = 0  # article-topic links created

    @property
    def results(self) -> list[SourceResult]:
        """The per-source results (same as `sources`)."""
        return self.sources

    @property
    def ok_count(self) -> int:
        return sum(1 for s in self.sources if s.ok)

    @property
    def failed_count(self) -> int:
        return sum(1 for s in self.sources if not s.ok)

    @property
    def new_articles(self) -> int:
        return sum(s.new_articles for s in self.sources)

    @property
    def duplicates(self) -> int:
        return sum(s.duplicates for s in self.sources)

    def summary_line(self) -> str:
        """E.g. "3 sources: 2 ok, 1 failed; 12 new articles, 4 duplicates"."""
        n = len(self.sources)
        return (
            f"{n} source{'s' if n != 1 else ''}: {self.ok_count} ok, {self.failed_count} failed; "
            f"{self.new_articles} new article{'s' if self.new_articles != 1 else ''}, "
            f"{self.duplicates} duplicate{'s' if self.duplicates != 1 else ''}"
        )

    def failures(self) -> list[str]:
        """One "url: error" line per failed source (token-shaped URL parts masked)."""
        return [f"{redact(s.url)}: {s.error}" for s in self.sources if not s.ok]


def search_source_url(template: str, query: str) -> str:
    """The news-search feed URL for `query` (NEWS_SEARCH_FEED_URL with {query} filled in)."""
    if "{query}" not in template:
        raise UserInputError("the news search URL template must contain {query}")
    if not query.strip():
        raise UserInputError("a news search needs some words to search for")
    return template.replace("{query}", quote(" ".join(query.split()), safe=""))
