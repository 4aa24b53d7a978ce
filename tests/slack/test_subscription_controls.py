"""End to end over HTTP (issue 16): signed `/brief pause|resume|filter|subscribe … <rhythm>`
against the fake Slack, then scheduled digest rounds driven with an injected clock, as the
scheduler's digest job runs them. What a channel would notice: no digest while paused and one
again on the resume date, weekly and twice-daily digests at their local times across a
daylight-saving change covering their own windows, an excluded outlet gone from the digest,
and every bad input answered with one ephemeral line."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.core import Briefbot
from bot.jobs.digest import DigestOutcome, catch_up_digests, run_digest
from bot.jobs.scheduler import build_scheduler, digest_job_id
from bot.slack.client import SingleWorkspaceClients
from bot.slack.posting import SlackPoster
from storage import subscriptions as subscription_store
from storage.models import Delivery
from testkit.slackfake.server import FakeSlack
from tests.conftest import Database
from tests.ingest.conftest import LocalServer
from tests.slack.conftest import RunningApp, private_reply, serve_app, settings_for

TEAM, CHANNEL, OTHER, USER = "T0001", "C0001", "C0002", "U0001"
TOPIC = "river plan"
DEMO_ARTICLES = Path(__file__).resolve().parents[2] / "bot" / "demo" / "articles"
BERLIN = "Europe/Berlin"  # 2026: CEST from Sun 29 Mar, CET again from Sun 25 Oct

# (file, title, outlet, url, published, text): each article says one thing nobody else does.
Article = tuple[str, str, str, str, str, str]


# Distinct stories (a shared sentence would make them near-duplicates, or "unchanged").
STORIES = {
    1: "Engineers found cracks in the river plan's old weir on Monday, the authority said. "
    "Repairs will cost 2 million euros and close the towpath for a month.\n\n"
    "It is unclear whether the insurer will pay for the damage.",
    2: "The mayor promised a public hearing on the river plan before the summer. "
    "About 400 residents signed a petition asking for one in February.\n\n"
    "The hearing will take place in the town hall in May.",
    3: "A second contractor joined the river plan's flood bank works after delays. "
    "The firm brought 60 workers and two dredgers to the site on Thursday.\n\n"
    "The council will review the timetable at its next meeting.",
    4: "Divers inspected the old bridge piers for the river plan near the harbour. "
    "They reported scouring at three of the seven piers to the county engineer.\n\n"
    "The bridge stays open to cars while the report is studied.",
    5: "The river plan's south bank path opened to walkers and cyclists on Sunday. "
    "Families crowded the new promenade, which cost 800,000 euros to build.\n\n"
    "Lighting will be added along the path next year.",
    6: "Valley farmers said the river plan's sluice gates had flooded their meadows. "
    "Their union asked the regional government for compensation of 50,000 euros.\n\n"
    "The ministry has not yet answered the request.",
    # Story 2 as another outlet reported it.
    7: "The river plan will get a public hearing before the summer, the mayor told reporters. "
    "Residents had collected about 400 signatures in February to demand the hearing.\n\n"
    "The town hall will host the hearing in May.",
    # One story with many facts.
    8: "The city council approved the river plan on Thursday by a vote of 7 to 2. "
    "The plan commits 4 million euros to rebuilding the flood banks. "
    "Work on the north bank will begin in September. "
    "The regional government will pay 1.5 million euros of the cost. "
    "Engineers expect the new banks to protect 3,000 homes. "
    "The old weir will be replaced by a fish ladder by 2028.\n\n"
    "It remains unclear whether the second phase will be funded.\n\n"
    "The council will review the costs in March.",
}


def article(n: int, published: str, *, site: str = "riverside.example.org") -> Article:
    outlet = "Valley Times" if site.startswith("valley") else "Riverside Post"
    return (
        f"a{n}.md",
        f"River plan: story {n}",
        outlet,
        f"https://{site}/river-{n}",
        published,
        STORIES[n],
    )


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class Channel:
    """A running app with an injected clock, a user in Berlin, and the digest job's poster."""

    def __init__(self, app: RunningApp, clock: Clock, tmp: Path) -> None:
        self.app, self.fake, self.clock, self.tmp = app, app.fake, clock, tmp
        self.poster = SlackPoster(SingleWorkspaceClients(app.core.settings, app.runtime.client))
        self._ids = itertools.count(1)
        self.fake.set_user_tz(USER, BERLIN)

    @property
    def core(self) -> Briefbot:
        return self.app.core

    def say(self, text: str, channel: str = CHANNEL) -> str:
        """`/brief <text>`; the reply only the user sees."""
        rid = f"r{next(self._ids)}"
        return private_reply(
            self.app, text, team_id=TEAM, channel_id=channel, user_id=USER, rid=rid
        )

    def ingest(self, *articles: Article) -> None:
        folder = self.tmp / f"batch{next(self._ids)}"
        folder.mkdir()
        for file, title, outlet, url, published, text in articles:
            (folder / file).write_text(
                f"---\ntitle: {title}\noutlet: {outlet}\npublished: {published}\nurl: {url}\n"
                f"---\n{text}\n"
            )
        self.core.ingest([str(folder)], topic=TOPIC)

    def subscription_id(self, channel: str = CHANNEL) -> int:
        with self.core.factory() as session:
            (row,) = subscription_store.for_team(session, TEAM, channel)
            return row.id

    def digest_at(self, when: datetime, channel: str = CHANNEL) -> DigestOutcome:
        """The digest job firing at `when` (what the scheduler's cron trigger runs)."""
        self.clock.now = when
        return run_digest(self.core, self.poster, self.subscription_id(channel))

    def posts(self, channel: str = CHANNEL) -> list[str]:
        return [json.dumps(p) for p in self.fake.posted_messages(channel)]

    def key_provisions(self, channel: str) -> int:
        """How many key provisions the channel's first digest shows (its fallback text lists
        each section's bullets under the section's name)."""
        text = str(self.fake.posted_messages(channel)[0]["text"])
        section = text.split("Key provisions:", 1)[1].split("\n\n", 1)[0]
        count = 0
        for line in section.splitlines()[1:]:
            if not line.startswith("•"):
                break
            count += 1
        return count

    def delivery(self, delivery_id: int | None) -> Delivery:
        with self.core.factory() as session:
            row = session.get(Delivery, delivery_id)
            assert row is not None
            session.expunge(row)
            return row


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def channel(db: Database, tmp_path: Path) -> Iterator[Channel]:
    clock = Clock(utc(2026, 3, 10, 6))
    with FakeSlack() as fake:
        settings = settings_for(db.url, fake, SUMMARIZER="extractive", FEED_MAX_PAGE_FETCHES="0")
        core = Briefbot(settings, engine=db.engine, clock=clock, migrate=False)
        with serve_app(settings, core, fake) as app:
            yield Channel(app, clock, tmp_path)


def test_pause_until_a_date_skips_digests_and_resumes_on_it(channel: Channel) -> None:
    channel.ingest(
        article(1, "2026-03-10T12:00:00+00:00"),
        article(2, "2026-03-12T03:00:00+00:00"),
    )
    assert "Subscribed" in channel.say(f"subscribe {TOPIC} at 08:00")
    reply = channel.say(f"pause {TOPIC} until 2026-03-12")
    assert "paused until Thu 12 Mar 2026" in reply
    assert "paused until Thu 12 Mar 2026" in channel.say("list")

    # 08:00 in Berlin on the 10th and 11th: paused, nothing posted, nothing caught up later.
    assert channel.digest_at(utc(2026, 3, 10, 7, 0, 5)).status == "paused"
    assert channel.digest_at(utc(2026, 3, 11, 7, 0, 5)).status == "paused"
    channel.clock.now = utc(2026, 3, 11, 8)
    assert catch_up_digests(channel.core, channel.poster) == []
    assert channel.posts() == []

    # The 12th: the digest is back, covering its own day only (the weir story came out on the
    # 10th, for the skipped digest of the 11th, and is not caught up).
    outcome = channel.digest_at(utc(2026, 3, 12, 7, 0, 5))
    assert outcome.status == "sent"
    (posted,) = channel.posts()
    assert "river-2" in posted
    assert "river-1" not in posted
    assert channel.delivery(outcome.delivery_id).since == utc(2026, 3, 11, 7, 0, 5)
    assert "paused" not in channel.say("list")


def test_pause_with_no_end_then_resume(channel: Channel) -> None:
    channel.ingest(article(1, "2026-03-12T03:00:00+00:00"))
    channel.say(f"subscribe {TOPIC} at 08:00")
    assert "until you resume it" in channel.say(f"pause {TOPIC}")
    assert channel.digest_at(utc(2026, 3, 11, 7, 0, 5)).status == "inactive"
    channel.clock.now = utc(2026, 3, 11, 12)
    assert "is on again" in channel.say(f"resume {TOPIC}")
    assert channel.digest_at(utc(2026, 3, 12, 7, 0, 5)).status == "sent"
    assert len(channel.posts()) == 1


def test_weekly_digest_across_the_spring_change_covers_the_week(channel: Channel) -> None:
    channel.clock.now = utc(2026, 3, 22, 5)
    channel.ingest(
        article(1, "2026-03-21T09:00:00+00:00"),
        article(2, "2026-03-25T09:00:00+00:00"),
        article(3, "2026-03-28T09:00:00+00:00"),
    )
    reply = channel.say(f"subscribe {TOPIC} at 08:00 weekly on sunday")
    assert "weekly on Sunday at 08:00 (Europe/Berlin)" in reply
    sub_id = channel.subscription_id()

    # The scheduler's trigger: Sundays 08:00 Berlin, i.e. 07:00 UTC, then 06:00 UTC in CEST.
    scheduler = build_scheduler(channel.core, channel.poster, start_paused=True)
    scheduler.start()
    try:
        trigger = scheduler.get_job(digest_job_id(sub_id)).trigger
        assert trigger.get_next_fire_time(None, utc(2026, 3, 22, 7, 0, 5)) == utc(2026, 3, 29, 6)
    finally:
        scheduler.shutdown()

    first = channel.digest_at(utc(2026, 3, 22, 7, 0, 5))
    assert first.status == "sent" and first.scheduled_for == utc(2026, 3, 22, 7)
    assert "river-1" in channel.posts()[0]
    # Midweek at 08:00: the week's digest is out already, nothing more.
    assert channel.digest_at(utc(2026, 3, 25, 7, 0, 5)).status == "skipped"

    second = channel.digest_at(utc(2026, 3, 29, 6, 0, 5))
    assert second.status == "sent" and second.scheduled_for == utc(2026, 3, 29, 6)
    posted = channel.posts()[1]
    assert "Weekly digest" in posted
    assert "river-2" in posted and "river-3" in posted  # the whole week
    assert "river-1" not in posted
    row = channel.delivery(second.delivery_id)
    assert row.since == utc(2026, 3, 22, 7, 0, 5)
    assert row.since.astimezone(ZoneInfo(BERLIN)).hour == 8
    assert len(channel.posts()) == 2


def test_twice_daily_across_the_autumn_change_keeps_local_times(channel: Channel) -> None:
    channel.clock.now = utc(2026, 10, 24, 5)
    channel.ingest(
        article(1, "2026-10-24T10:00:00+00:00"),
        article(2, "2026-10-25T03:00:00+00:00"),
        article(3, "2026-10-25T12:00:00+00:00"),
    )
    reply = channel.say(f"subscribe {TOPIC} twice daily at 08:00 and 17:00")
    assert "twice a day at 08:00 and 17:00 (Europe/Berlin)" in reply

    scheduler = build_scheduler(channel.core, channel.poster, start_paused=True)
    scheduler.start()
    try:
        trigger = scheduler.get_job(digest_job_id(channel.subscription_id())).trigger
        fired, moment = [], utc(2026, 10, 24, 5)
        for _ in range(4):
            moment = trigger.get_next_fire_time(None, moment).astimezone(UTC)
            fired.append(moment)
            moment = moment.replace(second=1)
    finally:
        scheduler.shutdown()
    # 08:00 and 17:00 in Berlin: CEST (UTC+2) on Saturday, CET (UTC+1) from Sunday.
    runs = [
        utc(2026, 10, 24, 6),
        utc(2026, 10, 24, 15),
        utc(2026, 10, 25, 7),
        utc(2026, 10, 25, 16),
    ]
    assert fired == runs

    outcomes = [channel.digest_at(run.replace(second=5)) for run in runs[1:]]
    assert [o.status for o in outcomes] == ["sent", "sent", "sent"]
    assert [o.scheduled_for for o in outcomes] == runs[1:]
    sat_evening, sun_morning, sun_evening = channel.posts()
    assert "river-1" in sat_evening and "river-2" not in sat_evening
    assert "river-2" in sun_morning and "river-1" not in sun_morning
    assert "river-3" in sun_evening and "river-2" not in sun_evening
    # 07:00 on Sunday in Berlin (08:00 had the clocks not changed): no digest.
    assert channel.digest_at(utc(2026, 10, 25, 6, 0, 5)).status == "skipped"
    assert len(channel.posts()) == 3


def test_a_filter_removes_an_excluded_outlets_bullets(channel: Channel) -> None:
    channel.ingest(
        article(7, "2026-03-10T03:00:00+00:00", site="valley.example.com"),
        article(2, "2026-03-10T04:00:00+00:00"),
    )
    channel.say(f"subscribe {TOPIC} at 08:00")
    channel.say(f"subscribe {TOPIC} at 08:00", channel=OTHER)  # the same, unfiltered
    reply = channel.say(f"filter {TOPIC} -outlet:www.valley.example.com")
    assert "`-outlet:valley.example.com`" in reply
    assert "-outlet:valley.example.com" in channel.say("list")
    assert "-outlet" not in channel.say("list", channel=OTHER)

    assert channel.digest_at(utc(2026, 3, 10, 7, 0, 5)).status == "sent"
    assert channel.digest_at(utc(2026, 3, 10, 7, 0, 5), channel=OTHER).status == "sent"
    (filtered,) = channel.posts(CHANNEL)
    (unfiltered,) = channel.posts(OTHER)
    assert "valley.example.com" in unfiltered and "Valley Times" in unfiltered
    assert "valley.example.com" not in filtered and "Valley Times" not in filtered
    assert "riverside.example.org/river-2" in filtered

    assert "no filters now" in channel.say(f"filter {TOPIC} none")
    assert "-outlet" not in channel.say("list")


@pytest.mark.slow  # ~18 s on a loaded machine (pytest -m "not slow" --durations)
def test_short_digests_show_fewer_bullets(channel: Channel) -> None:
    # The demo's articles (in the repository): reports with many facts each.
    channel.core.ingest([str(DEMO_ARTICLES)], topic="ukraine")
    channel.clock.now = utc(2025, 3, 12, 6)
    channel.say("subscribe ukraine at 08:00 short")
    channel.say("subscribe ukraine at 08:00 full", channel=OTHER)
    assert "short" in channel.say("list")
    assert channel.digest_at(utc(2025, 3, 12, 7, 0, 5)).status == "sent"
    assert channel.digest_at(utc(2025, 3, 12, 7, 0, 5), channel=OTHER).status == "sent"
    short, full = channel.key_provisions(CHANNEL), channel.key_provisions(OTHER)
    assert 1 <= short <= 3 < full


@pytest.mark.parametrize(
    ("text", "says"),
    [
        (f"pause {TOPIC} until 24/12/2026", "write it as YYYY-MM-DD"),
        (f"pause {TOPIC} until 2026-02-01", "is not after today"),
        (f"pause {TOPIC} for ever", "is not a length of time"),
        (f"pause {TOPIC} for 2000d", "A pause is at most a year"),
        ("pause", "Which topic?"),
        ("pause no such topic", "no digest of *no such topic*"),
        ("resume", "Which topic?"),
        ("resume no such topic", "no digest of"),
        (f"filter {TOPIC}", "/brief filter ukraine -sport -outlet:example.com +kyiv"),
        (f"filter {TOPIC} sport", "Say what to leave out or require"),
        (f"filter {TOPIC} -outlet:not_a_site", "is not a site's domain"),
        (f"filter {TOPIC} +outlet:example.com", "Outlets can only be left out"),
        (f'filter {TOPIC} -"world cup', "A quote is not closed"),
        ("filter no such topic -sport", "no digest of"),
        (f"subscribe {TOPIC} at 08:00 weekly", "weekly on monday"),
        (f"subscribe {TOPIC} at 08:00 weekly on funday", "is not a day of the week"),
        (f"subscribe {TOPIC} twice daily at 08:00", "twice daily at 08:00 and 17:00"),
        (f"subscribe {TOPIC} at 09:00 twice daily at 08:00 and 17:00", "takes its two times"),
    ],
)
def test_bad_input_is_answered_with_one_ephemeral_line(
    channel: Channel, text: str, says: str
) -> None:
    channel.say(f"subscribe {TOPIC} at 08:00")
    reply = channel.say(text)
    assert says in reply
    assert "\n" not in reply.strip()
    assert channel.fake.posted_messages() == []
    # Nothing changed: still one daily digest, unpaused, unfiltered.
    listed = channel.say("list")
    assert listed.count("daily at 08:00 (Europe/Berlin)") == 1
    assert "paused" not in listed and "filters" not in listed


WEIR_FEED = (
    b'<?xml version="1.0"?><rss version="2.0"><channel><title>Weir watch</title>'
    b"<link>http://127.0.0.1/</link><description>x</description></channel></rss>"
)


def test_a_failing_source_is_named_once_and_again_when_it_recovers(channel: Channel) -> None:
    feed = LocalServer()  # fails (503) until the route is replaced by a working one
    feed.start()
    try:
        url = feed.add("/weir.xml", status=503)
        channel.clock.now = utc(2026, 3, 9, 6, 30)
        channel.ingest(article(2, "2026-03-09T06:00:00+00:00"))
        assert "Added" in channel.say(f"sources {TOPIC} add {url}")
        channel.say(f"subscribe {TOPIC} at 08:00")

        def ingest_at(when: datetime) -> None:
            channel.clock.now = when
            channel.core.ingest(None)

        ingest_at(utc(2026, 3, 9, 6, 30))  # first failure
        days = []
        for day in (10, 11, 12, 13):
            if day == 11:
                ingest_at(utc(2026, 3, 10, 12))  # still failing
            if day == 11:
                listed = channel.say(f"sources {TOPIC}")
                assert "failing since Mon 9 Mar, 06:30 UTC" in listed
                assert "(last success: never) · 0 articles" in listed
            if day == 12:
                feed.add("/weir.xml", WEIR_FEED, content_type="application/rss+xml")
                ingest_at(utc(2026, 3, 11, 12))  # works again
                assert "ok, last success Wed 11 Mar, 12:00 UTC" in channel.say(f"sources {TOPIC}")
            channel.digest_at(utc(2026, 3, day, 7, 0, 5))
            days.append(channel.posts()[-1])
        failed = [d for d in days if "has failed since" in d]
        recovered = [d for d in days if "works again" in d]
        # Named in the first digest after 24 hours of failure, once; once on recovery.
        assert failed == [days[0]] and "Mon 9 Mar, 07:30" in days[0] and "503" in days[0]
        assert recovered == [days[2]] and "Wed 11 Mar, 13:00" in days[2]
        assert "127.0.0.1" in days[0]
    finally:
        feed.stop()
