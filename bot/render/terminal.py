"""Briefs and answers as plain text for a terminal, word-wrapped, with numbered citations.

    Ukraine — brief for 14 Mar 2025 · 12 articles · 5 outlets
    11–14 Mar 2025 · offline summary

    Key provisions
    • The ceasefire covers energy infrastructure for 30 days, starting on
      Monday. [1][3]

    Sources
    [1] Talks end with a deal — Reuters, 11 Mar 2025 — https://example.com/a

Text from articles is cleaned of control characters (no terminal escape sequences get through).
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

from bot.render.common import (
    AnswerLike,
    brief_counts,
    brief_date,
    cited_sources,
    clean,
    clean_paragraphs,
    fmt_date,
    fmt_window,
    source_numbers,
    summarizer_label,
    topic_title,
)
from bot.summarize.model import SECTION_TITLES, SECTIONS, Brief, SourceRef, StoryRef

EMPTY_SECTION = "(nothing in the articles)"
MIN_WIDTH = 20


def brief_to_text(brief: Brief, *, width: int = 100) -> str:
    """The whole brief: header, the three sections, then the numbered sources."""
    width = max(width, MIN_WIDTH)
    topic = topic_title(brief.topic)
    lines = _wrap(f"{topic} — brief for {brief_date(brief)} · {brief_counts(brief)}", width)
    lines += _wrap(
        f"{fmt_window(brief.since, brief.until)} · {summarizer_label(brief.summarizer)}", width
    )
    if brief.is_empty:
        lines += ["", *_wrap(f"No articles about {topic} in this window.", width)]
    else:
        numbers = source_numbers(brief.sources)
        for name in SECTIONS:
            lines += ["", SECTION_TITLES[name]]
            groups = brief.story_groups(name)
            if not groups:
                lines.append(EMPTY_SECTION)
            for story, bullets in groups:
                if story is not None:  # several stories: each group under its label
                    lines += _wrap(f"▸ {_story_label(story)}", width)
                for bullet in bullets:
                    text = clean(bullet.text) + _markers(bullet.source_ids, numbers)
                    lines += _wrap(text, width, first="• ", rest="  ")
        lines += _sources(brief.sources, width)
    for note in brief.notes:
        lines += _wrap(f"Note: {clean(note)}", width)
    return "\n".join(lines)


def answer_to_text(answer: AnswerLike, *, width: int = 100) -> str:
    """The answer, each sentence with its numbered citations, then its sources; when not
    found, the answer (and the closest passage, labelled, with its source)."""
    width = max(width, MIN_WIDTH)
    per_sentence = [s for s in getattr(answer, "sentences", ()) if clean(s.text)]
    if per_sentence:
        sources = cited_sources(answer) if answer.sources else []
        numbers = source_numbers(sources)
        text = " ".join(clean(s.text) + _markers(s.source_ids, numbers) for s in per_sentence)
        return "\n".join(_wrap(text, width) + _sources(sources, width))
    paragraphs = clean_paragraphs(answer.answer) or ["The stored articles don't answer this."]
    if not answer.found:
        return "\n\n".join("\n".join(_wrap(p, width)) for p in paragraphs)
    sources = cited_sources(answer)
    numbers = source_numbers(sources)
    paragraphs[-1] += _markers(answer.source_ids or tuple(s.id for s in sources), numbers)
    lines: list[str] = []
    for i, paragraph in enumerate(paragraphs):
        lines += ([""] if i else []) + _wrap(paragraph, width)
    lines += _sources(sources, width)
    return "\n".join(lines)


def _story_label(story: StoryRef) -> str:
    count = len(story.article_ids)
    return f"{clean(story.label)} ({count} article{'s' if count != 1 else ''})"


def _markers(ids: Sequence[str], numbers: dict[str, int]) -> str:
    found = sorted({numbers[i] for i in ids if i in numbers})
    return (" " + "".join(f"[{n}]" for n in found)) if found else ""


def _sources(sources: Sequence[SourceRef], width: int) -> list[str]:
    if not sources:
        return []
    lines = ["", "Sources"]
    for n, source in enumerate(sources, start=1):
        label = f"[{n}] "
        lines += _wrap(_source_line(source), width, first=label, rest=" " * len(label))
    return lines


def _source_line(source: SourceRef) -> str:
    parts = [clean(source.title) or "(untitled)"]
    date = fmt_date(source.published_at) if source.published_at else ""
    where = ", ".join(p for p in (clean(source.outlet), date) if p)
    if where:
        parts.append(where)
    if clean(source.url):
        parts.append(clean(source.url).replace(" ", "%20"))
    return " — ".join(parts)


def _wrap(text: str, width: int, *, first: str = "", rest: str = "") -> list[str]:
    # URLs and other long tokens are never broken, so a line may run past `width`.
    return textwrap.wrap(
        text,
        width=width,
        initial_indent=first,
        subsequent_indent=rest,
        break_long_words=False,
        break_on_hyphens=False,
    ) or [first.rstrip()]
