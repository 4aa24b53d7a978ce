"""Which workspace (and Enterprise Grid organization) a Slack request comes from.

With an org-wide install Bolt's `context.team_id` is None: the authorization belongs to the
organization (`authorizations[0].team_id` is null, `is_enterprise_install` true). The workspace
is still named by the payload: the envelope's `team_id`, the event's `team`, the App Home
view's `team_id`, or a slash command's `team_id`. Pure: a request body in, ids out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple


@dataclass(frozen=True)
class Origin:
    team_id: str | None  # the workspace (T…); None for an org-level event
    enterprise_id: str | None  # the Grid organization (E…); None outside Grid
    org_wide: bool  # the app is installed for the whole organization


def _workspace(value: Any) -> str | None:
    """A workspace id: T… (an E… id in a team field names the organization, not a workspace)."""
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) and value.startswith("T") else None


def origin(
    body: dict[str, Any], team_id: str | None = None, enterprise_id: str | None = None
) -> Origin:
    """`team_id`/`enterprise_id`: what Bolt's context says, preferred when present."""
    authorization = next(iter(body.get("authorizations") or []), None) or {}
    event = body.get("event") if isinstance(body.get("event"), dict) else {}
    view = event.get("view") if isinstance(event.get("view"), dict) else {}
    team = (
        _workspace(team_id)
        or _workspace(authorization.get("team_id"))
        or _workspace(body.get("team_id"))
        or _workspace(event.get("team"))
        or _workspace(view.get("team_id"))
        or _workspace(body.get("team"))
    )
    org = body.get("enterprise")
    candidates = (
        enterprise_id,
        authorization.get("enterprise_id"),
        body.get("enterprise_id"),
        org.get("id") if isinstance(org, dict) else org,
    )
    enterprise = next((c for c in candidates if isinstance(c, str) and c), None)
    flag = authorization.get("is_enterprise_install", body.get("is_enterprise_install"))
    org_wide = flag is True or flag == "true"
    return Origin(team, enterprise, org_wide)


MAX_ID = 32  # Slack ids are short; anything longer is not one


class Clicker(NamedTuple):
    """Who clicked or submitted (a button, a menu, a modal), each id None when the payload
    has none or something that cannot be one."""

    team_id: str | None  # the workspace the request came from, never one named in a value
    channel_id: str | None  # None for App Home and modals
    user_id: str | None


def _id(value: object) -> str | None:
    return value if isinstance(value, str) and 0 < len(value) <= MAX_ID else None


def clicker(
    body: dict[str, Any], team_id: str | None = None, enterprise_id: str | None = None
) -> Clicker:
    """`team_id`/`enterprise_id`: Bolt's context, as for `origin`."""
    return Clicker(
        _id(origin(body, team_id, enterprise_id).team_id),
        _id_of(body, "channel"),
        _id_of(body, "user"),
    )


def _id_of(body: dict[str, Any], key: str) -> str | None:
    named = body.get(key)
    return _id(named.get("id")) if isinstance(named, dict) else None
