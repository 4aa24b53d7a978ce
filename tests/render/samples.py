"""Hand-built briefs and answers for the renderer tests (no summarizer, no database)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bot.summarize.model import ArticleInput, Brief, Bullet, SourceRef, build_brief

SINCE = datetime(2025, 3, 11, tzinfo=UTC)
UNTIL = datetime(2025, 3, 14, 18, 30, tzinfo=UTC)
GENERATED = datetime(2025, 3, 14, 18, 31, tzinfo=UTC)

EVIL_TITLE = "<!channel> hello <@U123> & <http://evil|click>"


@dataclass(frozen=True)
class FakeAnswer:
    """Has the shape of the answer service's `Answer` (the renderers take it structurally)."""

    question: str
    found: bool
    answer: str
    source_ids: tuple[str, ...]
    sources: tuple[SourceRef, ...]


def article(
    id: str,
    title: str,
    *,
    url: str | None = None,
    outlet: str | None = None,
    day: int | None = 11,
) -> ArticleInput:
    published = datetime(2025, 3, day, 9, 0, tzinfo=UTC) if day else None
    return ArticleInput(id, title, "body text", url, outlet, published)


def sample_articles() -> list[ArticleInput]:
    return [
        article(
            "a1", "Talks end with a deal", url="https://example.com/a?x=1&y=2", outlet="Reuters"
        ),
        article("a2", "Kyiv reacts", url="https://news.example.org/kyiv", outlet="AP", day=12),
        article("a3", "Analysis: what the ceasefire covers", outlet="BBC", day=13),
        article(
            "a4", "Senate to vote on aid", url="http://example.net/vote", outlet="Reuters", day=14
        ),
        article("a5", "Uncited article", url="https://example.com/other", outlet="FT"),
    ]


def sample_brief(**overrides: Any) -> Brief:
    """Three sections, one of them empty; a source without a URL; two Reuters articles."""
    fields: dict[str, Any] = {
        "topic": "ukraine",
        "articles": sample_articles(),
        "sections": {
            "key_provisions": [
                Bullet(
                    "The ceasefire covers energy infrastructure for 30 days, starting on "
                    "Monday, and may be extended if both sides agree.",
                    ("a1", "a3"),
                ),
                Bullet("Prisoner exchanges resume under the deal.", ("a2",)),
            ],
            "open_questions": [],
            "next_steps": [
                Bullet("The Senate votes on the aid package next week.", ("a4", "a1")),
            ],
        },
        "since": SINCE,
        "until": UNTIL,
        "generated_at": GENERATED,
        "summarizer": "extractive",
    }
    fields.update(overrides)
    return build_brief(**fields)


def empty_brief() -> Brief:
    return build_brief(
        topic="ukraine",
        articles=[],
        sections={},
        since=SINCE,
        until=UNTIL,
        generated_at=GENERATED,
        summarizer="extractive",
    )


def evil_brief() -> Brief:
    """An article whose title, outlet, URL and bullet text all try to ping or link."""
    articles = [
        article("e1", EVIL_TITLE, url="javascript:alert(1)", outlet="<!here> News"),
        article(
            "e2",
            "Pipe | in <title>",
            url="https://ok.example.com/a|b>c<d e",
            outlet="Out|let <@U999>",
        ),
        article("e3", "Fine", url="https://fine.example.com/", outlet="@channel Daily"),
    ]
    sections = {
        "key_provisions": [
            Bullet(
                "Everyone <!everyone> read <https://evil.example|this> & "
                "<!subteam^S123|@team> now @here",
                ("e1", "e2"),
            )
        ],
        "open_questions": [Bullet(EVIL_TITLE, ("e3",))],
        "next_steps": [Bullet("&lt;!channel&gt; already-escaped text", ("e1",))],
    }
    return build_brief(
        topic="<!channel> ukraine",
        articles=articles,
        sections=sections,
        since=SINCE,
        until=UNTIL,
        generated_at=GENERATED,
        summarizer="llm:<!channel>",
    )


def huge_brief(*, bullets: int = 5, bullet_chars: int = 2000, sources: int = 60) -> Brief:
    """Every section full of very long bullets; `sources` distinct cited sources."""
    articles = [
        article(
            f"s{i}",
            f"Source title number {i} " + "word " * 60,
            url=f"https://example.com/{i}/" + "p" * 300,
            outlet=f"Outlet {i % 7}",
            day=11 + i % 4,
        )
        for i in range(sources)
    ]
    ids = [a.id for a in articles]
    per_bullet = max(1, -(-sources // (3 * bullets)))
    words = ("lorem ipsum dolor sit amet & <b> " * (bullet_chars // 30 + 1))[:bullet_chars]
    sections: dict[str, list[Bullet]] = {}
    n = 0
    for name in ("key_provisions", "open_questions", "next_steps"):
        sections[name] = []
        for _ in range(bullets):
            cited = tuple(ids[(n * per_bullet + k) % sources] for k in range(per_bullet))
            sections[name].append(Bullet(words, cited))
            n += 1
    brief = build_brief(
        topic="ukraine",
        articles=articles,
        sections=sections,
        since=SINCE,
        until=UNTIL,
        generated_at=GENERATED,
        summarizer="llm:gpt-4o-mini",
    )
    return brief


def oversized_brief(*, bullets: int = 200, sources: int = 500) -> Brief:
    """Built with the constructor, past `build_brief`'s caps, to push the block limit."""
    refs = tuple(
        SourceRef(
            f"s{i}",
            f"Title {i} " + "x" * 140,
            f"https://example.com/{i}/" + "q" * 200,
            f"Outlet {i}",
            SINCE,
        )
        for i in range(sources)
    )
    text = "A long bullet about the talks. " * 60
    sections = {
        name: tuple(Bullet(text, (f"s{(j * 3 + k) % sources}",)) for j in range(bullets))
        for k, name in enumerate(("key_provisions", "open_questions", "next_steps"))
    }
    return Brief("ukraine", GENERATED, SINCE, UNTIL, "extractive", 999, sections, refs)


def all_strings(value: Any) -> Iterator[str]:
    """Every string inside a block dict (texts, but also anything else Slack would read)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from all_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from all_strings(item)


def mrkdwn_texts(blocks: list[dict[str, Any]]) -> Iterator[str]:
    """The text of every mrkdwn text object in `blocks`."""
    for block in blocks:
        texts = [block.get("text"), *block.get("elements", [])]
        for obj in texts:
            if isinstance(obj, dict) and obj.get("type") == "mrkdwn":
                yield obj["text"]


SAFE_LINK = re.compile(r"<https?://[^\s|<>]+\|[^<>|\n]+>")
ENTITY = re.compile(r"&(?:amp|lt|gt);")


def assert_inert(text: str) -> None:
    """Apart from our own http(s) links, `text` has no control sequence and no raw `&`."""
    rest = SAFE_LINK.sub("", text)
    assert "<" not in rest and ">" not in rest, text
    assert "&" not in ENTITY.sub("", rest), text
    for url in re.findall(r"<(https?://[^|>]+)\|", text):
        assert "&" not in ENTITY.sub("", url), url
