"""End to end over HTTP with an LLM (issue 16 item 9): `/brief river plan lang:de` is written in
German from the articles in every language, each bullet backed by a quote in its source's own
language that the support check finds in the cited article, and the footer says which
languages it read. What a channel notices: an English article's facts in German; a bullet with
a made-up quote or a figure its quote lacks is not shown; when the LLM fails, the offline brief
reads only the German article. The articles are the made-up ones of tests/slack/test_languages.py.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from bot.core import Briefbot
from storage.models import Article
from testkit.fake_llm import FakeLLMServer, ok_json
from testkit.slackfake.server import FakeSlack
from tests.conftest import Database
from tests.slack.conftest import serve_app, settings_for
from tests.slack.test_languages import ENGLISH, TOPIC, Channels, Clock

# The English article says: "Repairs will cost 2 million euros and close the towpath for a
# month." The German one: "Der Stadtrat hat am Donnerstag den River Plan mit sieben zu zwei
# Stimmen beschlossen."
REPAIRS = "Repairs will cost 2 million euros and close the towpath for a month."
VOTE = "Der Stadtrat hat am Donnerstag den River Plan mit sieben zu zwei Stimmen beschlossen."
TRANSLATED = "Die Reparatur des Wehrs kostet 2 Millionen Euro und sperrt den Leinpfad einen Monat."
COUNCIL = "Der Stadtrat hat den River Plan am Donnerstag mit sieben zu zwei Stimmen beschlossen."
MADE_UP = "Die Versicherung zahlt 5 Millionen Euro für den Schaden am Wehr."
WRONG_FIGURE = "Die Reparatur des Wehrs kostet 9 Millionen Euro."


@dataclass
class LLMChannels:
    channels: Channels
    llm: FakeLLMServer
    fake: FakeSlack
    ids: dict[str, int]  # article id by language
    backoffs: list[float]  # the LLM client's waits between attempts (recorded, not slept)

    def brief(self, text: str) -> dict[str, Any]:
        """`/brief <text>` in the English channel; the brief posted."""
        before = len(self.fake.calls_to("chat.postMessage"))
        self.channels.brief(text, ENGLISH)
        calls = self.fake.wait_for("chat.postMessage", count=before + 1, timeout=30)
        return calls[before].params


@pytest.fixture
def llm_channels(db: Database, tmp_path: Path) -> Iterator[LLMChannels]:
    llm = FakeLLMServer().start()
    try:
        with FakeSlack() as fake:
            settings = settings_for(
                db.url,
                fake,
                OPENAI_API_KEY="local-test-key-lang",
                OPENAI_BASE_URL=llm.base_url,
                OPENAI_MODEL="test-model",
                OPENAI_TIMEOUT="30",
                SUMMARIZER="llm",
                FEED_MAX_PAGE_FETCHES="0",
            )
            clock = Clock(datetime(2026, 3, 10, 7, 0, 5, tzinfo=UTC))
            core = Briefbot(
                settings,
                engine=db.engine,
                clock=clock,
                migrate=False,
                llm_http_client=httpx.Client(trust_env=False),
            )
            # A failing LLM is retried after 1 s, then 2 s: recorded instead of slept (the
            # client's backoff has its own tests in test_llm_client.py).
            backoffs: list[float] = []
            assert core._llm_client is not None
            core._llm_client._sleep = backoffs.append
            with serve_app(settings, core, fake) as app:
                channels = Channels(app, tmp_path)
                with core.factory() as session:
                    rows = session.execute(select(Article.language, Article.id))
                    ids = {lang: i for lang, i in rows}
                assert set(ids) == {"en", "de"}  # detected at ingestion
                yield LLMChannels(channels, llm, fake, ids, backoffs)
    finally:
        llm.stop()


def test_a_german_brief_is_written_from_articles_in_every_language_and_says_so(
    llm_channels: LLMChannels,
) -> None:
    en, de = str(llm_channels.ids["en"]), str(llm_channels.ids["de"])
    llm_channels.llm.reply(
        ok_json(
            {
                "key_provisions": [
                    {"text": COUNCIL, "source_ids": [de], "quote": VOTE},
                    {"text": TRANSLATED, "source_ids": [en], "quote": REPAIRS},
                    {
                        "text": MADE_UP,
                        "source_ids": [en],
                        "quote": "The insurer agreed to pay 5 million euros.",
                    },
                    {"text": WRONG_FIGURE, "source_ids": [en], "quote": REPAIRS},
                ],
                "open_questions": [],
                "next_steps": [],
            },
            tokens=(600, 90),
        )
    )
    posted = llm_channels.brief(f"{TOPIC} lang:de")

    (request,) = llm_channels.llm.requests
    assert "Write every bullet and story label in German" in request.system
    # Both articles, each with its language: the model quotes each in its own.
    assert "Stadtrat" in request.user and "weir" in request.user
    assert "Language: English" in request.user and "Language: German" in request.user
    shown = json.dumps(posted["blocks"], ensure_ascii=False)
    assert "Leinpfad" in shown and "sieben zu zwei" in shown
    assert "riverside.example.org/weir" in shown and "flussbote.example.de/deiche" in shown
    assert "Versicherung" not in shown  # its quote is in no cited article
    assert "9 Millionen" not in shown  # a figure its quote does not hold
    footer = json.dumps([b for b in posted["blocks"] if b["type"] == "context"])
    assert "Written in German by the LLM from articles in German and English." in footer


def test_without_quotes_a_translated_bullet_is_not_shown(llm_channels: LLMChannels) -> None:
    """The quote is what makes a translated bullet checkable: without one, a German bullet
    citing the English article has nothing the lexical check can find there."""
    en, de = str(llm_channels.ids["en"]), str(llm_channels.ids["de"])
    llm_channels.llm.reply(
        ok_json(
            {
                "key_provisions": [
                    {"text": COUNCIL, "source_ids": [de]},
                    {"text": TRANSLATED, "source_ids": [en]},
                ],
                "open_questions": [],
                "next_steps": [],
            }
        )
    )
    shown = json.dumps(llm_channels.brief(f"{TOPIC} lang:de")["blocks"], ensure_ascii=False)
    assert "sieben zu zwei" in shown
    assert "Leinpfad" not in shown and "riverside.example.org" not in shown


def test_when_the_llm_fails_the_offline_brief_reads_only_the_language_asked(
    llm_channels: LLMChannels,
) -> None:
    posted = llm_channels.brief(f"{TOPIC} lang:de")  # no reply queued: the LLM answers 500
    shown = json.dumps(posted["blocks"], ensure_ascii=False)
    assert len(llm_channels.llm.requests) >= 1
    assert llm_channels.backoffs  # the 500s were retried before the offline brief was made
    assert "flussbote.example.de/deiche" in shown
    assert "riverside.example.org" not in shown
    assert "Written in German" not in shown  # made offline: the articles' own sentences
