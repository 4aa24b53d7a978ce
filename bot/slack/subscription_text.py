"""The parts of `/brief` text that shape a subscription (pure): a rhythm and a length after
`subscribe`, a pause after `pause <topic>`, filters after `filter <topic>`. Bad input is a
`UserInputError` whose one line says what to type; `bot.slack.command_text` builds commands
from what these return.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.errors import UserInputError
from bot.nlp.language import language_code
from bot.service.rhythm import Rhythm, parse_rhythm
from bot.summarize.filters import Filters, parse_filters
from bot.summarize.length import LENGTHS, Length

__all__ = [
    "SubscribeOptions",
    "split_filter",
    "split_language",
    "split_pause",
    "take_subscribe_options",
]

_RHYTHM_WORDS = ("daily", "weekdays", "weekly", "twice")
_PAUSE_WORDS = ("until", "for")


@dataclass(frozen=True)
class SubscribeOptions:
    words: list[str]  # what is left: the topic, then `at HH:MM [zone]`
    rhythm: Rhythm | None = None
    length: Length | None = None
    language: str | None = None  # `lang:de`: ISO 639-1, or "any"


def take_subscribe_options(words: list[str], *, example: str) -> SubscribeOptions:
    """Take a trailing `short`/`full` and a rhythm (`daily`, `weekdays`, `weekly on monday`,
    `twice daily at 08:00 and 17:00`) out of `subscribe`'s words. The first word is always
    topic (a topic may be called "daily mail")."""
    words, language = split_language(list(words), example=example)
    length: Length | None = None
    if len(words) > 1 and words[-1].lower() in LENGTHS:
        length = "short" if words.pop().lower() == "short" else "full"
    start = next(
        (i for i, w in enumerate(words) if i > 0 and w.lower() in _RHYTHM_WORDS),
        None,
    )
    if start is None:
        return SubscribeOptions(words, None, length, language)
    end = _rhythm_end(words, start)
    rhythm = parse_rhythm(" ".join(words[start:end]), example=example)
    rest = words[:start] + words[end:]
    if rhythm.kind == "twice_daily" and any(w.lower() == "at" for w in rest):
        raise UserInputError(
            "A twice-daily digest takes its two times, not another: type e.g. "
            "`/brief subscribe ukraine twice daily at 08:00 and 17:00`."
        )
    return SubscribeOptions(rest, rhythm, length, language)


def _rhythm_end(words: list[str], start: int) -> int:
    """Where the rhythm starting at `start` ends (exclusive)."""
    head = words[start].lower()
    if head in ("daily", "weekdays"):
        return start + 1
    if head == "weekly":
        end = start + 1
        if end < len(words) and words[end].lower() == "on":
            end += 1
        return min(end + 1, len(words))
    # twice [daily | a day] [at] T1 [and] T2
    end = start + 1
    for filler in (("daily",), ("a", "day"), ("at",)):
        if tuple(w.lower() for w in words[end : end + len(filler)]) == filler:
            end += len(filler)
    times = 0
    while end < len(words) and times < 2:
        word = words[end].lower().rstrip(",")
        if word == "and":
            end += 1
            continue
        if not any(c.isdigit() for c in word):
            break
        times += 1
        end += 1
    return end


def split_language(words: list[str], *, example: str) -> tuple[list[str], str | None]:
    """Take `lang:de` (or `lang:any`) out of the words; the language asked for, or None."""
    kept: list[str] = []
    language: str | None = None
    for word in words:
        head, colon, value = word.partition(":")
        if not colon or head.lower() not in ("lang", "language"):
            kept.append(word)
            continue
        value = value.strip().lower()
        code = "any" if value == "any" else language_code(value)
        if code is None:
            raise UserInputError(
                f"“{value[:20]}” is not a language. Give its two-letter code, e.g. "
                f"`{example} lang:de` (or `lang:any` for every language)."
            )
        language = code
    return kept, language


def split_pause(rest: str) -> tuple[str, str]:
    """`ukraine until 2026-12-24` -> ("ukraine", "until 2026-12-24"); no pause words: the whole
    text is the topic and the pause has no end date."""
    words = rest.split()
    for i in range(len(words) - 1, 0, -1):
        if words[i].lower() in _PAUSE_WORDS:
            return " ".join(words[:i]), " ".join(words[i:])
    return rest.strip(), ""


def split_filter(rest: str, *, example: str) -> tuple[str, Filters]:
    """`ukraine -sport +kyiv` -> ("ukraine", Filters(...)); `ukraine none` clears them."""
    words = rest.split()
    start = next(
        (
            i
            for i, w in enumerate(words)
            if i > 0 and (w[:1] in '+-"“' or w.lower() in ("none", "clear", "off"))
        ),
        None,
    )
    if start is None:
        raise UserInputError(
            f"Say what to leave out or require, e.g. `{example} -sport -outlet:example.com "
            f"+kyiv` (or `{example} none` to clear the filters)."
        )
    return " ".join(words[:start]), parse_filters(" ".join(words[start:]), example=example)
