"""A digest's buttons (issue 16 item 7): `block_actions` for "Pause", "Unsubscribe" and
"Sources"; and "Subscribe this channel" under the reply to `/brief <new topic>`. Acked at
once; the work (a membership check with Slack, then the change) runs in a lazy listener on
the quick-command pool."""

from __future__ import annotations

import functools
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond

from bot.render.digest_actions import ACTION_IDS, SUBSCRIBE_ACTION_ID
from bot.slack.digest_buttons import DigestButtons
from bot.slack.features import Features
from bot.slack.pools import COMMAND, ListenerPools
from bot.slack.teams import clicker


def acknowledge(ack: Ack) -> None:
    ack()


def pressed(
    body: dict[str, Any],
    action: dict[str, Any],
    context: BoltContext,
    respond: Respond,
    *,
    buttons: DigestButtons,
) -> None:
    team_id, channel_id, user_id = clicker(body, context.team_id, context.enterprise_id)
    if not team_id or not channel_id or not user_id:
        return  # not a click on a message in a channel: nothing to change
    if action.get("action_id") == SUBSCRIBE_ACTION_ID:
        buttons.subscribe(
            topic=str(action.get("value") or "")[:200],
            team_id=team_id,
            channel_id=channel_id,
            user_id=user_id,
            respond=respond,
        )
        return
    buttons.press(
        str(action.get("action_id") or ""),
        value=str(action.get("value") or "")[:32],
        team_id=team_id,
        channel_id=channel_id,
        user_id=user_id,
        respond=respond,
    )


def register(app: App, features: Features, pools: ListenerPools) -> None:
    work = pools.later(
        COMMAND, functools.partial(pressed, buttons=DigestButtons(features.brief_command))
    )
    for action_id in (*ACTION_IDS, SUBSCRIBE_ACTION_ID):
        app.action(action_id)(ack=acknowledge, lazy=[work])
