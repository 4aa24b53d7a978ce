"""A briefbot core on each database, a controllable clock, a subscription, the fake Slack."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from slack_sdk import WebClient

from bot.core import Briefbot
from bot.settings import Settings
from bot.slack.client import make_web_client
from bot.slack.posting import SlackPoster
from storage import subscriptions as subscription_store
from storage import topics as topic_store
from storage.db import transaction
from storage.models import Subscription
from testkit.slackfake.server import FakeSlack
from tests.conftest import Database

TEAM = "T0001"
CHANNEL = "C0001"
TOPIC = "river plan"
# 08:00 in Berlin is 07:00 UTC in March (before 29 March).
DAY1 = datetime(2026, 3, 10, 7, 0, 5, tzinfo=UTC)
DAY2 = DAY1 + timedelta(days=1)

# Articles: (title, outlet, url, published, text). Day 1's is before DAY1; day 2's between.
DAY1_ARTICLES = {
    "a.md": (
        "Council approves river plan",
        "Valley Times",
        "https://valley.example.com/river-plan",
        "2026-03-09T10:00:00+00:00",
        "The city council approved the river restoration plan on Thursday by a vote of 7 to 2. "
        "The plan commits 4 million euros to rebuilding the flood banks.\n\n"
        "It remains unclear whether the regional government will co-fund the second phase.\n\n"
        "Construction will begin in September, and the council will review costs in March.",
    ),
}
DAY2_ARTICLES = {
    "c.md": (
        "River plan costs rise",
        "Riverside Post",
        "https://riverside.example.org/river-costs",
        "2026-03-10T15:00:00+00:00",
        "The plan now commits 5 million euros to rebuilding the flood banks after a revised "
        "estimate.\n\n"
        "The city council approved the river restoration plan on Thursday by a vote of 7 to 2.\n\n"
        "The regional environment agency will publish its flood risk assessment next week.",
    ),
}
UPDATED = "The plan now commits 5 million euros"
NEW = "The regional environment agency will publish"
RESTATED = "The city council approved the river restoration plan"


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Env:
    db: Database
    core: Briefbot
    clock: Clock
    fake: FakeSlack
    client: WebClient
    subscription_id: int
    tmp: Path

    def clients(self, team_id: str) -> WebClient:
        assert team_id == TEAM
        return self.client

    @property
    def poster(self) -> SlackPoster:
        """The posting path as the composition root hands it to the jobs."""
        return SlackPoster(self.clients)

    def ingest(self, articles: dict[str, tuple[str, str, str, str, str]], name: str) -> None:
        folder = self.tmp / name
        folder.mkdir(parents=True, exist_ok=True)
        for file, (title, outlet, url, published, text) in articles.items():
            (folder / file).write_text(
                f"---\ntitle: {title}\noutlet: {outlet}\npublished: {published}\nurl: {url}\n"
                f"---\n{text}\n"
            )
        self.core.ingest([str(folder)], topic=TOPIC)

    def posted_texts(self) -> list[str]:
        """Each posted message's fallback text and block texts, as one string."""
        return [_message_text(m) for m in self.fake.posted_messages()]


def _message_text(message: dict) -> str:  # type: ignore[type-arg]
    parts = [str(message.get("text") or "")]
    blocks = message.get("blocks") or []
    if isinstance(blocks, str):
        import json

        blocks = json.loads(blocks)
    for block in blocks:
        text = block.get("text")
        if isinstance(text, dict):
            parts.append(text.get("text", ""))
        for element in block.get("elements") or []:
            if isinstance(element, dict) and "text" in element:
                parts.append(str(element["text"]))
    return "\n".join(parts)


def make_settings(db: Database, fake: FakeSlack, **extra: str) -> Settings:
    return Settings.from_env(
        environ={
            "DATABASE_URL": db.url,
            "SLACK_BOT_TOKEN": "xoxb-test-token-1",
            "SLACK_API_URL": fake.base_url,
            "SUMMARIZER": "extractive",
            # A topic without sources would search the news: here, a dead URL on the fake.
            "NEWS_SEARCH_FEED_URL": fake.base_url + "nosuchfeed?q={query}",
            "FETCH_ALLOW_PRIVATE": "true",
            **extra,
        },
        dotenv_path=None,
    )


def add_subscription(
    core: Briefbot,
    *,
    hour: int = 8,
    minute: int = 0,
    timezone: str = "Europe/Berlin",
    channel: str = CHANNEL,
) -> Subscription:
    with transaction(core.factory) as session:
        topic = topic_store.get_or_create(session, TOPIC)
        row, _ = subscription_store.upsert(
            session,
            team_id=TEAM,
            channel_id=channel,
            topic=topic,
            hour=hour,
            minute=minute,
            timezone=timezone,
            created_by="U0001",
        )
        return row


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake


def build_env(db: Database, fake: FakeSlack, tmp_path: Path, **extra: str) -> Env:
    settings = make_settings(db, fake, **extra)
    clock = Clock(DAY1)
    core = Briefbot(settings, engine=db.engine, clock=clock, migrate=False)
    client = make_web_client(settings, settings.slack_bot_token, max_retries=2)
    subscription = add_subscription(core)
    env = Env(db, core, clock, fake, client, subscription.id, tmp_path)
    env.ingest(DAY1_ARTICLES, "day1")
    return env


@pytest.fixture
def env(db: Database, fake_slack: FakeSlack, tmp_path: Path) -> Env:
    return build_env(db, fake_slack, tmp_path)
