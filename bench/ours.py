"""briefbot's extractive summarizer behind the harness's two interfaces.

- `select(articles, max_sentences=, max_words=)`: the ROUGE tasks' plain selection, from
  `ExtractiveSummarizer.select_summary` (the same sentence parsing and salience ranking the
  brief is built on, without sections), cut to the word budget.
- `brief(topic, articles)`: the real brief, for the redundancy task.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime

from bench.baselines import truncate_words
from bot.summarize.extractive import ExtractiveSummarizer
from bot.summarize.model import SECTIONS, ArticleInput, Brief

__all__ = ["OurSummarizer", "bullet_texts", "strip_suffix"]

_SUFFIX = re.compile(r"\s*\(reported by \d+ sources?\)\s*$")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def strip_suffix(text: str) -> str:
    """A bullet without the product's " (reported by N sources)" suffix."""
    return _SUFFIX.sub("", text)


def bullet_texts(brief: Brief) -> list[str]:
    """The brief's bullet texts in section order, without the sources suffix."""
    return [strip_suffix(b.text) for name in SECTIONS for b in brief.sections.get(name, ())]


class OurSummarizer:
    """briefbot's extractive summarizer, as the harness calls it."""

    path = "ExtractiveSummarizer().select_summary(articles, max_sentences=, max_words=)"
    version = ExtractiveSummarizer.version

    def __init__(self) -> None:
        self._summarizer = ExtractiveSummarizer()

    def brief(
        self,
        topic: str,
        articles: Sequence[ArticleInput],
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        now: datetime | None = None,
    ) -> Brief:
        now = now or datetime.now(UTC)
        return self._summarizer.summarize(
            topic, articles, since=since or _EPOCH, until=until or now, now=now
        )

    def select(
        self,
        articles: Sequence[ArticleInput],
        *,
        max_sentences: int | None = None,
        max_words: int | None = None,
        **_: object,
    ) -> list[str]:
        """The summary as sentences: at most `max_sentences`, cut to `max_words` words."""
        texts = self._summarizer.select_summary(
            articles, max_sentences=max_sentences, max_words=max_words
        )
        return truncate_words(texts, max_words)
