"""Brief one link ("Brief this link" in Slack): fetch the page through the guarded fetcher,
extract its article, and brief it together with stored articles of the same story.

The page is not stored: a link shared in a channel is not a source anyone subscribed to. The
brief cites the page (by its URL) and each stored article it used, like any brief.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.errors import BriefbotError, FetchError, ParseError, UserInputError
from bot.ingest.urls import canonical_url
from bot.summarize.model import ArticleInput, Brief
from storage import articles as article_store
from storage import search

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from bot.ingest.fetch import Fetcher
    from bot.settings import Settings
    from bot.summarize.model import Summarizer

log = logging.getLogger(__name__)

# Slack caps a message at 40,000 characters; a URL longer than this is not a news link.
MAX_URL_CHARS = 2_000
# Stored articles of the same story: looked for among this many search hits, at most this many
# used, published at most this long before the page.
RELATED_CANDIDATES = 20
MAX_RELATED = 5
RELATED_WINDOW = timedelta(days=3)
# A stored article is of the same story when its title shares this share of the page title's
# words (and at least two of them).
MIN_TITLE_OVERLAP = 0.5
# The page's own id among the brief's articles (stored articles use their numeric ids).
LINK_ID = "link"
_WORD = re.compile(r"[^\W\d_]{4,}", re.UNICODE)
# Title words too common to say which story a title is about.
_COMMON = frozenset(
    "about after again against also before being from have here into more over said says "
    "than that their there these they this were what when where which while will with would "
    "your news live update updates latest report reports".split()
)


class LinkUnavailable(UserInputError):
    """The link could not be briefed; the message says why, for the person who asked."""


@dataclass(frozen=True)
class LinkBrief:
    url: str  # the page's final URL, after redirects
    title: str
    brief: Brief
    related: int  # stored articles of the same story that the brief read besides the page


def _stem(word: str) -> str:
    """Crude English stem, enough to match 'approves' with 'approved' in titles."""
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def title_words(title: str) -> set[str]:
    """The words of a title that say what its story is about."""
    return {_stem(w) for w in _WORD.findall(title.lower()) if w not in _COMMON}


def same_story(page_title: str, other_title: str) -> bool:
    mine, theirs = title_words(page_title), title_words(other_title)
    if not mine:
        return False
    shared = len(mine & theirs)
    return shared >= 2 and shared / len(mine) >= MIN_TITLE_OVERLAP


class Links:
    """Briefs of links people share: `fetcher` makes the guarded fetcher (http(s) only, public
    addresses, bounded) for one link; `summarizer` the summarizer briefs use now."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        settings: Settings,
        *,
        fetcher: Callable[[], Fetcher],
        summarizer: Callable[[], Summarizer],
        clock: Callable[[], datetime],
    ) -> None:
        self._factory = factory
        self._settings = settings
        self._fetcher = fetcher
        self._summarizer = summarizer
        self._clock = clock

    def brief(self, url: str) -> LinkBrief:
        """The brief of the article at `url`. Raises LinkUnavailable with a readable reason."""
        url = url.strip()
        if len(url) > MAX_URL_CHARS:
            raise LinkUnavailable(f"That link is over {MAX_URL_CHARS:,} characters long.")
        fetcher = self._fetcher()
        try:
            fetched = fetcher.fetch(url, accept="text/html, application/xhtml+xml;q=0.9, */*;q=0.5")
        except FetchError as err:
            raise LinkUnavailable(f"I couldn't fetch that link: {err.reason}.") from None
        finally:
            fetcher.close()
        if fetched.status >= 400:
            raise LinkUnavailable(
                f"I couldn't fetch that link: the site answered {fetched.status}."
            )
        from bot.ingest.extract_pool import shared_pool

        try:
            # In the extraction worker processes when there are any (their deadline bounds a
            # hostile page), as ingestion extracts pages.
            page = shared_pool(self._settings.ingest_processes).extract(
                fetched.content, fetched.url, fetched.encoding
            )
        except ParseError as err:
            raise LinkUnavailable(f"I couldn't find an article at that link ({err}).") from None
        now = self._clock()
        title = page.title or fetched.url
        article = ArticleInput(
            id=LINK_ID,
            title=title,
            text=page.text,
            url=fetched.url,
            outlet=page.outlet,
            published_at=page.published_at,
        )
        anchor = min(page.published_at or now, now)
        related = self._related(title, fetched.url, anchor - RELATED_WINDOW)
        articles = [article, *related]
        dates = [a.published_at for a in articles if a.published_at is not None]
        since = min([*dates, now - timedelta(hours=1)])
        if since >= now:
            since = now - timedelta(hours=1)
        try:
            brief = self._summarize(title, articles, since, now)
        except BriefbotError:
            raise
        except Exception:  # a bug: logged, and the person told in one line
            log.exception("briefing %s failed", fetched.url)
            raise LinkUnavailable(
                "I couldn't make a brief of that article; it has been logged."
            ) from None
        if brief.is_empty:
            raise LinkUnavailable("I found too little text at that link to brief it.")
        return LinkBrief(fetched.url, title, brief, len(related))

    def _summarize(
        self, title: str, articles: list[ArticleInput], since: datetime, now: datetime
    ) -> Brief:
        summarizer = self._summarizer()
        if summarizer.name == "extractive" and self._settings.brief_processes:
            from bot.brief_pool import shared_pool

            # In a worker process, as /brief does: this process's GIL stays free for Slack acks.
            brief = shared_pool(self._settings.brief_processes).summarize(
                title, articles, since=since, until=now, now=now
            )
            if brief is not None:
                return brief
        return summarizer.summarize(title, articles, since=since, until=now, now=now)

    def _related(self, title: str, url: str, since: datetime) -> list[ArticleInput]:
        """Stored articles of the page's story (not the page itself), newest first."""
        from bot.service.material import article_inputs

        words = sorted(title_words(title))
        if len(words) < 2:
            return []
        own = canonical_url(url)
        try:
            with self._factory() as session:
                hits = search.search(session, words, since=since, limit=RELATED_CANDIDATES)
                rows = article_store.by_ids(session, [h.article_id for h in hits])
                rows = [r for r in rows if r.url != own and same_story(title, r.title)]
                return article_inputs(session, rows[:MAX_RELATED])
        except Exception:
            # The page alone still makes a brief.
            log.warning("looking for stored articles of %s failed", url, exc_info=True)
            return []
