"""👍/👎 on a brief's bullet (issue 17 item 4): a `block_actions` payload from the bullet's
overflow menu (action_id `brief_feedback`). Acked at once; the vote is stored for the
channel of the workspace the request came from (never a team named in the value), and the
person is thanked ephemerally with what it will change.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond

from bot.errors import StorageError
from bot.render.blocks import FEEDBACK_ACTION_ID
from bot.render.feedback_value import parse
from bot.service.feedback import Feedback
from bot.slack.features import Features
from bot.slack.feedback_replies import BAD_VALUE, FAILED, thanks
from bot.slack.pools import COMMAND, ListenerPools
from bot.slack.teams import clicker

log = logging.getLogger(__name__)


def acknowledge(ack: Ack) -> None:
    ack()


def feedback_chosen(
    body: dict[str, Any],
    action: dict[str, Any],
    context: BoltContext,
    respond: Respond,
    *,
    feedback: Feedback,
) -> None:
    """Store the vote the person chose and tell them, only them, what it changes."""
    team_id, channel_id, user_id = clicker(body, context.team_id, context.enterprise_id)
    vote = parse((action.get("selected_option") or {}).get("value"))
    if not team_id or not channel_id or not user_id or vote is None:
        respond(text=BAD_VALUE, response_type="ephemeral", replace_original=False)
        return
    try:
        recorded = feedback.record(
            team_id=team_id, channel_id=channel_id, user_id=user_id, vote=vote
        )
    except StorageError:
        log.warning("feedback not recorded: database unavailable", exc_info=True)
        respond(text=FAILED, response_type="ephemeral", replace_original=False)
        return
    respond(text=thanks(channel_id, recorded), response_type="ephemeral", replace_original=False)


def register(app: App, features: Features, pools: ListenerPools) -> None:
    work = functools.partial(feedback_chosen, feedback=features.core.feedback)
    app.action(FEEDBACK_ACTION_ID)(ack=acknowledge, lazy=[pools.later(COMMAND, work)])
