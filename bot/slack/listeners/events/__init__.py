"""Events: questions in a brief's thread (`message`, also with a file: `file_share`), an
`@briefbot` mention anywhere (`app_mention`), a direct message to the bot (`message` in an
`im` channel), the App Home tab, and the app being removed from a workspace
(`app_uninstalled`, `tokens_revoked`).

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
# Questions arrive without a subtype, as thread_broadcast ("also send to channel"), or as
# file_share when the user attached a file to the question.
_ANSWERABLE_SUBTYPES = {None, "thread_broadcast", "file_share"}
# A question longer than this is cut before it is read (Slack allows 40,000 characters).
MAX_QUESTION_CHARS = 2_000


def register(app: App, actions: SlackActions, pools: ListenerPools) -> None:
    def acknowledge(ack: Ack) -> None:
        ack()

    def answer(body: dict[str, Any], event: dict[str, Any], context: BoltContext) -> None:
        if event.get("subtype") not in _ANSWERABLE_SUBTYPES or event.get("bot_id"):
            return  # edits, joins, other bots — and our own replies
        if context.bot_user_id and event.get("user") == context.bot_user_id:
            return
        question = _MENTION.sub(" ", str(event.get("text", ""))).strip()[:MAX_QUESTION_CHARS]
        # With an org-wide (Enterprise Grid) install context.team_id is None: see teams.origin.
        team_id = origin(body, context.team_id, context.enterprise_id).team_id
        if not team_id or not event.get("channel") or not event.get("ts"):
            return
        thread_ts = event.get("thread_ts")
        in_thread = bool(thread_ts) and thread_ts != event.get("ts")
        mentioned = event.get("type") == "app_mention"
        direct = event.get("channel_type") == "im"
        try:
            if in_thread and question:
                answered = actions.answer_in_thread(
                    team_id=team_id,
                    channel_id=event["channel"],
                    thread_ts=thread_ts,
                    message_ts=event["ts"],
                    question=question,
                )
                if answered or not (mentioned or direct):
                    return
            elif not (mentioned or direct):
                return  # a channel message that is not for us
            # A mention (or a DM) outside a thread of ours: answered in a thread under it.
            actions.answer_message(
                team_id=team_id,
                channel_id=event["channel"],
                message_ts=event["ts"],
                text=question,
                reply_ts=thread_ts if in_thread else event["ts"],
            )
        except Exception:
            log.exception("answering a question failed")

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
