""" "Get a brief" for Workflow Builder: a topic and a window in, the brief as text and its
sources as a list out. Inputs come from whoever built the workflow, so they are checked here
and every refusal is one line that says what to change."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from bot.errors import NotFoundError, UserInputError
from bot.render.blocks import brief_to_plain_text

if TYPE_CHECKING:
    from bot.service.briefs import BriefResult

# The window of a brief, in hours: a day by default, at most a month.
DEFAULT_WINDOW_HOURS = 24
MAX_WINDOW_HOURS = 24 * 31
# A topic name longer than this is not one (topics are capped shorter in storage anyway).
MAX_TOPIC_INPUT = 200
# Slack caps a step's string output; the brief's own text is at most 3,000 characters.
MAX_SOURCES = 50


class StepInputError(UserInputError):
    """A step input that cannot be used; the message names the input and what it needs."""


@dataclass(frozen=True)
class StepBrief:
    text: str
    sources: list[str]  # "Title — URL" (or the title alone for an article without a URL)


def parse_window(value: Any) -> int:
    """The window input as whole hours: 24, "24", "24h" or "3d"; empty means a day."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return DEFAULT_WINDOW_HOURS
    text = str(value).strip().lower()
    if len(text) > 12:
        raise StepInputError("The window must be a number of hours, like 24 (or 3d).")
    unit = 1
    if text.endswith("d"):
        text, unit = text[:-1], 24
    elif text.endswith("h"):
        text = text[:-1]
    try:
        hours = float(text) * unit
    except ValueError:
        raise StepInputError(
            f"The window must be a number of hours, like 24 (or 3d), not {str(value)[:20]!r}."
        ) from None
    if not 1 <= hours <= MAX_WINDOW_HOURS:
        raise StepInputError(f"The window must be between 1 and {MAX_WINDOW_HOURS} hours.")
    return int(hours)


class Workflow:
    """The "Get a brief" step's use case; `brief` makes a topic's brief (the facade's, so it is
    counted and cached as every brief)."""

    def __init__(self, *, clock: Callable[[], datetime], brief: Callable[..., BriefResult]) -> None:
        self._clock = clock
        self._brief = brief

    def brief_for_step(self, topic: Any, window: Any) -> StepBrief:
        """The brief of `topic` over the last `window` hours, as the step's outputs.

        Raises StepInputError with the reason (an unknown topic, no articles, a bad window)."""
        name = str(topic or "").strip()
        if not name:
            raise StepInputError("The step needs a topic, e.g. ukraine.")
        if len(name) > MAX_TOPIC_INPUT:
            raise StepInputError(f"The topic is over {MAX_TOPIC_INPUT} characters long.")
        hours = parse_window(window)
        until = self._clock()
        try:
            result = self._brief(name, since=until - timedelta(hours=hours), until=until)
        except NotFoundError as err:
            raise StepInputError(str(err)) from None
        brief = result.brief
        if brief.is_empty:
            raise StepInputError(
                f"No articles about {brief.topic} in the last {hours} hours, so there is no brief."
            )
        sources = [
            f"{s.title} — {s.url}" if s.url else s.title for s in brief.sources[:MAX_SOURCES]
        ]
        return StepBrief(brief_to_plain_text(brief), sources)
