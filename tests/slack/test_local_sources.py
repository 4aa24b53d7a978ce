"""`/brief sources` never shows a channel the server's local paths (sources added from the CLI)."""

from __future__ import annotations

import json
import time

from testkit.slackfake.signing import post_signed, slash_command_body
from tests.slack.conftest import SIGNING_SECRET, RunningApp


def test_sources_of_a_topic_fed_from_local_files(running_app: RunningApp) -> None:
    app = running_app  # its "river plan" topic was ingested from a folder on this machine
    body = slash_command_body(
        text="sources river plan",
        team_id="T0001",
        channel_id="C0001",
        response_url=app.fake.response_url("src"),
    )
    assert post_signed(app.url, body, SIGNING_SECRET).status_code == 200
    deadline = time.monotonic() + 20
    while not app.fake.response_posts("src"):
        assert time.monotonic() < deadline, "no reply"
        time.sleep(0.05)
    reply = json.dumps(app.fake.response_posts("src"))
    assert "a local file or folder, added on the server" in reply
    assert "file:" not in reply and "/tmp" not in reply and "articles" not in reply
