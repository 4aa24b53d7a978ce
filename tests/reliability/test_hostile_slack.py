"""Hostile input from Slack: odd slash-command text, mentions smuggled in through articles,
topics, URLs and errors, and requests that are unsigned, tampered with or replayed.

Every case runs against the real HTTP app and the local fake Slack, on SQLite and PostgreSQL.
Whatever goes in, each reply is a clear ephemeral message (or a normal brief), nothing the bot
sends can ping anyone, no stack trace is shown, and nothing corrupt is stored.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, inspect, select

from bot.core import Briefbot
from storage import sources, topics
from storage.models import Article, Source, Subscription, Topic
from testkit.slackfake.server import FakeSlack
from testkit.slackfake.signing import (
    event_body,
    post_signed,
    sign,
    slash_command_body,
    stale_timestamp,
)
from tests.conftest import Database
from tests.slack.conftest import SIGNING_SECRET, RunningApp, serve_app, settings_for

TEAM, CHANNEL, USER = "T0001", "C0001", "U0001"

# Anything that would ping people or link in Slack mrkdwn. `<#C…>` (a channel link) is allowed:
# the bot writes those on purpose.
PING = re.compile(r"<!(?:channel|here|everyone|subteam)|<@[UWB]", re.IGNORECASE)
BARE_PING = re.compile(r"(?<![\w\u2060])@(?:channel|here|everyone)\b", re.IGNORECASE)
STACK_TRACE = re.compile(r"Traceback|File \"|Error:|Exception|line \d+")

USAGE = "usage"  # answered in the ack, nothing else happens
BRIEF = "brief"  # a valid topic: acked, then an ephemeral "no articles" reply

# (id, /brief text, what happens, a phrase the reply must contain)
HOSTILE_COMMANDS: tuple[tuple[str, str, str, str], ...] = (
    ("empty", "", USAGE, "/brief ukraine"),
    ("whitespace", " \t \n ", USAGE, "/brief ukraine"),
    ("10k-chars", "a" * 10_000, USAGE, "10,000 characters"),
    ("10k-words", "ukraine " * 1_250, USAGE, "at most 500"),
    ("channel", "<!channel>", USAGE, "without links, mentions or formatting"),
    ("here", "<!here>", USAGE, "without links, mentions or formatting"),
    ("everyone", "<!everyone>", USAGE, "without links, mentions or formatting"),
    ("user", "<@U123>", USAGE, "without links, mentions or formatting"),
    ("user-labelled", "ukraine <@U123|bob>", USAGE, "without links, mentions or formatting"),
    ("subteam", "<!subteam^S123|devs>", USAGE, "without links, mentions or formatting"),
    ("link", "<https://evil.example|click me>", USAGE, "without links, mentions or formatting"),
    ("bare-at-here", "@here ukraine", USAGE, "without links, mentions or formatting"),
    ("mrkdwn", "*bold* `code`", USAGE, "without links, mentions or formatting"),
    ("code-block", "```ukraine```", USAGE, "without links, mentions or formatting"),
    ("strike", "~ukraine~", USAGE, "without links, mentions or formatting"),
    ("rtl-override", "\u202eeniarku", USAGE, "without links, mentions or formatting"),
    ("emoji", "🇺🇦 ukraine 🔥", USAGE, "without links, mentions or formatting"),
    ("emoji-code", ":fire: ukraine", USAGE, "without links, mentions or formatting"),
    ("sql", "'; drop table articles; --", USAGE, "without links, mentions or formatting"),
    ("sql-topic", "ukraine'; drop table topics; --", USAGE, "without links, mentions"),
    ("sql-or", "x' OR '1'='1", USAGE, "without links, mentions or formatting"),
    ("nul", "ukraine\x00", USAGE, "without links, mentions or formatting"),
    ("time-mention", "subscribe ukraine at <!channel>", USAGE, "is not a time"),
    ("tz-mention", "subscribe ukraine at 08:00 <!here>", USAGE, "not a time zone"),
    ("tz-sql", "subscribe ukraine at 08:00 UTC'--", USAGE, "not a time zone"),
    ("tz-path", "subscribe ukraine at 08:00 ../../etc/passwd", USAGE, "not a time zone"),
    ("subscribe-mention", "subscribe <!channel> at 08:00", USAGE, "without links"),
    ("unsubscribe-mention", "unsubscribe <@U123>", USAGE, "without links"),
    ("list-extra", "list <!here>", USAGE, "takes nothing after it"),
    (
        "private-url-wrong-order",
        "sources add ukraine http://169.254.169.254/latest",
        USAGE,
        "Give one feed or page URL",
    ),
    ("javascript-url", "sources ukraine add javascript:alert(1)", USAGE, "http(s) URL"),
    ("file-url", "sources ukraine add file:///etc/passwd", USAGE, "http(s) URL"),
    ("arabic", "أوكرانيا", BRIEF, "I found no articles about *أوكرانيا*"),
    ("hebrew", "שלום עולם", BRIEF, "I found no articles about *שלום עולם*"),
    ("mixed-rtl", "kyiv كييف", BRIEF, "I found no articles about *kyiv كييف*"),
    ("cjk", "乌克兰", BRIEF, "I found no articles about *乌克兰*"),
    ("accents", "Café Crème", BRIEF, "I found no articles about *café crème*"),
    ("ampersand", "R&D", BRIEF, "I found no articles about *r&amp;d*"),
)

# URLs to private addresses, as `/brief sources <topic> add <url>` on an app with the guard on.
PRIVATE_SOURCE_URLS: tuple[tuple[str, str], ...] = (
    ("http://169.254.169.254/latest", "169.254.169.254 (link-local)"),
    ("<http://169.254.169.254/latest/meta-data|metadata>", "169.254.169.254 (link-local)"),
    ("http://[::ffff:a9fe:a9fe]/latest", "::ffff:169.254.169.254 (link-local)"),
    ("http://2852039166/latest", "169.254.169.254 (link-local)"),
    ("http://0x7f000001:6379/", "127.0.0.1 (loopback)"),
    ("http://localhost./admin", "localhost (loopback)"),
    ("https://[fd00::1]/feed.xml", "fd00::1 (private)"),
)


def slash(app: RunningApp, text: str, response: str) -> httpx.Response:
    body = slash_command_body(
        text=text,
        team_id=TEAM,
        channel_id=CHANNEL,
        user_id=USER,
        response_url=app.fake.response_url(response),
    )
    return post_signed(app.url, body, SIGNING_SECRET)


def replies(fake: FakeSlack, response: str) -> list[dict[str, Any]]:
    return fake.response_posts(response)


def everything_posted(fake: FakeSlack) -> str:
    """Every message body the bot sent to Slack (posts, updates, response_url, App Home)."""
    methods = {"chat.postMessage", "chat.postEphemeral", "chat.update", "views.publish"}
    parts = [
        json.dumps(call.params, ensure_ascii=False)
        for call in fake.calls
        if call.method in methods or call.method == "response_url"
    ]
    return "\n".join(parts)


def assert_inert(text: str) -> None:
    assert not PING.search(text), PING.search(text)
    assert not BARE_PING.search(text), BARE_PING.search(text)


def _ack_payload(response: httpx.Response) -> dict[str, Any]:
    """What an ack said: Bolt answers a text-only ack as text/plain (shown ephemerally)."""
    if not response.text:
        return {}
    if response.headers.get("content-type", "").startswith("application/json"):
        return dict(json.loads(response.text))
    return {"text": response.text}


def _bot_errors(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


def _counts(core: Briefbot) -> dict[str, int]:
    with core.factory() as session:
        return {
            model.__tablename__: int(session.scalar(select(func.count()).select_from(model)) or 0)
            for model in (Article, Source, Topic, Subscription)
        }


# -- slash-command text -------------------------------------------------------------------------


@pytest.mark.slow
def test_hostile_command_text(running_app: RunningApp, caplog: pytest.LogCaptureFixture) -> None:
    app, fake = running_app, running_app.fake
    caplog.set_level(logging.INFO)
    before = _counts(app.core)
    with app.core.factory() as session:
        tables_before = set(inspect(session.bind).get_table_names())
    acks: list[str] = []
    expected_replies = 0
    for case, text, kind, phrase in HOSTILE_COMMANDS:
        response = slash(app, text, case)
        assert response.status_code == 200, case
        ack = response.text
        acks.append(ack)
        assert not STACK_TRACE.search(ack), (case, ack)
        payload = _ack_payload(response)
        assert payload.get("response_type", "ephemeral") == "ephemeral", case
        if kind == USAGE:
            assert phrase in payload.get("text", ""), (case, ack)
            continue
        assert "Working on a brief" in payload["text"], (case, ack)
        # A topic new to briefbot first gets "… is a new topic: searching …", then the result.
        deadline = time.monotonic() + 30
        while not any(phrase in r.get("text", "") for r in replies(fake, case)):
            assert time.monotonic() < deadline, (case, replies(fake, case))
            time.sleep(0.05)
        case_replies = replies(fake, case)
        assert len(case_replies) <= 2, (case, case_replies)
        assert phrase in case_replies[-1]["text"], (case, case_replies)
        for reply in case_replies:
            assert reply.get("response_type", "ephemeral") == "ephemeral"
            assert not STACK_TRACE.search(reply["text"]), (case, reply)
        expected_replies += len(case_replies)

    time.sleep(0.5)  # any stray lazy work would have posted by now
    assert len(fake.calls_to("response_url")) == expected_replies
    assert fake.calls_to("chat.postMessage") == []  # no topic here has articles
    assert fake.violations == []
    for text in [*acks, everything_posted(fake)]:
        assert_inert(text)
    assert _bot_errors(caplog) == []

    # nothing corrupt stored: the same tables, no new articles or subscriptions, and the only
    # new topics are the valid ones, under exactly the names typed
    with app.core.factory() as session:
        assert set(inspect(session.bind).get_table_names()) == tables_before
        names = {t.name for t in topics.list_all(session)}
    after = _counts(app.core)
    assert after["articles"] == before["articles"] and after["subscriptions"] == 0
    valid = {text.lower() for _, text, kind, _ in HOSTILE_COMMANDS if kind == BRIEF}
    assert names == {"river plan"} | valid
    # and the bot still works
    assert slash(app, "river plan", "after").status_code == 200
    fake.wait_for("chat.postMessage", timeout=30)


def test_private_source_urls_refused(
    db: Database, fake_slack: FakeSlack, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # The guard on, as in production (the shared fixture allows loopback for its local feeds).
    settings = settings_for(db.url, fake_slack, FETCH_ALLOW_PRIVATE="false")
    core = Briefbot(settings, engine=db.engine)
    caplog.set_level(logging.INFO)
    with serve_app(settings, core, fake_slack) as app:
        for n, (url, reason) in enumerate(PRIVATE_SOURCE_URLS):
            response = slash(app, f"sources ukraine add {url}", f"src{n}")
            assert response.status_code == 200
            fake_slack.wait_for("response_url", count=n + 1, timeout=20)
            (reply,) = replies(fake_slack, f"src{n}")
            assert f"blocked address {reason}" in reply["text"] or (
                f"blocked host {reason}" in reply["text"]
            ), reply
            assert reply.get("response_type", "ephemeral") == "ephemeral"
            assert not STACK_TRACE.search(reply["text"])
        assert_inert(everything_posted(fake_slack))
    with core.factory() as session:
        assert list(session.scalars(select(Source))) == []
    assert _bot_errors(caplog) == []


def test_mentions_in_urls_and_errors_are_inert(running_app: RunningApp) -> None:
    """URLs echoed back and stored source errors come from users and remote servers."""
    app, fake = running_app, running_app.fake
    hostile_url = "http://news.example/<!channel>|<@U999>"
    assert slash(app, f"sources river plan add {hostile_url}", "add").status_code == 200
    fake.wait_for("response_url", timeout=20)
    (added,) = replies(fake, "add")
    assert added["text"].startswith("Added ")
    with app.core.factory() as session:
        stored = sources.get_by_url(session, hostile_url)
        assert stored is not None and stored.url == hostile_url  # stored as given, not mangled
        # what a hostile server can put into an error: its reason phrase, its content type
        sources.record_error(session, stored, "HTTP 500 <!here> <@U999> @channel &lt;")
        session.commit()
    assert slash(app, "sources river plan", "list").status_code == 200
    fake.wait_for("response_url", count=2, timeout=20)
    (listing,) = replies(fake, "list")
    assert "HTTP 500" in listing["text"] and "&lt;!here&gt;" in listing["text"]
    # an error message that echoes the URL typed must be escaped too
    assert slash(app, "sources river plan add http://[fe80::1/<!everyone>", "bad").status_code
    fake.wait_for("response_url", count=3, timeout=20)
    (bad,) = replies(fake, "bad")
    assert "is not a valid URL" in bad["text"] and "&lt;!everyone&gt;" in bad["text"]
    assert_inert(everything_posted(fake))


# -- articles and topics that try to ping ---------------------------------------------------

HOSTILE_TITLE = "Flood alert <!channel> for <@U999> @here"
HOSTILE_OUTLET = "<!here> Gazette"
HOSTILE_TEXT = (
    "<!channel> The council approved the flood barrier plan on Monday by a vote of 7 to 2. "
    "@here The barrier costs 4 million euros and protects the old town.\n\n"
    "<@U999> said the vote on the flood barrier was close. <!everyone> It remains unclear "
    "whether the region will pay for the second phase. <!subteam^S123|devs> were told.\n\n"
    "Construction of the flood barrier will begin in May. <https://evil.example|Click here> "
    "and @channel will review costs in June. <!date^1392734382^{date}|Feb 18>"
)


@pytest.fixture
def mention_articles(running_app: RunningApp, tmp_path: Path) -> RunningApp:
    folder = tmp_path / "hostile"
    folder.mkdir()
    (folder / "alert.md").write_text(
        f"---\ntitle: {HOSTILE_TITLE}\noutlet: {HOSTILE_OUTLET}\n"
        f"published: {running_app.core.clock().isoformat()}\n"
        "url: https://alerts.example.com/flood?a=1&b=<2>\n---\n"
        f"{HOSTILE_TEXT}\n"
    )
    report = running_app.core.ingest([str(folder)], topic="flood barrier")
    assert report.failed_count == 0 and report.ok_count == 1
    return running_app


def test_article_mentions_never_ping(mention_articles: RunningApp) -> None:
    app, fake = mention_articles, mention_articles.fake
    assert slash(app, "flood barrier", "fb").status_code == 200
    fake.wait_for("chat.postMessage", timeout=30)
    posted = fake.calls_to("chat.postMessage")[0]
    assert posted.ok and "link_names" not in posted.params
    shown = json.dumps(posted.params, ensure_ascii=False)
    assert_inert(shown)
    assert "&lt;!channel&gt;" in shown  # the article's text is shown, made inert, not dropped
    assert "@\u2060here" in shown  # bare @here broken with an invisible word joiner
    assert "evil.example" not in shown.replace("&lt;https://evil.example", "")

    event = {
        "type": "message",
        "channel": CHANNEL,
        "user": USER,
        "text": "<@UBOT> What did <@U999> say about the vote?",
        "ts": "1800000000.000300",
        "thread_ts": posted.response["ts"],
    }
    body = event_body(event, team_id=TEAM, event_id="EvHostile")
    assert post_signed(app.url, body, SIGNING_SECRET).status_code == 200
    fake.wait_for("chat.postMessage", count=2, timeout=30)
    answer = fake.calls_to("chat.postMessage")[1]
    assert answer.params["thread_ts"] == posted.response["ts"]
    assert_inert(everything_posted(fake))
    assert fake.violations == []


# -- request signatures ---------------------------------------------------------------------


def _raw_post(url: str, body: str, headers: dict[str, str]) -> httpx.Response:
    with httpx.Client(trust_env=False, timeout=10) as client:
        return client.post(url, content=body.encode(), headers=headers)


FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def _forgeries(body: str) -> Iterator[tuple[str, dict[str, str], str]]:
    """(case, headers, body sent) for requests Slack never signed as sent."""
    now = int(time.time())
    good = sign(SIGNING_SECRET, body, now)
    yield "unsigned", dict(FORM), body
    yield "no-timestamp", {**FORM, "X-Slack-Signature": good}, body
    yield "no-signature", {**FORM, "X-Slack-Request-Timestamp": str(now)}, body
    yield (
        "empty-signature",
        {**FORM, "X-Slack-Request-Timestamp": str(now), "X-Slack-Signature": ""},
        body,
    )
    yield (
        "bare-v0",
        {**FORM, "X-Slack-Request-Timestamp": str(now), "X-Slack-Signature": "v0="},
        body,
    )
    yield (
        "other-version",
        {**FORM, "X-Slack-Request-Timestamp": str(now), "X-Slack-Signature": "v1" + good[2:]},
        body,
    )
    yield (
        "wrong-secret",
        {
            **FORM,
            "X-Slack-Request-Timestamp": str(now),
            "X-Slack-Signature": sign("not-the-secret", body, now),
        },
        body,
    )
    yield (
        "tampered",
        {**FORM, "X-Slack-Request-Timestamp": str(now), "X-Slack-Signature": good},
        body.replace("river+plan", "subscribe+river+plan"),
    )
    for age in (301, 360, 3600, 86_400 * 365):
        stamp = stale_timestamp(age)
        yield (
            f"replayed-{age}s",
            {
                **FORM,
                "X-Slack-Request-Timestamp": str(stamp),
                "X-Slack-Signature": sign(SIGNING_SECRET, body, stamp),
            },
            body,
        )
    future = now + 400
    yield (
        "from-the-future",
        {
            **FORM,
            "X-Slack-Request-Timestamp": str(future),
            "X-Slack-Signature": sign(SIGNING_SECRET, body, future),
        },
        body,
    )
    yield (
        "garbage-timestamp",
        {
            **FORM,
            "X-Slack-Request-Timestamp": "yesterday",
            "X-Slack-Signature": sign(SIGNING_SECRET, body, "yesterday"),
        },
        body,
    )


def test_unsigned_tampered_and_replayed_requests_get_401(
    running_app: RunningApp, caplog: pytest.LogCaptureFixture
) -> None:
    app, fake = running_app, running_app.fake
    command = slash_command_body(
        text="river plan",
        team_id=TEAM,
        channel_id=CHANNEL,
        user_id=USER,
        response_url=fake.response_url("forged"),
    )
    cases = list(_forgeries(command))
    for case, headers, sent in cases:
        response = _raw_post(app.url, sent, headers)
        assert response.status_code == 401, (case, response.status_code, response.text)
        assert not STACK_TRACE.search(response.text), case

    event = {
        "type": "message",
        "channel": CHANNEL,
        "user": USER,
        "text": "replayed question",
        "ts": "1800000000.000900",
        "thread_ts": "1700000000.000100",
    }
    replayed = event_body(event, team_id=TEAM, event_id="EvReplay")
    stamp = stale_timestamp(301)
    assert post_signed(app.url, replayed, SIGNING_SECRET, timestamp=stamp).status_code == 401
    assert post_signed(app.url, replayed, SIGNING_SECRET, tamper=True).status_code == 401

    app.settle()
    assert fake.calls_to("response_url") == [] and fake.calls_to("chat.postMessage") == []
    with app.core.factory() as session:
        assert session.scalar(select(func.count()).select_from(Subscription)) == 0
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []

    # the control: the same request, signed now or 290 s ago (inside Slack's 5 minutes), works
    for age, rid in ((0, "fresh"), (290, "recent")):
        body = command.replace("forged", rid)
        stamp = int(time.time()) - age
        assert post_signed(app.url, body, SIGNING_SECRET, timestamp=stamp).status_code == 200
    fake.wait_for("chat.postMessage", count=2, timeout=30)  # both briefs posted
