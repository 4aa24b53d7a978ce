"""Briefs and answers as Slack messages (Block Kit), within Slack's limits and injection-safe.

Pure: data in, `Message(text, blocks)` out; posting is the Slack layer's job
(`client.chat_postMessage(channel=…, **message.to_kwargs())`).

Limits are met by splitting or trimming, never by failing: at most 50 blocks, section text at
most 3,000 characters (a long section becomes several section blocks, split between bullets; a
single over-long bullet is cut at a word boundary with "…"), header at most 150 characters,
context blocks with at most 10 elements of at most 2,000 characters, and a `text` fallback of at
most 3,000 characters. Lengths are counted in UTF-16 code units, as Slack may count them.

Everything taken from articles goes through `bot.render.escape`, so no article can mention
anyone or add a link of its own.

Blocks are built as plain dicts, as slack_sdk's `Block.to_dict()` writes them (keys in the same
order; `tests/render` checks every kind round-trips through slack_sdk's models unchanged). Not
through those models: building them and `to_dict()`, which validates every attribute again,
was half the CPU a digest round spent in the serving process (cProfile in
`bench/ack_latency.py`), where it competes with Slack's acks for the GIL; the limits are
already met above.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.render import feedback_value
from bot.render.common import (
    AnswerLike,
    brief_counts,
    brief_date,
    cited_sources,
    clean,
    clean_paragraphs,
    fmt_date,
    fmt_window,
    slack_len,
    summarizer_label,
    topic_title,
    trim,
)
from bot.render.escape import escape_mrkdwn, plain_text_safe, safe_link, safe_url
from bot.summarize.model import SECTION_TITLES, SECTIONS, Brief, Bullet, SourceRef

# A Block Kit block (or element) as Slack's JSON has it.
Block = dict[str, Any]

MAX_BLOCKS = 50
MAX_SECTION_TEXT = 3000
MAX_HEADER_TEXT = 150
MAX_CONTEXT_ELEMENTS = 10
MAX_CONTEXT_TEXT = 2000
MAX_FALLBACK_TEXT = 3000

DEFAULT_FOOTER = "Reply in this thread to ask a question about these articles."
NOT_ANSWERED = "The stored articles don't answer this."
EMPTY_SECTION = "_Nothing in the articles._"

# Display lengths of the pieces taken from articles.
MAX_CITE_LABEL = 60  # "Reuters" after a bullet
MAX_TITLE_LABEL = 150  # a title in the sources list
MAX_OUTLET = 80
MAX_CITES_TEXT = 1200  # all citations of one bullet, links included
MAX_CITES_SHOWN = 10

# 👍/👎 on bullets: an overflow menu as each bullet section's accessory (its own block), for at
# most this many bullets of a brief; bullets past it, or past the 50-block budget, are packed
# as before, without one.
FEEDBACK_ACTION_ID = "brief_feedback"
MAX_FEEDBACK_BULLETS = 25
FEEDBACK_UP = "👍 Useful"
FEEDBACK_DOWN = "👎 Not useful"


@dataclass(frozen=True)
class Message:
    """A Slack message: `text` is the notification / fallback, `blocks` what clients show."""

    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)

    def to_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for `chat_postMessage` / `chat_update` / `respond`."""
        return {"text": self.text, "blocks": self.blocks}


# -- briefs -----------------------------------------------------------------------------------


def brief_to_message(
    brief: Brief,
    *,
    title_prefix: str | None = None,
    new_marks: Mapping[str, str] | None = None,
    footer: str | None = DEFAULT_FOOTER,
    feedback: bool = False,
    actions: Mapping[str, Any] | None = None,
) -> Message:
    """A brief as a Slack message.

    title_prefix: put before the header ("Daily digest: Ukraine — brief for 14 Mar 2025").
    new_marks: bullet text → a short mark ("new", "updated"), shown before that bullet; a
        digest uses it to say which points changed since the previous digest.
    footer: trusted mrkdwn shown last as a context line; None or "" for none. Not shown for a
        brief with nothing in it.
    feedback: each bullet gets a 👍/👎 overflow menu (in a channel, where feedback ranks the
        channel's later briefs), within the block budget.
    actions: a block shown last (a digest's buttons, `bot.render.digest_actions`), counted in
        the block budget.
    """
    marks = dict(new_marks or {})
    header = _header_block(_brief_header(brief, title_prefix))
    meta = _context_block(_brief_meta(brief))
    tail: list[Block] = [meta]
    if footer and not brief.is_empty:
        tail.append(_context_block(footer))
    if actions and isinstance(actions.get("type"), str):  # a block (already a dict)
        tail.append(dict(actions))

    if brief.is_empty:
        body = [
            _section(
                f"No articles about *{escape_mrkdwn(topic_title(brief.topic))}* in this window."
            )
        ]
        blocks: list[Block] = [header, *body, *tail]
        return Message(brief_to_plain_text(brief, title_prefix=title_prefix), _dicts(blocks))

    # Budget: header, divider and tail are fixed; sections come first, then sources.
    available = MAX_BLOCKS - 1 - len(tail) - (1 if brief.sources else 0)
    reserve_for_sources = 1 if brief.sources else 0
    by_id = {s.id: s for s in brief.sources}
    section_blocks: list[Block] = []
    accessories = MAX_FEEDBACK_BULLETS if feedback else 0
    for index, name in enumerate(SECTIONS):
        later = len(SECTIONS) - index - 1  # each later section needs at least one block
        budget = max(available - reserve_for_sources - len(section_blocks) - later, 1)
        # Units: the lines shown before a bullet (section title, story label), and the bullet.
        units: list[tuple[list[str], Bullet]] = []
        heading = [f"*{SECTION_TITLES[name]}*"]
        for story, bullets in brief.story_groups(name):
            if story is not None:  # several stories: each group under its label
                heading.append(f"_{escape_mrkdwn(trim(clean(story.label), 200))}_")
            for bullet in bullets:
                units.append((heading, bullet))
                heading = []
        if not units:
            section_blocks.append(_section(f"*{SECTION_TITLES[name]}*\n{EMPTY_SECTION}"))
            continue
        fits = min(accessories, budget)
        own = len(units) if len(units) <= fits else max(min(accessories, budget - 1), 0)
        accessories -= own
        for lead, bullet in units[:own]:
            text = "\n".join([*lead, _bullet_line(bullet, by_id, marks)])
            section_blocks.append(_section(text, _feedback_menu(brief, bullet, by_id)))
        rest = [line for lead, b in units[own:] for line in [*lead, _bullet_line(b, by_id, marks)]]
        if rest:
            chunks = _pack_limited(rest, max(budget - own, 1), lambda n: f"_…and {n} more._")
            section_blocks += [_section(chunk) for chunk in chunks]

    source_blocks: list[Block] = []
    if brief.sources:
        budget = max(available - len(section_blocks), 1)
        lines = ["*Sources*"] + [_source_line(s, None) for s in brief.sources]
        chunks = _pack_limited(lines, budget, lambda n: f"_…and {n} more sources._")
        source_blocks = [{"type": "divider"}, *(_section(chunk) for chunk in chunks)]

    blocks = [header, *section_blocks, *source_blocks, *tail]
    return Message(brief_to_plain_text(brief, title_prefix=title_prefix), _dicts(blocks))


def brief_to_plain_text(brief: Brief, *, title_prefix: str | None = None) -> str:
    """The `text` fallback of a brief: what notifications show. Never empty, ≤ 3,000 chars.

    No links or formatting, but escaped like the blocks: Slack reads `text` as mrkdwn too.
    """
    lines = [escape_mrkdwn(_brief_header(brief, title_prefix))]
    if brief.is_empty:
        lines.append(escape_mrkdwn(f"No articles about {topic_title(brief.topic)} in this window."))
    for name in SECTIONS:
        bullets = brief.sections.get(name, ())
        if bullets:
            lines.append(f"{SECTION_TITLES[name]}:")
            lines += [f"• {escape_mrkdwn(clean(b.text))}" for b in bullets]
    return trim("\n".join(lines), MAX_FALLBACK_TEXT, entities=True, measure=slack_len)


def _brief_header(brief: Brief, title_prefix: str | None) -> str:
    """Plain text, ≤ 150 chars; a long topic is cut first so the date always shows."""
    prefix = f"{clean(title_prefix)}: " if clean(title_prefix) else ""
    suffix = f" — brief for {brief_date(brief)}"
    room = MAX_HEADER_TEXT - slack_len(prefix) - slack_len(suffix)
    topic = topic_title(brief.topic) or "Brief"
    if room >= 10:
        return prefix + trim(topic, room, measure=slack_len) + suffix
    return trim(prefix + topic + suffix, MAX_HEADER_TEXT, measure=slack_len)


def _brief_meta(brief: Brief) -> str:
    parts = [
        fmt_window(brief.since, brief.until),
        brief_counts(brief),
        escape_mrkdwn(summarizer_label(brief.summarizer)),
    ]
    return " · ".join(p for p in parts if p)


def _bullet_line(bullet: Bullet, by_id: Mapping[str, SourceRef], marks: Mapping[str, str]) -> str:
    """`• [mark] text — <url|Outlet>, <url|Outlet>`, within one section's limit."""
    sources = [by_id[i] for i in dict.fromkeys(bullet.source_ids) if i in by_id]
    mark = clean(marks.get(bullet.text))
    prefix = "• " + (f"_{escape_mrkdwn(mark)}_ " if mark else "")
    cites = _citations(sources)
    suffix = f" — {cites}" if cites else ""
    room = MAX_SECTION_TEXT - slack_len(prefix) - slack_len(suffix)
    text = trim(escape_mrkdwn(clean(bullet.text)), room, entities=True, measure=slack_len)
    return prefix + text + suffix


def _citations(sources: Sequence[SourceRef]) -> str:
    """Links to the cited sources, labelled by outlet; the title when there is no link."""
    parts: list[str] = []
    seen: dict[str, int] = {}
    total = 0
    for source in sources[:MAX_CITES_SHOWN]:
        if safe_url(source.url) is not None:
            label = clean(source.outlet) or clean(source.title) or "source"
        else:
            label = f"“{clean(source.title) or clean(source.outlet) or 'source'}”"
        label = trim(label, MAX_CITE_LABEL)
        seen[label] = seen.get(label, 0) + 1
        if seen[label] > 1:
            label = f"{label} ({seen[label]})"
        part = safe_link(source.url, label)
        if total + slack_len(part) > MAX_CITES_TEXT:
            part = escape_mrkdwn(label)  # too long as a link: the label alone
        parts.append(part)
        total += slack_len(part) + 2
    if len(sources) > MAX_CITES_SHOWN:
        parts.append(f"+{len(sources) - MAX_CITES_SHOWN} more")
    return ", ".join(parts)


def _source_line(source: SourceRef, mark: str | None = None) -> str:
    """`• <url|Title> — Outlet, 11 Mar 2025 · mark`, always within a section's limit."""
    title = trim(clean(source.title) or clean(source.outlet) or "Untitled", MAX_TITLE_LABEL)
    details = ", ".join(
        p
        for p in (
            escape_mrkdwn(trim(clean(source.outlet), MAX_OUTLET)),
            fmt_date(source.published_at) if source.published_at else "",
        )
        if p
    )
    tail = (f" — {details}" if details else "") + (
        f" · {escape_mrkdwn(trim(clean(mark), MAX_OUTLET))}" if clean(mark) else ""
    )
    line = f"• {safe_link(source.url, title)}{tail}"
    if slack_len(line) > MAX_SECTION_TEXT:  # cannot happen with MAX_URL_LENGTH; kept as a guard
        line = trim(f"• {escape_mrkdwn(title)}{tail}", MAX_SECTION_TEXT, entities=True)
    return line


# -- answers and other messages ---------------------------------------------------------------


def answer_to_message(answer: AnswerLike) -> Message:
    """An answer in a thread: the answer, then the sources it cites (none when not found)."""
    paragraphs = [escape_mrkdwn(p) for p in clean_paragraphs(answer.answer)]
    if not paragraphs:
        paragraphs = [escape_mrkdwn(NOT_ANSWERED)]
    sources = cited_sources(answer) if answer.found else []
    per_sentence = [s for s in getattr(answer, "sentences", ()) if clean(s.text)]
    if per_sentence:
        # Each sentence carries its own citations: `text — <url|Outlet>`.
        by_id = {s.id: s for s in answer.sources}
        paragraphs = []
        for sentence in per_sentence:
            cites = _citations([by_id[i] for i in sentence.source_ids if i in by_id])
            paragraphs.append(
                escape_mrkdwn(clean(sentence.text)) + (f" — {cites}" if cites else "")
            )
        sources = cited_sources(answer) if answer.sources else []
    lines = _split_long(paragraphs)
    source_lines = ["*Sources*"] + [_source_line(s) for s in sources] if sources else []
    answer_chunks = _pack_limited(
        lines, MAX_BLOCKS - (1 if sources else 0), lambda n: "_…(answer shortened)_", sep="\n\n"
    )
    blocks: list[Block] = [_section(chunk) for chunk in answer_chunks]
    if source_lines:
        budget = MAX_BLOCKS - len(blocks)
        chunks = _pack_limited(source_lines, budget, lambda n: f"_…and {n} more sources._")
        blocks += [_section(chunk) for chunk in chunks]
    text = trim("\n\n".join(paragraphs), MAX_FALLBACK_TEXT, entities=True, measure=slack_len)
    return Message(text, _dicts(blocks))


def _plain_text(text: str) -> dict[str, Any]:
    return {"emoji": True, "text": text, "type": "plain_text"}


def _mrkdwn(text: str) -> dict[str, Any]:
    return {"text": text, "type": "mrkdwn"}


def _header_block(text: str) -> Block:
    shown = trim(plain_text_safe(clean(text)), MAX_HEADER_TEXT, measure=slack_len)
    return {"text": _plain_text(shown), "type": "header"}


def _section(text: str, accessory: Block | None = None) -> Block:
    text = trim(text, MAX_SECTION_TEXT, entities=True, measure=slack_len)  # a guard only
    if accessory is None:
        return {"text": _mrkdwn(text), "type": "section"}
    return {"accessory": accessory, "text": _mrkdwn(text), "type": "section"}


def _feedback_menu(brief: Brief, bullet: Bullet, by_id: Mapping[str, SourceRef]) -> Block | None:
    """👍/👎 for one bullet (an overflow menu); each option's value names the bullet's outlets
    and story. None for a bullet with neither (nothing a vote could rank)."""
    outlets = list(bullet.outlets) or [
        by_id[i].outlet or "" for i in bullet.source_ids if i in by_id
    ]
    story = (
        brief.stories[bullet.story].label
        if bullet.story is not None and 0 <= bullet.story < len(brief.stories)
        else None
    )
    if not any(feedback_value.clean(o) for o in outlets) and not feedback_value.clean(story):
        return None
    return {
        "action_id": FEEDBACK_ACTION_ID,
        "options": [
            {"text": _plain_text(label), "value": value}
            for label, value in (
                (FEEDBACK_UP, feedback_value.encode(1, outlets, story)),
                (FEEDBACK_DOWN, feedback_value.encode(-1, outlets, story)),
            )
        ],
        "type": "overflow",
    }


def _context_block(*texts: str) -> Block:
    elements = [
        _mrkdwn(trim(t, MAX_CONTEXT_TEXT, entities=True, measure=slack_len))
        for t in texts[:MAX_CONTEXT_ELEMENTS]
        if t
    ]
    return {"elements": elements, "type": "context"} if elements else {"type": "context"}


def _dicts(blocks: Sequence[Block]) -> list[dict[str, Any]]:
    return list(blocks[:MAX_BLOCKS])


def _split_long(paragraphs: Sequence[str]) -> list[str]:
    """Paragraphs longer than a section split at word boundaries (answers are not cut)."""
    out: list[str] = []
    for paragraph in paragraphs:
        rest = paragraph
        while slack_len(rest) > MAX_SECTION_TEXT:
            head = trim(rest, MAX_SECTION_TEXT, entities=True, measure=slack_len)[:-1].rstrip()
            if not head:
                break
            out.append(head)
            rest = rest[len(head) :].lstrip()
        if rest:
            out.append(rest)
    return out


def _pack(lines: Sequence[str], sep: str = "\n") -> list[str]:
    """Lines joined into as few texts of ≤ 3,000 characters as possible, split between lines."""
    chunks: list[str] = []
    current = ""
    for line in lines:
        line = trim(line, MAX_SECTION_TEXT, entities=True, measure=slack_len)
        candidate = f"{current}{sep}{line}" if current else line
        if slack_len(candidate) <= MAX_SECTION_TEXT:
            current = candidate
        else:
            chunks.append(current)
            current = line
    if current:
        chunks.append(current)
    return chunks


def _pack_limited(
    lines: Sequence[str],
    max_chunks: int,
    more: Callable[[int], str],
    *,
    sep: str = "\n",
) -> list[str]:
    """Like `_pack`, in at most `max_chunks` texts: trailing lines give way to a `more(n)` line.

    The first line (a title) is always kept.
    """
    chunks = _pack(lines, sep)
    if len(chunks) <= max_chunks:
        return chunks
    for keep in range(len(lines) - 1, 0, -1):
        chunks = _pack([*lines[:keep], more(len(lines) - keep)], sep)
        if len(chunks) <= max_chunks:
            return chunks
    return _pack([lines[0], more(len(lines) - 1)], sep)[:max_chunks]
