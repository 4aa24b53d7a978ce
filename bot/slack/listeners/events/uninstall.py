"""The app removed from a workspace or organization (`app_uninstalled`, or `tokens_revoked`
naming the bot's token)."""

from __future__ import annotations

from typing import Any

from slack_bolt import BoltContext

from bot.slack.teams import origin
from bot.slack.workspace_events import WorkspaceEvents


def uninstalled(body: dict[str, Any], context: BoltContext, *, events: WorkspaceEvents) -> None:
    where = origin(body, context.team_id, context.enterprise_id)
    if where.org_wide and where.enterprise_id:
        # An org-wide install is removed for the whole organization at once.
        events.organization_uninstalled(where.enterprise_id)
    elif where.team_id:
        events.workspace_uninstalled(team_id=where.team_id, enterprise_id=where.enterprise_id)
