"""What a digest's buttons do once acked (issue 16 item 7): "Pause" pauses the channel's
digest with no end date, "Unsubscribe" (after Slack's confirm dialog) stops it, "Sources"
shows the topic's sources and their health to the person who clicked.

Only a member of the digest's channel may press them: the handler asks Slack
(`conversations.members`) before anything changes. The subscription is looked up by the id in
the button's value *within the workspace and channel the click came from*, so a value naming
another workspace's or channel's digest finds nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from bot.errors import StorageError
from bot.render.digest_actions import PAUSE_ACTION_ID, SOURCES_ACTION_ID, UNSUBSCRIBE_ACTION_ID
from bot.service.subscriptions import SubscriptionInfo
from bot.slack.brief_command import BriefCommand
from bot.slack.command_text import (
    DEFAULT_DIGEST_TIME,
    SourcesCmd,
    SubscribeCmd,
    UsageError,
    topic_name,
)
from bot.slack.membership import is_member
from bot.slack.replies import UNAVAILABLE, mrkdwn

log = logging.getLogger(__name__)

Respond = Callable[..., Any]

GONE = (
    "That digest is no longer subscribed in this channel. "
    "See the channel's digests with `/brief list`."
)
CANNOT_CHECK = (
    "I couldn't check that you are in this channel (Slack didn't say), so nothing changed. "
    "Try again in a minute, or type `/brief list` in the channel."
)
FAILED = "Something went wrong with that button; it has been logged."


def not_a_member(channel_id: str) -> str:
    return (
        f"Only members of <#{channel_id}> can change its digests. Join the channel first, "
        "or ask someone in it."
    )


class DigestButtons:
    def __init__(self, brief_command: BriefCommand) -> None:
        self.brief_command = brief_command
        self.core = brief_command.core

    def press(
        self,
        action_id: str,
        *,
        value: str,
        team_id: str,
        channel_id: str,
        user_id: str,
        respond: Respond,
    ) -> None:
        """Do what the button says, answering through `respond` (the click's response_url)."""

        def tell(text: str, *, everyone: bool = False) -> None:
            # Never replace the digest itself; a change is said in the channel, the rest to
            # the person who clicked.
            respond(
                text=text,
                response_type="in_channel" if everyone else "ephemeral",
                replace_original=False,
            )

        try:
            subscription = self._subscription(value, team_id, channel_id)
            if subscription is None:
                tell(GONE)
                return
            member = is_member(self.brief_command.poster.clients(team_id), channel_id, user_id)
            if member is None:
                tell(CANNOT_CHECK)
                return
            if not member:
                tell(not_a_member(channel_id))
                return
            if action_id == PAUSE_ACTION_ID:
                self._pause(subscription, user_id, tell)
            elif action_id == UNSUBSCRIBE_ACTION_ID:
                self._unsubscribe(subscription, user_id, tell)
            elif action_id == SOURCES_ACTION_ID:
                self.brief_command.sources(SourcesCmd(subscription.topic), respond=tell)
        except StorageError:
            log.warning("database unavailable for a digest button", exc_info=True)
            tell(UNAVAILABLE)
        except Exception:
            log.exception("digest button %s failed", action_id)
            tell(FAILED)

    def subscribe(
        self, *, topic: str, team_id: str, channel_id: str, user_id: str, respond: Respond
    ) -> None:
        """The Subscribe button under `/brief <new topic>`: a daily digest at 08:00 in the
        user's time zone, as `/brief subscribe <topic>` makes it; answered to the user only."""

        def tell(text: str, **_: Any) -> None:
            respond(text=text, response_type="ephemeral", replace_original=False)

        try:
            name = topic_name(topic, example="/brief subscribe ukraine")
        except UsageError as err:
            tell(str(err))
            return
        hour, minute = DEFAULT_DIGEST_TIME
        command = SubscribeCmd(name, hour, minute, None)
        self.brief_command.run(
            command, team_id=team_id, channel_id=channel_id, user_id=user_id, respond=tell
        )

    def _subscription(self, value: str, team_id: str, channel_id: str) -> SubscriptionInfo | None:
        if not value.isdigit() or len(value) > 18:
            return None
        found = self.core.subscriptions.get(team_id, int(value))
        return found if found is not None and found.channel_id == channel_id else None

    def _pause(self, sub: SubscriptionInfo, user_id: str, tell: Callable[..., None]) -> None:
        paused = self.core.subscriptions.pause(
            team_id=sub.team_id, channel_id=sub.channel_id, topic=sub.topic, until=None
        )
        if paused is None:
            tell(GONE)
            return
        hooks = self.brief_command.hooks
        if hooks is not None:
            hooks.scheduled(paused)  # paused with no end date: unscheduled
        topic = mrkdwn(sub.topic)
        tell(
            f"<@{user_id}> paused the digest of *{topic}* in this channel. "
            f"Resume it with `/brief resume {topic}`.",
            everyone=True,
        )

    def _unsubscribe(self, sub: SubscriptionInfo, user_id: str, tell: Callable[..., None]) -> None:
        removed = self.core.subscriptions.unsubscribe(
            team_id=sub.team_id, channel_id=sub.channel_id, topic=sub.topic
        )
        if removed is None:
            tell(GONE)
            return
        hooks = self.brief_command.hooks
        if hooks is not None:
            hooks.unscheduled(removed)
        topic = mrkdwn(sub.topic)
        tell(
            f"<@{user_id}> unsubscribed this channel from the digest of *{topic}*. "
            f"Subscribe again with `/brief subscribe {topic}`.",
            everyone=True,
        )
