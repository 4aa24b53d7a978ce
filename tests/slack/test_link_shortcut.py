"""End to end over HTTP: "Brief this link" (a message shortcut, payload shaped as in Slack's
SDK tests) on a message linking to a page served by a local server → a cited brief in the
message's thread; on a link the guarded fetcher refuses → an ephemeral reason, nothing posted
and nothing fetched."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from bot.core import Briefbot
from testkit.slackfake.server import FakeSlack
from testkit.slackfake.signing import interaction_body, post_signed
from tests.conftest import Database
from tests.slack.conftest import SIGNING_SECRET, RunningApp, serve_app, settings_for

TEAM, CHANNEL, USER = "T0001", "C0001", "U0001"
PAGE = """<!doctype html><html><head><title>River plan approved by council</title>
<meta property="og:site_name" content="Delta Herald"></head><body><article>
<h1>River plan approved by council</h1>
<p>The city council approved the river restoration plan on Thursday, committing 4 million
euros to rebuilding the flood banks along the old harbour district.</p>
<p>Officials did not say whether the regional government would co-fund the second phase of
the work, which engineers say is needed to protect the northern quarter.</p>
<p>Construction is expected to begin in September, and the council will review the costs of
the first phase in March next year.</p>
</article></body></html>"""


@contextmanager
def article_server() -> Iterator[tuple[str, list[str]]]:
    """A local site: /river-plan is the article; every path requested is recorded."""
    requested: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            requested.append(self.path)
            body = PAGE.encode() if self.path == "/river-plan" else b"not here"
            self.send_response(200 if self.path == "/river-plan" else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", requested
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def shortcut(fake: FakeSlack, text: str, message_ts: str, response: str) -> str:
    payload = {
        "type": "message_action",
        "token": "verification_token",
        "action_ts": "1583637157.207593",
        "team": {"id": TEAM, "domain": "test-test"},
        "user": {"id": USER, "name": "test-test"},
        "channel": {"id": CHANNEL, "name": "dev"},
        "callback_id": "brief_this_link",
        "trigger_id": "111.222.xxx",
        "message_ts": message_ts,
        "message": {
            "client_msg_id": "zzzz-111-222-xxx-yyy",
            "type": "message",
            "text": text,
            "user": "U0002",
            "ts": message_ts,
            "team": TEAM,
        },
        "response_url": fake.response_url(response),
    }
    return interaction_body(payload)


def test_a_linked_article_is_briefed_in_the_thread(running_app: RunningApp) -> None:
    app, fake = running_app, running_app.fake
    with article_server() as (site, requested):
        url = f"{site}/river-plan"
        body = shortcut(
            fake, f"Have a look: <{url}|the river plan story>", "1800000000.000100", "s1"
        )
        assert post_signed(app.url, body, SIGNING_SECRET).status_code == 200
        (posted,) = fake.wait_for("chat.postMessage", timeout=30)
    assert requested == ["/river-plan"]
    assert posted.ok and posted.params["channel"] == CHANNEL
    assert posted.params["thread_ts"] == "1800000000.000100"  # in the message's thread
    blocks = json.dumps(posted.params["blocks"])
    for title in ("Key provisions", "Open questions", "Next steps"):
        assert title in blocks
    assert url in blocks  # the page is cited, with its link
    # stored articles of the same story are read too, and cited where they are used
    assert "stored articles of the same story" in blocks
    assert fake.response_posts("s1") == []
    assert fake.violations == [] and fake.unexpected == []


def test_no_link_and_an_unfetchable_link_get_an_ephemeral_reason(
    running_app: RunningApp,
) -> None:
    app, fake = running_app, running_app.fake
    post_signed(app.url, shortcut(fake, "no link here", "1800000000.000200", "n1"), SIGNING_SECRET)
    with article_server() as (site, requested):
        missing = shortcut(fake, f"<{site}/gone>", "1800000000.000300", "g1")
        post_signed(app.url, missing, SIGNING_SECRET)
        fake.wait_for("response_url", count=2, timeout=30)
    assert requested == ["/gone"]
    assert "has no link to brief" in fake.response_posts("n1")[0]["text"]
    assert "couldn't fetch that link: HTTP 404" in fake.response_posts("g1")[0]["text"]
    assert fake.calls_to("chat.postMessage") == []


def test_a_blocked_address_is_refused_unfetched(
    db: Database, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    # The guard on, as in production: loopback and private addresses are never fetched.
    settings = settings_for(db.url, fake_slack, FETCH_ALLOW_PRIVATE="false")
    core = Briefbot(settings, engine=db.engine)
    with serve_app(settings, core, fake_slack) as app, article_server() as (site, requested):
        body = shortcut(fake_slack, f"<{site}/river-plan>", "1800000000.000400", "b1")
        assert post_signed(app.url, body, SIGNING_SECRET).status_code == 200
        (reply,) = fake_slack.wait_for("response_url", timeout=30)
        metadata = shortcut(fake_slack, "<http://169.254.169.254/latest/meta-data>", "1.5", "b2")
        post_signed(app.url, metadata, SIGNING_SECRET)
        fake_slack.wait_for("response_url", count=2, timeout=30)
    text = reply.params["text"]
    assert "couldn't fetch that link" in text and "loopback" in text
    assert reply.params.get("response_type", "ephemeral") == "ephemeral"
    assert "link-local" in fake_slack.response_posts("b2")[0]["text"]
    assert requested == []  # never fetched
    assert fake_slack.calls_to("chat.postMessage") == []
    assert fake_slack.violations == [] and fake_slack.unexpected == []
