"""The metrics and log settings: bad values are one-line errors, a busy METRICS_PORT is logged
and the process runs on, and an environment without prometheus-client still runs (its
/metrics says what to install)."""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from bot.errors import SettingsError
from bot.metrics_http import serve_metrics
from bot.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def _settings(**env: str) -> Settings:
    return Settings.from_env(environ={"DATABASE_URL": "sqlite://", **env}, dotenv_path=None)


def test_defaults_and_values() -> None:
    plain = _settings()
    assert (plain.log_format, plain.metrics_port, plain.metrics_token) == ("text", None, None)
    set_ = _settings(LOG_FORMAT="JSON", METRICS_PORT="9100", METRICS_TOKEN="tok-123456")
    assert (set_.log_format, set_.metrics_port) == ("json", 9100)
    assert "tok-123456" in set_.secrets()  # redacted from logs like the other secrets
    assert "tok-123456" not in repr(set_)


@pytest.mark.parametrize(
    ("env", "says"),
    [
        ({"LOG_FORMAT": "yaml"}, "LOG_FORMAT must be text or json"),
        ({"METRICS_PORT": "ninety"}, "METRICS_PORT must be a whole number"),
        ({"METRICS_PORT": "70000"}, "METRICS_PORT must be a TCP port"),
        ({"METRICS_PORT": "-1"}, "METRICS_PORT must be at least 0"),
    ],
)
def test_bad_values_are_one_line_errors(env: dict[str, str], says: str) -> None:
    with pytest.raises(SettingsError, match=says):
        _settings(**env)


def test_a_busy_port_is_logged_not_fatal(caplog: pytest.LogCaptureFixture) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with caplog.at_level(logging.ERROR):
            server = serve_metrics(port, host="127.0.0.1")
        assert server.port is None and server.stop() is True
    assert f"could not listen on port {port}" in caplog.text


@pytest.mark.slow
def test_without_prometheus_client_the_bot_runs_and_metrics_say_why() -> None:
    script = """
import sys
class Missing:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "prometheus_client":
            raise ImportError("not installed")
sys.meta_path.insert(0, Missing())
import bot.core, bot.jobs.digest, bot.jobs.scheduler, bot.slack.server
from bot import metrics
from bot.metrics_http import metrics_app
metrics.observe_ack("command", 0.2)
metrics.set_leader(True)
seen = []
body = b"".join(metrics_app()({"PATH_INFO": "/metrics", "REQUEST_METHOD": "GET"},
                              lambda status, headers: seen.append(status)))
print(metrics.AVAILABLE, seen[0], body.decode().strip())
"""
    out = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == (
        "False 503 Service Unavailable prometheus-client is not installed: pip install -e ."
    )
