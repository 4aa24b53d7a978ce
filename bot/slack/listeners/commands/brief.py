"""`/brief`: parsed and acked at once (Slack allows 3 s); the work runs on a listener pool.

The ack function parses the text, acks, and hands the work to the pool of its kind
(`ListenerPools.submit`: a queue put) itself. Not through a Bolt lazy listener: Bolt hands a
lazy listener a deep copy of the whole request (`BoltRequest.to_copyable`, the body parsed
again, then `copy.deepcopy` of it and its context) before it writes the ack, in the request's
own thread: 58% of the ack path's CPU in `bench/ack_latency.py` (cProfile, 400 acks), on top
of a hop through Bolt's own thread pool just to reach ours.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, Respond

from bot.render.escape import escape_mrkdwn
from bot.slack.brief_command import BriefCommand
from bot.slack.command_text import USAGE, BriefCmd, Command, HelpCmd, UsageError, parse
from bot.slack.pools import BRIEF, COMMAND, ListenerPools

TOO_LATE = "I couldn't make a brief in time; please try again."


def acknowledge(
    ack: Ack,
    command: dict[str, Any],
    respond: Respond,
    *,
    brief_command: BriefCommand,
    pools: ListenerPools,
) -> None:
    """Ack (a usage error and help are answered in the ack itself), then queue the work."""
    parsed = parse_and_ack(ack, command)
    if parsed is not None:
        hand_over(parsed, command, respond, brief_command=brief_command, pools=pools)


def parse_and_ack(ack: Ack, command: dict[str, Any]) -> Command | None:
    """Parse the text and ack: a usage error and help are answered in the ack itself (None:
    nothing more to do); otherwise the command whose work follows."""
    try:
        parsed = parse(command.get("text"))
    except UsageError as err:
        # The message may quote what was typed ("“<!here>” is not a time zone").
        ack(text=escape_mrkdwn(str(err)))
        return None
    if isinstance(parsed, HelpCmd):
        ack(text=escape_mrkdwn(USAGE))
        return None
    if isinstance(parsed, BriefCmd):
        ack(text=f"Working on a brief of *{escape_mrkdwn(parsed.topic)}*…")
    else:
        ack()
    return parsed


def hand_over(
    parsed: Command,
    command: dict[str, Any],
    respond: Respond,
    *,
    brief_command: BriefCommand,
    pools: ListenerPools,
) -> None:
    """Queue the work of an acked command. Briefs (fetching, LLM) and the quick commands run
    on separate pools: a queue of slow briefs never delays `/brief list` or subscribe."""
    team_id, channel_id, user_id = command["team_id"], command["channel_id"], command["user_id"]
    pools.submit(
        BRIEF if isinstance(parsed, BriefCmd) else COMMAND,
        lambda: brief_command.run(
            parsed, team_id=team_id, channel_id=channel_id, user_id=user_id, respond=respond
        ),
        too_late=lambda: respond(text=TOO_LATE),
    )
