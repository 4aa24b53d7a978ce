"""What a 👍/👎 on a brief bullet carries back to us (an overflow option's `value`, at most
150 characters in Slack): the vote, the bullet's outlets and its story. Pure.

`v1|-|Reuters;BBC News|kyiv drone strike` — outlets without `|` `;` `<` `>` `&` `@`, at most
MAX_OUTLETS of at most MAX_OUTLET characters; the story label gets what room is left. The value
comes back in a request anyone could forge, so `parse` trusts nothing: bad values give None.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

MAX_VALUE = 150  # Slack's limit for an option value
MAX_OUTLETS = 3
MAX_OUTLET = 40
VERSION = "v1"
UP, DOWN = "+", "-"


@dataclass(frozen=True)
class Vote:
    vote: int  # +1 useful, -1 not useful
    outlets: tuple[str, ...]
    story: str | None


# Separators, and what could make a value look like Slack markup (`<!here>`, `@here`, entities)
# to anything reading the payload: dropped. Ranking matches outlets by the same cleaning.
_DROPPED = str.maketrans({c: " " for c in "|;<>&@"})


def clean(text: str | None, limit: int = MAX_VALUE) -> str:
    text = " ".join((text or "").translate(_DROPPED).split())
    return text[:limit].strip()


def encode(vote: int, outlets: Sequence[str], story: str | None) -> str:
    kept: list[str] = []
    for outlet in outlets:
        cleaned = clean(outlet, MAX_OUTLET)
        if cleaned and cleaned not in kept:
            kept.append(cleaned)
        if len(kept) == MAX_OUTLETS:
            break
    head = f"{VERSION}|{UP if vote > 0 else DOWN}|{';'.join(kept)}|"
    return head + clean(story, MAX_VALUE - len(head))


def parse(value: object) -> Vote | None:
    if not isinstance(value, str) or len(value) > MAX_VALUE:
        return None
    parts = value.split("|")
    if len(parts) != 4 or parts[0] != VERSION or parts[1] not in (UP, DOWN):
        return None
    outlets = tuple(o for o in (clean(o, MAX_OUTLET) for o in parts[2].split(";")) if o)
    story = clean(parts[3], MAX_VALUE) or None
    if len(outlets) > MAX_OUTLETS or (not outlets and story is None):
        return None
    return Vote(1 if parts[1] == UP else -1, outlets, story)
