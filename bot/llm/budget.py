"""Fitting many texts into a prompt of bounded size (pure functions)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")

ELLIPSIS = " […]"
_BLANK_LINES = re.compile(r"\n\s*\n\s*(?:\n\s*)+")
_SPACES = re.compile(r"[ \t\r\f\v]+")
# Sequences that could pass for the prompt's own data markers are neutralised inside data.
_MARKERS = re.compile(r"<{3,}|>{3,}|</?(?=(?:article|passage)\b)", re.IGNORECASE)


def clean_data(text: str) -> str:
    """Untrusted text (article, passage, chat) made safe to put between the prompt's markers."""
    text = _MARKERS.sub(lambda m: "" if m.group(0).startswith(("<<<", ">>>")) else "(", text)
    text = _SPACES.sub(" ", text.replace("\r\n", "\n"))
    return _BLANK_LINES.sub("\n\n", text).strip()


def cut(text: str, limit: int) -> str:
    """`text` within `limit` characters, cut at a word boundary and marked when cut."""
    if len(text) <= limit:
        return text
    if limit <= len(ELLIPSIS):
        return ""
    head = text[: limit - len(ELLIPSIS)]
    space = max(head.rfind(" "), head.rfind("\n"))
    if space >= len(head) // 2:
        head = head[:space]
    return head.rstrip() + ELLIPSIS


def allot(lengths: Sequence[int], budget: int) -> list[int]:
    """Share `budget` characters among texts of the given lengths, fairly (water-filling):
    short texts get all they need, the rest is split evenly among the longer ones."""
    shares = [0] * len(lengths)
    remaining = max(0, budget)
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    for position, index in enumerate(order):
        fair = remaining // (len(order) - position)
        shares[index] = min(lengths[index], fair)
        remaining -= shares[index]
    return shares


def how_many_fit(header_sizes: Sequence[int], budget: int, min_text: int) -> int:
    """How many leading items fit when each needs its header plus `min_text` (at least one)."""
    used = 0
    for count, size in enumerate(header_sizes, start=1):
        used += size + min_text
        if used > budget:
            return max(1, count - 1)
    return len(header_sizes)


def fit(
    items: Sequence[T],
    *,
    available: int,
    block: Callable[[T, str], str],
    text: Callable[[T], str],
    min_text: int,
) -> tuple[list[T], list[str]]:
    """The leading `items` that fit in `available` characters, and a block for each.

    `block(item, body)` writes an item's block around its (cut) text; an item is left out
    rather than given fewer than `min_text` characters (the first always goes in), and the
    texts share what the blocks' headers leave, fairly (`allot`). The one way both the brief
    and the answer prompts are cut to their budget."""
    headers = [block(item, "") for item in items]
    count = how_many_fit([len(h) for h in headers], available, min_text)
    included = list(items[:count])
    texts = [clean_data(text(item)) for item in included]
    shares = allot([len(t) for t in texts], available - sum(len(h) for h in headers[:count]))
    blocks = [block(i, cut(t, n)) for i, t, n in zip(included, texts, shares, strict=True)]
    return included, blocks
