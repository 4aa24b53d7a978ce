"""A scheduled digest is ordered by its channel's feedback and carries 👍/👎 on its bullets."""

from __future__ import annotations

import json
from typing import Any

from bot.jobs.digest import run_digest
from bot.render.feedback_value import Vote
from bot.service.ranking import Ranking
from tests.jobs.conftest import CHANNEL, TEAM, Env, env, fake_slack  # noqa: F401 (fixtures)


def test_digest_is_ranked_for_its_channel_and_carries_feedback(env: Env) -> None:  # noqa: F811
    feedback = env.core.feedback
    feedback.record(
        team_id=TEAM, channel_id=CHANNEL, user_id="U1", vote=Vote(-1, ("Valley Times",), None)
    )
    feedback.record(  # another workspace's vote on the same channel id: not this digest's
        team_id="T0002", channel_id=CHANNEL, user_id="U2", vote=Vote(1, ("Valley Times",), None)
    )
    seen: list[tuple[dict[str, Any], Ranking]] = []
    rank = feedback.rank

    def spy(brief: Any, **where: Any) -> Ranking:
        ranking = rank(brief, **where)
        seen.append((where, ranking))
        return ranking

    feedback.rank = spy  # type: ignore[method-assign]
    assert run_digest(env.core, env.poster, env.subscription_id).status == "sent"
    ((where, ranking),) = seen
    assert where == {"team_id": TEAM, "channel_id": CHANNEL}
    (change,) = ranking.changes
    assert (change.label, change.direction, change.down, change.up) == (
        "Valley Times",
        "down",
        1,
        0,
    )
    posted = env.fake.posted_messages()[0]
    blocks = posted["blocks"]
    blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
    menus = [b["accessory"] for b in blocks if (b.get("accessory") or {}).get("type") == "overflow"]
    assert menus and all(m["action_id"] == "brief_feedback" for m in menus)
