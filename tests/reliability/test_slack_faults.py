"""Slack misbehaving during digest rounds: nothing lost, nothing posted twice, pace kept.

100 scheduled digests (90 channels; 10 of them carry two subscriptions, so a round has two
posts for them) against the fake Slack, which answers 20% of chat.postMessage calls with 429
(Retry-After) or 503 and answers any post to a channel less than a second after the previous
one with 429. The round runs on 8 threads like APScheduler's pool; what the retry handlers do
not recover is left claimed and the sweep posts it.
"""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.jobs.digest import run_digest, sweep_stale_claims
from bot.slack.client import make_web_client
from bot.slack.pacing import ChannelPacer
from bot.slack.posting import SlackPoster
from storage import subscriptions as subscription_store
from storage import topics as topic_store
from storage.db import transaction
from storage.models import Delivery
from testkit.slackfake.server import FakeSlack
from tests.conftest import Database
from tests.jobs.conftest import DAY1, TEAM, TOPIC, build_env

OTHER_TOPIC = "flood barrier"
DIGESTS = 100
SHARED_CHANNELS = 10  # channels with a subscription to both topics


def _subscribe(env, channel: str, topic: str) -> None:  # type: ignore[no-untyped-def]
    with transaction(env.core.factory) as session:
        subscription_store.upsert(
            session,
            team_id=TEAM,
            channel_id=channel,
            topic=topic_store.get_or_create(session, topic),
            hour=8,
            minute=0,
            timezone="Europe/Berlin",
            created_by="U0001",
        )


@pytest.mark.slow
def test_hundred_digests_under_429_and_503_post_exactly_once_at_channel_pace(
    db: Database, tmp_path: Path
) -> None:
    with FakeSlack() as fake:
        env = build_env(db, fake, tmp_path)
        env.core.add_topic(OTHER_TOPIC)
        channels = [f"C{n:04d}" for n in range(2, 2 + DIGESTS - SHARED_CHANNELS - 1)]
        for channel in channels:
            _subscribe(env, channel, TOPIC)
        for channel in ["C0001", *channels[: SHARED_CHANNELS - 1]]:
            _subscribe(env, channel, OTHER_TOPIC)
        with env.core.factory() as session:
            ids = sorted(row.id for row in subscription_store.all_active(session))
        assert len(ids) == DIGESTS

        fake.fail_rate("chat.postMessage", 0.10, status=429, seed=7, retry_after=1)
        fake.fail_rate("*", 0.10, status=503, seed=8)
        fake.enforce_channel_rate(1.0)
        client = make_web_client(env.core.settings, "xoxb-test-token-1", max_retries=2)
        poster = SlackPoster(lambda team: client, ChannelPacer())
        now = DAY1

        def one(subscription_id: int) -> str:
            return run_digest(env.core, poster, subscription_id, now=now).status

        with ThreadPoolExecutor(max_workers=8) as pool:
            first = Counter(pool.map(one, ids))
        # Whatever the retry handlers gave up on is still claimed: the sweep posts it.
        swept: Counter[str] = Counter()
        for _ in range(5):
            outcomes = sweep_stale_claims(
                env.core,
                poster,
                now=None,
                stale_after=timedelta(seconds=-1),
            )
            swept.update(o.status for o in outcomes)
            if not outcomes:
                break
        # The same round again (a restarted scheduler's misfire run) posts nothing more.
        with ThreadPoolExecutor(max_workers=8) as pool:
            again = Counter(pool.map(one, ids))

        posts = fake.posted_messages()
        per_channel = Counter(m["channel"] for m in posts)
        shared = {"C0001", *channels[: SHARED_CHANNELS - 1]}
        with db.factory() as session:
            statuses = Counter(d.status for d in session.scalars(select(Delivery)))

        # Figures for the record (shown with `pytest -s`).
        print(
            f"\n{DIGESTS} digests: first pass {dict(first)}, sweep {dict(swept)}, "
            f"faults injected {fake.faults_injected}, posts {len(posts)}, "
            f"pacing 429s {fake.rate_limited}"
        )
        assert fake.faults_injected >= 15, "the faults were not exercised"
        assert statuses == {"sent": DIGESTS}, (first, swept, statuses)
        assert len(posts) == DIGESTS  # 0 lost, 0 duplicated
        assert per_channel == {c: 2 if c in shared else 1 for c in {"C0001", *channels}}
        assert again == {"skipped": DIGESTS}
        # Pace: the shared channels' two posts came at least a second apart, so the fake's
        # own 1-message-per-second check never fired.
        assert fake.rate_limited == 0
        by_channel: dict[str, list[float]] = {}
        for call in fake.calls_to("chat.postMessage"):
            if call.ok:
                by_channel.setdefault(str(call.params["channel"]), []).append(call.at)
        gaps = [
            b - a
            for times in by_channel.values()
            for a, b in zip(sorted(times), sorted(times)[1:], strict=False)
        ]
        assert len(gaps) == SHARED_CHANNELS and min(gaps) >= 0.99


@pytest.mark.parametrize("interval", [0.05])
def test_pacer_spaces_posts_per_channel_not_across_channels(interval: float) -> None:
    slept: list[float] = []
    now = [100.0]
    pacer = ChannelPacer(interval, clock=lambda: now[0], sleep=slept.append)
    assert pacer.wait("T", "C1") == 0
    assert pacer.wait("T", "C2") == 0  # another channel: no wait
    assert pacer.wait("T", "C1") == pytest.approx(interval)
    assert pacer.wait("T", "C1") == pytest.approx(2 * interval)  # queued behind the last
    now[0] += 10
    assert pacer.wait("T", "C1") == 0
    assert slept == [pytest.approx(interval), pytest.approx(2 * interval)]
    # A post answered late pushes the next one to `interval` after the answer.
    now[0] += 3 * interval
    pacer.done("T", "C1")
    assert pacer.wait("T", "C1") == pytest.approx(interval)
