"""`/brief`: parsed and acked at once (Slack allows 3 s); the work runs in a lazy listener.

The text is parsed once, in the ack; the parsed command reaches the lazy listener through
Bolt's context (a frozen dataclass, copied with the request).
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext, Respond

from bot.render.escape import escape_mrkdwn
from bot.slack.brief_command import BriefCommand
from bot.slack.command_text import USAGE, BriefCmd, HelpCmd, UsageError, parse
from bot.slack.pools import BRIEF, COMMAND, ListenerPools

TOO_LATE = "I couldn't make a brief in time; please try again."
# Where the ack leaves the parsed command for the lazy listener.
PARSED = "briefbot_command"


def acknowledge(ack: Ack, command: dict[str, Any], context: BoltContext) -> None:
    try:
        parsed = parse(command.get("text"))
    except UsageError as err:
        # The message may quote what was typed ("“<!here>” is not a time zone").
        ack(text=escape_mrkdwn(str(err)))
        return
    if isinstance(parsed, HelpCmd):
        ack(text=escape_mrkdwn(USAGE))
        return
    context[PARSED] = parsed
    if isinstance(parsed, BriefCmd):
        ack(text=f"Working on a brief of *{escape_mrkdwn(parsed.topic)}*…")
    else:
        ack()


def work(
    command: dict[str, Any],
    respond: Respond,
    context: BoltContext,
    *,
    brief_command: BriefCommand,
    pools: ListenerPools,
) -> None:
    parsed = context.get(PARSED)
    if parsed is None:
        return  # a usage error or help: answered in the ack
    # Briefs (fetching, LLM) and the quick commands run on separate pools: a queue of slow
    # briefs never delays `/brief list` or subscribe.
    pools.submit(
        BRIEF if isinstance(parsed, BriefCmd) else COMMAND,
        lambda: brief_command.run(
            parsed,
            team_id=command["team_id"],
            channel_id=command["channel_id"],
            user_id=command["user_id"],
            respond=respond,
        ),
        too_late=lambda: respond(text=TOO_LATE),
    )
