"""Fixtures for the reliability and security suite.

The local HTTP server, the loopback-only transport and the running Slack app are the suite's
own fixtures from tests/ingest and tests/slack, imported here so these tests use the same
stand-ins. The shared corpus is found through BRIEFBOT_CORPUS or next to the repository
(../shared/corpus); tests that need it skip, naming the path, when it is absent.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from bot.core import Briefbot
from bot.settings import Settings
from bot.slack.client import make_web_client
from bot.slack.runtime import build_runtime
from bot.slack.server import http_server
from storage.db import ping
from tests.ingest.conftest import server, transport  # noqa: F401  (fixtures)
from tests.slack.conftest import (  # noqa: F401  (fake_slack, running_app: fixtures)
    BOT_TOKEN,
    RunningApp,
    fake_slack,
    running_app,
)
from tests.slackfake.server import FakeSlack

REPO_ROOT = Path(__file__).resolve().parents[2]


def corpus_root() -> Path:
    """The shared corpus: $BRIEFBOT_CORPUS, else ../shared/corpus beside the repository."""
    configured = os.environ.get("BRIEFBOT_CORPUS")
    if configured:
        return Path(configured).expanduser()
    return (REPO_ROOT / ".." / "shared" / "corpus").resolve()


def needs_corpus(folder: str) -> pytest.MarkDecorator:
    """Skip unless the corpus folder exists; the reason names where it was looked for."""
    path = corpus_root() / folder
    return pytest.mark.skipif(
        not path.is_dir(),
        reason=f"shared corpus folder not found at {path} "
        "(set BRIEFBOT_CORPUS; only the shared workspace has it)",
    )


@contextmanager
def serve_app(settings: Settings, core: Briefbot, fake: FakeSlack) -> Iterator[RunningApp]:
    """The HTTP Slack app of `core`, on 127.0.0.1:<free port>, talking to `fake` (as the
    running_app fixture does, but with settings of the test's choosing)."""
    client = make_web_client(settings, settings.slack_bot_token or BOT_TOKEN, max_retries=2)
    runtime = build_runtime(
        settings, socket_mode=False, with_scheduler=False, core=core, client=client
    )
    web = http_server(runtime.app, lambda: ping(core.engine), host="127.0.0.1", port=0)
    thread = threading.Thread(target=web.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{web.effective_port}"
    try:
        yield RunningApp(fake, runtime, base + "/slack/events", base)
    finally:
        web.close()
        thread.join(timeout=5)
