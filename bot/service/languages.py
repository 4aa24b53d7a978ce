"""Which language a brief reads (issue 16 item 9): the one asked for (`lang:de` on `/brief`
or a subscription), else the workspace default (BRIEF_LANGUAGE); "any" reads every language."""

from __future__ import annotations

from bot.nlp.language import language_code

ANY = "any"


def brief_language(asked: str | None, default: str) -> str | None:
    """The ISO 639-1 code a brief keeps articles in; None: every language."""
    chosen = asked or default
    if not chosen or chosen.strip().lower() == ANY:
        return None
    return language_code(chosen)
