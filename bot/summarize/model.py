"""The brief: what every summarizer returns, and its JSON contract.

Pure data. The JSON shape (`Brief.to_dict`) is a public contract relied on by scripts and by
the Slack layer; `Brief.from_dict` reads it back (the brief cache stores it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from bot.nlp.features import SentenceFeatures

SECTIONS: tuple[str, ...] = ("key_provisions", "open_questions", "next_steps")
SECTION_TITLES: dict[str, str] = {
    "key_provisions": "Key provisions",
    "open_questions": "Open questions",
    "next_steps": "Next steps",
}
MAX_BULLETS_PER_SECTION = 5
# Key provisions carry each story's lead and its main facts (what, who, where, when, how
# many): more than the other sections. Measured on bench/eval_summarizer.py's editor
# stories, 5 -> 7 raised key-fact recall by about 5 points. The extractive summarizer shows 7,
# or one per report up to 10 when a story has more reports (each report's own news).
MAX_KEY_PROVISIONS = 10


def section_cap(name: str) -> int:
    """How many bullets a brief shows in section `name`."""
    return MAX_KEY_PROVISIONS if name == "key_provisions" else MAX_BULLETS_PER_SECTION


@dataclass(frozen=True)
class ArticleInput:
    """An article as summarizers and answerers see it (no database, no HTTP)."""

    id: str
    title: str
    text: str
    url: str | None = None
    outlet: str | None = None
    published_at: datetime | None = None
    # Other outlets that carried the same text (syndicated copies), for "reported by N".
    also_in: tuple[str, ...] = ()
    # The sentences ingestion analysed (bot.ingest.analyze); None: not analysed, summarizers
    # split the text themselves.
    sentences: tuple[SentenceFeatures, ...] | None = field(default=None, compare=False, repr=False)
    # The analyzer version (rules and model) that produced `sentences`, None when unknown:
    # with the title, text and date it identifies the analysis, so a summarizer may keep
    # what it derives from it between briefs.
    analysis_version: str | None = field(default=None, compare=False, repr=False)
    # Only the lede terms of the analysis: (terms, counts) of its first LEDE_SENTENCES prose
    # sentences (`bot.summarize.stories`), first-seen order, with `sentences` None: all that
    # `choose` reads of an article of a window too large to read whole (`bot.service.briefs`).
    lede_terms: tuple[tuple[str, ...], tuple[int, ...]] | None = field(
        default=None, compare=False, repr=False
    )
    # ISO 639-1, as detected at ingestion (None: unknown). An LLM asked for a brief in another
    # language reads every language; its offline stand-in only this one's (`bot.summarize.llm`).
    language: str | None = None


@dataclass(frozen=True)
class Bullet:
    text: str
    source_ids: tuple[str, ...]
    # The distinct outlets behind "reported by N" (the cited articles' outlets and their
    # syndicated copies'); empty when unknown (an LLM bullet before support checking).
    outlets: tuple[str, ...] = ()
    # Index into `Brief.stories` of the story this bullet reports (None: not grouped).
    story: int | None = None
    # An LLM bullet's words from its first cited article, in that article's language: what
    # the support check verifies when the bullet is written in another language.
    quote: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "text": self.text,
            "source_ids": list(self.source_ids),
            "outlets": list(self.outlets),
        }
        if self.story is not None:
            out["story"] = self.story
        if self.quote:
            out["quote"] = self.quote
        return out


@dataclass(frozen=True)
class StoryRef:
    """One story of the window: the articles reporting one event, and a label for it."""

    label: str
    article_ids: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label, "article_ids": list(self.article_ids)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> StoryRef:
        return cls(str(data["label"]), tuple(str(i) for i in data.get("article_ids", ())))


@dataclass(frozen=True)
class SourceRef:
    id: str
    title: str
    url: str | None
    outlet: str | None
    published_at: datetime | None

    @classmethod
    def of(cls, article: ArticleInput) -> SourceRef:
        return cls(article.id, article.title, article.url, article.outlet, article.published_at)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "url": self.url,
            "outlet": self.outlet,
            "published_at": _iso(self.published_at),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SourceRef:
        return cls(
            id=str(data["id"]),
            title=data["title"],
            url=data.get("url"),
            outlet=data.get("outlet"),
            published_at=_parse_iso(data.get("published_at")),
        )


@dataclass(frozen=True)
class Brief:
    topic: str
    generated_at: datetime
    since: datetime
    until: datetime
    summarizer: str  # "extractive" | "llm:<model>"
    article_count: int
    sections: dict[str, tuple[Bullet, ...]]
    sources: tuple[SourceRef, ...]
    # The stories the bullets report, largest first (bullets point here by index); one story or
    # none: nothing to group.
    stories: tuple[StoryRef, ...] = ()
    # How many articles the window held when a cap left some out (the brief read the newest
    # `article_count` of them); None: every article in the window was read.
    articles_in_window: int | None = None
    # Which of the window's articles a capped brief read: "newest" (a cap on the window's
    # rows) or "largest stories" (the summarizer's own bound: the articles of the window's
    # largest stories).
    read: str = "newest"
    # Not part of the JSON contract: why the brief is what it is (e.g. "llm fallback").
    notes: tuple[str, ...] = field(default=(), compare=False)

    @property
    def capped(self) -> bool:
        """Did the brief read only the newest `article_count` of the window's articles?"""
        return self.articles_in_window is not None and self.articles_in_window > self.article_count

    @property
    def is_empty(self) -> bool:
        return not any(self.sections.get(name) for name in SECTIONS)

    def story_groups(self, section: str) -> list[tuple[StoryRef | None, tuple[Bullet, ...]]]:
        """A section's bullets grouped by story, largest story first, for renderers: one group
        with no story when the brief has fewer than two stories (nothing to label)."""
        bullets = tuple(self.sections.get(section, ()))
        if len(self.stories) < 2:
            return [(None, bullets)] if bullets else []
        groups: list[tuple[StoryRef | None, tuple[Bullet, ...]]] = []
        for index, story in enumerate(self.stories):
            mine = tuple(b for b in bullets if b.story == index)
            if mine:
                groups.append((story, mine))
        rest = tuple(b for b in bullets if b.story is None or b.story >= len(self.stories))
        if rest:
            groups.append((None, rest))
        return groups

    def bullets(self) -> list[Bullet]:
        return [bullet for name in SECTIONS for bullet in self.sections.get(name, ())]

    def to_dict(self) -> dict[str, Any]:
        return {
            "topic": self.topic,
            "generated_at": _iso(self.generated_at),
            "window": {"since": _iso(self.since), "until": _iso(self.until)},
            "summarizer": self.summarizer,
            "article_count": self.article_count,
            # Equal to article_count unless the brief read only the newest of them.
            "articles_in_window": max(self.articles_in_window or 0, self.article_count),
            **({"read": self.read} if self.capped else {}),
            "sections": {
                name: [b.to_dict() for b in self.sections.get(name, ())] for name in SECTIONS
            },
            "sources": [s.to_dict() for s in self.sources],
            "stories": [s.to_dict() for s in self.stories],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Brief:
        sections = {
            name: tuple(
                Bullet(
                    b["text"],
                    tuple(str(i) for i in b["source_ids"]),
                    tuple(str(o) for o in b.get("outlets", ())),
                    b.get("story"),
                    b.get("quote") or None,
                )
                for b in data["sections"].get(name, [])
            )
            for name in SECTIONS
        }
        generated_at = _parse_iso(data["generated_at"])
        since = _parse_iso(data["window"]["since"])
        until = _parse_iso(data["window"]["until"])
        assert generated_at and since and until
        in_window = int(data.get("articles_in_window") or 0)
        return cls(
            topic=data["topic"],
            generated_at=generated_at,
            since=since,
            until=until,
            summarizer=data["summarizer"],
            article_count=int(data["article_count"]),
            sections=sections,
            sources=tuple(SourceRef.from_dict(s) for s in data["sources"]),
            stories=tuple(StoryRef.from_dict(s) for s in data.get("stories", ())),
            articles_in_window=in_window if in_window > int(data["article_count"]) else None,
            read=str(data.get("read") or "newest"),
        )


def build_brief(
    *,
    topic: str,
    articles: Sequence[ArticleInput],
    sections: dict[str, Sequence[Bullet]],
    since: datetime,
    until: datetime,
    generated_at: datetime,
    summarizer: str,
    notes: Sequence[str] = (),
    stories: Sequence[StoryRef] = (),
) -> Brief:
    """Assemble a Brief whose `sources` are exactly the cited articles, in citation order."""
    by_id = {a.id: a for a in articles}
    cited: list[str] = []
    clean: dict[str, tuple[Bullet, ...]] = {}
    for name in SECTIONS:
        kept: list[Bullet] = []
        for bullet in sections.get(name, ()):
            ids = tuple(dict.fromkeys(i for i in bullet.source_ids if i in by_id))
            if not ids or not bullet.text.strip():
                continue  # an uncited bullet is never shown
            story = (
                bullet.story if bullet.story is not None and bullet.story < len(stories) else None
            )
            kept.append(Bullet(bullet.text.strip(), ids, bullet.outlets, story, bullet.quote))
            cited.extend(i for i in ids if i not in cited)
        clean[name] = tuple(kept[: section_cap(name)])
    still_cited = {i for name in SECTIONS for b in clean[name] for i in b.source_ids}
    return Brief(
        topic=topic,
        generated_at=generated_at,
        since=since,
        until=until,
        summarizer=summarizer,
        article_count=len(articles),
        sections=clean,
        sources=tuple(SourceRef.of(by_id[i]) for i in cited if i in still_cited),
        stories=tuple(stories),
        notes=tuple(notes),
    )


class Summarizer(Protocol):
    """Turns a topic's articles into a brief. Pure with respect to storage and Slack."""

    @property
    def name(self) -> str:
        """Goes into the brief's `summarizer` field: "extractive" or "llm:<model>"."""
        ...

    @property
    def version(self) -> str:
        """Changes whenever output for the same input may change (part of the cache key)."""
        ...

    def summarize(
        self,
        topic: str,
        articles: Sequence[ArticleInput],
        *,
        since: datetime,
        until: datetime,
        now: datetime,
    ) -> Brief: ...


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _parse_iso(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None
