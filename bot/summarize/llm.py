"""The LLM summarizer: the `brief` prompt, a validated JSON answer, and a fallback that works.

Nothing the model writes reaches a reader unchecked: the answer must match the schema, every
bullet must cite only articles that were in the prompt (others are dropped), reasoning markup and
links other than the articles' own are removed, and each bullet is trimmed to 280 characters.
Invalid output is retried once; after that, or when the server fails, the fallback summarizer
(the extractive one) writes the brief and the reason goes into `Brief.notes` and the call log.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import time
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from bot.errors import LLMError
from bot.llm.budget import clean_data, cut, fit
from bot.llm.client import LLMCallRecord, LLMClient, Recorder
from bot.llm.model_output import clean_text, split_known
from bot.summarize.model import (
    MAX_BULLETS_PER_SECTION,
    SECTIONS,
    ArticleInput,
    Brief,
    Bullet,
    StoryRef,
    Summarizer,
    build_brief,
)
from bot.summarize.support import supported_bullets
from bot.summarize.writing import language_name, requested
from prompts.loader import PromptTemplate, RenderedPrompt, load_prompt

logger = logging.getLogger(__name__)

PROMPT_NAME = "brief"
MAX_BULLET_CHARS = 280
DEFAULT_PROMPT_BUDGET = 24_000
MIN_ARTICLE_CHARS = 400  # below this an article is left out rather than cut to nothing
MAX_TITLE_CHARS = 300
MAX_LABEL_CHARS = 90


class LLMSummarizer:
    """A `Summarizer` that asks an LLM, validated and with a fallback."""

    def __init__(
        self,
        client: LLMClient,
        fallback: Summarizer,
        *,
        prompt: PromptTemplate | None = None,
        prompt_budget_chars: int = DEFAULT_PROMPT_BUDGET,
        recorder: Recorder | None = None,
    ) -> None:
        """`recorder` receives the "fallback" record; by default the client's own recorder."""
        self._client = client
        self._fallback = fallback
        self._prompt = prompt or load_prompt(PROMPT_NAME)
        self._budget = prompt_budget_chars
        self._recorder = recorder

    @property
    def name(self) -> str:
        return f"llm:{self._client.model}"

    @property
    def version(self) -> str:
        return f"llm-{self._prompt.version}"

    def summarize(
        self,
        topic: str,
        articles: Sequence[ArticleInput],
        *,
        since: datetime,
        until: datetime,
        now: datetime,
    ) -> Brief:
        def brief(
            sections: dict[str, Sequence[Bullet]],
            notes: Sequence[str] = (),
            stories: Sequence[StoryRef] = (),
        ) -> Brief:
            return build_brief(
                topic=topic,
                articles=articles,
                sections=sections,
                stories=stories,
                since=since,
                until=until,
                generated_at=now,
                summarizer=self.name,
                notes=notes,
            )

        if not articles:
            return brief({})  # nothing to summarize: no call, no cost
        started = time.monotonic()
        prompt, included = self.build_prompt(topic, articles, since=since, until=until)
        known = {a.id for a in included}
        try:
            data = self._client.complete_prompt(self._prompt, prompt, validate=check_schema)
        except LLMError as err:
            return self._fall_back(str(err), started, topic, articles, since, until, now)

        labels: dict[str, int] = {}
        sections, dropped = parse_sections(
            data, known, allowed_urls=[a.url for a in articles], labels=labels
        )
        notes = [f"llm: dropped {dropped} bullet(s) citing unknown article ids"] if dropped else []
        # Only what the cited articles state: a citation whose article does not hold the
        # bullet's figures, names and most of its words goes, and a bullet left with none too.
        sections, unsupported = supported_bullets(sections, included)
        if unsupported:
            notes.append(f"llm: removed {unsupported} citation(s) their article does not support")
        sections, stories = story_groups(sections, labels)
        result = brief(sections, notes, stories)
        if result.is_empty:
            reason = "no bullet cited a given article" if dropped else "the answer had no bullets"
            return self._fall_back(reason, started, topic, articles, since, until, now)
        return result

    def build_prompt(
        self, topic: str, articles: Sequence[ArticleInput], *, since: datetime, until: datetime
    ) -> tuple[RenderedPrompt, list[ArticleInput]]:
        """The rendered prompt and the articles it holds (newest first, cut to the budget)."""
        ordered = sorted(articles, key=_newest_first, reverse=True)

        def render(blocks: Sequence[str], ids: Sequence[str]) -> RenderedPrompt:
            return self._prompt.render(
                topic=clean_data(topic),
                window=f"{_when(since)} to {_when(until)}",
                article_ids=", ".join(ids),
                articles="\n\n".join(blocks),
                max_bullets=MAX_BULLETS_PER_SECTION,
                max_chars=MAX_BULLET_CHARS,
                language=language_name(requested()),
            )

        included, blocks = fit(
            ordered,
            available=self._budget - len(render([], [a.id for a in ordered])),
            block=_article_block,
            text=lambda a: a.text,
            min_text=MIN_ARTICLE_CHARS,
        )
        if len(included) < len(ordered):
            logger.info(
                "brief prompt: %d of %d articles fit in %d chars",
                len(included),
                len(ordered),
                self._budget,
            )
        return render(blocks, [a.id for a in included]), included

    # -- internals ----------------------------------------------------------------------------

    def _fall_back(
        self,
        reason: str,
        started: float,
        topic: str,
        articles: Sequence[ArticleInput],
        since: datetime,
        until: datetime,
        now: datetime,
    ) -> Brief:
        logger.warning("brief for %r: falling back to %s: %s", topic, self._fallback.name, reason)
        record = LLMCallRecord(
            model=self._client.model,
            prompt_name=self._prompt.name,
            prompt_version=self._prompt.version,
            duration_ms=round((time.monotonic() - started) * 1000),
            outcome="fallback",
            error=reason,
        )
        if self._recorder is not None:
            try:
                self._recorder(record)
            except Exception:
                logger.warning("could not record an LLM fallback", exc_info=True)
        else:
            self._client.record(record)  # redacts, like every other record
        brief = self._fallback.summarize(topic, articles, since=since, until=until, now=now)
        return dataclasses.replace(brief, notes=(*brief.notes, f"llm fallback: {reason}"))


def check_schema(data: dict[str, Any]) -> None:
    """Raise ValueError unless `data` is {section: [{"text": str, "source_ids": [id]}]}."""
    for name in SECTIONS:
        if name not in data:
            raise ValueError(f"section {name!r} is missing")
        items = data[name]
        if not isinstance(items, list):
            raise ValueError(f"section {name!r} is not a list")
        for index, item in enumerate(items):
            where = f"{name}[{index}]"
            if not isinstance(item, dict):
                raise ValueError(f"{where} is not an object")
            text = item.get("text")
            if not isinstance(text, str) or not text.strip():
                raise ValueError(f"{where}.text is missing or empty")
            ids = item.get("source_ids")
            if not isinstance(ids, list) or not all(
                isinstance(i, str | int) and not isinstance(i, bool) for i in ids
            ):
                raise ValueError(f"{where}.source_ids is not a list of ids")
            story = item.get("story")
            if story is not None and not isinstance(story, str):
                raise ValueError(f"{where}.story is not a string")


def parse_sections(
    data: dict[str, Any],
    known: set[str],
    *,
    allowed_urls: Sequence[str | None],
    labels: dict[str, int] | None = None,
) -> tuple[dict[str, list[Bullet]], int]:
    """Schema-checked answer to cleaned bullets, and how many were dropped for unknown ids.

    `labels` receives the story labels (label -> the index the bullets carry)."""
    dropped = 0
    seen: set[str] = set()
    labels = {} if labels is None else labels
    sections: dict[str, list[Bullet]] = {}
    for name in SECTIONS:
        kept: list[Bullet] = []
        for item in data.get(name, []):
            ids, unknown = split_known(item["source_ids"], known)
            if unknown:
                dropped += 1
                logger.info("brief: dropped a %s bullet citing unknown id(s) %s", name, unknown)
                continue
            text = clean_text(item["text"], allowed_urls=allowed_urls, limit=MAX_BULLET_CHARS)
            key = _dedupe_key(text)
            if not ids or not key or key in seen:
                continue
            seen.add(key)
            label = clean_text(str(item.get("story") or ""), allowed_urls=(), limit=MAX_LABEL_CHARS)
            story = labels.setdefault(label, len(labels)) if label else None
            kept.append(Bullet(text, tuple(ids), story=story))
        sections[name] = kept[:MAX_BULLETS_PER_SECTION]
    return sections, dropped


def story_groups(
    sections: dict[str, list[Bullet]], labels: dict[str, int]
) -> tuple[dict[str, list[Bullet]], tuple[StoryRef, ...]]:
    """The model's story labels as `StoryRef`s (articles: those the story's bullets cite),
    largest first; fewer than two stories: no grouping."""
    names = {index: label for label, index in labels.items()}
    cited: dict[int, list[str]] = {}
    for bullets in sections.values():
        for b in bullets:
            if b.story is not None:
                cited.setdefault(b.story, []).extend(i for i in b.source_ids)
    used = sorted(cited, key=lambda k: (-len(set(cited[k])), k))
    if len(used) < 2:
        return {n: [replace(b, story=None) for b in bs] for n, bs in sections.items()}, ()
    renumber = {k: i for i, k in enumerate(used)}
    stories = tuple(
        StoryRef(names.get(k, f"Story {i + 1}"), tuple(dict.fromkeys(cited[k])))
        for i, k in enumerate(used)
    )
    return {
        n: [replace(b, story=renumber.get(b.story) if b.story is not None else None) for b in bs]
        for n, bs in sections.items()
    }, stories


def _article_block(article: ArticleInput, text: str) -> str:
    # Layout of the data only; every instruction lives in prompts/brief.toml.
    lines = [f'<article id="{clean_data(article.id)}">']
    lines.append("Title: " + cut(clean_data(article.title), MAX_TITLE_CHARS))
    if article.outlet:
        outlet = clean_data(article.outlet)
        if article.also_in:
            outlet += " (also in " + ", ".join(clean_data(o) for o in article.also_in[:5]) + ")"
        lines.append("Outlet: " + outlet)
    if article.published_at:
        lines.append("Published: " + _when(article.published_at))
    lines.append("")
    lines.append(text)
    lines.append("</article>")
    return "\n".join(lines)


def _newest_first(article: ArticleInput) -> float:
    return article.published_at.timestamp() if article.published_at else float("-inf")


def _when(value: datetime) -> str:
    if value.tzinfo is None:
        return value.strftime("%Y-%m-%d %H:%M")
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _dedupe_key(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()
