"""What the assistant panel shows besides answers: suggested prompts from the topics a
workspace subscribes to, and the status line while it works ("is reading 42 articles…")."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import TYPE_CHECKING

from storage import articles as article_store
from storage import subscriptions as subscription_store
from storage import topics as topic_store

if TYPE_CHECKING:
    from bot.core import Briefbot

# Slack shows at most four suggested prompts.
MAX_PROMPTS = 4
# Prompt titles are short labels; a long topic name is cut.
MAX_TITLE_TOPIC = 40
HELP_PROMPT = {"title": "What can you do?", "message": "help"}
_BRIEF_ME = re.compile(
    r"^\s*(?:please\s+)?brief(?:\s+me)?(?:\s+(?:on|about))?\s+(.+?)[\s?.!]*$", re.IGNORECASE
)


def topic_asked_for(text: str) -> str:
    """'Brief me on ukraine' → 'ukraine' (the prompts say it so); anything else unchanged."""
    match = _BRIEF_ME.match(text)
    return match.group(1).strip() if match else text


def suggested_prompts(
    core: Briefbot, team_id: str, channel_id: str | None = None
) -> list[dict[str, str]]:
    """Prompts for the workspace's subscribed topics (the viewed channel's first), else for
    the topics briefbot follows; the help prompt when it follows none."""
    with core.factory() as session:
        subscribed = subscription_store.for_team(session, team_id)
        in_channel = [s.topic.name for s in subscribed if s.channel_id == channel_id]
        names = list(dict.fromkeys([*in_channel, *(s.topic.name for s in subscribed)]))
        if not names:
            names = [t.name for t in topic_store.list_all(session)]
    prompts = [
        {"title": f"Brief me on {_short(name)}", "message": f"Brief me on {name}"}
        for name in names[: MAX_PROMPTS - 1]
    ]
    if names:
        question = f"What are the open questions on {names[0]}?"
        prompts.insert(1, {"title": f"Open questions on {_short(names[0])}", "message": question})
    return prompts[:MAX_PROMPTS] or [HELP_PROMPT]


def _short(name: str) -> str:
    return name if len(name) <= MAX_TITLE_TOPIC else name[: MAX_TITLE_TOPIC - 1] + "…"


def working_status(core: Briefbot, text: str) -> str:
    """The status line while a message is answered: how many articles it reads."""
    wanted = topic_store.normalize_name(topic_asked_for(text))
    with core.factory() as session:
        topic = topic_store.get(session, wanted)
        if topic is not None:
            since = core.clock() - timedelta(hours=core.settings.brief_window_hours)
            count = article_store.count(session, topic.id, since=since)
            return f"is reading {count:,} articles on {topic.name}…"
        count = article_store.count(session)
    return f"is searching {count:,} articles…"
