"""LLM calls, tokens and fallbacks on `/metrics`, from the records the LLM client already makes:
a brief whose LLM answers are unusable falls back (two invalid outputs, one fallback), the
next one is the LLM's (one ok call); the tokens the server reported add up."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select, update

from bot.core import Briefbot
from bot.metrics_http import MetricsServer
from bot.settings import Settings
from storage.db import transaction
from storage.models import Article
from storage.models import Brief as BriefRow
from testkit.articles import write_articles
from testkit.fake_llm import FakeLLMServer, ok, ok_json
from tests.conftest import Database
from tests.metrics.helpers import moved, scrape


@pytest.fixture
def llm() -> Iterator[FakeLLMServer]:
    server = FakeLLMServer().start()
    yield server
    server.stop()


def test_llm_calls_tokens_and_fallbacks(db: Database, llm: FakeLLMServer, tmp_path: Path) -> None:
    settings = Settings.from_env(
        environ={
            "DATABASE_URL": db.url,
            "OPENAI_API_KEY": "local-test-key-metrics",
            "OPENAI_BASE_URL": llm.base_url,
            "OPENAI_MODEL": "test-model",
            "OPENAI_TIMEOUT": "30",
            "SUMMARIZER": "llm",
        },
        dotenv_path=None,
    )
    core = Briefbot(settings, engine=db.engine, llm_http_client=httpx.Client(trust_env=False))
    server = MetricsServer("127.0.0.1", 0).start()
    url = f"http://127.0.0.1:{server.port}/metrics"
    try:
        core.ingest(
            [str(write_articles(tmp_path / "articles", core.clock().isoformat()))],
            topic="river plan",
        )
        with core.factory() as session:
            ids = [str(i) for i in session.scalars(select(Article.id).order_by(Article.id))]
        summary = {
            "key_provisions": [
                {"text": "The council approved the river restoration plan.", "source_ids": ids}
            ],
            "open_questions": [{"text": "Who funds the second phase?", "source_ids": ids[:1]}],
            "next_steps": [{"text": "Construction begins in September.", "source_ids": ids}],
        }
        llm.reply(
            ok("not JSON at all", tokens=(100, 20)),
            ok("still not JSON", tokens=(100, 20)),
            ok_json(summary, tokens=(900, 150)),
        )
        before = scrape(url)
        fell_back = core.brief("river plan")
        assert fell_back.brief.summarizer == "extractive"
        # The stand-in is served for the same articles for STAND_IN_SECONDS; after that the
        # LLM is tried again.
        with transaction(core.factory) as session:
            session.execute(
                update(BriefRow).values(created_at=datetime.now(UTC) - timedelta(hours=2))
            )
        from_llm = core.brief("river plan")
        assert from_llm.brief.summarizer == "llm:test-model" and not from_llm.cached
        after = scrape(url)
    finally:
        server.stop()
        core.close()

    def calls(outcome: str) -> float:
        return moved(before, after, "briefbot_llm_calls_total", prompt="brief", outcome=outcome)

    assert (calls("invalid_output"), calls("ok"), calls("error")) == (2, 1, 0)
    assert moved(before, after, "briefbot_llm_fallbacks_total", prompt="brief") == 1
    assert moved(before, after, "briefbot_llm_tokens_total", prompt="brief", direction="in") == 1100
    assert moved(before, after, "briefbot_llm_tokens_total", prompt="brief", direction="out") == 190
    assert moved(before, after, "briefbot_llm_call_seconds_count", prompt="brief") == 3
    assert (
        moved(
            before, after, "briefbot_briefs_total", result="computed", summarizer="llm:test-model"
        )
        == 1
    )
