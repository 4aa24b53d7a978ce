"""End to end over HTTP (issue 16 item 9): each article's language is detected at ingestion,
and a brief reads only the articles in its language — the workspace default (English), or
the one a subscription or `/brief` asks for with `lang:de`. What a channel notices: a German
article kept out of an English digest and `/brief`, and a German digest reading only it.
The articles are made up for this test."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.core import Briefbot
from bot.jobs.digest import run_digest
from bot.slack.client import SingleWorkspaceClients
from bot.slack.posting import SlackPoster
from testkit.slackfake.server import FakeSlack
from testkit.slackfake.signing import post_signed, slash_command_body
from tests.conftest import Database
from tests.slack.conftest import SIGNING_SECRET, RunningApp, private_reply, serve_app, settings_for

TEAM, ENGLISH, GERMAN, USER = "T0001", "C0001", "C0002", "U0001"
TOPIC = "river plan"
ARTICLES = {
    "en.md": (
        "River plan weir repairs approved",
        "https://riverside.example.org/weir",
        "Engineers found cracks in the river plan's old weir on Monday, the authority said. "
        "Repairs will cost 2 million euros and close the towpath for a month.\n\n"
        "It is unclear whether the insurer will pay for the damage.",
    ),
    "de.md": (
        "River Plan: Stadtrat beschließt neue Deiche",
        "https://flussbote.example.de/deiche",
        "Der Stadtrat hat am Donnerstag den River Plan mit sieben zu zwei Stimmen "
        "beschlossen. Für den Neubau der Deiche am Nordufer stellt die Stadt vier Millionen "
        "Euro bereit.\n\nOb die zweite Bauphase finanziert wird, ist noch offen.",
    ),
}


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class Channels:
    def __init__(self, app: RunningApp, tmp: Path) -> None:
        self.app, self.fake = app, app.fake
        self.poster = SlackPoster(SingleWorkspaceClients(app.core.settings, app.runtime.client))
        self._ids = itertools.count(1)
        folder = tmp / "articles"
        folder.mkdir()
        for name, (title, url, body) in ARTICLES.items():
            (folder / name).write_text(
                f"---\ntitle: {title}\noutlet: Local\npublished: 2026-03-10T05:00:00+00:00\n"
                f"url: {url}\n---\n{body}\n"
            )
        self.core.ingest([str(folder)], topic=TOPIC)

    @property
    def core(self) -> Briefbot:
        return self.app.core

    def brief(self, text: str, channel: str) -> None:
        """`/brief <text>` for a brief (posted in the channel; the ack says it is coming)."""
        body = slash_command_body(
            text=text,
            team_id=TEAM,
            channel_id=channel,
            user_id=USER,
            response_url=self.fake.response_url(f"b{next(self._ids)}"),
        )
        assert post_signed(self.app.url, body, SIGNING_SECRET).status_code == 200

    def say(self, text: str, channel: str) -> str:
        """`/brief <text>` in `channel`; the reply only the user sees."""
        rid = f"r{next(self._ids)}"
        return private_reply(
            self.app, text, team_id=TEAM, channel_id=channel, user_id=USER, rid=rid
        )

    def digest(self, channel: str) -> str:
        (sub,) = self.core.subscriptions.for_team(TEAM, channel)
        assert run_digest(self.core, self.poster, sub.id).status == "sent"
        return json.dumps(self.fake.posted_messages(channel)[-1])


@pytest.fixture
def channels(db: Database, tmp_path: Path) -> Iterator[Channels]:
    clock = Clock(datetime(2026, 3, 10, 7, 0, 5, tzinfo=UTC))
    with FakeSlack() as fake:
        fake.set_user_tz(USER, "Europe/Berlin")
        settings = settings_for(db.url, fake, SUMMARIZER="extractive", FEED_MAX_PAGE_FETCHES="0")
        core = Briefbot(settings, engine=db.engine, clock=clock, migrate=False)
        with serve_app(settings, core, fake) as app:
            yield Channels(app, tmp_path)


def test_a_german_article_is_kept_out_of_an_english_digest(channels: Channels) -> None:
    assert "Subscribed" in channels.say(f"subscribe {TOPIC} at 08:00", ENGLISH)
    english = channels.digest(ENGLISH)
    assert "riverside.example.org/weir" in english
    assert "flussbote.example.de" not in english

    reply = channels.say(f"subscribe {TOPIC} at 08:00 lang:de", GERMAN)
    assert "lang:de" in reply
    assert "lang:de" in channels.say("list", GERMAN)
    german = channels.digest(GERMAN)
    assert "flussbote.example.de/deiche" in german
    assert "riverside.example.org" not in german


def test_brief_reads_the_workspace_language_unless_asked(channels: Channels) -> None:
    channels.brief(TOPIC, ENGLISH)
    posted = channels.fake.wait_for("chat.postMessage", timeout=30)[0].params
    assert "riverside.example.org/weir" in json.dumps(posted)
    assert "flussbote.example.de" not in json.dumps(posted)

    channels.brief(f"{TOPIC} lang:any", ENGLISH)
    every = channels.fake.wait_for("chat.postMessage", count=2, timeout=30)[1].params
    assert "flussbote.example.de" in json.dumps(every)
    assert "riverside.example.org" in json.dumps(every)


def test_a_bad_language_says_what_to_type(channels: Channels) -> None:
    for text in (f"{TOPIC} lang:german", f"subscribe {TOPIC} at 08:00 lang:xx1"):
        reply = channels.say(text, ENGLISH)
        assert "is not a language" in reply and "lang:de" in reply
    assert channels.core.subscriptions.for_team(TEAM) == []


# With an LLM, a brief in the language asked for reads every language:
# tests/llm/test_llm_languages.py
