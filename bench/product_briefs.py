"""Briefs exactly as users get them: articles ingested and briefed through `Briefbot`.

Each story's articles are written as Markdown files with front matter (`title`, `published`,
`url`, `outlet`) to a temporary folder, ingested with the product's own file ingestion into a
temporary SQLite database under one topic, and briefed with `Briefbot.brief` over a window that
covers the story, with the offline (extractive) summarizer: no LLM is configured.

The `url` in front matter is a made-up https address per file (never fetched) so every cited
source can be mapped back to the corpus file it came from.
"""

from __future__ import annotations

import logging
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from bot.core import Briefbot
from bot.settings import Settings
from bot.summarize.model import SECTIONS, Brief

__all__ = [
    "EvalArticle",
    "ProductBrief",
    "ProductBullet",
    "brief_story",
    "safe_brief_story",
    "strip_citation",
]

URL_BASE = "https://eval.briefbot.invalid/"
# The product appends "(reported by N sources)" (or outlets) to a bullet: not the claim itself.
_SUFFIX = re.compile(r"\s*\((?:reported|carried) by [^()]*\)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class EvalArticle:
    """One corpus article as the harness feeds it to the product."""

    key: str  # stable id within the story, e.g. the corpus file name
    title: str
    body: str
    published: datetime
    outlet: str


@dataclass(frozen=True)
class ProductBullet:
    section: str
    text: str  # as shown, without the "(reported by N …)" suffix
    cited: tuple[str, ...]  # EvalArticle.key of every cited article


@dataclass(frozen=True)
class ProductBrief:
    topic: str
    bullets: tuple[ProductBullet, ...]  # in section order, as users read them
    articles_ingested: int
    summarizer: str
    raw: Brief | None
    error: str | None = None  # the product failed on this story: the brief is empty


def failed_brief(topic: str, exc: BaseException) -> ProductBrief:
    """What a story scores when the product raised: no bullets, the error kept as data."""
    return ProductBrief(topic, (), 0, "-", None, f"{type(exc).__name__}: {exc}"[:300])


_BRIEFS: dict[tuple[object, ...], ProductBrief] = {}


def safe_brief_story(
    topic: str, keywords: Sequence[str], articles: Sequence[EvalArticle]
) -> ProductBrief:
    """`brief_story`, but a product failure on one story is recorded and the run goes on.

    Briefs are kept for the process: the MultiLing ROUGE task and the editor task brief the
    same stories, and a story is ingested (and parsed) once per run."""
    key = (topic, tuple(keywords), tuple((a.key, a.published, a.title) for a in articles))
    if key not in _BRIEFS:
        try:
            _BRIEFS[key] = brief_story(topic, keywords, articles)
        except Exception as exc:  # a broken product must not hide the other stories' figures
            _BRIEFS[key] = failed_brief(topic, exc)
    return _BRIEFS[key]


def strip_citation(text: str) -> str:
    return _SUFFIX.sub("", text).strip()


def _yaml_value(value: str) -> str:
    return '"' + " ".join(value.split()).replace('"', "'") + '"'


def _write(folder: Path, index: int, article: EvalArticle) -> None:
    front = "\n".join(
        [
            "---",
            f"title: {_yaml_value(article.title)}",
            f"published: {article.published.isoformat()}",
            f"url: {URL_BASE}{index}",
            f"outlet: {_yaml_value(article.outlet)}",
            "---",
            "",
        ]
    )
    (folder / f"article-{index:03d}.md").write_text(front + article.body + "\n", encoding="utf-8")


def brief_story(
    topic: str,
    keywords: Sequence[str],
    articles: Sequence[EvalArticle],
    *,
    workdir: Path | None = None,
) -> ProductBrief:
    """Ingest `articles` into a fresh database under `topic` and return the product's brief."""
    with tempfile.TemporaryDirectory(prefix="briefbot-eval-", dir=workdir) as tmp:
        root = Path(tmp)
        folder = root / "articles"
        folder.mkdir()
        for index, article in enumerate(articles):
            _write(folder, index, article)
        settings = Settings.from_env(
            environ={"DATABASE_URL": f"sqlite:///{root / 'eval.db'}"}, dotenv_path=None
        )
        newest = max(a.published for a in articles)
        oldest = min(a.published for a in articles)
        core = Briefbot(settings, clock=lambda: newest + timedelta(hours=1))
        previous = logging.root.manager.disable
        logging.disable(logging.WARNING)  # per-file ingest warnings are not the evaluation
        try:
            core.add_topic(topic, keywords)
            core.ingest([str(folder)], topic=topic)
            result = core.brief(
                topic, since=oldest - timedelta(hours=1), until=newest + timedelta(hours=1)
            )
        finally:
            logging.disable(previous)
            core.close()
    brief = result.brief
    by_id = {s.id: s for s in brief.sources}
    bullets = []
    for section in SECTIONS:
        for bullet in brief.sections.get(section, ()):
            cited = []
            for source_id in bullet.source_ids:
                ref = by_id.get(source_id)
                if ref is not None and ref.url and ref.url.startswith(URL_BASE):
                    cited.append(articles[int(ref.url[len(URL_BASE) :])].key)
            bullets.append(ProductBullet(section, strip_citation(bullet.text), tuple(cited)))
    return ProductBrief(topic, tuple(bullets), len(result.article_ids), brief.summarizer, brief)
