"""The LLM summarizer: the `brief` prompt, a validated JSON answer, and a fallback that works.

Nothing the model writes reaches a reader unchecked: the answer must match the schema, every
bullet must cite only articles that were in the prompt (others are dropped), reasoning markup and
links other than the articles' own are removed, and each bullet is trimmed to 280 characters.
Each bullet carries a quote from its first cited article, in that article's language: a brief
written in another language than its articles (`lang:de` with English sources) is checked
through its quotes, and a bullet whose quote no cited article holds is dropped.
Invalid output is retried once; after that, or when the server fails, the fallback summarizer
(the extractive one) writes the brief and the reason goes into `Brief.notes` and the call log.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from bot.errors import LLMError
from bot.llm.budget import clean_data, cut, fit
from bot.llm.client import LLMCallRecord, LLMClient, Recorder
from bot.llm.model_output import clean_text, split_known
from bot.summarize.analysis import numbers_of
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
MAX_QUOTE_CHARS = 200


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

    def narrows(self, n: int) -> bool:
        """As the fallback's (`ExtractiveSummarizer.narrows`): a window too large to read
        whole is read, by the LLM as by its fallback, as the articles the fallback chooses
        (its largest stories), and the brief says so; the prompt then holds the newest of
        them that fit its budget."""
        narrows = getattr(self._fallback, "narrows", None)
        return bool(narrows(n)) if narrows is not None else False

    def choose(self, topic: str, articles: Sequence[ArticleInput]) -> list[ArticleInput]:
        choose = getattr(self._fallback, "choose", None)
        return list(articles) if choose is None else list(choose(topic, articles))

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
        # bullet's figures, names and most of its words (or those of its quote, in the
        # article's language) goes, and a bullet left with none too.
        sections, unsupported, misquoted = checked_bullets(sections, included)
        if unsupported:
            notes.append(f"llm: removed {unsupported} citation(s) their article does not support")
        if misquoted:
            notes.append(f"llm: dropped {misquoted} bullet(s) quoting words no cited article has")
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
        # At most the articles that could fit, each with MIN_ARTICLE_CHARS of text: the
        # measuring render below lists their ids, and a whole large window's ids (30,000
        # characters at 5,000 articles) overran the budget and left one article in the prompt.
        most = max(1, self._budget // MIN_ARTICLE_CHARS)
        ordered = sorted(articles, key=_newest_first, reverse=True)[:most]

        def render(blocks: Sequence[str], ids: Sequence[str]) -> RenderedPrompt:
            return self._prompt.render(
                topic=clean_data(topic),
                window=f"{_when(since)} to {_when(until)}",
                article_ids=", ".join(ids),
                articles="\n\n".join(blocks),
                max_bullets=MAX_BULLETS_PER_SECTION,
                max_chars=MAX_BULLET_CHARS,
                max_quote_chars=MAX_QUOTE_CHARS,
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
        # The offline summarizer quotes the articles' sentences: with a language asked for,
        # only the articles in it (or of unknown language), as an offline brief reads.
        code = requested()
        if code is not None:
            articles = [a for a in articles if a.language in (None, code)]
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
            for key in ("story", "quote"):
                value = item.get(key)
                if value is not None and not isinstance(value, str):
                    raise ValueError(f"{where}.{key} is not a string")


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
            # Longer than asked is not a quote of one passage: cut, it fails the check below
            # unless what is left is still the article's.
            quote = clean_text(str(item.get("quote") or ""), allowed_urls=(), limit=MAX_QUOTE_CHARS)
            kept.append(Bullet(text, tuple(ids), story=story, quote=quote or None))
        sections[name] = kept[:MAX_BULLETS_PER_SECTION]
    return sections, dropped


def checked_bullets(
    sections: Mapping[str, Sequence[Bullet]], articles: Sequence[ArticleInput]
) -> tuple[dict[str, list[Bullet]], int, int]:
    """Each bullet citing only the articles that state it, checked by the support check
    (`bot.summarize.support`); returns the sections, how many citations were removed and how
    many bullets were dropped for their quote.

    A bullet with a quote: a cited article that holds the quote (the lexical check, in the
    article's own language) states the bullet when the bullet's figures are all in the quote
    (digits read alike in every language); one that holds the bullet's own words does too. A
    quote that no cited article holds is made up: the bullet goes, whatever else it says."""
    by_id = {a.id: a for a in articles}
    removed = misquoted = 0
    out: dict[str, list[Bullet]] = {}
    for name, bullets in sections.items():
        kept: list[Bullet] = []
        for bullet in bullets:
            if bullet.quote is None:
                checked, lost = supported_bullets({name: [bullet]}, articles)
                removed += lost
                kept.extend(checked[name])
                continue
            quote = replace(bullet, text=bullet.quote)
            holding, _ = supported_bullets({name: [quote]}, articles)
            if not holding[name]:
                misquoted += 1
                removed += len(bullet.source_ids)
                continue
            figures = _figures(bullet.text) <= _figures(bullet.quote)
            by_quote = set(holding[name][0].source_ids) if figures else set()
            by_text, _ = supported_bullets({name: [bullet]}, articles)
            by_words = set(by_text[name][0].source_ids) if by_text[name] else set()
            ids = [i for i in bullet.source_ids if i in by_quote | by_words]
            removed += len(bullet.source_ids) - len(ids)
            if ids:
                kept.append(replace(bullet, source_ids=tuple(ids), outlets=_outlets(ids, by_id)))
        out[name] = kept
    return out, removed, misquoted


def _figures(text: str) -> frozenset[str]:
    """The figures of a text, with decimal and thousands marks dropped: "3,5" (German) and
    "3.5", "1.200" and "1,200" read the same."""
    return frozenset(re.sub(r"[.,]", "", n) for n in numbers_of(text))


def _outlets(ids: Sequence[str], by_id: Mapping[str, ArticleInput]) -> tuple[str, ...]:
    """The distinct outlets behind the cited articles (their own and syndicated copies')."""
    outlets: dict[str, str] = {}
    for article_id in ids:
        article = by_id[article_id]
        for outlet in (article.outlet, *article.also_in):
            if outlet and outlet.strip():
                outlets.setdefault(outlet.strip().lower(), outlet.strip())
    return tuple(outlets.values())


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
    if article.language:
        lines.append("Language: " + language_name(article.language))
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
