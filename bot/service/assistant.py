"""What the assistant panel shows besides answers: suggested prompts from the topics a
workspace subscribes to, and the status line while it works ("is reading 42 articles…")."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from bot.errors import NotFoundError
from storage import articles as article_store
from storage import deliveries
from storage import subscriptions as subscription_store
from storage import topics as topic_store
from storage.db import transaction

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from bot.service.briefs import BriefResult
    from bot.settings import Settings

# Slack shows at most four suggested prompts.
MAX_PROMPTS = 4
# Prompt titles are short labels; a long topic name is cut.
MAX_TITLE_TOPIC = 40
HELP_PROMPT = {"title": "What can you do?", "message": "help"}
CHANGES_PROMPT = {
    "title": "What changed since the last digest?",
    "message": "What changed since yesterday's digest?",
}
# "What changed since yesterday's digest?", "anything new since the last digest", …
_CHANGES = re.compile(
    r"\b(?:what(?:'s| has)? changed|anything new|what(?:'s| is) new)\b.*\bdigest\b|"
    r"\bsince (?:yesterday'?s|the last|the latest|my|our) digest\b",
    re.IGNORECASE,
)
# Digests further back than this are not "the last digest" of anyone's morning.
MAX_DIGEST_AGE = timedelta(days=8)
_BRIEF_ME = re.compile(
    r"^\s*(?:please\s+)?brief(?:\s+me)?(?:\s+(?:on|about))?\s+(.+?)[\s?.!]*$", re.IGNORECASE
)


@dataclass(frozen=True)
class Changes:
    topic: str
    digest_at: datetime  # when the digest went out
    result: BriefResult | None  # None: nothing new since


def asks_for_changes(text: str) -> bool:
    return bool(_CHANGES.search(text))


def topic_asked_for(text: str) -> str:
    """'Brief me on ukraine' → 'ukraine' (the prompts say it so); anything else unchanged."""
    match = _BRIEF_ME.match(text)
    return match.group(1).strip() if match else text


def _short(name: str) -> str:
    return name if len(name) <= MAX_TITLE_TOPIC else name[: MAX_TITLE_TOPIC - 1] + "…"


class Assistant:
    """The assistant panel's use cases over one database; `brief` makes a topic's brief (the
    facade's, so it is counted and cached as every brief)."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        settings: Settings,
        *,
        clock: Callable[[], datetime],
        brief: Callable[..., BriefResult],
    ) -> None:
        self._factory = factory
        self._settings = settings
        self._clock = clock
        self._brief = brief

    def first_time(self, team_id: str, channel_id: str, message_ts: str) -> bool:
        """False when this message was already handled (Slack retries an event it thinks lost);
        the key is the one thread answers use, so a message is answered once whichever path."""
        with transaction(self._factory) as session:
            return deliveries.first_time_event(session, f"{channel_id}:{message_ts}", team_id)

    def changes_since_digest(self, team_id: str) -> Changes | None:
        """A brief of what reached the topic of the workspace's latest digest since it went out
        (None: the workspace has had no digest lately)."""
        now = self._clock()
        with self._factory() as session:
            latest = next(
                (
                    d
                    for d in deliveries.latest_for_team(session, team_id, limit=50)
                    if d.kind == "digest" and d.sent_at is not None
                ),
                None,
            )
            if latest is None or latest.sent_at is None:
                return None
            sent_at = latest.sent_at
            if sent_at.tzinfo is None:  # SQLite hands back naive UTC
                sent_at = sent_at.replace(tzinfo=UTC)
            topic = topic_store.get_by_id(session, latest.topic_id)
            if topic is None or now - sent_at > MAX_DIGEST_AGE:
                return None
            name = topic.name
        try:
            # Published since, or (a late report of older news) arrived since.
            result = self._brief(name, since=sent_at, until=now, arrived_since=sent_at)
        except NotFoundError:
            return None
        return Changes(name, sent_at, None if result.brief.is_empty else result)

    def suggested_prompts(
        self, team_id: str, channel_id: str | None = None
    ) -> list[dict[str, str]]:
        """Prompts for the workspace's subscribed topics (the viewed channel's first), else for
        the topics briefbot follows; the help prompt when it follows none."""
        with self._factory() as session:
            subscribed = subscription_store.for_team(session, team_id)
            in_channel = [s.topic.name for s in subscribed if s.channel_id == channel_id]
            names = list(dict.fromkeys([*in_channel, *(s.topic.name for s in subscribed)]))
            if not names:
                names = [t.name for t in topic_store.list_all(session)]
            had_digest = any(
                d.kind == "digest" for d in deliveries.latest_for_team(session, team_id, limit=50)
            )
        prompts = [
            {"title": f"Brief me on {_short(name)}", "message": f"Brief me on {name}"}
            for name in names[: MAX_PROMPTS - 1]
        ]
        if names:
            question = f"What are the open questions on {names[0]}?"
            prompts.insert(
                1, {"title": f"Open questions on {_short(names[0])}", "message": question}
            )
        if had_digest:
            prompts.insert(2, CHANGES_PROMPT)
        return prompts[:MAX_PROMPTS] or [HELP_PROMPT]

    def working_status(self, text: str) -> str:
        """The status line while a message is answered: how many articles it reads."""
        wanted = topic_store.normalize_name(topic_asked_for(text))
        with self._factory() as session:
            topic = topic_store.get(session, wanted)
            if topic is not None:
                since = self._clock() - timedelta(hours=self._settings.brief_window_hours)
                count = article_store.count(session, topic.id, since=since)
                return f"is reading {count:,} articles on {topic.name}…"
            count = article_store.count(session)
        return f"is searching {count:,} articles…"
