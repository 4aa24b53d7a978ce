"""Parsing `/brief` text into a command (pure). Bad input becomes a `UsageError` whose message
says exactly what to type; nothing here touches Slack or the database."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.errors import UserInputError
from bot.service.rhythm import Rhythm
from bot.service.topics import MAX_TOPIC_NAME
from bot.slack.subscription_text import (
    split_filter,
    split_language,
    split_pause,
    take_subscribe_options,
)
from bot.summarize.filters import Filters

MAX_COMMAND_CHARS = 500
DEFAULT_DIGEST_TIME = (8, 0)

USAGE = (
    "*How to use /brief*\n"
    "• `/brief ukraine` — a brief of the last 24 hours on a topic, posted here\n"
    "• `/brief subscribe ukraine at 08:00` — a daily digest in this channel "
    "(your time zone; or add one, e.g. `at 08:00 Europe/Berlin`)\n"
    "• add a rhythm: `weekdays`, `weekly on monday`, `twice daily at 08:00 and 17:00`; "
    "and `short` for the few bullets that matter most\n"
    "• `lang:de` after a topic — a brief or digest from articles in German (two-letter code; "
    "`lang:any` for every language)\n"
    "• `/brief pause ukraine` (or `until 2026-12-24`, `for 7d`) / `/brief resume ukraine`\n"
    "• `/brief filter ukraine -sport -outlet:example.com +kyiv` — leave out words or sites, "
    "require words (`none` clears)\n"
    "• `/brief unsubscribe ukraine` — stop the digest\n"
    "• `/brief list` — this channel's digests\n"
    "• `/brief sources ukraine` — where a topic's articles come from\n"
    "• `/brief why ukraine` — what this channel's 👍/👎 on bullets changed in its brief\n"
    "• `/brief admin only-admins-subscribe on` (or `off`) — workspace admins: only admins "
    "may subscribe channels\n"
    "• `/brief sources ukraine add https://example.com/feed.xml` / `remove <url>`\n"
    "Reply in a brief's thread to ask a question about its articles. Each digest has Pause, "
    "Unsubscribe and Sources buttons; briefbot's Home tab (in the sidebar) adds, edits, "
    "pauses and removes digests.\n"
    "Also: ask me or name a topic in my assistant panel (the briefbot icon at the top of Slack); "
    "*Brief this link* in a message's ⋮ menu briefs the article it links to; and the "
    "*Get a brief* step puts a brief into your Workflow Builder workflows."
)

# Topic names: words, spaces and a little punctuation. Anything that could be Slack markup
# (<, >, @, |, *, `, ~) or a URL is refused with a message rather than silently cleaned.
_TOPIC = re.compile(r"^[\w][\w \-'’.&+/]*$", re.UNICODE)
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
_SLACK_LINK = re.compile(r"^<([^|>]+)(?:\|[^>]*)?>$")


class UsageError(UserInputError):
    """The text is not a command we understand; the message says what to type instead."""


@dataclass(frozen=True)
class BriefCmd:
    topic: str
    language: str | None = None  # `lang:de` (ISO 639-1) or "any"; None: the workspace's


@dataclass(frozen=True)
class SubscribeCmd:
    topic: str
    hour: int
    minute: int
    timezone: str | None  # None: the requesting user's Slack time zone
    rhythm: Rhythm | None = None  # None: daily (new), unchanged (existing)
    length: str | None = None  # short | full; None: full (new), unchanged (existing)
    language: str | None = None  # `lang:de` or "any"; None: default (new), unchanged


@dataclass(frozen=True)
class UnsubscribeCmd:
    topic: str


@dataclass(frozen=True)
class ListCmd:
    pass


@dataclass(frozen=True)
class SourcesCmd:
    topic: str
    action: str | None = None  # None (list) | add | remove
    url: str | None = None


@dataclass(frozen=True)
class HelpCmd:
    pass


@dataclass(frozen=True)
class PauseCmd:
    topic: str
    when: str  # "until 2026-12-24" | "for 7d" | "" (no end date); read against the zone then


@dataclass(frozen=True)
class ResumeCmd:
    topic: str


@dataclass(frozen=True)
class FilterCmd:
    topic: str
    filters: Filters  # empty: clear them


@dataclass(frozen=True)
class AdminCmd:
    """`/brief admin only-admins-subscribe on|off` (workspace admins and owners only)."""

    only_admins_subscribe: bool


@dataclass(frozen=True)
class WhyCmd:
    """`/brief why ukraine`: what this channel's feedback changed in the topic's brief."""

    topic: str


Command = (
    BriefCmd
    | SubscribeCmd
    | UnsubscribeCmd
    | ListCmd
    | SourcesCmd
    | HelpCmd
    | PauseCmd
    | ResumeCmd
    | FilterCmd
    | WhyCmd
    | AdminCmd
)


def parse(text: str | None) -> Command:
    raw = " ".join((text or "").split())
    if not raw:
        raise UsageError("Tell me which topic to brief, e.g. `/brief ukraine`.\n\n" + USAGE)
    if len(raw) > MAX_COMMAND_CHARS:
        raise UsageError(
            f"That is {len(raw):,} characters; a /brief command is at most {MAX_COMMAND_CHARS}. "
            "Try `/brief ukraine` or `/brief help`."
        )
    head, _, rest = raw.partition(" ")
    verb = head.lower()
    if verb in ("help", "?", "-h", "--help"):
        return HelpCmd()
    if verb == "list":
        if rest:
            raise UsageError("`/brief list` takes nothing after it.")
        return ListCmd()
    if verb == "subscribe":
        return _subscribe(rest)
    if verb == "unsubscribe":
        return UnsubscribeCmd(_topic(rest, example="/brief unsubscribe ukraine"))
    if verb == "admin":
        return _admin(rest)
    if verb == "why":
        return WhyCmd(_topic(rest, example="/brief why ukraine"))
    if verb == "sources":
        return _sources(rest)
    if verb == "pause":
        topic, when = split_pause(rest)
        return PauseCmd(_topic(topic, example="/brief pause ukraine for 7d"), when)
    if verb == "resume":
        return ResumeCmd(_topic(rest, example="/brief resume ukraine"))
    if verb == "filter":
        topic, filters = _wrap(split_filter, rest, example="/brief filter ukraine")
        return FilterCmd(_topic(topic, example="/brief filter ukraine -sport"), filters)
    words, language = _wrap(split_language, raw.split(), example="/brief ukraine")
    return BriefCmd(_topic(" ".join(words), example="/brief ukraine"), language)


def topic_name(text: str, *, example: str) -> str:
    """A topic name typed anywhere (a command, the App Home modal); `UsageError` if not one."""
    return _topic(text, example=example)


def _topic(text: str, *, example: str) -> str:
    topic = text.strip()
    if not topic:
        raise UsageError(f"Which topic? Type e.g. `{example}`.")
    if len(topic) > MAX_TOPIC_NAME:
        raise UsageError(
            f"A topic name is at most {MAX_TOPIC_NAME} characters. Type e.g. `{example}`."
        )
    if not _TOPIC.match(topic):
        raise UsageError(
            "A topic is a few plain words (letters, digits, spaces, - ' . &), "
            f"without links, mentions or formatting. Type e.g. `{example}`."
        )
    return topic.lower()


def _wrap(function, *args, **kwargs):  # type: ignore[no-untyped-def]
    """A pure reader's UserInputError as this parser's UsageError (answered in the ack)."""
    try:
        return function(*args, **kwargs)
    except UsageError:
        raise
    except UserInputError as err:
        raise UsageError(str(err)) from None


def _subscribe(rest: str) -> SubscribeCmd:
    example = "/brief subscribe ukraine at 08:00"
    options = _wrap(take_subscribe_options, rest.split(), example=example)
    words = options.words
    hour, minute = DEFAULT_DIGEST_TIME
    timezone: str | None = None
    if "at" in [w.lower() for w in words]:
        at = max(i for i, w in enumerate(words) if w.lower() == "at")
        tail = words[at + 1 :]
        words = words[:at]
        if not tail or len(tail) > 2:
            raise UsageError(
                f"Give the time as HH:MM, e.g. `{example}` or `{example} Europe/Berlin`."
            )
        match = _TIME.match(tail[0])
        if not match:
            raise UsageError(
                f"“{tail[0][:20]}” is not a time. Use 24-hour HH:MM, e.g. `{example}`."
            )
        hour, minute = int(match.group(1)), int(match.group(2))
        if len(tail) == 2:
            timezone = tail[1]
            if not _valid_timezone(timezone):
                raise UsageError(
                    f"“{timezone[:40]}” is not a time zone I know. Use an IANA name such as "
                    f"`Europe/Berlin` or `America/New_York`, e.g. `{example} Europe/Berlin`."
                )
    if options.rhythm is not None and options.rhythm.kind == "twice_daily":
        hour, minute = options.rhythm.times[0]
        # "twice daily at 08:00 and 17:00 Europe/Berlin": the zone is left after the topic.
        if timezone is None and len(words) > 1 and _valid_timezone(words[-1]) and "/" in words[-1]:
            timezone = words.pop()
    return SubscribeCmd(
        _topic(" ".join(words), example=example),
        hour,
        minute,
        timezone,
        options.rhythm,
        options.length,
        options.language,
    )


ADMIN_USAGE = (
    "Type `/brief admin only-admins-subscribe on` (only workspace admins and owners may "
    "subscribe channels) or `/brief admin only-admins-subscribe off` (anyone may)."
)


def _admin(rest: str) -> AdminCmd:
    words = rest.lower().split()
    if len(words) != 2 or words[0] != "only-admins-subscribe" or words[1] not in ("on", "off"):
        raise UsageError(ADMIN_USAGE)
    return AdminCmd(words[1] == "on")


def _sources(rest: str) -> SourcesCmd:
    example = "/brief sources ukraine add https://example.com/feed.xml"
    words = rest.split()
    for i, word in enumerate(words):
        if word.lower() in ("add", "remove"):
            if len(words) != i + 2:
                raise UsageError(f"Give one feed or page URL, e.g. `{example}`.")
            url = _unwrap_link(words[i + 1])
            if not url.lower().startswith(("http://", "https://")):
                raise UsageError(f"A source must be an http(s) URL, e.g. `{example}`.")
            topic = _topic(" ".join(words[:i]), example=example)
            return SourcesCmd(topic, word.lower(), url)
    return SourcesCmd(_topic(rest, example="/brief sources ukraine"))


def _unwrap_link(word: str) -> str:
    """Slack may send a URL as <url> or <url|label>; we want the URL."""
    match = _SLACK_LINK.match(word)
    return match.group(1) if match else word


def _valid_timezone(name: str) -> bool:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True
