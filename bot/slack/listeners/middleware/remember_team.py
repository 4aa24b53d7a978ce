"""Remember each workspace's Enterprise Grid organization as requests come.

It runs before every listener (and its ack), so it does one database write per workspace per
process at most, and a failure is logged, never allowed to stop the request.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import BoltContext

from bot.slack.teams import origin
from bot.slack.workspace_events import WorkspaceEvents

log = logging.getLogger(__name__)


def remember_team(
    body: dict[str, Any],
    context: BoltContext,
    next: Callable[[], Any],
    *,
    events: WorkspaceEvents,
) -> Any:
    try:
        where = origin(body, context.team_id, context.enterprise_id)
        if where.enterprise_id:  # outside Grid there is nothing to remember
            events.remember_team(where)
    except Exception:
        log.warning("could not record the workspace's organization", exc_info=True)
    return next()
