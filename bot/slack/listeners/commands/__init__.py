"""`/brief`: parse and ack at once (Slack allows 3 s); the work runs in a lazy listener."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond

from bot.render.escape import escape_mrkdwn
from bot.slack.actions import SlackActions
from bot.slack.commands import USAGE, BriefCmd, HelpCmd, UsageError, parse
from bot.slack.pools import BRIEF, COMMAND, ListenerPools

TOO_LATE = "I couldn't make a brief in time; please try again."


def register(app: App, actions: SlackActions, pools: ListenerPools) -> None:
    def acknowledge(ack: Ack, command: dict[str, Any]) -> None:
        try:
            parsed = parse(command.get("text"))
        except UsageError as err:
            # The message may quote what was typed ("“<!here>” is not a time zone").
            ack(text=escape_mrkdwn(str(err)))
            return
        if isinstance(parsed, HelpCmd):
            ack(text=escape_mrkdwn(USAGE))
        elif isinstance(parsed, BriefCmd):
            ack(text=f"Working on a brief of *{escape_mrkdwn(parsed.topic)}*…")
        else:
            ack()

    def work(command: dict[str, Any], respond: Respond) -> None:
        try:
            parsed = parse(command.get("text"))
        except UsageError:
            return  # already answered in the ack
        if isinstance(parsed, HelpCmd):
            return
        # Briefs (fetching, LLM) and the quick commands run on separate pools: a queue of slow
        # briefs never delays `/brief list` or subscribe.
        pools.submit(
            BRIEF if isinstance(parsed, BriefCmd) else COMMAND,
            lambda: actions.run_command(
                parsed,
                team_id=command["team_id"],
                channel_id=command["channel_id"],
                user_id=command["user_id"],
                respond=respond,
            ),
            too_late=lambda: respond(text=TOO_LATE),
        )

    app.command("/brief")(ack=acknowledge, lazy=[work])
