"""Events: questions in a brief's thread (`message`, `app_mention`), the App Home tab, and
the app being removed from a workspace (`app_uninstalled`, `tokens_revoked`).

Events are acked as soon as they arrive; answering runs in a lazy listener.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt import Ack, App, BoltContext

from bot.slack.actions import SlackActions
from bot.slack.pools import ANSWER, EVENT, ListenerPools
from bot.slack.teams import origin

log = logging.getLogger(__name__)

_MENTION = re.compile(r"<@[A-Z0-9]+>")
# Thread replies arrive without a subtype, or as thread_broadcast ("also send to channel").
_ANSWERABLE_SUBTYPES = {None, "thread_broadcast"}


def register(app: App, actions: SlackActions, pools: ListenerPools) -> None:
    def acknowledge(ack: Ack) -> None:
        ack()

    def answer(body: dict[str, Any], event: dict[str, Any], context: BoltContext) -> None:
        if event.get("subtype") not in _ANSWERABLE_SUBTYPES or event.get("bot_id"):
            return  # edits, joins, other bots — and our own replies
        if context.bot_user_id and event.get("user") == context.bot_user_id:
            return
        thread_ts = event.get("thread_ts")
        if not thread_ts or thread_ts == event.get("ts"):
            return  # not a reply in a thread
        question = _MENTION.sub(" ", str(event.get("text", ""))).strip()
        # With an org-wide (Enterprise Grid) install context.team_id is None: see teams.origin.
        team_id = origin(body, context.team_id, context.enterprise_id).team_id
        if not question or not team_id:
            return
        try:
            actions.answer_in_thread(
                team_id=team_id,
                channel_id=event["channel"],
                thread_ts=thread_ts,
                message_ts=event["ts"],
                question=question,
            )
        except Exception:
            log.exception("answering a thread question failed")

    def home(body: dict[str, Any], event: dict[str, Any], context: BoltContext) -> None:
        team_id = origin(body, context.team_id, context.enterprise_id).team_id
        if event.get("tab") != "home" or not team_id:
            return
        actions.publish_home(team_id=team_id, user_id=event["user"])

    def uninstalled(body: dict[str, Any], event: dict[str, Any], context: BoltContext) -> None:
        if event.get("type") == "tokens_revoked":
            revoked = (event.get("tokens") or {}).get("bot") or []
            if not revoked:
                return  # only user tokens went: the bot is still installed
        where = origin(body, context.team_id, context.enterprise_id)
        if where.org_wide and where.enterprise_id:
            # An org-wide install is removed for the whole organization at once.
            actions.organization_uninstalled(where.enterprise_id)
        elif where.team_id:
            actions.workspace_uninstalled(team_id=where.team_id, enterprise_id=where.enterprise_id)

    # Each kind on its own pool (bot.slack.pools): answers never wait behind briefs.
    app.event("message")(ack=acknowledge, lazy=[pools.later(ANSWER, answer)])
    app.event("app_uninstalled")(ack=acknowledge, lazy=[pools.later(EVENT, uninstalled)])
    app.event("tokens_revoked")(ack=acknowledge, lazy=[pools.later(EVENT, uninstalled)])
    app.event("app_mention")(ack=acknowledge, lazy=[pools.later(ANSWER, answer)])
    app.event("app_home_opened")(ack=acknowledge, lazy=[pools.later(EVENT, home)])
