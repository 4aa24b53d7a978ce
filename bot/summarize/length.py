"""A subscription's length: `full` (the brief as the summarizer made it) or `short` (the few
bullets that matter most). Pure.

Summarizers order each section's bullets most important first (the lead of the largest story
leads), so a short brief is the head of each section, and the sources its bullets cite.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Literal

from bot.errors import UserInputError
from bot.summarize.model import SECTIONS, Brief, section_cap

__all__ = ["LENGTHS", "SHORT_CAPS", "Length", "bullet_cap", "parse_length", "shorten"]

Length = Literal["short", "full"]
LENGTHS: tuple[Length, ...] = ("short", "full")
# Short: three key provisions (one per top story, usually) and the single most pressing open
# question and next step: one screen on a phone.
SHORT_CAPS: dict[str, int] = {"key_provisions": 3, "open_questions": 1, "next_steps": 1}


def parse_length(text: str | None, *, example: str = "/brief subscribe ukraine at 08:00") -> Length:
    word = (text or "").strip().lower()
    if word in ("", "full", "long"):
        return "full"
    if word in ("short", "brief"):
        return "short"
    raise UserInputError(
        f"`{word[:40]}` is not a length; type `{example} short` or `{example} full`."
    )


def bullet_cap(length: str, section: str) -> int:
    """How many bullets section `section` shows at `length` (unknown lengths read as full)."""
    if length == "short":
        return min(SHORT_CAPS.get(section, 1), section_cap(section))
    return section_cap(section)


def shorten(brief: Brief, length: str) -> Brief:
    """The brief at `length`: each section's first bullets, and only the sources they cite."""
    if length != "short":
        return brief
    sections = {
        name: tuple(brief.sections.get(name, ()))[: bullet_cap(length, name)] for name in SECTIONS
    }
    cited = {i for bullets in sections.values() for b in bullets for i in b.source_ids}
    return replace(
        brief, sections=sections, sources=tuple(s for s in brief.sources if s.id in cited)
    )
