"""What `briefbot` prints a user: settings checked before anything starts, no library chatter."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL"))}
    return {**env, "BRIEFBOT_DATA_DIR": str(tmp_path / "data"), "LOG_LEVEL": "INFO", **extra}


@pytest.mark.slow
def test_worker_without_a_token_says_so_before_creating_a_database(tmp_path: Path) -> None:
    for args in (["worker"], ["serve", "--socket"], ["serve", "--http"]):
        result = subprocess.run(
            [sys.executable, "-m", "bot", *args],
            cwd=tmp_path,
            env=_env(tmp_path),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 2, result.stderr
        assert result.stderr.count("\n") == 1 and "is required for `briefbot" in result.stderr
        assert not (tmp_path / "data").exists(), "migrated before checking the settings"


@pytest.mark.slow
def test_worker_start_is_quiet(tmp_path: Path) -> None:
    """At LOG_LEVEL=INFO: our own lines, none of alembic's migration chatter."""
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "worker"],
        cwd=tmp_path,
        env=_env(
            tmp_path, SLACK_BOT_TOKEN="xoxb-quiet-test-1", SLACK_API_URL="http://127.0.0.1:9/"
        ),
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    # readline() blocks: a worker that hangs silently is killed, ending the read with EOF
    killer = threading.Timer(60, process.kill)
    killer.start()
    lines: list[str] = []
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            line = process.stderr.readline()
            if not line:
                break
            lines.append(line)
            if "worker running" in line:
                break
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
        killer.cancel()
    assert any("worker running" in line for line in lines), lines
    assert not any("alembic" in line for line in lines), lines


def test_the_app_is_built_without_bolts_token_warning(caplog: pytest.LogCaptureFixture) -> None:
    """Bolt warns "As you gave client as well, token will be unused." when given both."""
    from unittest.mock import Mock

    from slack_sdk import WebClient

    from bot.settings import Settings
    from bot.slack.app import create_app

    settings = Settings.from_env(
        environ={"SLACK_BOT_TOKEN": "xoxb-warn-test-1", "SLACK_APP_TOKEN": "xapp-warn-test-1"},
        dotenv_path=None,
    )
    with caplog.at_level(logging.DEBUG):
        app = create_app(
            settings,
            Mock(),  # listeners only use the use cases when a request comes
            client=WebClient(token="xoxb-warn-test-1"),
            socket_mode=True,
        )
    assert app.client.token == "xoxb-warn-test-1"
    assert not [r for r in caplog.records if "will be unused" in r.getMessage()]
