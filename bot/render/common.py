"""Shared pieces of the renderers: the answer's shape, dates, labels, cleaning and trimming.

Pure functions only; nothing here knows about Slack or the terminal.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Protocol

from bot.summarize.model import Brief, SourceRef

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# Kept lower case inside a title ("Trade with the EU"), capitalised when first.
_SMALL_WORDS = frozenset(
    "a an and as at but by for from in into of on or over the to vs via with".split()
)
# Lower-case topic words that are acronyms ("eu ai act" → "EU AI Act").
_ACRONYMS = frozenset(
    "ai ceo cia ecb eu fbi g7 g20 gdp imf nasa nato nhs opec uae uk un us usa wto".split()
)
# Bidirectional overrides and isolates: text that looks different from what it is.
_BIDI = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))
_SPACES = re.compile(r"\s+")
_ENTITY_AT_END = re.compile(r"&(?:amp|lt|gt);$")
_TRAILING = frozenset(" \n,;:—–-")


class AnswerLike(Protocol):
    """The answer to a follow-up question, as renderers read it.

    A structural type so the renderers don't depend on the answer module: any object with these
    attributes (the frozen `Answer` dataclass of the answer service) can be rendered.
    """

    @property
    def question(self) -> str: ...

    @property
    def found(self) -> bool: ...

    @property
    def answer(self) -> str: ...

    @property
    def source_ids(self) -> tuple[str, ...]: ...

    @property
    def sources(self) -> tuple[SourceRef, ...]: ...


# Unicode category Cc (C0 and C1 controls, DEL) as spaces: one table lookup per character.
_CONTROL = {i: " " for i in (*range(0x20), *range(0x7F, 0xA0))}


def clean(text: str | None) -> str:
    """One line of display text: no control or bidi-override characters, single spaces."""
    if not text:
        return ""
    text = text.translate(_BIDI).translate(_CONTROL)
    return _SPACES.sub(" ", text).strip()


def clean_paragraphs(text: str | None) -> list[str]:
    """Multi-line text (an answer) as cleaned paragraphs; blank lines separate paragraphs."""
    if not text:
        return []
    paragraphs = re.split(r"\n\s*\n", text.replace("\r\n", "\n").replace("\r", "\n"))
    return [p for p in (clean(p) for p in paragraphs) if p]


def topic_title(topic: str) -> str:
    """A topic as a title: "ukraine" → "Ukraine", "eu ai act" → "EU AI Act".

    Words that already hold capitals are kept as typed ("iPhone", "McDonald's").
    """
    words = clean(topic).split(" ")
    out = []
    for i, word in enumerate(words):
        if word != word.lower():
            out.append(word)
        elif word in _ACRONYMS:
            out.append(word.upper())
        elif i > 0 and word in _SMALL_WORDS:
            out.append(word)
        else:
            out.append("-".join(part[:1].upper() + part[1:] for part in word.split("-")))
    return " ".join(out)


def fmt_date(value: datetime) -> str:
    """14 Mar 2025 (English month names whatever the locale)."""
    return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"


def window_end(since: datetime, until: datetime) -> datetime:
    """The last moment inside the window: an `until` of exactly midnight ends the day before."""
    if until > since and (until.hour, until.minute, until.second, until.microsecond) == (
        0,
        0,
        0,
        0,
    ):
        return until - timedelta(microseconds=1)
    return until


def brief_date(brief: Brief) -> str:
    """The date a brief is "for": the end of its window."""
    return fmt_date(window_end(brief.since, brief.until))


def fmt_window(since: datetime, until: datetime) -> str:
    """11–14 Mar 2025, 28 Feb – 3 Mar 2025, 30 Dec 2024 – 2 Jan 2025, or 14 Mar 2025."""
    end = window_end(since, until)
    a, b = since.date(), end.date()
    if a >= b:
        return fmt_date(end)
    if a.year != b.year:
        return f"{fmt_date(since)} – {fmt_date(end)}"
    if a.month != b.month:
        return f"{a.day} {_MONTHS[a.month - 1]} – {fmt_date(end)}"
    return f"{a.day}–{fmt_date(end)}"


def summarizer_label(name: str) -> str:
    """Who wrote a brief: "extractive" → "offline summary", "llm:x" → "LLM: x"."""
    name = clean(name)
    if name == "extractive":
        return "offline summary"
    if name.lower().startswith("llm:"):
        model = name[4:].strip()
        return f"LLM: {model}" if model else "LLM"
    return name


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def outlet_count(sources: Sequence[SourceRef]) -> int:
    """How many different outlets the sources come from (those without one not counted)."""
    return len({clean(s.outlet).casefold() for s in sources if clean(s.outlet)})


def brief_counts(brief: Brief) -> str:
    """The counts line: "12 articles · 5 outlets" (cited outlets; none shown when unknown), or
    "the newest 5,000 of 7,340 articles · …" when a cap left articles of the window unread."""
    if brief.capped and brief.read == "largest stories":
        parts = [
            f"{brief.article_count:,} of {brief.articles_in_window:,} articles "
            "(the largest stories)"
        ]
    elif brief.capped:
        parts = [f"the newest {brief.article_count:,} of {brief.articles_in_window:,} articles"]
    else:
        parts = [plural(brief.article_count, "article")]
    outlets = outlet_count(brief.sources)
    if outlets:
        parts.append(plural(outlets, "outlet"))
    return " · ".join(parts)


def slack_len(text: str) -> int:
    """Length as Slack counts it at worst (UTF-16 code units: an emoji counts twice)."""
    return len(text.encode("utf-16-le")) // 2


def trim(
    text: str,
    limit: int,
    *,
    entities: bool = False,
    measure: Callable[[str], int] = len,
) -> str:
    """`text` cut to at most `limit` (as `measure` counts), at a word boundary, ending in "…".

    With `entities`, the text is escaped mrkdwn and no `&amp;`-style entity is cut in half.
    """
    if measure(text) <= limit:
        return text
    if limit <= 1:
        return "…"[:limit]
    budget = limit - 1
    cut = text[:budget]
    while cut and measure(cut) > budget:
        cut = cut[:-1]
    at_boundary = len(cut) < len(text) and text[len(cut)] in " \n"
    space = max(cut.rfind(" "), cut.rfind("\n"))
    if not at_boundary and space >= budget * 0.6:
        cut = cut[:space]
    while cut:  # drop trailing punctuation, and any entity cut in half
        if entities:
            amp = cut.rfind("&")
            if amp != -1 and ";" not in cut[amp:]:
                cut = cut[:amp]
                continue
            if _ENTITY_AT_END.search(cut):
                break
        if cut[-1] not in _TRAILING:
            break
        cut = cut[:-1]
    return cut + "…"


def source_numbers(sources: Sequence[SourceRef]) -> dict[str, int]:
    """Source id → its 1-based number in the sources list (first occurrence wins)."""
    numbers: dict[str, int] = {}
    for i, source in enumerate(sources, start=1):
        numbers.setdefault(source.id, i)
    return numbers


def cited_sources(answer: AnswerLike) -> list[SourceRef]:
    """The sources an answer cites, in citation order; all its sources when ids don't match."""
    by_id = {s.id: s for s in answer.sources}
    cited = [by_id[i] for i in dict.fromkeys(answer.source_ids) if i in by_id]
    return cited or list(answer.sources)
