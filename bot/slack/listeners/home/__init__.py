"""App Home that manages (issue 16 item 6): the tab's buttons (`block_actions`) and the digest
modal's `view_submission`.

Buttons are acked at once and handled in a lazy listener (opening the modal uses the click's
trigger_id, valid for 3 s). The submission is checked in the ack itself, because only the ack
can answer `response_action: errors` (field by field); saving runs after it.
"""

from __future__ import annotations

import functools
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.slack.features import Features
from bot.slack.home import ACTION_IDS, ADD_ACTION_ID, EDIT_ACTION_ID
from bot.slack.home_actions import Checked, HomeActions
from bot.slack.pools import COMMAND, ListenerPools
from bot.slack.subscription_modal import CALLBACK_ID
from bot.slack.teams import clicker

CHECKED = "briefbot_digest_form"  # where the ack leaves the checked form for the lazy listener


def acknowledge(ack: Ack) -> None:
    ack()


def pressed(
    body: dict[str, Any], action: dict[str, Any], context: BoltContext, *, home: HomeActions
) -> None:
    team_id, _, user_id = clicker(body, context.team_id, context.enterprise_id)
    if not team_id or not user_id:
        return
    action_id = str(action.get("action_id") or "")
    value = str(action.get("value") or "")[:32]
    if action_id in (ADD_ACTION_ID, EDIT_ACTION_ID):
        trigger_id = str(body.get("trigger_id") or "")
        if trigger_id:
            home.open_modal(
                team_id=team_id,
                user_id=user_id,
                trigger_id=trigger_id,
                value=value,
                edit=action_id == EDIT_ACTION_ID,
            )
        return
    home.act(action_id, value=value, team_id=team_id, user_id=user_id)


def check_submission(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    context: BoltContext,
    client: WebClient,
    *,
    home: HomeActions,
) -> None:
    team_id, _, user_id = clicker(body, context.team_id, context.enterprise_id)
    if not team_id or not user_id:
        ack()
        return
    values = (view.get("state") or {}).get("values") or {}
    checked = home.check(
        values if isinstance(values, dict) else {},
        private_metadata=str(view.get("private_metadata") or "")[:32],
        team_id=team_id,
        user_id=user_id,
        bot_user_id=context.bot_user_id,
        client=client,
    )
    if checked.errors:
        ack(response_action="errors", errors=checked.errors)
        return
    context[CHECKED] = checked
    ack()


def save(body: dict[str, Any], context: BoltContext, *, home: HomeActions) -> None:
    checked = context.get(CHECKED)
    team_id, _, user_id = clicker(body, context.team_id, context.enterprise_id)
    if isinstance(checked, Checked) and team_id and user_id:
        home.save(checked, team_id=team_id, user_id=user_id)


def register(app: App, features: Features, pools: ListenerPools) -> None:
    home = HomeActions(features.brief_command, features.workspace_events)
    work = pools.later(COMMAND, functools.partial(pressed, home=home))
    for action_id in ACTION_IDS:
        app.action(action_id)(ack=acknowledge, lazy=[work])
    app.view_submission(CALLBACK_ID)(
        ack=functools.partial(check_submission, home=home),
        lazy=[pools.later(COMMAND, functools.partial(save, home=home))],
    )
