"""The public core of briefbot: topics, ingestion, briefs and answers over one database.

`Briefbot` is a thin facade over the application layer (`bot.service`), the way reader's
`Reader` delegates: it builds the services once, on one database and one set of outside
edges (HTTP fetcher, LLM client), and exposes them as attributes (`core.briefs`,
`core.subscriptions`, …) beside the few methods the CLI calls by name. Everything that
talks to the outside can be injected, so tests pass a loopback-only HTTP transport and a
local LLM server, and benchmarks pass counters.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from bot import metrics
from bot.errors import BriefbotError
from bot.service.answers import Answers
from bot.service.assistant import Assistant
from bot.service.briefs import BriefResult, Briefs
from bot.service.database import Database, open_database
from bot.service.deliveries import Deliveries
from bot.service.feedback import Feedback
from bot.service.ingestion import Ingestion
from bot.service.lifecycle import Lifecycle
from bot.service.links import Links
from bot.service.source_states import SourceStates
from bot.service.subscriptions import Subscriptions
from bot.service.topics import SourceInfo, TopicInfo, Topics
from bot.service.workflow import Workflow
from bot.service.workspaces import Workspaces
from bot.settings import Settings
from bot.summarize.model import Summarizer

if TYPE_CHECKING:  # imported where used: a CLI command that needs neither starts faster
    import httpx
    from sqlalchemy import Engine

    from bot.answer.offline import OfflineAnswerer
    from bot.ingest.fetch import Fetcher
    from bot.llm.client import LLMClient
    from bot.summarize.extractive import ExtractiveSummarizer

log = logging.getLogger(__name__)


class Briefbot:
    """One instance per process; thread-safe (each call uses its own session)."""

    def __init__(
        self,
        settings: Settings,
        *,
        engine: Engine | None = None,
        http_transport: httpx.BaseTransport | None = None,
        resolver: Callable[[str, int], list[str]] | None = None,
        llm_http_client: httpx.Client | None = None,
        clock: Callable[[], datetime] | None = None,
        migrate: bool = True,
    ) -> None:
        self.settings = settings
        if settings.fetch_allow_private:
            # Here, not in one entry point: serve, worker and the CLI's ingest all build a
            # Briefbot, and each of them fetches with the address guard off.
            log.warning(
                "FETCH_ALLOW_PRIVATE is on: sources may point at private and loopback addresses "
                "(for local development and tests only)"
            )
        self.database: Database = open_database(settings, engine=engine, migrate=migrate)
        # For tests and benchmarks that look into the database; the layers above the services
        # never use these.
        self.engine = self.database.engine
        self.factory = self.database.factory
        self.clock = clock or (lambda: datetime.now(UTC))
        self._http_transport = http_transport
        # One HTTP client for every fetch of this process (`fetcher`), made on first use.
        self._http_client: httpx.Client | None = None
        self._http_client_lock = threading.Lock()
        self._resolver = resolver
        # Set on shutdown: ingest rounds in progress stop waiting for their sources.
        self.stopping = threading.Event()
        self._llm_client: LLMClient | None = None
        if settings.llm_enabled:
            from bot.llm.client import LLMClient

            self._llm_client = LLMClient(
                api_key=settings.openai_api_key,
                base_url=settings.openai_base_url,
                model=settings.openai_model,
                timeout=settings.openai_timeout,
                http_client=llm_http_client,
                recorder=self.database.llm_call_recorder(),
                secrets=settings.secrets(),
            )
        factory = self.database.factory
        self.topics = Topics(factory, check_url=lambda url: self.fetcher().check_url_allowed(url))
        self.ingestion = Ingestion(
            factory, settings, fetcher=self.fetcher, clock=self._now, stopping=self.stopping
        )
        self.briefs = Briefs(
            factory,
            settings,
            clock=self._now,
            # Late-bound: a test may swap `summarizer` on this instance.
            summarizer=lambda: self.summarizer(),
            offline=lambda: self._extractive,
            llm_enabled=self._llm_client is not None,
        )
        self.answers = Answers(
            factory,
            llm=lambda: self._llm_client,
            offline=lambda: self.offline_answerer(),
            asked=lambda topic: self.lifecycle.touch(topic),  # a question keeps it polled
        )
        self.subscriptions = Subscriptions(factory)
        self.source_states = SourceStates(factory)
        self.lifecycle = Lifecycle(factory, settings, clock=self._now)
        self.deliveries = Deliveries(factory)
        self.workspaces = Workspaces(factory, self.subscriptions, self.deliveries)
        self.feedback = Feedback(factory)  # 👍/👎 on bullets, ranking a channel's briefs
        # The entry points the CLI, Slack and the jobs call by name are the services' own
        # methods (one signature each), counted where an operator watches them.
        self.ingest = metrics.counts_ingest(self.ingestion.ingest)
        self.refresh_topic = metrics.counts_ingest(self.ingestion.refresh_topic)
        self.brief = metrics.counts_briefs(self.briefs.brief)
        self.ask = self.answers.ask
        # The Slack surfaces beyond /brief and threads: "Brief this link", the assistant panel,
        # the "Get a brief" workflow step. Their briefs go through `brief` above (counted).
        self.links = Links(
            factory,
            settings,
            fetcher=self.fetcher,
            summarizer=lambda: self.summarizer(),
            clock=self._now,
        )
        self.assistant = Assistant(
            factory, settings, clock=self._now, brief=lambda *a, **kw: self.brief(*a, **kw)
        )
        self.workflow = Workflow(clock=self._now, brief=lambda *a, **kw: self.brief(*a, **kw))

    def _now(self) -> datetime:
        return self.clock()  # late-bound: tests move `clock` on a built instance

    @functools.cached_property
    def _extractive(self) -> ExtractiveSummarizer:
        # Built on first use: commands that brief nothing skip importing the summarizer.
        from bot.summarize.extractive import ExtractiveSummarizer

        return ExtractiveSummarizer()

    def stop_ingesting(self) -> None:
        """Make every ingest in progress return at once, its unfinished sources reported as
        not finished (for shutdown: their fetch threads end at their own deadlines)."""
        self.stopping.set()

    def close(self) -> None:
        self.stopping.set()
        self.ingestion.close()  # the analysis stage: what it leaves is caught up later
        with self._http_client_lock:
            if self._http_client is not None:
                self._http_client.close()
                self._http_client = None
        self.database.close()

    # -- topics and sources (bot.service.topics) ----------------------------------------------

    def add_topic(
        self, name: str, keywords: Sequence[str] = (), feeds: Sequence[str] = ()
    ) -> TopicInfo:
        return self.topics.add(name, keywords, feeds)

    def list_topics(self) -> list[TopicInfo]:
        return self.topics.list()

    def topic_sources(self, name: str) -> list[SourceInfo]:
        return self.topics.sources(name)

    def add_source(self, topic_name: str, url: str) -> SourceInfo:
        """Attach a feed or page URL to a topic (created if needed); fetched on next ingest."""
        return self.topics.add_source(topic_name, url)

    def remove_source(self, topic_name: str, url: str) -> bool:
        return self.topics.detach_url(topic_name, url)

    def article_span(self, topic: str) -> tuple[datetime, datetime] | None:
        return self.topics.article_span(topic)

    # -- ingestion (bot.service.ingestion) -----------------------------------------------------

    def analyze_articles(self, article_ids: Sequence[int]) -> None:
        self.ingestion.analyze_articles(article_ids)

    def reindex(self, *, force: bool = False) -> int:
        return self.ingestion.reindex(force=force)

    def detect_missing_languages(self) -> tuple[int, int]:
        return self.ingestion.detect_missing_languages()

    def fetcher(self) -> Fetcher:
        """A new guarded fetcher (http(s) only, public addresses unless FETCH_ALLOW_PRIVATE,
        bounded in time and size) on this core's transport; the caller closes it."""
        from bot.ingest.fetch import Fetcher

        return Fetcher(
            self._shared_http_client(),
            timeout=self.settings.fetch_timeout,
            max_bytes=self.settings.fetch_max_bytes,
            allow_private=self.settings.fetch_allow_private,
            resolver=self._resolver,
            secrets=self.settings.secrets(),
            stop=self.stopping,
        )

    def _shared_http_client(self) -> httpx.Client:
        """The client every fetcher of this process uses. A client per ingest run (each
        queued source refresh is one) cost 10-20 ms of CPU for its TLS context alone, and
        kept no connection for the next run to the same host."""
        import httpx

        with self._http_client_lock:
            if self._http_client is None:
                self._http_client = httpx.Client(
                    transport=self._http_transport,
                    timeout=httpx.Timeout(self.settings.fetch_timeout),
                    follow_redirects=False,
                    # Every ingest run of the process shares it: no pool-wide cap on
                    # connections (each run keeps its own FETCH_PER_HOST), a few kept alive.
                    limits=httpx.Limits(max_connections=None, max_keepalive_connections=32),
                )
            return self._http_client

    # -- briefs (bot.service.briefs) -------------------------------------------------------------

    def summarizer(self) -> Summarizer:
        if self._llm_client is None:
            return self._extractive
        from bot.summarize.llm import LLMSummarizer

        return LLMSummarizer(self._llm_client, fallback=self._extractive)

    # -- answers (bot.service.answers) -----------------------------------------------------------

    def offline_answerer(self) -> OfflineAnswerer:
        from bot.answer.offline import OfflineAnswerer
        from bot.nlp import load_pipeline

        return OfflineAnswerer(load_pipeline(self.settings.nlp_model))


__all__ = ["BriefResult", "Briefbot", "BriefbotError", "SourceInfo", "TopicInfo"]
