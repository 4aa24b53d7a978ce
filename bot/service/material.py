"""Stored articles as the pure parts read them (`ArticleInput`), and the topic lookups every
use case starts with. Shared by the brief and answer services."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from bot.errors import NotFoundError, UserInputError
from bot.summarize.model import ArticleInput
from storage import articles as article_store
from storage import topics as topic_store
from storage.models import Article, Topic

if TYPE_CHECKING:
    from bot.nlp.features import ArticleAnalysis


def topic_name(name: str) -> str:
    """A topic name as stored; a clear one-line error when it cannot be one."""
    clean = topic_store.normalize_name(name)
    if not clean:
        raise UserInputError("A topic needs a name, e.g. `ukraine`.")
    if len(clean) > topic_store.MAX_TOPIC_NAME:
        raise UserInputError(
            f"A topic name can be at most {topic_store.MAX_TOPIC_NAME} characters."
        )
    return clean


def require_topic(session: Session, name: str) -> Topic:
    topic = topic_store.get(session, name)
    if topic is None:
        raise NotFoundError(
            f"No topic named “{topic_store.normalize_name(name)}”. "
            f"Create it with `briefbot topic add {topic_store.normalize_name(name)}` "
            "or ingest sources into it with `briefbot ingest SOURCE --topic NAME`."
        )
    return topic


def article_inputs(
    session: Session,
    rows: Sequence[Article],
    analyses: dict[int, ArticleAnalysis] | None = None,
    ledes: dict[int, tuple[tuple[str, ...], tuple[int, ...]]] | None = None,
) -> list[ArticleInput]:
    """The rows as summarizers read them: with their stored `analyses`, or only their lede
    terms (`ledes`: `bot.ingest.analyze.load_ledes`, what a large window is chosen from)."""
    outlets = article_store.outlets_of(session, [r.id for r in rows])
    analyses = analyses or {}
    ledes = ledes or {}
    return [
        ArticleInput(
            id=str(r.id),
            title=r.title,
            text=r.text,
            url=None if r.url.startswith("file://") else r.url,
            outlet=r.outlet,
            published_at=r.published_at,
            also_in=tuple(o for o in outlets.get(r.id, []) if o != r.outlet),
            sentences=analyses[r.id].sentences if r.id in analyses else None,
            analysis_version=analyses[r.id].version if r.id in analyses else None,
            lede_terms=ledes.get(r.id),
            language=r.language,
        )
        for r in rows
    ]
