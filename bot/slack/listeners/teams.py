"""A global middleware: remember each workspace's Enterprise Grid organization as requests come.

It runs before every listener (and its ack), so it does one database write per workspace per
process at most, and a failure is logged, never allowed to stop the request.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltContext

from bot.slack.actions import SlackActions
from bot.slack.teams import origin

log = logging.getLogger(__name__)


def register(app: App, actions: SlackActions) -> None:
    @app.middleware
    def remember_team(body: dict[str, Any], context: BoltContext, next: Callable[[], Any]) -> Any:
        try:
            where = origin(body, context.team_id, context.enterprise_id)
            if where.enterprise_id:  # outside Grid there is nothing to remember
                actions.remember_team(where)
        except Exception:
            log.warning("could not record the workspace's organization", exc_info=True)
        return next()
