"""The language an LLM brief is written in (issue 16 item 9): a context variable set around
the brief (`bot.service.briefs`), read when the LLM summarizer renders its prompt, so no
argument threads through the summarizer protocol the offline summarizer shares. Pure."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

# The languages people ask for most; any other code is named by its code.
NAMES = {
    "en": "English",
    "de": "German",
    "fr": "French",
    "es": "Spanish",
    "it": "Italian",
    "pt": "Portuguese",
    "nl": "Dutch",
    "pl": "Polish",
    "sv": "Swedish",
    "da": "Danish",
    "no": "Norwegian",
    "fi": "Finnish",
    "cs": "Czech",
    "uk": "Ukrainian",
    "ru": "Russian",
    "tr": "Turkish",
    "ar": "Arabic",
    "ja": "Japanese",
    "zh": "Chinese",
    "ko": "Korean",
}

_requested: ContextVar[str | None] = ContextVar("briefbot_brief_language", default=None)


@contextmanager
def written_in(code: str | None) -> Iterator[None]:
    """Briefs made inside are written in `code` (ISO 639-1; None: the articles' language)."""
    token = _requested.set(code)
    try:
        yield
    finally:
        _requested.reset(token)


def requested() -> str | None:
    return _requested.get()  # bounded: a context variable's value, nothing is waited on


def language_name(code: str | None) -> str:
    """ "German" for "de"; for no code, what the prompt asks instead."""
    if not code:
        return "the language most of the articles are written in"
    return NAMES.get(code, f"the language whose ISO 639-1 code is {code}")
