"""Adapter from the harness to briefbot's own extractive summarizer.

The ROUGE tasks need a plain selection ("the best N sentences" or "at most N words"). The
adapter uses the most direct entry point that `bot.summarize.extractive` offers, checked when
the harness runs (the module is developed in parallel, so nothing is assumed):

1. `select_summary(articles, max_sentences=None, max_words=None) -> list[str]` (a module
   function or an `ExtractiveSummarizer` method);
2. `rank_sentences(articles) -> list[...]` (items: str, or objects/tuples/dicts holding the
   text), best first: the first N sentences, cut to N words;
3. otherwise `ExtractiveSummarizer().summarize(topic, articles, since=, until=, now=)`: the
   brief's bullet texts in section order (key provisions, open questions, next steps), the
   " (reported by N sources)" suffix removed, then the first N bullets, cut to N words.

`OurSummarizer.path` names the path taken; the harness prints it with the results.
"""

from __future__ import annotations

import importlib
import inspect
import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from bench.baselines import truncate_words
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


def _text_of(item: Any) -> str:
    if isinstance(item, str):
        return item
    if isinstance(item, dict):
        return str(item.get("text", ""))
    text = getattr(item, "text", None)
    if isinstance(text, str):
        return text
    if isinstance(item, (tuple, list)):
        return next((x for x in item if isinstance(x, str)), "")
    return str(item)


def _call(fn: Callable[..., Any], articles: Sequence[ArticleInput], topic: str, **limits: Any):
    """Call `fn` passing only the arguments its signature accepts (articles, topic, limits)."""
    params = inspect.signature(fn).parameters
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    accepts_kw = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())
    for name, param in params.items():
        if param.kind in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD):
            continue
        if name == "topic":
            value: Any = topic
        elif name in ("articles", "docs", "documents"):
            value = list(articles)
        elif name in limits:
            kwargs[name] = limits[name]
            continue
        elif param.default is not inspect.Parameter.empty:
            continue
        elif not args and param.kind is not inspect.Parameter.KEYWORD_ONLY:
            value = list(articles)  # the first required positional argument: the articles
        else:
            raise TypeError(f"cannot call {fn.__qualname__}: unknown required argument {name!r}")
        if param.kind is inspect.Parameter.KEYWORD_ONLY:
            kwargs[name] = value
        else:
            args.append(value)
    if accepts_kw:
        kwargs.update({k: v for k, v in limits.items() if k not in kwargs})
    return fn(*args, **kwargs)


class OurSummarizer:
    """briefbot's extractive summarizer behind the harness's selection interface."""

    def __init__(self) -> None:
        module = importlib.import_module("bot.summarize.extractive")
        self._cls = module.ExtractiveSummarizer
        self._summarizer = self._cls()
        self._select: Callable[..., Any] | None = None
        self._rank: Callable[..., Any] | None = None
        for owner, label in (
            (module, "bot.summarize.extractive"),
            (self._summarizer, "ExtractiveSummarizer()"),
        ):
            if self._select is None and callable(getattr(owner, "select_summary", None)):
                self._select = owner.select_summary
                self.path = f"{label}.select_summary(articles, max_sentences=, max_words=)"
            if self._rank is None and callable(getattr(owner, "rank_sentences", None)):
                self._rank = owner.rank_sentences
                rank_label = f"{label}.rank_sentences(articles): first N, cut to N words"
        if self._select is None and self._rank is not None:
            self.path = rank_label
        elif self._select is None:
            self.path = (
                "fallback: ExtractiveSummarizer().summarize(); bullet texts in section order "
                "(no select_summary/rank_sentences found)"
            )
        self.version = str(getattr(self._cls, "version", "?"))

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
        topic: str = "",
        max_sentences: int | None = None,
        max_words: int | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        now: datetime | None = None,
    ) -> list[str]:
        """The summary as sentences: at most `max_sentences`, cut to `max_words` words."""
        if self._select is not None:
            raw = _call(
                self._select, articles, topic, max_sentences=max_sentences, max_words=max_words
            )
            texts = [_text_of(x) for x in raw]
        elif self._rank is not None:
            texts = [_text_of(x) for x in _call(self._rank, articles, topic)]
        else:
            texts = bullet_texts(self.brief(topic, articles, since=since, until=until, now=now))
        texts = [t for t in (strip_suffix(t).strip() for t in texts) if t]
        if max_sentences is not None:
            texts = texts[:max_sentences]
        return truncate_words(texts, max_words)
