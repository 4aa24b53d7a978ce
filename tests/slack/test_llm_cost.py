"""Cost in the open (issue 16 item 8), end to end: signed /brief requests over HTTP, the fake
Slack, a local OpenAI-compatible server and a real database (SQLite and PostgreSQL). An
LLM-made brief's footer shows its tokens and estimated cost; once a workspace has used its
LLM_MONTHLY_TOKEN_BUDGET its briefs are made offline and say so, and another workspace's are
not."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from bot.core import Briefbot
from storage.models import Article, LLMCall
from testkit.articles import write_articles
from testkit.fake_llm import FakeLLMServer, ok_json
from testkit.slackfake.server import FakeSlack
from testkit.slackfake.signing import post_signed, slash_command_body
from tests.conftest import Database
from tests.slack.conftest import SIGNING_SECRET, RunningApp, serve_app, settings_for

TEAM, OTHER_TEAM, CHANNEL, USER = "T0001", "T0002", "C0001", "U0001"


@pytest.fixture
def llm() -> Iterator[FakeLLMServer]:
    server = FakeLLMServer().start()
    yield server
    server.stop()


def _brief(app: RunningApp, team: str, response: str) -> None:
    body = slash_command_body(
        text="river plan",
        team_id=team,
        channel_id=CHANNEL,
        user_id=USER,
        response_url=app.fake.response_url(response),
    )
    assert post_signed(app.url, body, SIGNING_SECRET).status_code == 200


def _footer(fake: FakeSlack, count: int) -> str:
    """The last context line of the count-th brief posted."""
    posted = fake.wait_for("chat.postMessage", count=count, timeout=60)[count - 1]
    contexts = [b for b in posted.params["blocks"] if b.get("type") == "context"]
    return json.dumps(contexts[-1])


def test_footer_shows_tokens_and_cost_then_the_budget_falls_back_offline(
    db: Database, fake_slack: FakeSlack, llm: FakeLLMServer, tmp_path: Path
) -> None:
    settings = settings_for(
        db.url,
        fake_slack,
        OPENAI_API_KEY="local-test-key-cost",
        OPENAI_BASE_URL=llm.base_url,
        OPENAI_MODEL="test-model",
        OPENAI_TIMEOUT="30",
        SUMMARIZER="llm",
        LLM_PRICE_PER_1K_INPUT="0.01",
        LLM_PRICE_PER_1K_OUTPUT="0.03",
        LLM_MONTHLY_TOKEN_BUDGET="1000",
    )
    core = Briefbot(settings, engine=db.engine, llm_http_client=httpx.Client(trust_env=False))
    core.ingest(
        [str(write_articles(tmp_path / "articles", core.clock().isoformat()))], topic="river plan"
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
    llm.reply(ok_json(summary, tokens=(900, 150)))

    with serve_app(settings, core, fake_slack) as app:
        _brief(app, TEAM, "r1")
        first = _footer(fake_slack, 1)
        # 900 in at 0.01/1k + 150 out at 0.03/1k = 0.0135
        assert "1,050 tokens" in first and "$0.0135" in first, first
        assert len(llm.requests) == 1

        # 1,050 tokens this month >= the budget of 1,000: offline, and the footer says so.
        _brief(app, TEAM, "r2")
        second = _footer(fake_slack, 2)
        assert "budget" in second and "offline" in second, second
        assert "tokens (" not in second
        assert len(llm.requests) == 1  # the LLM was not asked

        # Another workspace has its own budget: it gets the LLM's brief (from the cache).
        _brief(app, OTHER_TEAM, "r3")
        third = _footer(fake_slack, 3)
        assert "budget" not in third
    with core.factory() as session:
        teams = list(session.scalars(select(LLMCall.team_id)))
    assert teams == [TEAM]
    fake_slack.assert_clean()


def test_a_digest_past_the_budget_is_made_offline_and_says_so(
    db: Database, fake_slack: FakeSlack, llm: FakeLLMServer, tmp_path: Path
) -> None:
    """The budget footer through the digest job: the workspace spent its month's tokens on a
    /brief, so the channel's scheduled digest is made offline and its footer says why."""
    from bot.jobs.digest import run_digest
    from bot.slack.client import SingleWorkspaceClients
    from bot.slack.posting import SlackPoster

    settings = settings_for(
        db.url,
        fake_slack,
        OPENAI_API_KEY="local-test-key-cost",
        OPENAI_BASE_URL=llm.base_url,
        OPENAI_MODEL="test-model",
        OPENAI_TIMEOUT="30",
        SUMMARIZER="llm",
        LLM_MONTHLY_TOKEN_BUDGET="1000",
    )
    core = Briefbot(settings, engine=db.engine, llm_http_client=httpx.Client(trust_env=False))
    core.ingest(
        [str(write_articles(tmp_path / "articles", core.clock().isoformat()))], topic="river plan"
    )
    with core.factory() as session:
        ids = [str(i) for i in session.scalars(select(Article.id).order_by(Article.id))]
    llm.reply(
        ok_json(
            {
                "key_provisions": [{"text": "The council approved the plan.", "source_ids": ids}],
                "open_questions": [],
                "next_steps": [],
            },
            tokens=(900, 150),
        )
    )
    with serve_app(settings, core, fake_slack) as app:
        _brief(app, TEAM, "r1")
        assert "1,050 tokens" in _footer(fake_slack, 1)
        subscription, _ = core.subscriptions.subscribe(
            team_id=TEAM,
            channel_id=CHANNEL,
            topic="river plan",
            hour=0,
            minute=0,
            timezone="UTC",
            user_id=USER,
        )
        poster = SlackPoster(SingleWorkspaceClients(settings, app.runtime.client))
        assert run_digest(core, poster, subscription.id).status == "sent"
    digest = fake_slack.wait_for("chat.postMessage", count=2, timeout=30)[1].params
    footer = " ".join(json.dumps(b) for b in digest["blocks"] if b.get("type") == "context")
    assert "Daily digest" in json.dumps(digest["blocks"][0])
    assert "budget" in footer and "offline" in footer, footer
    assert len(llm.requests) == 1  # the digest did not ask the LLM
