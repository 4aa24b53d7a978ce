"""The App Home tab, opened: the workspace's digests and latest briefs."""

from __future__ import annotations

from typing import Any

from slack_bolt import BoltContext

from bot.slack.teams import origin
from bot.slack.workspace_events import WorkspaceEvents


def publish(
    body: dict[str, Any], event: dict[str, Any], context: BoltContext, *, events: WorkspaceEvents
) -> None:
    team_id = origin(body, context.team_id, context.enterprise_id).team_id
    if team_id:
        events.publish_home(team_id=team_id, user_id=event["user"])
