"""Test helpers for the summarizer: the demo corpus loader and a synthetic article maker."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from pathlib import Path

from bot.summarize.model import ArticleInput

PROJECT = Path(__file__).resolve().parents[2]
DEMO_DIR = PROJECT / "bot" / "demo" / "articles"
SEED_DIR = PROJECT.parent / "shared" / "corpus" / "seed"


def parse_front_matter(raw: str) -> tuple[dict[str, str], str]:
    """Split a markdown file into its `---` front matter (flat key: value) and its body."""
    text = raw.replace("\r\n", "\n").lstrip("\ufeff")
    if not text.startswith("---\n"):
        return {}, text
    end = text.find("\n---", 4)
    if end < 0:
        return {}, text
    meta: dict[str, str] = {}
    for line in text[4:end].splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip():
            meta[key.strip().lower()] = value.strip().strip("\"'")
    body = text[end + 4 :].split("\n", 1)[1] if "\n" in text[end + 4 :] else ""
    return meta, body


def _datetime(value: str | None) -> datetime | None:
    if not value:
        return None
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def load_articles(directory: Path) -> list[ArticleInput]:
    """The *.md files of `directory` in file-name order, as ArticleInput with ids "1", "2", …"""
    articles = []
    for number, path in enumerate(sorted(directory.glob("*.md")), start=1):
        meta, body = parse_front_matter(path.read_text(encoding="utf-8"))
        articles.append(
            ArticleInput(
                id=str(number),
                title=meta.get("title", path.stem),
                text=body,
                url=meta.get("url") or None,
                outlet=meta.get("outlet") or None,
                published_at=_datetime(meta.get("published")),
            )
        )
    return articles


_ACTORS = [
    "The finance ministry",
    "Regional officials",
    "The central bank",
    "Union leaders",
    "The port authority",
    "Farm groups",
    "The energy regulator",
    "City councillors",
    "The transport agency",
    "Hospital managers",
    "The trade commission",
    "Local mayors",
]
_ACTIONS = [
    "announced new rules for",
    "approved a budget for",
    "signed an agreement on",
    "will meet next week to discuss",
    "have yet to decide on",
    "rejected a proposal on",
    "plans to review",
    "said it would expand",
    "is expected to publish a report on",
    "committed funds to",
    "has not said how it will pay for",
    "agreed to study",
]
_OBJECTS = [
    "grain exports",
    "rail freight",
    "water pricing",
    "teacher salaries",
    "coastal flood defences",
    "hospital staffing",
    "fishing quotas",
    "electricity tariffs",
    "housing permits",
    "airport expansion",
    "steel tariffs",
    "broadband rollout",
    "bus subsidies",
    "pension reform",
]
_TAILS = [
    "after months of debate",
    "in a move welcomed by business groups",
    "despite protests",
    "according to a statement released on Monday",
    "ahead of the regional elections",
    "following a court ruling",
    "as costs continued to rise",
    "in line with earlier promises",
]


def synthetic_articles(
    count: int, words_per_article: int = 600, seed: int = 7, first_id: int = 1
) -> list[ArticleInput]:
    """`count` news-like articles built from templates (seeded, so always the same)."""
    rng = random.Random(seed)
    articles = []
    for number in range(first_id, first_id + count):
        paragraphs: list[str] = []
        n_words = 0
        while n_words < words_per_article:
            sentences = []
            for _ in range(rng.randint(2, 4)):
                sentence = (
                    f"{rng.choice(_ACTORS)} {rng.choice(_ACTIONS)} {rng.choice(_OBJECTS)} "
                    f"{rng.choice(_TAILS)}, and {rng.choice(_ACTORS).lower()} "
                    f"{rng.choice(_ACTIONS)} {rng.choice(_OBJECTS)}."
                )
                sentences.append(sentence)
                n_words += len(sentence.split())
            paragraphs.append(" ".join(sentences))
        articles.append(
            ArticleInput(
                id=str(number),
                title=f"Policy roundup {number}",
                text="\n\n".join(paragraphs),
                outlet=f"Outlet {number % 13}",
                published_at=datetime(2025, 3, 1 + number % 28, 9, tzinfo=UTC),
            )
        )
    return articles
