"""Socket Mode acks are timed too (`serve --socket` has no front door): a /brief pushed over
the websocket moves the ack histogram, served on METRICS_PORT's server."""

from __future__ import annotations

import json
import time
from pathlib import Path

from bot.core import Briefbot
from bot.metrics_http import MetricsServer
from bot.runtime import build_runtime
from bot.slack.client import make_web_client
from bot.slack.server import socket_mode_handler
from testkit.slackfake.server import FakeSlack
from testkit.slackfake.signing import slash_command_fields
from testkit.slackfake.socket_mode import FakeSocketModeServer
from tests.conftest import Database
from tests.metrics.helpers import moved, scrape
from tests.slack.conftest import BOT_TOKEN, settings_for

_ACKS = "briefbot_slack_ack_seconds_count"


def test_socket_mode_acks_are_timed(db: Database, tmp_path: Path) -> None:
    with FakeSlack() as fake, FakeSocketModeServer() as server:
        fake.attach_socket_mode(server)
        settings = settings_for(db.url, fake, SLACK_APP_TOKEN="xapp-test-1")
        core = Briefbot(settings, engine=db.engine)
        client = make_web_client(settings, BOT_TOKEN, max_retries=2)
        runtime = build_runtime(
            settings, socket_mode=True, with_scheduler=False, core=core, client=client
        )
        handler = socket_mode_handler(runtime.app, "xapp-test-1")
        metrics_server = MetricsServer("127.0.0.1", 0).start()
        url = f"http://127.0.0.1:{metrics_server.port}/metrics"
        handler.connect()
        try:
            server.wait_for_connection()
            before = scrape(url)
            envelope = server.push_slash_command(
                slash_command_fields(text="help", response_url=fake.response_url("h"))
            )
            ack, _ = server.wait_for_ack(envelope, timeout=10)
            assert "/brief" in json.dumps(ack)
            # Timed once the ack is sent: the histogram moves just after the ack arrives.
            deadline = time.monotonic() + 5
            after = scrape(url)
            while not moved(before, after, _ACKS, kind="command") and time.monotonic() < deadline:
                time.sleep(0.05)
                after = scrape(url)
        finally:
            handler.close()
            metrics_server.stop()
            runtime.shutdown()
    assert moved(before, after, _ACKS, kind="command") == 1
