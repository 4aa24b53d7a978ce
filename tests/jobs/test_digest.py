"""Scheduled digests against the fake Slack, on SQLite and PostgreSQL: exactly once, whatever
happens (restarts, concurrent runs, crashes, rate limits, server errors, removed bot)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

import bot.jobs.digest as digest_module
from bot.core import Briefbot
from bot.jobs.digest import DigestOutcome, run_digest, sweep_stale_claims
from bot.slack.posting import SlackPoster
from storage import deliveries
from storage import subscriptions as subscription_store
from storage.db import transaction
from storage.models import Delivery
from tests.conftest import Database
from tests.jobs.conftest import (
    CHANNEL,
    DAY1,
    DAY2,
    DAY2_ARTICLES,
    NEW,
    RESTATED,
    TEAM,
    UPDATED,
    Env,
    FakeSlack,
    build_env,
)

SCHEDULED_DAY1 = datetime(2026, 3, 10, 7, 0, tzinfo=UTC)  # 08:00 Europe/Berlin


def digests(env: Env) -> list[Delivery]:
    with env.core.factory() as session:
        return list(
            session.scalars(
                select(Delivery)
                .where(Delivery.subscription_id == env.subscription_id)
                .order_by(Delivery.scheduled_for)
            )
        )


def backdate_claims(env: Env, by: timedelta) -> None:
    """Simulate time passing since the claims were made (claims carry wall-clock times)."""
    with transaction(env.core.factory) as session:
        for row in session.scalars(select(Delivery).where(Delivery.status == "claimed")):
            session.execute(
                update(Delivery).where(Delivery.id == row.id).values(claimed_at=row.claimed_at - by)
            )


def test_digest_posts_once_with_three_sections_and_is_a_thread_root(env: Env) -> None:
    outcome = run_digest(env.core, env.poster, env.subscription_id)

    assert outcome.status == "sent"
    assert outcome.scheduled_for == SCHEDULED_DAY1
    assert outcome.new == 4 and outcome.updated == 0 and outcome.unchanged == 0
    posted = env.fake.posted_messages()
    assert len(posted) == 1
    assert posted[0]["channel"] == CHANNEL
    assert posted[0]["unfurl_links"] in (False, "false", "0", 0)
    text = env.posted_texts()[0]
    for heading in ("Key provisions", "Open questions", "Next steps"):
        assert heading in text
    assert "4 million euros" in text and "Daily digest" in text

    with env.core.factory() as session:
        root = deliveries.thread_root(session, TEAM, CHANNEL, outcome.ts or "")
        assert root is not None and root.id == outcome.delivery_id
        assert root.kind == "digest" and root.status == "sent" and root.brief_id is not None
        assert root.scheduled_for == SCHEDULED_DAY1
        assert root.until == DAY1 and root.since == DAY1 - timedelta(hours=24)
        assert [p["section"] for p in root.points or []] == [
            "key_provisions",
            "key_provisions",
            "open_questions",
            "next_steps",
        ]


def test_running_again_for_the_same_time_posts_nothing(
    env: Env, db: Database, fake_slack: FakeSlack
) -> None:
    assert run_digest(env.core, env.poster, env.subscription_id).status == "sent"
    # The same job fired again later that hour (a retry, a restart within the misfire grace).
    env.clock.now = DAY1 + timedelta(minutes=40)
    assert run_digest(env.core, env.poster, env.subscription_id).status == "skipped"
    # A second process (restart, or another scheduler) with its own core on the same database.
    other = Briefbot(env.core.settings, engine=db.engine, clock=env.clock, migrate=False)
    assert run_digest(other, env.poster, env.subscription_id).status == "skipped"
    assert sweep_stale_claims(other, env.poster, stale_after=timedelta(0)) == []
    assert len(fake_slack.posted_messages()) == 1
    assert [d.status for d in digests(env)] == ["sent"]


def test_concurrent_runs_post_exactly_once(env: Env, db: Database) -> None:
    cores = [
        Briefbot(env.core.settings, engine=db.engine, clock=env.clock, migrate=False)
        for _ in range(4)
    ]
    barrier = threading.Barrier(len(cores))
    outcomes: list[DigestOutcome] = []
    errors: list[BaseException] = []

    def run(core: Briefbot) -> None:
        try:
            barrier.wait()
            outcomes.append(run_digest(core, env.poster, env.subscription_id))
        except BaseException as err:  # surfaced below
            errors.append(err)

    threads = [threading.Thread(target=run, args=(c,)) for c in cores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors
    assert sorted(o.status for o in outcomes) == ["sent", "skipped", "skipped", "skipped"]
    assert len(env.fake.posted_messages()) == 1
    assert [d.status for d in digests(env)] == ["sent"]


def test_crash_between_claim_and_post_is_swept_exactly_once(env: Env) -> None:
    # A process claims the digest and dies before posting.
    with transaction(env.core.factory) as session:
        claimed = deliveries.claim(
            session,
            subscription_id=env.subscription_id,
            scheduled_for=SCHEDULED_DAY1,
            team_id=TEAM,
            channel_id=CHANNEL,
            topic_id=digests_topic_id(env),
            stale_after=timedelta(minutes=10),
        )
        assert claimed is not None
    # While the claim is fresh nobody else posts, and the sweep leaves it alone.
    assert run_digest(env.core, env.poster, env.subscription_id).status == "skipped"
    assert sweep_stale_claims(env.core, env.poster) == []
    assert env.fake.posted_messages() == []

    backdate_claims(env, timedelta(minutes=11))
    env.clock.now = DAY1 + timedelta(minutes=11)
    swept = sweep_stale_claims(env.core, env.poster)
    assert [o.status for o in swept] == ["sent"]
    assert swept[0].scheduled_for == SCHEDULED_DAY1
    # Later sweeps and runs find it sent.
    assert sweep_stale_claims(env.core, env.poster) == []
    backdate_claims(env, timedelta(hours=1))
    assert sweep_stale_claims(env.core, env.poster) == []
    assert run_digest(env.core, env.poster, env.subscription_id).status == "skipped"
    assert len(env.fake.posted_messages()) == 1
    [row] = digests(env)
    assert row.status == "sent" and row.attempts == 2 and row.ts


def test_concurrent_sweeps_post_a_stale_claim_once(env: Env, db: Database) -> None:
    def crash_during_post(team_id: str) -> Any:
        raise ConnectionError("process died mid-post")

    first = run_digest(env.core, SlackPoster(crash_during_post), env.subscription_id)
    assert first.status == "retry" and "ConnectionError" in (first.error or "")
    backdate_claims(env, timedelta(minutes=11))
    cores = [
        Briefbot(env.core.settings, engine=db.engine, clock=env.clock, migrate=False)
        for _ in range(3)
    ]
    barrier = threading.Barrier(len(cores))
    results: list[list[DigestOutcome]] = []

    def sweep(core: Briefbot) -> None:
        barrier.wait()
        results.append(sweep_stale_claims(core, env.poster))

    threads = [threading.Thread(target=sweep, args=(c,)) for c in cores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    statuses = sorted(o.status for r in results for o in r)
    assert statuses.count("sent") == 1 and set(statuses) <= {"sent", "skipped"}
    assert len(env.fake.posted_messages()) == 1


def digests_topic_id(env: Env) -> int:
    with env.core.factory() as session:
        sub = subscription_store.get_any_team(session, env.subscription_id)
        assert sub is not None
        return sub.topic_id


def test_next_day_covers_only_what_arrived_and_marks_it(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run_digest(env.core, env.poster, env.subscription_id).status == "sent"
    rendered: list[dict[str, Any]] = []
    real = digest_module.brief_to_message

    def spy(brief: Any, **kwargs: Any) -> Any:
        rendered.append({"brief": brief, **kwargs})
        return real(brief, **kwargs)

    monkeypatch.setattr(digest_module, "brief_to_message", spy)
    env.clock.now = DAY1 + timedelta(hours=8)
    env.ingest(DAY2_ARTICLES, "day2")
    env.clock.now = DAY2

    outcome = run_digest(env.core, env.poster, env.subscription_id)

    assert outcome.status == "sent"
    assert outcome.scheduled_for == SCHEDULED_DAY1 + timedelta(days=1)
    assert (outcome.new, outcome.updated, outcome.unchanged) == (1, 1, 1)
    second = env.posted_texts()[1]
    assert UPDATED in second and NEW in second
    assert RESTATED not in second  # already told yesterday: dropped
    assert "4 million" not in second  # yesterday's article is outside the window
    # The blocks mark each bullet (the plain-text fallback need not).
    lines = second.splitlines()
    assert any(UPDATED in line and "updated" in line.lower() for line in lines)
    assert any(NEW in line and "new" in line.split(NEW)[0].lower() for line in lines)
    [call] = rendered
    marks = call["new_marks"]
    assert {text[:36]: mark for text, mark in marks.items()} == {
        UPDATED[:36]: "updated",
        NEW[:36]: "new",
    }
    assert [s.outlet for s in call["brief"].sources] == ["Riverside Post"]
    day1, day2 = digests(env)
    assert day2.since == day1.until == DAY1 and day2.until == DAY2
    # It remembers what the channel has been told: today's points, then yesterday's others.
    texts = [p["text"] for p in day2.points or []]
    assert len(texts) == 5
    assert [t[:36] for t in texts[:3]] == [UPDATED[:36], RESTATED[:36], NEW[:36]]
    assert texts[3].startswith("It remains unclear") and texts[4].startswith("Construction")


def test_nothing_new_posts_a_one_liner(env: Env) -> None:
    assert run_digest(env.core, env.poster, env.subscription_id).status == "sent"
    env.clock.now = DAY2
    outcome = run_digest(env.core, env.poster, env.subscription_id)
    assert outcome.status == "nothing_new"
    posted = env.fake.posted_messages()
    assert len(posted) == 2
    assert posted[1]["text"] == "Nothing new on *River Plan* since Tue 10 Mar, 08:00."
    day1, day2 = digests(env)
    accepted = [c for c in env.fake.calls_to("chat.postMessage") if c.ok]
    assert day2.status == "sent" and day2.ts == accepted[1].response["ts"]
    assert day2.points == day1.points  # what the channel was told has not changed


def test_nothing_new_with_skip_empty_posts_nothing(
    db: Database, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    env = build_env(db, fake_slack, tmp_path, DIGEST_SKIP_EMPTY="true")
    assert run_digest(env.core, env.poster, env.subscription_id).status == "sent"
    env.clock.now = DAY2
    assert run_digest(env.core, env.poster, env.subscription_id).status == "skipped_empty"
    assert len(fake_slack.posted_messages()) == 1
    _, day2 = digests(env)
    assert day2.status == "sent" and day2.ts is None and day2.until == DAY2
    # Recorded, so neither a rerun nor a sweep posts it.
    assert run_digest(env.core, env.poster, env.subscription_id).status == "skipped"
    assert len(fake_slack.posted_messages()) == 1


def test_rate_limit_and_server_error_still_post_once(
    env: Env, slack_retry_waits: list[float]
) -> None:
    env.fake.fail_next("chat.postMessage", 1, status=429, retry_after=1)
    env.fake.fail_next("chat.postMessage", 1, status=500)
    outcome = run_digest(env.core, env.poster, env.subscription_id)
    assert outcome.status == "sent"
    assert len(env.fake.posted_messages()) == 1
    assert len(env.fake.calls_to("chat.postMessage")) == 3
    assert [d.status for d in digests(env)] == ["sent"]
    # The SDK waited out the Retry-After before the second attempt, and backed off once more.
    assert len(slack_retry_waits) == 2 and slack_retry_waits[0] >= 1.0


def test_not_in_channel_is_marked_failed_and_not_retried(env: Env) -> None:
    env.fake.fail_next("chat.postMessage", 1, status=200, error="not_in_channel")
    outcome = run_digest(env.core, env.poster, env.subscription_id)
    assert outcome.status == "failed" and outcome.error == "not_in_channel"
    [row] = digests(env)
    assert row.status == "failed" and "not_in_channel" in (row.error or "")
    backdate_claims(env, timedelta(hours=1))
    assert sweep_stale_claims(env.core, env.poster) == []
    assert run_digest(env.core, env.poster, env.subscription_id).status == "skipped"
    assert len(env.fake.calls_to("chat.postMessage")) == 1
    assert env.fake.posted_messages() == []


def test_other_slack_errors_leave_the_claim_for_the_sweep(env: Env) -> None:
    env.fake.fail_next("chat.postMessage", 1, status=200, error="internal_error")
    outcome = run_digest(env.core, env.poster, env.subscription_id)
    assert outcome.status == "retry"
    assert [d.status for d in digests(env)] == ["claimed"]
    backdate_claims(env, timedelta(minutes=11))
    assert [o.status for o in sweep_stale_claims(env.core, env.poster)] == ["sent"]
    assert len(env.fake.posted_messages()) == 1


def test_sweep_gives_up_after_max_attempts(env: Env) -> None:
    def broken(team_id: str) -> Any:
        raise ConnectionError("Slack unreachable")

    assert run_digest(env.core, SlackPoster(broken), env.subscription_id).status == "retry"
    for _ in range(2):
        backdate_claims(env, timedelta(minutes=11))
        assert [
            o.status for o in sweep_stale_claims(env.core, SlackPoster(broken), max_attempts=3)
        ] == ["retry"]
    backdate_claims(env, timedelta(minutes=11))
    [gave_up] = sweep_stale_claims(env.core, env.poster, max_attempts=3)
    assert gave_up.status == "failed" and "3 attempts" in (gave_up.error or "")
    assert env.fake.posted_messages() == []
    [row] = digests(env)
    assert row.status == "failed" and row.attempts == 3


def test_paused_or_deleted_subscription_posts_nothing(env: Env) -> None:
    with transaction(env.core.factory) as session:
        subscription_store.pause_team(session, TEAM)
    assert run_digest(env.core, env.poster, env.subscription_id).status == "inactive"
    assert run_digest(env.core, env.poster, 999_999).status == "inactive"
    assert env.fake.posted_messages() == []
    assert digests(env) == []


def _post_then_die(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    """The process dies after Slack accepted the post, before the database recorded it."""

    def crash(*args: Any, **kwargs: Any) -> None:
        raise KeyboardInterrupt("killed")

    monkeypatch.setattr(env.core.deliveries, "mark_sent", crash)
    with pytest.raises(KeyboardInterrupt):
        run_digest(env.core, env.poster, env.subscription_id)
    monkeypatch.undo()


def test_a_post_that_went_out_but_was_not_recorded_is_not_posted_again(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    _post_then_die(env, monkeypatch)
    [posted] = env.fake.messages(CHANNEL)
    assert posted["metadata"]["event_payload"]["delivery_id"] == digests(env)[0].id

    backdate_claims(env, timedelta(minutes=11))
    [outcome] = sweep_stale_claims(env.core, env.poster)
    assert outcome.status == "sent" and outcome.ts == posted["ts"]
    assert len(env.fake.posted_messages()) == 1
    [row] = digests(env)
    assert row.status == "sent" and row.ts == posted["ts"]


def test_without_history_access_a_retry_posts_again_rather_than_lose_the_digest(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    _post_then_die(env, monkeypatch)
    env.fake.fail_next("conversations.history", error="missing_scope")
    backdate_claims(env, timedelta(minutes=11))
    [outcome] = sweep_stale_claims(env.core, env.poster)
    assert outcome.status == "sent"
    assert len(env.fake.posted_messages()) == 2  # at least once, never zero


def _backdate_subscription(env: Env, when: datetime) -> None:
    with transaction(env.core.factory) as session:
        row = subscription_store.get_any_team(session, env.subscription_id)
        assert row is not None
        row.created_at = when


def test_catch_up_delivers_a_digest_whose_job_never_ran_once(env: Env) -> None:
    _backdate_subscription(env, SCHEDULED_DAY1 - timedelta(days=1))
    later = SCHEDULED_DAY1 + timedelta(hours=2)  # the scheduler was down at 08:00
    env.clock.now = later
    [outcome] = digest_module.catch_up_digests(env.core, env.poster, later)
    assert outcome.status == "sent" and outcome.scheduled_for == SCHEDULED_DAY1
    assert digest_module.catch_up_digests(env.core, env.poster, later) == []
    # The scheduler's own (misfired) run of the same time now finds it done.
    assert run_digest(env.core, env.poster, env.subscription_id).status == "skipped"
    assert len(env.fake.posted_messages()) == 1


def test_catch_up_leaves_old_times_and_new_subscriptions_alone(env: Env) -> None:
    _backdate_subscription(env, SCHEDULED_DAY1 - timedelta(days=1))
    too_late = SCHEDULED_DAY1 + timedelta(hours=7)
    assert digest_module.catch_up_digests(env.core, env.poster, too_late) == []
    # A subscription made after 08:00 has nothing due until tomorrow's 08:00.
    _backdate_subscription(env, SCHEDULED_DAY1 + timedelta(minutes=30))
    assert (
        digest_module.catch_up_digests(env.core, env.poster, SCHEDULED_DAY1 + timedelta(hours=1))
        == []
    )
    assert env.fake.posted_messages() == []
