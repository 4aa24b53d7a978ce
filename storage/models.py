"""SQLAlchemy 2 typed models. The schema itself is owned by the Alembic migrations in
`storage/migrations`; these classes must match them (a test compares the two).

Full-text search lives outside these models because it differs per database: an FTS5 table
kept in sync by triggers on SQLite, a generated `tsvector` column with a GIN index on PostgreSQL.
Both are created by the migrations and queried in `storage.search`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every database.

    SQLite has no time zones, so values are stored as naive UTC and handed back as aware UTC;
    PostgreSQL stores `timestamptz`. Either way Python code only ever sees aware UTC datetimes.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime,
        dict[str, Any]: JSON,
        list[Any]: JSON,
    }


class Source(Base):
    """Where articles come from: a feed, an article page, a local file, or a news search."""

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # feed | page | file | search
    url: Mapped[str] = mapped_column(String(2048), unique=True)
    title: Mapped[str | None] = mapped_column(String(512))
    etag: Mapped[str | None] = mapped_column(String(512))
    last_modified: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_fetched_at: Mapped[datetime | None]
    last_ok_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_at: Mapped[datetime | None]
    error_count: Mapped[int] = mapped_column(Integer, default=0)
    # Since when every fetch has failed (None: the last one worked).
    failing_since: Mapped[datetime | None]
    # The last outage that ended: when it began and when the source worked again.
    outage_since: Mapped[datetime | None]
    recovered_at: Mapped[datetime | None]

    topics: Mapped[list[Topic]] = relationship(
        secondary="topic_sources", back_populates="sources", viewonly=True
    )


class Topic(Base):
    __tablename__ = "topics"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)  # normalised: lower case
    keywords: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When someone last wanted it (/brief, subscribing, a question): a topic nobody subscribes
    # to stops being polled TOPIC_IDLE_DAYS after that (`bot.service.lifecycle`).
    last_wanted_at: Mapped[datetime | None]
    # The workspace that first asked for it from Slack (None: made with the CLI); counted
    # against that workspace's MAX_TOPICS_PER_WORKSPACE.
    team_id: Mapped[str | None] = mapped_column(String(32), index=True)

    sources: Mapped[list[Source]] = relationship(
        secondary="topic_sources", back_populates="topics", viewonly=True
    )


class TopicSource(Base):
    __tablename__ = "topic_sources"

    topic_id: Mapped[int] = mapped_column(
        ForeignKey("topics.id", ondelete="CASCADE"), primary_key=True
    )
    source_id: Mapped[int] = mapped_column(
        ForeignKey("sources.id", ondelete="CASCADE"), primary_key=True
    )


class Article(Base):
    __tablename__ = "articles"
    __table_args__ = (Index("ix_articles_published_at", "published_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2048), unique=True)  # canonical
    title: Mapped[str] = mapped_column(String(1024))
    outlet: Mapped[str | None] = mapped_column(String(256))
    published_at: Mapped[datetime | None]
    fetched_at: Mapped[datetime] = mapped_column(default=utcnow)
    text: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id", ondelete="SET NULL"))
    # MinHash of the text (bot.ingest.near_dup); None for short texts and older rows.
    minhash: Mapped[bytes | None] = mapped_column(LargeBinary)
    # ISO 639-1 code detected at ingestion (bot.nlp.language); None: unknown (kept in every
    # brief) or stored before migration 0014.
    language: Mapped[str | None] = mapped_column(String(8))

    aliases: Mapped[list[ArticleUrl]] = relationship(
        back_populates="article", cascade="all, delete-orphan"
    )


class ArticleBand(Base):
    """LSH band keys of an article's MinHash: one indexed lookup finds near-duplicate
    candidates among all stored articles (bot.ingest.near_dup explains the scheme)."""

    __tablename__ = "article_bands"
    __table_args__ = (Index("ix_article_bands_article_id", "article_id"),)

    band_key: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )


class ArticleSentence(Base):
    """One sentence of an article with the features ingestion computed for it
    (`bot.nlp.features.SentenceFeatures`: kind, entities, numbers, dates, terms, section)."""

    __tablename__ = "article_sentences"

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    paragraph: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    features: Mapped[dict[str, Any]]


class ArticleAnalysis(Base):
    """Which analyzer version produced an article's stored sentences (`briefbot db reindex`
    redoes those made by an older one)."""

    __tablename__ = "article_analyses"

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    version: Mapped[str] = mapped_column(String(64))
    analyzed_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The lede terms of the analysis, encoded by `bot.ingest.analyze` (opaque here); None:
    # stored before migration 0017, or a failed analysis (readers use the sentences).
    ledes: Mapped[str | None] = mapped_column(Text, nullable=True)


class ArticleUrl(Base):
    """Every canonical URL an article was seen under: its own and those of syndicated copies.

    Dedup looks URLs up here, so a copy seen once is never fetched or stored again, and the
    outlets that carried the same text can be counted.
    """

    __tablename__ = "article_urls"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2048), unique=True)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), index=True
    )
    outlet: Mapped[str | None] = mapped_column(String(256))
    seen_at: Mapped[datetime] = mapped_column(default=utcnow)

    article: Mapped[Article] = relationship(back_populates="aliases")


class ArticleTopic(Base):
    __tablename__ = "article_topics"

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    topic_id: Mapped[int] = mapped_column(
        ForeignKey("topics.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    linked_at: Mapped[datetime] = mapped_column(default=utcnow)


class Brief(Base):
    """A computed brief, cached by (topic, window, exact article set, summarizer + prompt)."""

    __tablename__ = "briefs"

    id: Mapped[int] = mapped_column(primary_key=True)
    cache_key: Mapped[str] = mapped_column(String(64), unique=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id", ondelete="CASCADE"), index=True)
    since: Mapped[datetime]
    until: Mapped[datetime]
    summarizer: Mapped[str] = mapped_column(String(128))
    prompt_version: Mapped[str | None] = mapped_column(String(64))
    article_ids: Mapped[list[Any]]
    payload: Mapped[dict[str, Any]]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LLMCall(Base):
    """One call to the LLM server, successful or not (model, prompt, tokens, duration)."""

    __tablename__ = "llm_calls"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    model: Mapped[str] = mapped_column(String(128))
    prompt_name: Mapped[str] = mapped_column(String(64))
    prompt_version: Mapped[str] = mapped_column(String(64))
    tokens_in: Mapped[int | None]
    tokens_out: Mapped[int | None]
    duration_ms: Mapped[int]
    outcome: Mapped[str] = mapped_column(String(32))  # ok | invalid_output | error | fallback
    error: Mapped[str | None] = mapped_column(Text)
    # The workspace it was made for (None: the CLI, or recorded before migration 0012).
    team_id: Mapped[str | None] = mapped_column(String(32), index=True)


class Subscription(Base):
    """A channel's digest of a topic, at a local time in an IANA time zone, in a rhythm."""

    __tablename__ = "subscriptions"
    __table_args__ = (UniqueConstraint("team_id", "channel_id", "topic_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32), index=True)
    channel_id: Mapped[str] = mapped_column(String(32))
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id", ondelete="CASCADE"))
    hour: Mapped[int]
    minute: Mapped[int]
    timezone: Mapped[str] = mapped_column(String(64))
    created_by: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Paused with no end date (`/brief pause ukraine`; also every subscription of a workspace
    # that uninstalled the app).
    paused: Mapped[bool] = mapped_column(default=False)
    # In the future: paused until then (`/brief pause ukraine for 7d`). In the past: when the
    # last pause ended (see `bot.service.pause`).
    paused_until: Mapped[datetime | None]
    # `bot.service.rhythm`'s canonical text: daily | weekdays | weekly on monday | twice daily …
    rhythm: Mapped[str] = mapped_column(String(64), default="daily", server_default="daily")
    # `bot.summarize.filters.Filters.to_dict()`; None: no filters.
    filters: Mapped[dict[str, Any] | None]
    # short | full (`bot.summarize.length`).
    length: Mapped[str] = mapped_column(String(8), default="full", server_default="full")
    # The language its digest reads (ISO 639-1); None: the workspace default (BRIEF_LANGUAGE).
    language: Mapped[str | None] = mapped_column(String(8))

    topic: Mapped[Topic] = relationship()


class Delivery(Base):
    """A message the bot posted (a brief or a digest) — or, for a digest, claimed to post.

    The unique (subscription_id, scheduled_for) row is claimed before posting, which is what
    makes a scheduled digest go out exactly once across restarts and concurrent schedulers.
    Its (channel_id, ts) is the thread root that follow-up questions are answered in.
    """

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("subscription_id", "scheduled_for"),
        Index("ix_deliveries_thread", "team_id", "channel_id", "ts"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(32))
    ts: Mapped[str | None] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))  # brief | digest
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id", ondelete="CASCADE"))
    brief_id: Mapped[int | None] = mapped_column(ForeignKey("briefs.id", ondelete="SET NULL"))
    subscription_id: Mapped[int | None] = mapped_column(
        ForeignKey("subscriptions.id", ondelete="SET NULL")
    )
    scheduled_for: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(16))  # claimed | sent | failed
    claimed_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(Text)
    # What the digest said, claim by claim, so the next one can mark what is new or updated.
    points: Mapped[list[Any] | None]
    since: Mapped[datetime | None]
    until: Mapped[datetime | None]


class ProcessedEvent(Base):
    """Slack events already handled, so a retried delivery (same event_id) is answered once."""

    __tablename__ = "processed_events"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    received_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class SlackTeam(Base):
    """A workspace that sent us a request, and the Enterprise Grid organization it belongs to
    (None outside Grid). `org_wide`: the app is installed for the whole organization there."""

    __tablename__ = "slack_teams"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    enterprise_id: Mapped[str | None] = mapped_column(String(32), index=True)
    org_wide: Mapped[bool] = mapped_column(default=False)
    seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Only the workspace's admins and owners may subscribe its channels to digests.
    only_admins_subscribe: Mapped[bool] = mapped_column(default=False, server_default=false())


class ThreadQuestion(Base):
    """A question asked in a Slack thread and how it was answered: what a follow-up ("what
    about Russia?", "and when?") is resolved against, kept here rather than re-read from
    Slack (conversations.replies is rate-limited to 1 request a minute for most apps)."""

    __tablename__ = "thread_questions"
    __table_args__ = (
        Index("ix_thread_questions_thread", "team_id", "channel_id", "thread_ts", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(32))
    thread_ts: Mapped[str] = mapped_column(String(32))
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id", ondelete="CASCADE"))
    question: Mapped[str] = mapped_column(Text)
    resolved_question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    found: Mapped[bool] = mapped_column(default=False)
    source_ids: Mapped[list[Any]] = mapped_column(default=list)
    asked_at: Mapped[datetime] = mapped_column(default=utcnow)


class ChannelFeedback(Base):
    """A reader's 👍/👎 on an outlet or a story in a channel's briefs (kind: outlet | story;
    target: the normalised key; label: as shown). vote is +1 or -1; one row per person and
    target, in one channel of one workspace: feedback never crosses workspaces."""

    __tablename__ = "channel_feedback"
    __table_args__ = (
        UniqueConstraint("team_id", "channel_id", "user_id", "kind", "target"),
        Index("ix_channel_feedback_channel", "team_id", "channel_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))
    target: Mapped[str] = mapped_column(String(200))
    label: Mapped[str] = mapped_column(String(200))
    vote: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ChannelPace(Base):
    """When a channel's next post may go out (seconds since the epoch, the database's clock):
    the posting pace every worker shares (`storage.pacing`)."""

    __tablename__ = "channel_pace"
    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    channel_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    next_at: Mapped[float] = mapped_column(Float)


__all__ = [
    "Article",
    "ArticleAnalysis",
    "ArticleSentence",
    "ArticleTopic",
    "ArticleUrl",
    "Base",
    "Brief",
    "ChannelFeedback",
    "ChannelPace",
    "Delivery",
    "LLMCall",
    "ProcessedEvent",
    "SlackTeam",
    "Source",
    "Subscription",
    "ThreadQuestion",
    "Topic",
    "TopicSource",
    "utcnow",
]
